"""Results store: the one owner of a run folder's layout.

```
results/runs/<run>/
    manifest.json                 task and version, model, preset and config, seed, batch size,
                                  dtype, hardware, library versions, git commit
    config.json                   what training was started with (task source, config)
    trained.json, wall_time.json  training finished / training time so far
    state/                        the Trainer's resumable state while training runs
    tensorboard/                  training curves
    checkpoints/epoch_<n>/        adapter + meta.json, written by training at every epoch end
    checkpoints/step_<n>/         adapter evaluated during training after optimizer step n
                                  (`harness run --eval-every-steps`)
    eval/<checkpoint>/samples.jsonl   one scored record per sample (id, prediction, scores, reason)
    eval/<checkpoint>/summary.json    checkpoint, epoch, task, scorer version, metrics
    leaderboard.{md,csv,json,png}
    report.html                   the self-contained report (`harness report`)
```
`<checkpoint>` is `base`, `epoch_<n>`, `step_<n>`, or the name of a merged folder or adapter.
Checkpoints sort as base, the epochs, the steps (each by number), then the others by name. Every write
goes through `harness.files` (a temp file renamed into place), so a killed run never leaves
half a file.
"""

from __future__ import annotations

import time
from pathlib import Path

from harness.errors import HarnessInputError
from harness.files import read_json, read_jsonl, write_json, write_jsonl

RUNS_DIR = Path("results/runs")
_EPOCH = "epoch_"
_STEP = "step_"


def _number(name: str, prefix: str) -> int | None:
    """n for `<prefix><n>`, else None."""
    rest = name[len(prefix):]
    return int(rest) if name.startswith(prefix) and rest.isdigit() else None


def epoch_of(name: str) -> int | None:
    """Epoch number of a checkpoint name: n for `epoch_<n>`, 0 for `base`, None for others."""
    return 0 if name == "base" else _number(name, _EPOCH)


def step_of(name: str) -> int | None:
    """Optimizer step of a checkpoint name: n for `step_<n>`, None for others."""
    return _number(name, _STEP)


def epoch_name(epoch: int) -> str:
    """The checkpoint name of an epoch: `epoch_<n>`."""
    return f"{_EPOCH}{epoch}"


def step_name(step: int) -> str:
    """The checkpoint name of an evaluation after optimizer step n: `step_<n>`."""
    return f"{_STEP}{step}"


def checkpoint_order(name: str) -> tuple:
    """Sort key: base, epoch_1, epoch_2, ..., step_<n> by n, then anything else by name."""
    epoch, step = epoch_of(name), step_of(name)
    if epoch is not None:
        return (0 if epoch == 0 else 1, epoch, "")
    return (2, step, "") if step is not None else (3, 0, name)


def is_epoch(name: str) -> bool:
    """Whether a checkpoint name is `epoch_<n>`."""
    return checkpoint_order(name)[0] == 1


class RunStore:
    """The folder of one run, and where each of its files lives."""

    def __init__(self, path: Path):
        self.path = Path(path)

    @classmethod
    def new(cls, *name_parts: str, runs_dir: Path = RUNS_DIR) -> RunStore:
        """A fresh run folder under `runs_dir`, named from the parts and the current time."""
        parts = [p.replace("/", "-").replace(":", "-") for p in name_parts]
        return cls(Path(runs_dir) / "-".join([*parts, time.strftime("%Y%m%d-%H%M%S")]))

    @staticmethod
    def is_run(path: Path) -> bool:
        """Whether a folder holds a run (evaluations, a manifest or a training config)."""
        path = Path(path)
        return path.is_dir() and any((path / name).exists() for name in ("eval", "manifest.json", "config.json"))

    @property
    def name(self) -> str:
        return self.path.name

    # training
    @property
    def config_path(self) -> Path:
        return self.path / "config.json"

    @property
    def trained_path(self) -> Path:
        return self.path / "trained.json"

    @property
    def wall_time_path(self) -> Path:
        return self.path / "wall_time.json"

    @property
    def state_dir(self) -> Path:
        return self.path / "state"

    @property
    def tensorboard_dir(self) -> Path:
        return self.path / "tensorboard"

    def is_training_run(self) -> bool:
        """Whether training was started in this folder."""
        return self.config_path.is_file()

    def epoch_dir(self, epoch: int) -> Path:
        return self.path / "checkpoints" / epoch_name(epoch)

    def epoch_dirs(self, complete: bool = True) -> list[Path]:
        """The epoch checkpoint folders by epoch; with `complete`, only those holding a meta.json."""
        found = [p for p in (self.path / "checkpoints").glob(f"{_EPOCH}*") if epoch_of(p.name) is not None]
        return sorted((p for p in found if not complete or (p / "meta.json").is_file()), key=lambda p: epoch_of(p.name))

    def step_dir(self, step: int) -> Path:
        return self.path / "checkpoints" / step_name(step)

    def step_dirs(self) -> list[Path]:
        """The step checkpoint folders (`step_<n>`) by step."""
        found = [p for p in (self.path / "checkpoints").glob(f"{_STEP}*") if step_of(p.name) is not None]
        return sorted(found, key=lambda p: step_of(p.name))

    def has_checkpoints(self) -> bool:
        return (self.path / "checkpoints").is_dir()

    # manifest
    @property
    def manifest_path(self) -> Path:
        return self.path / "manifest.json"

    def manifest(self) -> dict:
        """The manifest, or {} when none was written yet."""
        return read_json(self.manifest_path) if self.manifest_path.is_file() else {}

    def write_manifest(self, manifest: dict) -> None:
        write_json(self.manifest_path, manifest)

    # evaluations
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
        return read_jsonl(self.eval_dir(checkpoint) / "samples.jsonl")

    # leaderboard
    def leaderboard_path(self, suffix: str) -> Path:
        """`leaderboard.<suffix>` in the run folder (md, csv, json, png)."""
        return self.path / f"leaderboard.{suffix}"

    @property
    def report_path(self) -> Path:
        """`report.html` in the run folder, beside the leaderboard files."""
        return self.path / "report.html"


def evaluated_runs(runs_dir: Path = RUNS_DIR) -> list[RunStore]:
    """Every run under `runs_dir` with at least one evaluated checkpoint, by name."""
    found = sorted({p.parent.parent.parent for p in Path(runs_dir).glob("*/eval/*/summary.json")})
    return [RunStore(p) for p in found]


def find_run(name: str, runs_dir: Path = RUNS_DIR) -> RunStore:
    """A run given as a folder, or as a name under `runs_dir`."""
    path = Path(name)
    if not path.is_dir() and (Path(runs_dir) / name).is_dir():
        path = Path(runs_dir) / name
    if not path.is_dir():
        raise HarnessInputError(f"{name}: no such run folder, and no run of that name under {runs_dir}")
    return RunStore(path)
