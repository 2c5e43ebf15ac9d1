"""What a result depends on beyond its config: hardware, library versions, git commit."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

LIBRARIES = ("harness", "torch", "transformers", "peft", "trl", "accelerate", "bitsandbytes", "datasets", "duckdb", "sqlglot")


def library_versions() -> dict[str, str | None]:
    """Installed versions of the libraries that change training, generation or scoring."""
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def hardware() -> dict:
    """CPU count, platform and the GPUs torch sees."""
    import torch

    gpus = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    return {"platform": platform.platform(), "cpus": os.cpu_count(), "gpus": gpus, "python": platform.python_version()}


def git_commit() -> str | None:
    """The harness checkout's commit (with `-dirty` when it has changes), None outside git."""
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root, capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("-dirty" if dirty else "")


def describe() -> dict:
    """Everything above, for a run manifest."""
    return {"hardware": hardware(), "versions": library_versions(), "git_commit": git_commit()}
