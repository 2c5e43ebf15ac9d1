"""Rates of scored records: per metric, per breakdown category, and the reasons.

`summary.json`, the leaderboard, baselines and the score and data commands all take their rates
from `rates` here, over the metrics of `harness.scoring.record`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from harness.results.stats import Rate
from harness.scoring.record import BREAKDOWN_FIELDS, METRIC_NAMES, PRIMARY


def rates(records: Iterable[dict], metrics: tuple[str, ...] = METRIC_NAMES) -> dict[str, Rate]:
    """Per metric, the rate over the records where it was judged (not null)."""
    records = list(records)
    return {m: Rate.of(r.get(m) for r in records) for m in metrics}


def _counts(records: list[dict]) -> dict:
    return {"n": len(records), **{m: rate.to_dict() for m, rate in rates(records).items()}}


def summarize(records: Iterable[dict]) -> dict:
    """Counts and rates per metric, judgeable n, reasons, and breakdowns by sample fields.

    Args:
        records: Scored records (`harness.scoring.scorer.score_all` output).

    Returns:
        {"n", "judgeable", "unjudgeable", <metric>: Rate.to_dict(), "reasons": {...},
        "harness_errors": [ids of samples the harness failed on, counted as failures],
        "by": {"sql_complexity": {value: {"n", <metric>: ...}}, ...}} where rates are over judged
        records (gold errors are left out, never counted as model failures).
    """
    records = list(records)
    summary = _counts(records)
    summary["judgeable"] = summary[PRIMARY]["n"]
    summary["unjudgeable"] = len(records) - summary["judgeable"]
    summary["reasons"] = dict(Counter(str(r.get("reason")) for r in records).most_common())
    summary["harness_errors"] = [str(r.get("id", i)) for i, r in enumerate(records)
                                 if "harness_error" in (r.get("reason"), r.get("test_suite_reason"))]
    summary["by"] = {}
    for field in BREAKDOWN_FIELDS:
        values = sorted({r[field] for r in records if r.get(field) not in (None, "")}, key=str)
        if values:
            summary["by"][field] = {v: _counts([r for r in records if r.get(field) == v]) for v in values}
    return summary
