"""`harness data show|validate|export`: look at a task's samples, check its golds, write them out."""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from rich.console import Console

from harness import tables
from harness.data.samples import BREAKDOWN_FIELDS


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the `data` subcommands."""
    sub = parser.add_subparsers(dest="data_command", metavar="ACTION", required=True)
    show = sub.add_parser("show", help="a few rendered samples and counts by category")
    validate = sub.add_parser("validate", help="run every context and gold in DuckDB; exit 0 only when all run, else 2")
    selfscore = sub.add_parser(
        "selfscore", help="score every gold as its own prediction; exit 0 only when every judgeable one matches on every metric, else 1"
    )
    export = sub.add_parser("export", help="write a split as JSONL in the gretel fields")
    for p in (show, validate, selfscore, export):
        p.add_argument("--task", default="sample", help="task name or a .jsonl/.csv/.parquet file (default: sample)")
        p.add_argument("--data", help="local file or directory replacing the task's source")
    show.add_argument("--split", default="test", choices=["train", "test", "all"])
    show.add_argument("-n", type=int, default=2, help="how many samples to render (default 2)")
    show.add_argument("--model", help="render in this model's chat template (gemma-3-270m, a Hub id or a folder; "
                                      "default: show the conversation's turns)")
    validate.add_argument("--split", default="all", choices=["train", "test", "all"])
    validate.add_argument("--timeout", type=float, default=5.0, help="seconds per script (default 5)")
    validate.add_argument("--list", type=int, default=50, help="how many failing ids to print per outcome (default 50)")
    selfscore.add_argument("--split", default="test", choices=["train", "test", "all"])
    selfscore.add_argument("--timeout", type=float, default=5.0, help="seconds per script (default 5)")
    selfscore.add_argument("--workers", type=int, help="scoring processes (default: CPU count)")
    export.add_argument("--split", required=True, choices=["train", "test", "all"])
    export.add_argument("--out", required=True, type=Path, help="output JSONL file")


def main(args: argparse.Namespace) -> int:
    """Run the chosen `data` action."""
    from harness.data.tasks import load_task

    task = load_task(args.task, data=args.data)
    actions = {"show": _show, "validate": _validate, "selfscore": _selfscore, "export": _export}
    return actions[args.data_command](task, args)


def _show(task, args) -> int:
    from harness.data import prompts

    tokenizer = None
    if args.model:
        from harness.models.loader import load_tokenizer

        tokenizer = load_tokenizer(args.model)
    console = Console()
    console.print(f"[bold]{task.name}[/] v{task.version} from {task.origin}: {len(task.train)} train, {len(task.test)} test")
    samples = task.split(args.split)
    for name in BREAKDOWN_FIELDS:
        counts = Counter(getattr(s, name) for s in samples if getattr(s, name))
        if counts:
            rows = [[value, str(n)] for value, n in counts.most_common(12)]
            if len(counts) > 12:
                rows.append([f"... {len(counts) - 12} more", str(sum(n for _, n in counts.most_common()[12:]))])
            console.print(tables.table(console, [name, "n"], rows, title=f"{args.split} by {name}"))
    for sample in samples[: args.n]:
        console.rule(f"sample {sample.id}")
        if tokenizer is not None:
            console.print(prompts.render(sample, tokenizer, for_training=True), markup=False, highlight=False)
            continue
        for turn in prompts.messages(sample, with_answer=True):
            console.print(f"[bold]{turn['role']}:[/]")
            console.print(turn["content"], markup=False, highlight=False)
    return 0


def _validate(task, args) -> int:
    from harness.scoring.scorer import ScoreConfig, check_golds

    samples = task.split(args.split)
    checks = check_golds([s.to_dict() for s in samples], ScoreConfig(timeout_s=args.timeout))
    console = Console()
    by_status = Counter(c["status"] for c in checks)
    by_dialect = Counter(c["dialect"] for c in checks if c["status"] == "ok")
    rows = [[status, str(n)] for status, n in sorted(by_status.items())]
    rows += [[f"  ok via {dialect}", str(n)] for dialect, n in sorted(by_dialect.items())]
    console.print(tables.table(console, ["outcome", "n"], rows, title=f"{task.name} {args.split}: {len(samples)} golds"))
    failed = [(s, c) for s, c in zip(samples, checks) if c["status"] != "ok"]
    for status in sorted({c["status"] for _, c in failed}):
        group = [(s, c) for s, c in failed if c["status"] == status]
        console.print(f"[bold red]{status}[/] ({len(group)}):")
        for sample, check in group[: args.list]:
            console.print(f"  {sample.id}: {(check['error'] or '').splitlines()[0][:160]}", markup=False, highlight=False)
    if not failed:
        console.print("[green]every gold runs[/]")
    return 0 if not failed else 2


def _selfscore(task, args) -> int:
    """The scorer's sanity check: a gold judged against itself must match on every metric.

    Samples whose gold or context does not run are unjudgeable and only counted; any judgeable
    sample that does not match itself is a scorer bug and fails the check.
    """
    from harness.commands.score import print_summary
    from harness.results.summary import summarize
    from harness.scoring.record import METRIC_NAMES, PRIMARY
    from harness.scoring.scorer import ScoreConfig, score_all

    samples = task.split(args.split)
    config = ScoreConfig(timeout_s=args.timeout, **({"workers": args.workers} if args.workers else {}))
    records = score_all([{**s.to_dict(), "prediction": s.sql} for s in samples], config)
    console = Console()
    print_summary(console, summarize(records), [], [])
    broken = [r for r in records if r["reason"] == "harness_error" or any(r[m] is False for m in METRIC_NAMES)]
    for record in broken[:50]:
        misses = ", ".join(m for m in METRIC_NAMES if record[m] is False) or "scorer crashed"
        console.print(f"  {record.get('id')}: {misses} ({record['reason']})", markup=False, highlight=False)
    judgeable = sum(r[PRIMARY] is not None for r in records)
    if broken:
        console.print(f"[bold red]{len(broken)} of {judgeable} judgeable golds do not match themselves[/]")
        return 1
    console.print(f"[green]{task.name} {args.split}: all {judgeable} judgeable golds match themselves on every metric[/]")
    return 0


def _export(task, args) -> int:
    from harness.files import write_jsonl

    samples = task.split(args.split)
    write_jsonl(args.out, (s.to_dict() for s in samples))
    Console(stderr=True).print(f"wrote {len(samples)} {args.split} samples of {task.name} to {args.out}")
    return 0
