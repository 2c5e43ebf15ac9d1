"""`harness` command line: dispatches each subcommand to `harness.commands.<name>`.

Quiet by default: the libraries' own warnings, logs and progress bars show only with `-v`
(`harness.quiet`). Exit codes: 0 success, 1 gate failed (regression), 2 bad input or usage.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from harness import __version__, quiet
from harness.errors import HarnessInputError

COMMANDS = {
    "run": "train, then evaluate the base model and every epoch checkpoint, then print the leaderboard",
    "train": "fine-tune a model with QLoRA/LoRA, a checkpoint every epoch",
    "eval": "generate SQL for a task split with checkpoints and score it",
    "score": "score predictions made anywhere (JSONL with sql_context, sql, prediction)",
    "leaderboard": "tables and plots of stored runs",
    "report": "one self-contained HTML report of stored runs: leaderboard, samples, comparisons",
    "gate": "fail (exit 1) when a candidate regresses against a baseline",
    "data": "show, validate and export task samples",
    "merge": "merge an adapter into its base model",
    "ask": "generate SQL for one question and schema, and run it",
    "bench": "speed benchmarks (train, eval, scoring)",
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="harness", description="Benchmark harness for text-to-SQL fine-tuning.")
    parser.add_argument("--version", action="version", version=f"harness {__version__}")
    quiet.add_option(parser, after_command=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text in COMMANDS.items():
        module = importlib.import_module(f"harness.commands.{name}")
        command = sub.add_parser(name, help=help_text, description=help_text)
        quiet.add_option(command)
        module.configure(command)
        command.set_defaults(_module=module)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `harness` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    quiet.configure(args.verbose)
    try:
        return args._module.main(args)
    except HarnessInputError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
