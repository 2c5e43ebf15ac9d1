"""Reading and writing the harness's own files: JSON and JSON lines, every write atomic.

A write goes to a temp file beside the target (named for the writing process, so two
processes never share one) and is renamed into place: a killed process never leaves half a file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from harness.errors import HarnessInputError


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` through a temp file renamed into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def write_json(path: Path, data) -> None:
    """Write JSON atomically, indented."""
    write_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def read_json(path: Path):
    """Read a JSON file, naming it when it is missing or broken."""
    try:
        return json.loads(Path(path).read_text())
    except FileNotFoundError as e:
        raise HarnessInputError(f"{path}: no such file") from e
    except json.JSONDecodeError as e:
        raise HarnessInputError(f"{path}: not valid JSON ({e.msg}, line {e.lineno})") from e


def read_jsonl(path: Path, required: tuple[str, ...] = ()) -> list[dict]:
    """Objects of a JSON-lines file; blank lines are skipped, a bad line or missing key is named."""
    path = Path(path)
    if not path.is_file():
        raise HarnessInputError(f"{path}: no such file")
    rows = []
    with path.open() as f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise HarnessInputError(f"{path}: line {n}: not valid JSON ({e.msg})") from e
            if not isinstance(row, dict):
                raise HarnessInputError(f"{path}: line {n}: expected a JSON object")
            missing = [key for key in required if key not in row]
            if missing:
                raise HarnessInputError(f"{path}: line {n}: missing field {', '.join(map(repr, missing))}")
            rows.append(row)
    return rows


def write_jsonl(path: Path, rows: Iterable[dict]) -> None:
    """Write rows as JSON lines atomically."""
    write_atomic(path, "".join(json.dumps(row, ensure_ascii=False, default=str) + "\n" for row in rows))
