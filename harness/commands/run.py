"""`harness run`: train, evaluate the base model and every epoch checkpoint, print the leaderboard.

The run folder gets the leaderboard files and the HTML report (`harness report`).

With no arguments it runs the embedded default: the `sample` task, `gemma-3-270m`, and the
`fast` preset on a GPU or the `cpu` preset without one. Epoch checkpoints (and, with
`--eval-every-steps N`, the adapter every N optimizer steps) are evaluated while training runs,
by `harness.evaluation.during_training`; the base model, and any checkpoint not evaluated during
this session's training (the model trains in another dtype or 4-bit, or an earlier session was
interrupted), are evaluated after training as `harness eval` would. Running it again on the same
`--run` folder resumes: training carries on from its last saved state, and generations come from
the cache, so finished work is never redone.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import asdict
from pathlib import Path

from harness.commands.eval import add_eval_options, decode_config, errors_exit, record_eval, scoring_config
from harness.training.presets import PRESETS


def configure(parser: argparse.ArgumentParser) -> None:
    """Options of `harness run`."""
    add_eval_options(parser)
    parser.add_argument("--preset", choices=PRESETS, help="training preset (default: fast with a GPU, cpu without)")
    parser.add_argument("--run", type=Path, help="run folder (default: results/runs/<task>-<model>-<preset>-<time>); an existing one resumes")
    parser.add_argument("--epochs", type=int, help="training epochs")
    parser.add_argument("--train-samples", type=int, help="use the first N train samples (0: all)")
    parser.add_argument("--eval-samples", type=int, help="evaluate the first N test samples (0: all)")
    parser.add_argument("--no-quant", action="store_true", help="train on a bf16 base instead of 4-bit NF4")
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", help="override any training config field")
    parser.add_argument("--eval-every-steps", type=int, default=0, metavar="N",
                        help="also evaluate during training every N optimizer steps, as checkpoint step_<N> "
                             "(default: epoch ends only)")


def main(args: argparse.Namespace) -> int:
    """Train, evaluate every checkpoint, and write the leaderboard, plot and report into the run folder."""
    from rich.console import Console

    from harness.results import leaderboard, report
    from harness.errors import HarnessInputError
    from harness.evaluation.during_training import EvaluateDuringTraining
    from harness.evaluation.evaluate import Checkpoint, evaluate
    from harness.training.presets import apply_overrides, default_preset, load_preset, parse_set
    from harness.store import RunStore
    from harness.data.tasks import load_task
    from harness.training.train import read_run, train

    if args.eval_every_steps < 0:
        raise HarnessInputError(f"--eval-every-steps {args.eval_every_steps}: must be 0 (epoch ends only) or more")
    console = Console()
    started = time.perf_counter()
    resume = args.run is not None and RunStore(args.run).is_training_run()
    if resume:
        source, config = read_run(args.run)
        console.print(f"resuming run {args.run}")
    else:
        config = load_preset(args.preset or default_preset())
        flags = {
            "model": args.model, "epochs": args.epochs, "train_samples": args.train_samples,
            "eval_samples": args.eval_samples, "quantize_4bit": False if args.no_quant else None,
        }
        config = apply_overrides(config, {k: v for k, v in flags.items() if v is not None}, source="command line")
        config = apply_overrides(config, parse_set(args.set))
        source = {"name_or_path": args.task, "data": args.data}
    task = load_task(source["name_or_path"], source["data"])
    store = RunStore(args.run) if args.run else RunStore.new(task.name, config.model, config.preset)
    run_dir = store.path
    console.print(f"[bold]run[/] {run_dir}: task {task.name} v{task.version}, model {config.model}, preset {config.preset}")
    samples = task.test[: config.eval_samples or None]
    args.model = config.model
    record_eval(store, task, args, len(samples))
    manifest = store.manifest()
    manifest.update(preset=config.preset, config=asdict(config), seed=config.seed)
    store.write_manifest(manifest)
    during = EvaluateDuringTraining(store, task, samples, "test", config.model, decode_config(args), scoring_config(args),
                                    args.batch_size, args.eval_every_steps, log=console.print)
    try:
        epochs = train(task, config, run_dir, resume=resume, task_source=source, callbacks=[during],
                       progress=not args.no_progress)
    finally:
        during.close()
    trained_s = time.perf_counter() - started
    if during.summaries:
        console.print(f"evaluation during training: {len(during.summaries)} checkpoints; training paused "
                      f"{during.generate_seconds:.1f} s to generate, then waited {during.wait_seconds:.1f} s for the last scores")

    saved = [Checkpoint(p.name, config.model, str(p)) for p in [*epochs, *store.step_dirs()]]
    checkpoints = [Checkpoint("base", config.model)] + [c for c in saved if c.label not in during.evaluated]
    after = time.perf_counter()
    summaries = during.summaries + evaluate(store, checkpoints, samples, task, "test", decode_config(args),
                                            scoring_config(args), batch_size=args.batch_size, progress=not args.no_progress)
    console.print(f"evaluation after training: {', '.join(c.label for c in checkpoints)} in {time.perf_counter() - after:.1f} s")

    board = leaderboard.build([store])
    leaderboard.print_table(board, console=console, breakdowns=True)
    paths = leaderboard.write_all(board, run_dir)
    console.print(f"leaderboard and plot: {', '.join(str(p) for p in paths.values())}")
    console.print(f"report: {report.write([store], store.report_path)}")
    console.print(f"training {trained_s / 60:.1f} min, total {(time.perf_counter() - started) / 60:.1f} min")
    return errors_exit(summaries, args.allow_errors)
