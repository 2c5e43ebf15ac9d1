"""The report: one self-contained HTML file of some runs, to read why a checkpoint failed.

It shows the leaderboard with intervals, the metrics-per-epoch plot and the breakdowns; a
sample browser filterable by checkpoint, reason code, breakdown field and free text, where a
sample shows its question, schema, gold and prediction side by side, the reason, the dialect
path and the first differing rows; and a comparison of two checkpoints: the samples that
flipped each way, with the gate's paired statistics.

`build(runs)` gathers what the page shows into one JSON-ready dict; `render(data, plot)` puts it
and the page's own files (`report_files/`: HTML, CSS, JavaScript) into one page, scripts and
styles inline, so it opens from a CI artifact or an e-mail with no server. Its
Content-Security-Policy allows no request at all, and the script puts every text of a record on
the page as text, never as markup (predictions are model output). The data the script reads:

```
metrics, reasons, fields   name, label and meaning of each metric, reason code and breakdown field
leaderboard                harness.results.leaderboard.to_json
checkpoints                [{key, run, checkpoint, model, task}], in leaderboard order
samples                    the distinct samples: {id, sql_prompt, sql_context, sql, breakdown fields}
records                    checkpoint key -> [{s: index in samples, prediction, metrics, reason, ...}]
comparisons                "<baseline key> > <candidate key>" -> the gate's paired comparison
```
"""

from __future__ import annotations

import html
import json
import re
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path

from harness import __version__
from harness.errors import HarnessInputError
from harness.files import write_atomic
from harness.results import leaderboard
from harness.results.baselines import outcome_table
from harness.results.gate import GateResult, Thresholds, compare
from harness.scoring.record import BREAKDOWN_FIELDS, METRIC_NAMES, METRICS, REASONS
from harness.store import RunStore

SAMPLE_FIELDS = ("id", "sql_prompt", "sql_context", "sql", *BREAKDOWN_FIELDS)
# What the page shows of a record besides its sample; `output` only where it is not the prediction.
RECORD_FIELDS = ("prediction", *METRIC_NAMES, "reason", "test_suite_reason", "error", "dialect", "diff", "test_suite")


def build(runs: list[RunStore], board: leaderboard.Leaderboard | None = None) -> dict:
    """Everything the page shows of the runs' evaluated checkpoints.

    Args:
        runs: The runs, in the order the page lists them.
        board: Their leaderboard with every breakdown field, when already built.

    Raises:
        HarnessInputError: A run without evaluations, two runs in folders of one name, or a
            summary or record that cannot be read (the message names the file and line).
    """
    board = board or leaderboard.build(runs, BREAKDOWN_FIELDS)
    samples: list[dict] = []
    sample_index: dict[tuple, int] = {}
    checkpoints, records, tables = [], {}, {}
    names = [run.name for run in runs]
    if len(set(names)) < len(names):
        twice = sorted({name for name in names if names.count(name) > 1})
        raise HarnessInputError(f"runs named alike ({', '.join(twice)}): the report tells runs apart by folder name")
    for run in runs:
        for checkpoint in run.checkpoints():
            summary, rows = run.summary(checkpoint), run.samples(checkpoint)
            table = outcome_table(summary, rows, run.eval_dir(checkpoint))  # checks ids and verdicts, naming the line
            key = f"{run.name}/{checkpoint}"
            checkpoints.append({"key": key, "run": run.name, "checkpoint": checkpoint, "model": table.model, "task": table.task})
            records[key] = [_record(row, _index(row, samples, sample_index)) for row in rows]
            tables[key] = (table, {str(row["id"]): r["s"] for row, r in zip(rows, records[key])})
    comparisons = {
        f"{a} > {b}": _comparison(compare(tables[a][0], tables[b][0], Thresholds()), tables[b][1])
        for a in tables for b in tables if a != b
    }
    return {
        "title": "harness report: " + ", ".join(run.name for run in runs),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "version": __version__,
        "metrics": [{"name": m.name, "label": m.label, "meaning": m.meaning} for m in METRICS],
        "reasons": REASONS,
        "fields": {name: name.removeprefix("sql_").replace("_", " ") for name in BREAKDOWN_FIELDS},
        "thresholds": vars(Thresholds()),
        "leaderboard": leaderboard.to_json(board),
        "checkpoints": checkpoints,
        "samples": samples,
        "records": records,
        "comparisons": comparisons,
    }


def _index(row: dict, samples: list[dict], seen: dict[tuple, int]) -> int:
    """The index of the row's sample in `samples`, adding it when new (runs of one task share them)."""
    sample = {name: str(row[name]) for name in SAMPLE_FIELDS if row.get(name) not in (None, "")}
    key = tuple(sample.get(name) for name in SAMPLE_FIELDS)
    if key not in seen:
        seen[key] = len(samples)
        samples.append(sample)
    return seen[key]


def _record(row: dict, sample: int) -> dict:
    record = {"s": sample, **{name: row[name] for name in RECORD_FIELDS if row.get(name) is not None}}
    if row.get("output") not in (None, row.get("prediction")):
        record["output"] = row["output"]
    return record


def _comparison(result: GateResult, index: dict[str, int]) -> dict:
    """The gate's result as the page shows it: flips as sample indices, rates expanded."""
    data = {name: getattr(result, name) for name in ("decision", "reasons", "n_paired", "difference", "difference_ci", "p_value")}
    data["baseline"] = result.baseline_rate.to_dict() if result.baseline_rate else None
    data["candidate"] = result.candidate_rate.to_dict() if result.candidate_rate else None
    data["newly_failing"] = [index[flip.id] for flip in result.newly_failing]
    data["newly_passing"] = [index[flip.id] for flip in result.newly_passing]
    data["unjudgeable"] = {side: len(ids) for side, ids in result.unjudgeable.items()}
    return data


def render(data: dict, plot: str) -> str:
    """The page: the template with its style, script, data and the plot's SVG inlined."""
    files = resources.files("harness.results") / "report_files"
    # In a <script> element only "</" can end it early; "\u003c" is the same character to JSON.
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    parts = {
        "title": html.escape(data["title"]),
        "style": (files / "report.css").read_text(encoding="utf-8"),
        "script": (files / "report.js").read_text(encoding="utf-8"),
        "data": payload,
        "plot": plot,
    }
    return re.sub(r"\{\{(\w+)\}\}", lambda m: parts[m.group(1)], (files / "report.html").read_text(encoding="utf-8"))


def write(runs: list[RunStore], out: Path) -> Path:
    """Build the report of the runs and write it to `out` (atomically)."""
    board = leaderboard.build(runs, BREAKDOWN_FIELDS)
    write_atomic(Path(out), render(build(runs, board), leaderboard.plot_svg(board)))
    return Path(out)
