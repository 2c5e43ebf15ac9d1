"""`harness bench scoring`: scoring speed with gold as prediction on a task's test split.

Every sample's gold is scored as its own prediction (so every metric does its full work: both
scripts run, results and states are compared, and with test suites on, k generated databases
are built and both scripts run on each), once per `--k` asked for, each with fresh worker
processes. It prints samples/s for each, with the share of CPU time the host took from this
machine while it ran (steal time, on a virtual machine), which moves such figures by tens of
percent from one hour to the next; nothing is saved but an optional JSON summary.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path


def configure(parser: argparse.ArgumentParser) -> None:
    """Options of `harness bench scoring`."""
    parser.add_argument("--task", default="sample", help="task whose test split is scored")
    parser.add_argument("--data", help="data folder or file for tasks that need one")
    parser.add_argument("--split", default="test", choices=["train", "test", "all"])
    parser.add_argument("--limit", type=int, help="first N samples (default: the whole split)")
    parser.add_argument("--k", default="0,5", metavar="K[,K]", help="test-suite databases per sample, one run each (default 0,5)")
    parser.add_argument("--workers", type=int, help="scoring processes (default: CPU count)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures as JSON here")


def cpu_ticks(stat: Path = Path("/proc/stat")) -> tuple[int, int] | None:
    """(steal, total) CPU time of all cores since boot, in clock ticks; None where the kernel does
    not report it (not Linux, or no steal column)."""
    try:
        fields = stat.read_text().split("\n", 1)[0].split()
    except OSError:
        return None
    if fields[:1] != ["cpu"] or len(fields) < 9:
        return None
    ticks = [int(v) for v in fields[1:9]]  # user nice system idle iowait irq softirq steal (guest is in user)
    return ticks[7], sum(ticks)


def steal_share(before: tuple[int, int] | None, after: tuple[int, int] | None) -> float | None:
    """The share of CPU time between two `cpu_ticks` readings that the host took (steal)."""
    if before is None or after is None or after[1] <= before[1]:
        return None
    return (after[0] - before[0]) / (after[1] - before[1])


def measure(items: list[dict], k: int, workers: int | None) -> dict:
    """Score every item with test suites of `k` databases; the speed, how many matched, and the
    CPU time stolen by the host meanwhile."""
    from harness.scoring.scorer import ScoreConfig, score_all

    config = ScoreConfig(test_suite_k=k, **({"workers": workers} if workers else {}))
    ticks = cpu_ticks()
    started = time.perf_counter()
    records = score_all(items, config)
    seconds = time.perf_counter() - started
    steal = steal_share(ticks, cpu_ticks())
    judgeable = [r for r in records if r["execution_match"] is not None]
    return {
        "test_suite_k": k,
        "workers": config.workers,
        "samples": len(records),
        "judgeable": len(judgeable),
        "execution_matches": sum(bool(r["execution_match"]) for r in judgeable),
        "seconds": round(seconds, 3),
        "samples_per_s": len(records) / seconds,
        "cpu_steal": None if steal is None else round(steal, 4),
    }


def main(args: argparse.Namespace) -> int:
    """Score the split once per k and print the speeds."""
    from rich.console import Console

    from harness import tables
    from harness.errors import HarnessInputError
    from harness.data.tasks import load_task

    try:
        ks = [int(k) for k in args.k.split(",")]
    except ValueError:
        raise HarnessInputError(f"--k {args.k}: expected comma-separated whole numbers") from None
    if any(k < 0 for k in ks):
        raise HarnessInputError(f"--k {args.k}: test-suite sizes cannot be negative")
    samples = load_task(args.task, args.data).split(args.split)[: args.limit]
    items = [{**s.to_dict(), "prediction": s.sql} for s in samples]
    results = [measure(items, k, args.workers) for k in ks]
    cpus = os.cpu_count()
    header = ["test-suite k", "workers", "samples", "judgeable", "matches", "seconds", "samples/s", "CPU steal"]
    rows = [[str(r["test_suite_k"]), str(r["workers"]), str(r["samples"]), str(r["judgeable"]), str(r["execution_matches"]),
             f"{r['seconds']:.1f}", f"{r['samples_per_s']:,.1f}", "n/a" if r["cpu_steal"] is None else f"{r['cpu_steal']:.0%}"]
            for r in results]
    tables.show(Console(), header, rows, title=f"harness bench scoring: {args.task} {args.split}, gold as prediction, {cpus} CPUs")
    if args.json:
        args.json.write_text(json.dumps({"task": args.task, "split": args.split, "cpus": cpus, "results": results}, indent=2))
    return 0
