"""Where the harness keeps what it can rebuild: converted models, file hashes, generations."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """The harness cache root: `$HARNESS_CACHE`, else `~/.cache/harness`."""
    return Path(os.environ.get("HARNESS_CACHE") or Path.home() / ".cache" / "harness")
