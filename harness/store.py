"""Results store: one folder per run, one subfolder per evaluated checkpoint.

```
results/runs/<run>/
    manifest.json                 task and version, model, preset and config, seed, batch size,
                                  dtype, hardware, library versions, git commit
    checkpoints/epoch_<n>/        adapters written by training (see harness.training.train)
    eval/<checkpoint>/samples.jsonl   one scored record per sample (id, prediction, scores, reason)
    eval/<checkpoint>/summary.json    checkpoint, epoch, task, scorer version, metrics
```
`<checkpoint>` is `base`, `epoch_<n>`, or the name of a merged folder or adapter. Every write
is atomic (a temp file renamed into place), so a killed run never leaves half a file.
"""

from __future__ import annotations

from pathlib import Path

from harness.errors import HarnessInputError
from harness.files import read_json, read_jsonl, write_json, write_jsonl

RUNS_DIR = Path("results/runs")


class RunStore:
    """The folder of one run."""

    def __init__(self, path: Path):
        self.path = Path(path)

    @property
    def name(self) -> str:
        return self.path.name

    def manifest(self) -> dict:
        return read_json(self.path / "manifest.json")

    def write_manifest(self, manifest: dict) -> None:
        write_json(self.path / "manifest.json", manifest)

    def eval_dir(self, checkpoint: str) -> Path:
        return self.path / "eval" / checkpoint

    def write_eval(self, checkpoint: str, records: list[dict], summary: dict) -> None:
        """Store the scored records and summary of one checkpoint (records first, summary last)."""
        write_jsonl(self.eval_dir(checkpoint) / "samples.jsonl", records)
        write_json(self.eval_dir(checkpoint) / "summary.json", summary)

    def checkpoints(self) -> list[str]:
        """Evaluated checkpoints, base first, then epochs in order, then others by name."""
        found = [p.parent.name for p in (self.path / "eval").glob("*/summary.json")]
        return sorted(found, key=checkpoint_order)

    def summary(self, checkpoint: str) -> dict:
        return read_json(self.eval_dir(checkpoint) / "summary.json")

    def samples(self, checkpoint: str) -> list[dict]:
        path = self.eval_dir(checkpoint) / "samples.jsonl"
        if not path.is_file():
            raise HarnessInputError(f"{path}: no such file")
        return read_jsonl(path)


def checkpoint_order(name: str) -> tuple:
    """Sort key: base, epoch_1, epoch_2, ..., then anything else by name."""
    if name == "base":
        return (0, 0, "")
    if name.startswith("epoch_") and name[6:].isdigit():
        return (1, int(name[6:]), "")
    return (2, 0, name)


def epoch_of(name: str) -> int | None:
    """Epoch number of a checkpoint name (0 for the base model), None for others."""
    kind, number, _ = checkpoint_order(name)
    return {0: 0, 1: number}.get(kind)
