"""Data-parallel processes through accelerate, for `harness train --gpus N` and `harness eval --gpus N`.

The command re-runs itself under `accelerate launch`; each worker sees `RANK`, `LOCAL_RANK` and
`WORLD_SIZE`, uses NCCL on GPUs and gloo on a machine without them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys


def launched() -> bool:
    """Whether this process is a worker started by `accelerate launch`."""
    return "LOCAL_RANK" in os.environ


def rank() -> int:
    """This worker's rank (0 outside a launch)."""
    return int(os.environ.get("RANK", 0))


def world_size() -> int:
    """Number of workers (1 outside a launch)."""
    return int(os.environ.get("WORLD_SIZE", 1))


def device() -> str:
    """This worker's device: its own GPU, or the CPU on a machine without GPUs."""
    import torch

    return f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}" if torch.cuda.is_available() else "cpu"


def relaunch(processes: int) -> int:
    """Re-run this command line under `accelerate launch` with `processes` workers; their exit status.

    The rendezvous port is a free one, so several runs can share a host.
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [
        sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", str(processes),
        "--num_machines", "1", "--main_process_port", str(port), "--mixed_precision", "no", "--dynamo_backend", "no",
    ]
    return subprocess.call([*command, "-m", "harness.cli", *sys.argv[1:]])
