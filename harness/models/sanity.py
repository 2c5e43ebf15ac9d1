"""Refuse corrupted weights: the perplexity of a fixed text must fall in a recorded band.

A folder the harness writes (the embedded model's cache, a merged model) records the
perplexity it measured in `harness_sanity.json`; a load must land within a factor
`TOLERANCE` of it (wide enough for 4-bit NF4 on top, far narrower than what a corrupted or
misread weight file gives). Folders without a record (Hub snapshots) must stay under
`GENERIC_MAX`, which any trained language model does and random weights do not. The embedded
model's value is also fixed here, so a transformers release that misreads the GGUF is caught
when the cache is built.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from harness.errors import HarnessInputError

TEXT = (
    "The capital of France is Paris. It is known for the Eiffel Tower, the Louvre museum and "
    "its cafes. To count the rows of a table in SQL, write SELECT COUNT(*) FROM the table name."
)
RECORD = "harness_sanity.json"
TOLERANCE = 1.5
GENERIC_MAX = 1000.0
EMBEDDED_PERPLEXITY = {"gemma-3-270m": 34.2}  # measured with transformers 5.23, bf16


def perplexity(model, tokenizer) -> float:
    """Perplexity of `TEXT` under the model (one forward pass, no gradients)."""
    import torch

    ids = tokenizer(TEXT, return_tensors="pt").input_ids.to(model.device)
    with torch.no_grad():
        loss = model(input_ids=ids, labels=ids).loss.float().item()
    return math.exp(loss) if math.isfinite(loss) else math.inf


def band(folder: Path) -> tuple[float, float]:
    """The accepted perplexity range for the model in `folder`."""
    record = Path(folder) / RECORD
    if record.exists():
        value = json.loads(record.read_text())["perplexity"]
        return value / TOLERANCE, value * TOLERANCE
    return 0.0, GENERIC_MAX


def _verify(value: float, low: float, high: float, label: str) -> None:
    if not low <= value <= high:
        raise HarnessInputError(
            f"{label}: failed the sanity check: perplexity {value:.4g} of a fixed text is outside "
            f"[{low:.4g}, {high:.4g}]; the weights are corrupted or were read wrongly "
            "(delete the cached folder to rebuild it, or check the transformers version)"
        )


def check(folder: Path, model, tokenizer, label: str) -> float:
    """Measure the perplexity and raise `HarnessInputError` when it is outside the folder's band."""
    value = perplexity(model, tokenizer)
    _verify(value, *band(folder), label)
    return value


def record(folder: Path, model, tokenizer, expected: float | None = None) -> float:
    """Measure the perplexity, check it against `expected` when given, and record it in `folder`."""
    value = perplexity(model, tokenizer)
    if expected is not None:
        _verify(value, expected / TOLERANCE, expected * TOLERANCE, str(folder))
    (Path(folder) / RECORD).write_text(json.dumps({"perplexity": value, "text": TEXT}))
    return value
