"""`harness train`: fine-tune a model on a task's train split, an adapter checkpoint every epoch."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from harness import launch
from harness.training.presets import PRESETS, field_help


def configure(parser: argparse.ArgumentParser) -> None:
    """Options of `harness train`."""
    parser.add_argument("--task", default="sample", help="task name or data file (default: sample)")
    parser.add_argument("--data", help="data folder or file for tasks that need one")
    parser.add_argument("--model", help="gemma-3-270m (default), a Hub id or a local model folder")
    parser.add_argument("--preset", choices=PRESETS, help="training preset (default: fast with a GPU, cpu without)")
    parser.add_argument("--run-dir", type=Path, help="run folder (default: results/runs/train-<time>)")
    parser.add_argument("--resume", type=Path, metavar="RUN", help="continue an interrupted run from its last saved state")
    parser.add_argument("--no-quant", action="store_true", help="train on a bf16 base instead of 4-bit NF4")
    parser.add_argument("--epochs", type=int, help="training epochs")
    parser.add_argument("--lr", type=float, help="peak learning rate")
    parser.add_argument("--batch-size", type=int, help="sequences per device per step (0: largest that fits the GPU)")
    parser.add_argument("--max-steps", type=int, help="stop after this many optimizer steps")
    parser.add_argument("--train-samples", type=int, help="use the first N train samples (0: all)")
    parser.add_argument(
        "--set", action="append", default=[], metavar="FIELD=VALUE", help="override any config field (repeatable, see below)"
    )
    parser.add_argument(
        "--gpus", "--processes", dest="processes", type=int, default=1, metavar="N",
        help="data-parallel processes through accelerate: one per GPU (gloo processes on a machine without GPUs)",
    )
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = "config fields (--set FIELD=VALUE):\n" + "\n".join(f"  {k:24} {v}" for k, v in field_help().items())


def build_config(args: argparse.Namespace):
    """The preset named by `args` (or the hardware's default) with the command line's overrides."""
    from harness.training.presets import apply_overrides, default_preset, load_preset, parse_set

    config = load_preset(args.preset or default_preset())
    flags = {
        "model": args.model,
        "epochs": args.epochs,
        "lr": args.lr,
        "batch_size": args.batch_size,
        "max_steps": args.max_steps,
        "train_samples": args.train_samples,
        "quantize_4bit": False if args.no_quant else None,
    }
    config = apply_overrides(config, {k: v for k, v in flags.items() if v is not None}, source="command line")
    return apply_overrides(config, parse_set(args.set))


def main(args: argparse.Namespace) -> int:
    """Train (or resume) and print the epoch checkpoints."""
    from harness.store import RUNS_DIR
    from harness.data.tasks import load_task
    from harness.training.train import read_run, train

    if args.processes > 1 and not launch.launched():
        return launch.relaunch(args.processes)
    if args.resume:
        source, config = read_run(args.resume)
        run_dir = args.resume
    else:
        config = build_config(args)
        source = {"name_or_path": args.task, "data": args.data}
        run_dir = args.run_dir or RUNS_DIR / f"train-{datetime.now():%Y%m%d-%H%M%S}"
    task = load_task(source["name_or_path"], source["data"])
    checkpoints = train(task, config, run_dir, resume=bool(args.resume), task_source=source)
    if launch.rank() == 0:
        print(f"run {run_dir}: {len(checkpoints)} epoch checkpoints")
        for path in checkpoints:
            print(f"  {path}")
    return 0
