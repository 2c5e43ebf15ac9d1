"""Reading and writing the harness's own files: JSON and JSON lines, every write atomic.

A write goes to a temp file beside the target (named for the writing process, so two
processes never share one) and is renamed into place: a killed process never leaves half a file.
Text is UTF-8; a character UTF-8 cannot hold (a lone surrogate in a model's output) is written
as its `\\uXXXX` escape, which inside a JSON string reads back as the same character.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from harness.errors import HarnessInputError


@contextlib.contextmanager
def atomic_open(path: Path) -> Iterator[TextIO]:
    """A text file to write that replaces `path` only when the block ends without an error."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("w", encoding="utf-8", errors="backslashreplace") as f:
            yield f
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` through a temp file renamed into place."""
    with atomic_open(path) as f:
        f.write(text)


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


def read_jsonl(path: Path, required: tuple[str, ...] = (), text: tuple[str, ...] = ()) -> list[dict]:
    """Objects of a JSON-lines file; blank lines are skipped, a bad line is named.

    Args:
        required: Keys every object must have.
        text: Keys whose value, where present, must be a string.
    """
    path = Path(path)
    if not path.is_file():
        raise HarnessInputError(f"{path}: no such file")
    rows = []
    with path.open(encoding="utf-8") as f:
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
            wrong = [key for key in text if key in row and not isinstance(row[key], str)]
            if wrong:
                raise HarnessInputError(f"{path}: line {n}: field(s) {', '.join(wrong)} must be strings")
            rows.append(row)
    return rows


def write_jsonl(path: Path, rows: Iterable[dict]) -> None:
    """Write rows as JSON lines atomically, one at a time."""
    with atomic_open(path) as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
