"""`harness score`: score predictions made anywhere, from one JSONL file or a dataset joined by id."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from harness import tables
from harness.commands.eval import ALLOW_ERRORS_HELP, ScoreOption, harness_errors_exit
from harness.errors import HarnessInputError
from harness.files import read_jsonl, write_jsonl
from harness.scoring.record import METRICS

_REQUIRED = ("sql_context", "sql", "prediction")


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the `score` arguments to `parser`."""
    parser.add_argument("predictions", nargs="?", help="JSONL with sql_context, sql and prediction per line")
    parser.add_argument("--dataset", help="JSONL of samples (id, sql_context, sql, ...); join --predictions to it by id")
    parser.add_argument("--predictions", dest="predictions_by_id", help="JSONL of {id, prediction}, joined to --dataset by id")
    parser.add_argument("--out", help="write scored records here (JSONL)")
    parser.add_argument("--timeout", type=float, default=5.0, action=ScoreOption, field="timeout_s", suffix=" (default %(default)s)")
    parser.add_argument("--workers", type=int, action=ScoreOption, field="workers")
    parser.add_argument("--test-suite-k", type=int, default=5, action=ScoreOption, field="test_suite_k", suffix=" (default %(default)s)")
    parser.add_argument("--generated-k", type=int, default=5, action=ScoreOption, field="generated_k", suffix=" (default %(default)s)")
    parser.add_argument("--dialects", default="mysql,postgres", action=ScoreOption, field="source_dialects",
                        suffix=", comma-separated (default %(default)s)")
    parser.add_argument("--memory-limit", default="512MB", action=ScoreOption, field="memory_limit", suffix=" (default %(default)s)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--allow-errors", action="store_true", help=ALLOW_ERRORS_HELP)


def read_rows(path: str, required: tuple[str, ...]) -> list[dict]:
    """Rows of a JSONL file whose `required` fields are all present and text."""
    return read_jsonl(Path(path), required, text=required)


def join_by_id(dataset: str, predictions: str) -> tuple[list[dict], list[str], list[str]]:
    """Samples of `dataset` with their prediction from `predictions`, matched by id.

    Returns:
        (items for samples that have a prediction, ids without a prediction, prediction ids not in the dataset).
    """
    samples = read_rows(dataset, ("id", "sql_context", "sql"))
    preds = read_rows(predictions, ("prediction",))
    by_id = {}
    for number, row in enumerate(preds, 1):
        if "id" not in row:
            raise HarnessInputError(f"{predictions}:{number}: missing field id")
        key = str(row["id"])
        if key in by_id:
            raise HarnessInputError(f"{predictions}: id {key} appears twice")
        by_id[key] = row["prediction"]
    ids = [str(s["id"]) for s in samples]
    if len(set(ids)) != len(ids):
        raise HarnessInputError(f"{dataset}: ids are not unique")
    items = [{**s, "prediction": by_id[str(s["id"])]} for s in samples if str(s["id"]) in by_id]
    missing = [i for i in ids if i not in by_id]
    extra = sorted(set(by_id) - set(ids))
    return items, missing, extra


def main(args: argparse.Namespace) -> int:
    """Score, write records, print a summary. Returns 0; bad input raises HarnessInputError."""
    from harness.results.summary import summarize
    from harness.scoring.scorer import ScoreConfig, score_all

    console = Console(stderr=True)
    missing, extra = [], []
    if args.dataset or args.predictions_by_id:
        if not (args.dataset and args.predictions_by_id) or args.predictions:
            raise HarnessInputError("use either PREDICTIONS.jsonl or --dataset with --predictions")
        items, missing, extra = join_by_id(args.dataset, args.predictions_by_id)
    elif args.predictions:
        items = read_rows(args.predictions, _REQUIRED)
    else:
        raise HarnessInputError("give PREDICTIONS.jsonl, or --dataset and --predictions")
    if min(args.test_suite_k, args.generated_k) < 0 or args.timeout <= 0 or (args.workers is not None and args.workers < 1):
        raise HarnessInputError("--timeout and --workers must be positive, --test-suite-k and --generated-k not negative")
    dialects = tuple(d.strip() for d in args.dialects.split(",") if d.strip())
    config = ScoreConfig(timeout_s=args.timeout, test_suite_k=args.test_suite_k, generated_k=args.generated_k, source_dialects=dialects,
                         memory_limit=args.memory_limit, **({"workers": args.workers} if args.workers else {}))
    records = score_all(items, config, progress=not args.no_progress)
    if args.out:
        write_jsonl(Path(args.out), records)
    summary = summarize(records)
    print_summary(console, summary, missing, extra)
    return harness_errors_exit(console, summary["harness_errors"], args.allow_errors)


def print_summary(console: Console, summary: dict, missing: list[str], extra: list[str]) -> None:
    """The summary table, reasons, and any ids that could not be joined."""
    rows = [[metric.name, str(m["successes"]), str(m["n"]), "-" if m["rate"] is None else f"{m['rate']:.1%}"]
            for metric, m in ((metric, summary[metric.name]) for metric in METRICS)]
    if missing:
        rows.append(["missing_prediction", str(len(missing)), "", ""])
    title = f"{summary['n']} predictions, {summary['judgeable']} judgeable"
    console.print(tables.table(console, ["metric", "matched", "judged", "rate"], rows, title=title))
    console.print("reasons: " + ", ".join(f"{k} {v}" for k, v in summary["reasons"].items()), markup=False)
    if missing:
        console.print(f"[yellow]{len(missing)} sample(s) have no prediction (not scored, not counted as 0):[/] "
                      + ", ".join(missing[:20]) + (" ..." if len(missing) > 20 else ""))
    if extra:
        console.print(f"[yellow]{len(extra)} prediction id(s) are not in the dataset:[/] "
                      + ", ".join(extra[:20]) + (" ..." if len(extra) > 20 else ""))

