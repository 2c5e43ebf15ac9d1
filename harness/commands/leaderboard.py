"""`harness leaderboard [RUN...]`: tables and plots of stored runs.

RUN is a run folder or the name of one under `--runs-dir` (default results/runs); with none,
every run there that has evaluations. The table is always printed; `--markdown`, `--csv`,
`--json` and `--plot` write one file each, `--out DIR` writes all four.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from harness.errors import HarnessInputError
from harness.scoring.record import BREAKDOWN_FIELDS, DEFAULT_BREAKDOWNS
from harness.store import RUNS_DIR, RunStore, evaluated_runs, find_run


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the `leaderboard` arguments."""
    parser.add_argument("runs", nargs="*", metavar="RUN", help="run folders or names under --runs-dir (default: all there)")
    parser.add_argument("--runs-dir", type=Path, default=RUNS_DIR, help=f"where named runs live (default {RUNS_DIR})")
    parser.add_argument("--markdown", type=Path, metavar="PATH", help="write the tables as Markdown")
    parser.add_argument("--csv", type=Path, metavar="PATH", help="write the leaderboard as CSV")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the leaderboard and breakdowns as JSON")
    parser.add_argument("--plot", type=Path, metavar="PATH", help="write a PNG of each metric against the epoch")
    parser.add_argument("--out", type=Path, metavar="DIR", help="write leaderboard.md, .csv, .json and .png into DIR")
    parser.add_argument("--breakdown", action="store_true", help="also print execution accuracy per category")
    parser.add_argument(
        "--by", action="append", choices=BREAKDOWN_FIELDS, metavar="FIELD",
        help=f"breakdown field, repeatable: {', '.join(BREAKDOWN_FIELDS)} (default: {', '.join(DEFAULT_BREAKDOWNS)})",
    )


def main(args: argparse.Namespace) -> int:
    """Build the leaderboard, print it and write the requested files."""
    from harness.results import leaderboard

    board = leaderboard.build(resolve_runs(args.runs, args.runs_dir), tuple(args.by or DEFAULT_BREAKDOWNS))
    leaderboard.print_table(board, breakdowns=args.breakdown or bool(args.by))
    written = list(leaderboard.write_all(board, args.out).values()) if args.out else []
    renders = {
        "markdown": leaderboard.to_markdown,
        "csv": leaderboard.to_csv,
        "json": lambda b: json.dumps(leaderboard.to_json(b), indent=2, ensure_ascii=False) + "\n",
    }
    for name, render in renders.items():
        path = getattr(args, name)
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render(board))
            written.append(path)
    if args.plot:
        written.append(leaderboard.plot(board, args.plot))
    for path in written:
        print(f"wrote {path}")
    return 0


def resolve_runs(names: list[str], runs_dir: Path) -> list[RunStore]:
    """Run folders for the given names or paths; every evaluated run under runs_dir when none."""
    if names:
        return [find_run(name, runs_dir) for name in names]
    found = evaluated_runs(runs_dir)
    if not found:
        raise HarnessInputError(f"{runs_dir}: no evaluated runs; run `harness run` or name run folders")
    return found
