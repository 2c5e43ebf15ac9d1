"""Merge a LoRA adapter into its bf16 base and save a folder plain transformers loads.

The folder holds the merged weights (safetensors), the tokenizer with the chat template the
model was trained in (`harness.models.chat_format`), the generation config stopping at every
stop token and a sanity record, as the guide does before handing a model to a serving stack.

Tied embeddings: Gemma ties `lm_head` to `embed_tokens`. When the adapter trained either in
full (`modules_to_save`, as the guide does) the two may no longer be equal after merging; the
merged model then unties them and saves both, so its head is the adapter's head, not a copy
of the embedding (`harness.models.loader.load_model(merge=True)` does the merging).
"""

from __future__ import annotations

import json
from pathlib import Path

from harness.models import sanity
from harness.errors import HarnessInputError
from harness.models.loader import load_model

__all__ = ["merge"]


def merge(adapter: str | Path, out: str | Path, base: str | None = None, device: str = "cpu") -> Path:
    """Merge `adapter` into its base model and save the result in `out`.

    Args:
        adapter: An epoch checkpoint folder (adapter + meta.json) or any PEFT adapter folder.
        out: Output folder (must not exist or be empty).
        base: Base model; default: the one recorded in the adapter's meta.json or adapter_config.json.
        device: Where to merge (`cpu` needs no GPU memory).

    Returns:
        The output folder.

    Raises:
        HarnessInputError: Missing adapter weights, a mismatched base, or a non-empty output folder.
    """
    import torch

    adapter, out = Path(adapter), Path(out)
    if out.exists() and any(out.iterdir()):
        raise HarnessInputError(f"{out}: output folder exists and is not empty")
    base = base or _recorded_base(adapter)
    merged, tokenizer = load_model(base, adapter=str(adapter), dtype=torch.bfloat16, device=device, merge=True)
    out.mkdir(parents=True, exist_ok=True)
    merged.save_pretrained(out)
    tokenizer.save_pretrained(out)
    sanity.record(out, merged, tokenizer)
    meta = {"base_model": base, "adapter": str(adapter.resolve())}
    if (adapter / "meta.json").exists():
        meta["adapter_meta"] = json.loads((adapter / "meta.json").read_text())
    (out / "harness_merge.json").write_text(json.dumps(meta, indent=2))
    return out


def _recorded_base(adapter: Path) -> str:
    for name, key in (("meta.json", "base_model"), ("adapter_config.json", "base_model_name_or_path")):
        path = adapter / name
        if path.exists() and json.loads(path.read_text()).get(key):
            return json.loads(path.read_text())[key]
    raise HarnessInputError(f"{adapter}: no adapter here (no meta.json or adapter_config.json naming its base)")

