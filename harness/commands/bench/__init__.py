"""`harness bench <what>`: speed benchmarks. Each sub-benchmark is a module `harness.commands.bench.<what>`
with `configure(parser)` and `main(args) -> int`."""

from __future__ import annotations

import argparse
import importlib

from harness import quiet

BENCHMARKS = {
    "train": "training tokens/s, MFU and peak memory of the guide and fast presets",
    "eval": "generation and scoring speed",
    "scoring": "scoring speed with gold as prediction, with and without test suites",
}


def configure(parser: argparse.ArgumentParser) -> None:
    """One subcommand per benchmark."""
    sub = parser.add_subparsers(dest="benchmark", metavar="BENCHMARK", required=True)
    for name, help_text in BENCHMARKS.items():
        module = importlib.import_module(f"harness.commands.bench.{name}")
        command = sub.add_parser(name, help=help_text, description=help_text)
        quiet.add_option(command)
        module.configure(command)
        command.set_defaults(_bench=module)


def main(args: argparse.Namespace) -> int:
    """Run the chosen benchmark."""
    return args._bench.main(args)
