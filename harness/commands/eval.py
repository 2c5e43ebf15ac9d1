"""`harness eval`: generate SQL with checkpoints on a task split, score it, store it, show it
(the leaderboard on the terminal, the HTML report in the run folder)."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

HARNESS_ERROR_EXIT = 3
ALLOW_ERRORS_HELP = f"exit 0 even when the harness itself failed on samples (else exit {HARNESS_ERROR_EXIT}; they count as failures either way)"


class ScoreOption(argparse.Action):
    """An option for the `ScoreConfig` field `field`, stored as plain `add_argument` stores it; its
    help is the field's help text (`harness.scoring.scorer.field_help`) followed by `suffix`.

    The text is looked up when help is shown, so that building the parser does not import the
    scorer (and with it DuckDB and sqlglot) for every command.
    """

    def __init__(self, option_strings, dest, field: str, suffix: str = "", **kwargs):
        self.field, self.suffix = field, suffix
        super().__init__(option_strings, dest, **kwargs)

    @property
    def help(self) -> str:
        from harness.scoring.scorer import field_help

        return field_help()[self.field] + self.suffix

    @help.setter
    def help(self, value) -> None:
        """argparse.Action sets `help`; the field's own text stands instead."""

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, values)


def add_eval_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by `eval` and `run`: what to evaluate on and how to decode and score."""
    parser.add_argument("--task", default="sample", help="task name or a .jsonl/.csv/.parquet file (default: sample)")
    parser.add_argument("--data", help="local file or directory replacing the task's source")
    parser.add_argument("--model", default="gemma-3-270m",
                        help="base model: gemma-3-270m, a Hub id, a folder, or openai:NAME for a served model (with --base-url)")
    parser.add_argument("--batch-size", type=int, help="generation batch size (default: chosen for the memory)")
    parser.add_argument("--max-new-tokens", type=int, default=256, help="most new tokens per sample (default 256)")
    parser.add_argument("--dtype", default="bfloat16", choices=["bfloat16", "float16", "float32"])
    parser.add_argument("--timeout", type=float, default=5.0, action=ScoreOption, field="timeout_s", suffix=" (default %(default)s)")
    parser.add_argument("--workers", type=int, action=ScoreOption, field="workers")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    parser.add_argument("--allow-errors", action="store_true", help=ALLOW_ERRORS_HELP)


def add_served_options(parser: argparse.ArgumentParser) -> None:
    """Options of a served model (`--model openai:NAME`)."""
    from harness.generation import served

    group = parser.add_argument_group("served models (--model openai:NAME)")
    group.add_argument("--base-url", help="API root of the OpenAI-compatible server, e.g. http://localhost:8000/v1 "
                                          f"(default: $OPENAI_BASE_URL, else {served.DEFAULT_BASE_URL})")
    group.add_argument("--api-key-env", default=served.KEY_ENV, metavar="VAR",
                       help=f"environment variable holding the API key (default {served.KEY_ENV})")
    group.add_argument("--concurrency", type=int, default=4, help="requests under way at once (default 4)")
    group.add_argument("--request-timeout", type=float, default=120.0, metavar="SECONDS",
                       help="seconds one request may take (default 120)")
    group.add_argument("--retries", type=int, default=4, help="retries after a 429, 5xx, timeout or dropped connection (default 4)")


def served_endpoint(args: argparse.Namespace, model: str | None = None):
    """The endpoint that `model` (default `--model`) names when it is `openai:NAME`, else None.

    Raises:
        HarnessInputError: `--base-url` without a served model, or a bad endpoint (see `served.endpoint`).
    """
    from harness.errors import HarnessInputError
    from harness.generation import served

    model = model or args.model
    if not served.is_served(model):
        if args.base_url:
            raise HarnessInputError(f"--base-url is for served models: give openai:NAME, not {model!r}")
        return None
    return served.endpoint(model, args.base_url, args.api_key_env, concurrency=args.concurrency,
                           timeout_s=args.request_timeout, retries=args.retries)


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the `eval` options."""
    add_eval_options(parser)
    add_served_options(parser)
    parser.add_argument("--split", default="test", choices=["train", "test", "all"])
    parser.add_argument("--limit", type=int, help="evaluate the first N samples of the split")
    parser.add_argument(
        "--checkpoint", action="append", dest="checkpoints", metavar="SPEC",
        help="base, a run folder (every epoch), an adapter folder or a merged model folder; repeatable (default: base)",
    )
    parser.add_argument("--run", type=Path, help="run folder to store results in (default: the run named, or a new one)")
    parser.add_argument("--rescore", type=Path, metavar="RUN", help="score a run's stored predictions again, without generating")
    parser.add_argument(
        "--gpus", "--processes", dest="processes", type=int, default=1, metavar="N",
        help="generate data-parallel through accelerate, one process per GPU, then score in one (CPU processes without GPUs)",
    )


def main(args: argparse.Namespace) -> int:
    """Evaluate, store, print the leaderboard of the run and write its report."""
    from harness import launch
    from harness.errors import HarnessInputError
    from harness.results import leaderboard, report
    from harness.evaluation.evaluate import evaluate, generate_shard, rescore, resolve_checkpoints
    from harness.store import RunStore
    from harness.data.tasks import load_task

    endpoint = None if args.rescore else served_endpoint(args)
    if endpoint and args.processes > 1:
        raise HarnessInputError("--gpus is for local models: a served model's requests go --concurrency at a time")
    if endpoint:
        args.base_url = endpoint.base_url  # recorded in the manifest
    if args.processes > 1 and not args.rescore and not launch.launched():
        return launch.relaunch(args.processes)
    score_config = scoring_config(args)
    if args.rescore:
        store = RunStore(args.rescore)
        summaries = rescore(store, score_config, progress=not args.no_progress)
    else:
        checkpoints = resolve_checkpoints(args.checkpoints or ["base"], args.model, endpoint)
        task = load_task(args.task, data=args.data)
        samples = task.split(args.split)[: args.limit]
        if launch.launched():  # a data-parallel worker: generate its share, then rank 0 scores everything
            from accelerate import PartialState

            generate_shard(checkpoints, samples, decode_config(args), args.batch_size, progress=not args.no_progress)
            PartialState().wait_for_everyone()
            if launch.rank() != 0:
                return 0
        runs = (RunStore(s) for s in args.checkpoints or [])
        store = RunStore(args.run) if args.run else next((r for r in runs if r.has_checkpoints()), None)
        store = store or RunStore.new("eval", task.name)
        record_eval(store, task, args, len(samples))
        summaries = evaluate(store, checkpoints, samples, task, args.split, decode_config(args), score_config,
                             batch_size=args.batch_size, progress=not args.no_progress)
    board = leaderboard.build([store])
    leaderboard.print_table(board)
    print(f"report: {report.write([store], store.report_path)}")
    return errors_exit(summaries, args.allow_errors)


def errors_exit(summaries: list[dict], allowed: bool) -> int:
    """`harness score`'s exit rule over the checkpoints evaluated (samples named checkpoint/id)."""
    failed = [f"{s['checkpoint']}/{i}" for s in summaries for i in s["metrics"].get("harness_errors", [])]
    return harness_errors_exit(Console(stderr=True), failed, allowed)


def decode_config(args):
    from harness.generation.generate import DecodeConfig

    return DecodeConfig(max_new_tokens=args.max_new_tokens, dtype=args.dtype)


def scoring_config(args):
    from harness.scoring.scorer import ScoreConfig

    return ScoreConfig(timeout_s=args.timeout, **({"workers": args.workers} if args.workers else {}))


def record_eval(store, task, args, n: int) -> None:
    """Add what the evaluation depends on to the run's manifest (creating it for eval-only runs)."""
    from harness import environment

    manifest = store.manifest() or {"run": store.name}
    manifest.setdefault("task", {"name": task.name, "version": task.version, "origin": task.origin})
    manifest.setdefault("model", args.model)
    if getattr(args, "base_url", None):
        manifest.setdefault("base_url", args.base_url)
    manifest["eval"] = {
        "split": getattr(args, "split", "test"),
        "n": n,
        "batch_size": args.batch_size,
        "processes": getattr(args, "processes", 1),
        "max_new_tokens": args.max_new_tokens,
        "dtype": args.dtype,
        "timeout_s": args.timeout,
        **environment.describe(),
    }
    store.write_manifest(manifest)


def harness_errors_exit(console: Console, failed: list[str], allowed: bool) -> int:
    """The exit status after scoring: `HARNESS_ERROR_EXIT` when the harness itself failed on
    samples (named on the console; they count as failures in every rate), unless `allowed`."""
    if not failed:
        return 0
    console.print(f"[bold red]the harness failed on {len(failed)} sample(s), counted as failures:[/] "
                  + ", ".join(failed[:20]) + (" ..." if len(failed) > 20 else ""), highlight=False)
    if allowed:
        return 0
    console.print(f"exit {HARNESS_ERROR_EXIT}: the records name the error; --allow-errors accepts these results")
    return HARNESS_ERROR_EXIT
