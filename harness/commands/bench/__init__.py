"""`harness bench <what>`: speed benchmarks. Each sub-benchmark is a module `harness.commands.bench.<what>`
with `configure(parser)` and `main(args) -> int`; one not written yet says so and exits 2."""

from __future__ import annotations

import argparse
import importlib
import sys

BENCHMARKS = {
    "train": "training tokens/s, MFU and peak memory of the guide and fast presets",
    "eval": "generation and scoring speed",
    "scoring": "scoring speed with gold as prediction, with and without test suites",
}


def _module(name: str):
    try:
        return importlib.import_module(f"harness.commands.bench.{name}")
    except ModuleNotFoundError as err:
        if err.name == f"harness.commands.bench.{name}":
            return None
        raise


def configure(parser: argparse.ArgumentParser) -> None:
    """One subcommand per benchmark."""
    sub = parser.add_subparsers(dest="benchmark", metavar="BENCHMARK", required=True)
    for name, help_text in BENCHMARKS.items():
        module = _module(name)
        command = sub.add_parser(name, help=help_text, description=help_text)
        if module is not None:
            module.configure(command)
        command.set_defaults(_bench=module)


def main(args: argparse.Namespace) -> int:
    """Run the chosen benchmark."""
    if args._bench is None:
        print(f"harness bench {args.benchmark}: not yet available", file=sys.stderr)
        return 2
    return args._bench.main(args)
