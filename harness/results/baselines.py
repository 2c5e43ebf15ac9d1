"""Baseline files and the reading of gate candidates into `harness.results.gate.OutcomeTable`s.

A baseline is a JSON file, by convention `results/baselines/<name>.json`, written only on
request (`harness gate CANDIDATE --baseline FILE --write-baseline`):

```
{"format": "harness-baseline", "format_version": 1, "created": "2025-01-01T12:00:00+00:00",
 "task": "sample", "task_version": 1, "scorer_version": 1,
 "model": "gemma-3-270m", "checkpoint": "epoch_3", "run": "sample-fast", "source": "...",
 "n": 120, "execution_accuracy": 0.71,
 "outcomes": {"<id>": {"execution_match": true, "reason": "match", "prediction": "...", "gold": "..."}}}
```

A candidate (or a baseline) can be read from a run folder (its last epoch unless a checkpoint
is named), a run's `eval/<checkpoint>` folder, a `summary.json` or `samples.jsonl` of one
(the other file beside it), or another baseline file.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from harness.errors import HarnessInputError
from harness.results.gate import Outcome, OutcomeTable
from harness.results.stats import Rate
from harness.files import read_json, read_jsonl, write_json
from harness.store import RunStore, is_epoch

BASELINES_DIR = Path("results/baselines")
FORMAT, FORMAT_VERSION = "harness-baseline", 1
META_FIELDS = ("task", "task_version", "scorer_version", "model", "checkpoint", "run")


def baseline_path(name_or_path: str) -> Path:
    """A bare name (no folder, no suffix) means `results/baselines/<name>.json`; else the path."""
    path = Path(name_or_path)
    if path.parent == Path(".") and not path.suffix:
        return BASELINES_DIR / f"{name_or_path}.json"
    return path


def load_outcomes(path: Path, checkpoint: str | None = None) -> OutcomeTable:
    """Read a run folder, an eval folder, a summary/samples file or a baseline file.

    Args:
        path: What to read (see the module docstring).
        checkpoint: Checkpoint of a run folder; default its last epoch. Only for run folders.

    Raises:
        HarnessInputError: When the path is none of these, or its files are missing or broken.
    """
    path = Path(path)
    is_run = RunStore.is_run(path)
    if checkpoint is not None and not is_run:
        raise HarnessInputError(f"{path}: --checkpoint applies only to a run folder")
    if is_run:
        run = RunStore(path)
        if checkpoint is not None and checkpoint not in run.checkpoints():
            evaluated = ", ".join(run.checkpoints()) or "none"
            raise HarnessInputError(f"{path}: no evaluated checkpoint {checkpoint!r} (evaluated: {evaluated})")
        return _from_eval_dir(run.eval_dir(checkpoint or default_checkpoint(run)))
    if path.is_dir() and (path / "summary.json").is_file():
        return _from_eval_dir(path)
    if path.is_file() and path.name in ("summary.json", "samples.jsonl"):
        return _from_eval_dir(path.parent)
    if path.is_file() and path.suffix == ".json":
        data = read_json(path)
        if data.get("format") == FORMAT:
            return _from_baseline(data, path)
        raise HarnessInputError(f"{path}: neither a baseline file nor a summary.json")
    if not path.exists():
        raise HarnessInputError(f"{path}: no such file or folder")
    raise HarnessInputError(f"{path}: not a run folder, eval folder, summary.json, samples.jsonl or baseline file")


def default_checkpoint(run: RunStore) -> str:
    """The last `epoch_<n>` of a run; its only checkpoint when it has no epochs."""
    evaluated = run.checkpoints()
    if not evaluated:
        raise HarnessInputError(f"{run.path}: no evaluated checkpoints (no eval/*/summary.json)")
    epochs = [c for c in evaluated if is_epoch(c)]
    if epochs:
        return epochs[-1]
    if len(evaluated) == 1:
        return evaluated[0]
    raise HarnessInputError(f"{run.path}: no epoch checkpoint; name one with --checkpoint ({', '.join(evaluated)})")


def write_baseline(table: OutcomeTable, path: Path) -> dict:
    """Write an outcome table as a baseline file (atomically) and return what was written."""
    rate = Rate.of(o.execution_match for o in table.outcomes.values())  # the gate's metric, PRIMARY
    data = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        **{name: getattr(table, name) for name in META_FIELDS},
        "source": table.source,
        "n": len(table.outcomes),
        "execution_accuracy": rate.value,
        "outcomes": {
            i: {"execution_match": o.execution_match, "reason": o.reason, "prediction": o.prediction, "gold": o.gold}
            for i, o in sorted(table.outcomes.items())
        },
    }
    write_json(Path(path), data)
    return data


def outcomes_from_records(records: list[dict], source: str) -> dict[str, Outcome]:
    """Outcome per sample id from scored records; each bad record is named by its line."""
    outcomes: dict[str, Outcome] = {}
    for line, record in enumerate(records, start=1):
        if record.get("id") in (None, ""):
            raise HarnessInputError(f"{source}: line {line}: no sample id")
        sample_id = str(record["id"])
        if sample_id in outcomes:
            raise HarnessInputError(f"{source}: line {line}: sample id {sample_id!r} appears twice")
        outcomes[sample_id] = _outcome(record, f"{source}: line {line}", gold_key="sql")
    return outcomes


def outcome_table(summary: dict, records: list[dict], folder: Path) -> OutcomeTable:
    """The outcome table of one evaluated checkpoint: its summary.json and samples.jsonl as read.

    Args:
        summary: The checkpoint's summary.
        records: Its scored records, in file order (bad ones are named by their line).
        folder: Its `eval/<checkpoint>` folder, for the default checkpoint name and messages.
    """
    task = summary.get("task")
    if isinstance(task, dict):  # tolerate the manifest's {"name", "version"} form
        summary = {**summary, "task": task.get("name"), "task_version": summary.get("task_version", task.get("version"))}
    return OutcomeTable(
        outcomes=outcomes_from_records(records, str(Path(folder) / "samples.jsonl")),
        **{name: summary.get(name) for name in ("task", "task_version", "scorer_version", "model", "run")},
        checkpoint=summary.get("checkpoint") or Path(folder).name,
        source=str(folder),
    )


def _from_eval_dir(folder: Path) -> OutcomeTable:
    summary_path, samples_path = folder / "summary.json", folder / "samples.jsonl"
    if not summary_path.is_file():
        raise HarnessInputError(f"{folder}: no evaluation here (no summary.json)")
    summary = read_json(summary_path)
    if not samples_path.is_file():
        raise HarnessInputError(f"{samples_path}: no such file")
    return outcome_table(summary, read_jsonl(samples_path), folder)


def _from_baseline(data: dict, path: Path) -> OutcomeTable:
    if data.get("format_version") != FORMAT_VERSION:
        raise HarnessInputError(f"{path}: baseline format version {data.get('format_version')!r}, expected {FORMAT_VERSION}")
    outcomes = data.get("outcomes")
    if not isinstance(outcomes, dict):
        raise HarnessInputError(f"{path}: 'outcomes' must be an object of sample id -> outcome")
    return OutcomeTable(
        outcomes={str(i): _outcome(o, f"{path}: sample {i!r}", gold_key="gold") for i, o in outcomes.items()},
        **{name: data.get(name) for name in META_FIELDS},
        source=str(path),
    )


def _outcome(record: dict, where: str, gold_key: str) -> Outcome:
    if not isinstance(record, dict):
        raise HarnessInputError(f"{where}: expected an object")
    if "execution_match" not in record:
        raise HarnessInputError(f"{where}: no execution_match field")
    match = record["execution_match"]
    if match is not None and not isinstance(match, bool):
        raise HarnessInputError(f"{where}: execution_match must be true, false or null, got {match!r}")
    text = {name: record.get(name) or "" for name in ("reason", "prediction", gold_key)}
    return Outcome(match, str(text["reason"]), str(text["prediction"]), str(text[gold_key]))
