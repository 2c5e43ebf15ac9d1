"""`harness report RUN [RUN...] --out report.html`: one self-contained HTML report of stored runs.

RUN is a run folder or the name of one under `--runs-dir`; with none, every run there that
has evaluations. The report of one run goes into its folder (`report.html`, beside the
leaderboard files) unless `--out` says otherwise; the report of several needs `--out`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.commands.leaderboard import resolve_runs
from harness.errors import HarnessInputError
from harness.store import RUNS_DIR


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the `report` arguments."""
    parser.add_argument("runs", nargs="*", metavar="RUN", help="run folders or names under --runs-dir (default: all there)")
    parser.add_argument("--runs-dir", type=Path, default=RUNS_DIR, help=f"where named runs live (default {RUNS_DIR})")
    parser.add_argument("--out", type=Path, metavar="FILE", help="where to write the HTML (default: <run>/report.html for one run)")


def main(args: argparse.Namespace) -> int:
    """Build the report and write it."""
    from harness.results import report

    runs = resolve_runs(args.runs, args.runs_dir)
    if args.out is None and len(runs) > 1:
        raise HarnessInputError(f"{len(runs)} runs: name the report file with --out FILE")
    out = args.out or runs[0].report_path
    if out.is_dir():
        raise HarnessInputError(f"{out}: is a folder; --out needs a file path")
    print(f"wrote {report.write(runs, out)}")
    return 0
