"""Read the rows of local data files (JSONL, JSON, CSV, parquet), with errors that name file and line."""

from __future__ import annotations

import json
from pathlib import Path

from harness.errors import HarnessInputError
from harness.files import read_jsonl


def read_rows(path: Path) -> list[dict]:
    """All rows of a data file as dicts; the format follows the file suffix."""
    if not path.is_file():
        raise HarnessInputError(f"{path}: no such file")
    suffix = path.suffix.lower()
    try:
        if suffix == ".jsonl":
            rows = read_jsonl(path)
        elif suffix == ".json":
            rows = json.loads(path.read_text())
            if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
                raise HarnessInputError(f"{path}: expected a JSON list of objects")
        elif suffix in (".csv", ".parquet"):
            import pandas as pd

            frame = pd.read_csv(path, dtype=str, keep_default_na=False) if suffix == ".csv" else pd.read_parquet(path)
            rows = frame.to_dict(orient="records")
        else:
            raise HarnessInputError(f"{path}: unsupported file type {suffix!r}; use .jsonl, .json, .csv or .parquet")
    except (OSError, UnicodeDecodeError, ValueError) as e:
        if isinstance(e, HarnessInputError):
            raise
        raise HarnessInputError(f"{path}: cannot read: {e}") from e
    if not rows:
        raise HarnessInputError(f"{path}: the file has no rows")
    return rows
