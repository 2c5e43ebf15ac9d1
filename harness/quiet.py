"""Quiet by default: the command line shows our own output, and the libraries' only with `-v`.

Noise the harness caused is fixed where it starts (training passes transformers' current
argument names; PEFT is told from the base model's local config whether an adapter save needs
the embedding layers, instead of looking the base up on the Hub: `harness.training.train`;
the Trainer's printed log dictionaries and TRL's progress box are replaced by one progress bar:
`harness.training.progress`). What remains is hidden here, and narrowly: the libraries' own
progress bars (each stage has one display of ours), and each known message by its logger and
its first words, so that anything new still shows.
"""

from __future__ import annotations

import argparse
import logging
import os

# Library progress bars: tqdm's own switch, and those of the Hugging Face wrappers around it.
PROGRESS_BARS_OFF = {"TQDM_DISABLE": "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1", "HF_DATASETS_DISABLE_PROGRESS_BARS": "1"}

# (logger, first words): log records nobody can act on.
LOG_FILTERS = (
    # On importing its CPU backend, bitsandbytes tries an optional kernel from the Hugging Face Hub
    # (the `kernels` package, not installed); without it, its own CPU kernel runs.
    ("bitsandbytes.backends.cpu.ops", "Failed to load CPU gemm_4bit_forward from kernels-community"),
    # The Trainer orders its saved states by number when their file times are too close to tell apart.
    ("transformers.trainer_utils", "mtime may not be reliable on this filesystem"),
)

_verbose = False


class _Drop(logging.Filter):
    """Drops the records of one logger whose message starts with the given words."""

    def __init__(self, start: str):
        super().__init__()
        self.start = start

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(self.start)


_FILTERS = [(logging.getLogger(name), _Drop(start)) for name, start in LOG_FILTERS]


def add_option(parser, after_command: bool = True) -> None:
    """Add `-v/--verbose` to a parser.

    Args:
        after_command: For a subcommand's parser: leave the value alone when not given there,
            so a `-v` given before the command is kept.
    """
    default = argparse.SUPPRESS if after_command else False
    parser.add_argument("-v", "--verbose", action="store_true", default=default,
                        help="also show the libraries' own warnings, logs and progress bars")


def configure(verbose: bool = False) -> None:
    """Hide the libraries' progress bars and known messages, unless `verbose`.

    Call it before the libraries are imported: some read their progress-bar switch then. The
    switches are environment variables, so processes the command starts inherit them, and a
    value the user set is kept.
    """
    global _verbose
    _verbose = verbose
    for logger, drop in _FILTERS:
        if verbose:
            logger.removeFilter(drop)
        else:
            logger.addFilter(drop)  # a logger holds a filter once however often it is added
    if not verbose:
        for name, value in PROGRESS_BARS_OFF.items():
            os.environ.setdefault(name, value)


def verbose() -> bool:
    """Whether `-v` asked for the libraries' own output."""
    return _verbose
