"""Summaries of scored records: counts and rates per metric, judgeable n, breakdowns."""

from __future__ import annotations

from collections import Counter

METRICS = ("exact_match", "ast_match", "execution_match", "test_suite_match")
BREAKDOWNS = ("sql_complexity", "sql_task_type", "domain")


def _metrics(records: list[dict]) -> dict:
    """Per metric: n judged (not null), n matched, rate over judged."""
    out = {"n": len(records)}
    for metric in METRICS:
        judged = [r.get(metric) for r in records if r.get(metric) is not None]
        hits = sum(bool(v) for v in judged)
        out[metric] = {"n": len(judged), "matched": hits, "rate": hits / len(judged) if judged else None}
    return out


def summarize(records: list[dict]) -> dict:
    """Counts and rates per metric, judgeable n, reasons, and breakdowns by sample fields.

    Args:
        records: Scored records (`harness.scoring.scorer.score_all` output).

    Returns:
        {"n", "judgeable", "unjudgeable", <metric>: {"n", "matched", "rate"}, "reasons": {...},
        "by": {"sql_complexity": {value: metrics}, ...}} where rates are over judged records
        (gold errors are left out, never counted as model failures).
    """
    records = list(records)
    summary = _metrics(records)
    summary["judgeable"] = summary["execution_match"]["n"]
    summary["unjudgeable"] = len(records) - summary["judgeable"]
    summary["reasons"] = dict(Counter(str(r.get("reason")) for r in records).most_common())
    summary["by"] = {}
    for field in BREAKDOWNS:
        values = sorted({r[field] for r in records if r.get(field) not in (None, "")}, key=str)
        if values:
            summary["by"][field] = {v: _metrics([r for r in records if r.get(field) == v]) for v in values}
    return summary
