"""Tasks as data: `task_files/<name>.toml` says where samples come from and how they split.

A task file has `name`, `version` (bump on any change that alters samples), `description`,
a `[source]` table (`kind` = hub | file | generated | nsql), an optional `[fields]` table
mapping sample fields to the data's columns, and a `[split]` table (`seed`, optional `take`,
`test` as a count or a fraction, optional `train`). Other keys are ignored, among them the
`prompt` of older task files: every task is rendered with the guide's prompt. Splitting is one
seeded shuffle, done the same way whatever the source, so a split is reproducible from the
seed alone.

`load_task("gretel")`, `load_task("sample")`, `load_task("duckdb-nsql", data=DIR)` or
`load_task("path/to/rows.jsonl")` all return a `Task`.
"""

from __future__ import annotations

import os
import random
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from harness.data import tables
from harness.errors import HarnessInputError
from harness.data.samples import Sample

REQUIRED_FIELDS = ("sql_prompt", "sql_context", "sql")
SOURCE_KINDS = ("hub", "file", "generated", "nsql")
DATA_SUFFIXES = (".jsonl", ".json", ".csv", ".parquet")


@dataclass
class Task:
    """A loaded task: its definition and its samples per split."""

    name: str
    version: str
    spec: dict
    train: list[Sample] = field(repr=False)
    test: list[Sample] = field(repr=False)
    origin: str = ""

    def split(self, name: str) -> list[Sample]:
        """Samples of `train`, `test` or `all`."""
        if name == "train":
            return self.train
        if name == "test":
            return self.test
        if name == "all":
            return self.train + self.test
        raise HarnessInputError(f"unknown split {name!r} of task {self.name!r}: use train, test or all")


def tasks_dir() -> Path:
    """Folder of task files: $HARNESS_TASKS_DIR, else the `task_files/` shipped in the package."""
    env = os.environ.get("HARNESS_TASKS_DIR")
    return Path(env) if env else Path(__file__).resolve().parent / "task_files"


def task_names() -> list[str]:
    """Names of the tasks defined in the task folder."""
    return sorted(p.stem for p in tasks_dir().glob("*.toml") if p.stem != "file")


def read_spec(path: Path) -> dict:
    """Parse and check a task file."""
    try:
        spec = tomllib.loads(path.read_text())
    except OSError as e:
        raise HarnessInputError(f"{path}: cannot read task file: {e.strerror}") from e
    except tomllib.TOMLDecodeError as e:
        raise HarnessInputError(f"{path}: not valid TOML: {e}") from e
    for key in ("name", "version", "source"):
        if key not in spec:
            raise HarnessInputError(f"{path}: missing field {key!r}")
    kind = spec["source"].get("kind")
    if kind not in SOURCE_KINDS:
        raise HarnessInputError(f"{path}: field source.kind is {kind!r}; expected one of {', '.join(SOURCE_KINDS)}")
    spec["version"] = str(spec["version"])
    return spec


def load_task(name_or_path: str, data: str | None = None) -> Task:
    """Load a task by name (a file in `task_files/`) or from a local data file.

    Args:
        name_or_path: A task name such as `sample`, `gretel`, `duckdb-nsql`, or the path of a
            JSONL/CSV/parquet file with the gretel columns.
        data: A local file (hub and file tasks) or directory (nsql tasks) that replaces the
            task's own source.
    """
    spec_path = tasks_dir() / f"{name_or_path}.toml"
    if spec_path.is_file():
        spec = read_spec(spec_path)
    elif name_or_path.lower().endswith(DATA_SUFFIXES) or Path(name_or_path).exists():
        spec = read_spec(tasks_dir() / "file.toml")
        spec["name"] = f"file:{Path(name_or_path).name}"
        data = name_or_path
    else:
        known = ", ".join(task_names())
        raise HarnessInputError(f"unknown task {name_or_path!r}: known tasks are {known}, or give a .jsonl/.csv/.parquet file")
    kind = spec["source"]["kind"]
    if kind == "generated":
        from harness.data.sample_task import generate

        src = spec["source"]
        train, test = generate(n_train=src["n_train"], n_test=src["n_test"], seed=src["seed"])
        return Task(spec["name"], spec["version"], spec, train, test, origin=f"generated (seed {src['seed']})")
    if kind == "nsql":
        from harness.data.nsql import load_nsql

        directory = Path(data or spec["source"]["path"])
        return Task(spec["name"], spec["version"], spec, [], load_nsql(directory), origin=str(directory))
    if data:
        rows, origin = tables.read_rows(Path(data)), str(data)
    elif kind == "hub":
        rows, origin = _hub_rows(spec["source"]), f"hub:{spec['source']['dataset']}"
    else:
        raise HarnessInputError(f"task {spec['name']!r} reads a local file: give it with --data FILE")
    samples = rows_to_samples(rows, spec.get("fields", {}), origin)
    train, test = split_samples(samples, spec.get("split", {}), origin)
    return Task(spec["name"], spec["version"], spec, train, test, origin=origin)


def _hub_rows(source: dict) -> list[dict]:
    """Rows of a Hugging Face Hub dataset (the network boundary tests replace)."""
    import datasets

    try:
        ds = datasets.load_dataset(source["dataset"], split=source.get("split", "train"))
    except Exception as e:  # datasets raises many types for offline / missing datasets
        raise HarnessInputError(
            f"cannot load {source['dataset']!r} from the Hugging Face Hub ({type(e).__name__}: {e}); "
            "without network, pass a local copy with --data FILE"
        ) from e
    return ds.to_list()


def rows_to_samples(rows: list[dict], fields: dict, origin: str) -> list[Sample]:
    """Map data rows to samples through the task's field table, checking required columns."""
    if not rows:
        raise HarnessInputError(f"{origin}: no rows")
    columns = set(rows[0])
    for name in REQUIRED_FIELDS:
        column = fields.get(name, name)
        if column not in columns:
            raise HarnessInputError(f"{origin}: missing column {column!r} (field {name}); columns are {sorted(columns)}")
    samples, seen = [], set()
    for n, row in enumerate(rows, start=1):
        values = {name: row.get(column) for name, column in fields.items()}
        for name in REQUIRED_FIELDS:
            if not isinstance(values.get(name), str) or not values[name].strip():
                raise HarnessInputError(f"{origin}: row {n}: field {fields.get(name, name)!r} is empty or not text")
        if values.get("id") is None:
            values["id"] = str(n)
        sample = Sample.from_dict(values)
        if sample.id in seen:
            raise HarnessInputError(f"{origin}: row {n}: duplicate id {sample.id!r}")
        seen.add(sample.id)
        samples.append(sample)
    return samples


def split_samples(samples: list[Sample], split: dict, origin: str) -> tuple[list[Sample], list[Sample]]:
    """Seeded shuffle, optional `take`, then `test` (count or fraction) and `train` (count or rest)."""
    order = list(samples)
    random.Random(split.get("seed", 42)).shuffle(order)
    take = split.get("take")
    if take is not None:
        if take > len(order):
            raise HarnessInputError(f"{origin}: split.take is {take} but the data has {len(order)} samples")
        order = order[:take]
    test = split.get("test", 0)
    n_test = round(test * len(order)) if isinstance(test, float) else int(test)
    if not 0 <= n_test <= len(order):
        raise HarnessInputError(f"{origin}: split.test is {test} but the data has {len(order)} samples")
    rest = len(order) - n_test
    n_train = split.get("train", rest)
    if n_train > rest:
        raise HarnessInputError(f"{origin}: split.train is {n_train} but only {rest} samples remain after the test split")
    return order[n_test : n_test + n_train], order[:n_test]
