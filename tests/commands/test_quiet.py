"""Quiet by default: the main commands, run as a user runs them on a tiny model, write nothing to
stderr but our own progress bars; `-v` lets the libraries speak."""

import json
import os
import re
import subprocess
import sys

import pytest

import tiny_models
from harness import cli, quiet

# Our own stderr lines: the progress bars' final state (a log gets no live display).
OURS = re.compile(r"(training|generating|scoring) +━+ \d+/\d+ ")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("quiet")
    tiny_models.build(root / "tiny")
    (root / "rows.jsonl").write_text("".join(json.dumps(s.to_dict()) + "\n" for s in tiny_models.samples(10)))
    return root


def harness(root, *args):
    """A command in its own process, as from a shell (no switch an earlier in-process test set)."""
    env = {k: v for k, v in os.environ.items() if k not in quiet.PROGRESS_BARS_OFF}
    env["HARNESS_CACHE"] = str(root / "cache")
    done = subprocess.run([sys.executable, "-m", "harness.cli", *args], cwd=root, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


TRAIN = ["--task", "rows.jsonl", "--model", "tiny", "--preset", "cpu", "--set", "max_length=128",
         "--set", "batch_size=2", "--set", "logging_steps=1"]
EVAL = ["--workers", "1", "--max-new-tokens", "6"]


def test_main_commands_write_only_our_own_lines_to_stderr(workspace):
    commands = [
        ["run", *TRAIN, "--epochs", "2", "--eval-samples", "2", "--run", "run", *EVAL],
        ["eval", "--task", "rows.jsonl", "--model", "tiny", "--checkpoint", "run", "--limit", "2", "--run", "run", *EVAL],
        ["train", "--resume", "run"],
        ["leaderboard", "run", "--breakdown"],
        ["report", "run"],
        ["gate", "run", "--baseline", "base.json", "--write-baseline"],
        ["gate", "run", "--baseline", "base.json"],
        ["merge", "run/checkpoints/epoch_2", "--out", "merged"],
    ]
    stderr = {}
    for args in commands:
        done = harness(workspace, *args)
        foreign = [line for line in done.stderr.splitlines() if line.strip() and not OURS.match(line)]
        assert not foreign, f"harness {' '.join(args)} wrote to stderr:\n" + "\n".join(foreign)
        assert "{'loss'" not in done.stdout and "╭" not in done.stdout  # no log dictionaries, no TRL box
        stderr[args[0]] = done.stderr
    training = [line for line in stderr["run"].splitlines() if line.startswith("training")]
    assert len(training) == 1 and re.match(r"training +━+ (\d+)/\1 loss \d+\.\d{3} [\d,]+ tokens/s", training[0])


def test_verbose_shows_the_libraries_own_output(workspace):
    done = harness(workspace, "-v", "train", *TRAIN, "--set", "epochs=1", "--run-dir", "verbose")
    assert "{'loss'" in done.stdout  # the Trainer's log dictionaries
    assert "Loading weights" in done.stderr  # transformers' progress bar


@pytest.mark.parametrize("argv, verbose", [
    (["leaderboard"], False), (["-v", "leaderboard"], True), (["leaderboard", "-v"], True),
    (["bench", "scoring"], False), (["bench", "scoring", "--verbose"], True), (["-v", "bench", "scoring"], True),
])
def test_verbose_goes_before_or_after_the_command(argv, verbose):
    assert cli.build_parser().parse_args(argv).verbose is verbose
