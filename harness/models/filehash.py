"""Content hashes of model files, remembered by path, size and mtime so repeat calls cost a stat."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from harness.files import write_atomic
from harness.paths import cache_dir


def _memo_path() -> Path:
    return cache_dir() / "filehashes.json"


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def digest(folder: Path, patterns: tuple[str, ...]) -> str:
    """One sha256 over the names and contents of the files in `folder` matching `patterns`.

    Raises:
        FileNotFoundError: No file in the folder matches.
    """
    files = sorted({p for pattern in patterns for p in folder.glob(pattern) if p.is_file()})
    if not files:
        raise FileNotFoundError(f"{folder}: no files matching {', '.join(patterns)}")
    memo_file = _memo_path()
    try:
        memo = json.loads(memo_file.read_text())
    except (OSError, ValueError):
        memo = {}
    total = hashlib.sha256()
    changed = False
    for path in files:
        stat = path.stat()
        key = f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"
        if key not in memo:
            memo[key] = _file_sha256(path)
            changed = True
        total.update(f"{path.name}\0{memo[key]}\n".encode())
    if changed:
        write_atomic(memo_file, json.dumps(memo))
    return total.hexdigest()
