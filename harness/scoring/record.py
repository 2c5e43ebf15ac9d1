"""The scored record's schema: metrics, reason codes, breakdown fields and the record itself.

Everything that reads or summarises scored records (summaries, leaderboard, baselines, gate,
the score and data commands) takes the metrics and reasons from here, so adding a metric is
one edit: a new `Metric` in `METRICS` and the scorer filling its field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypedDict

from harness.data.samples import BREAKDOWN_FIELDS

__all__ = ["Metric", "METRICS", "METRIC_NAMES", "PRIMARY", "REASONS", "BREAKDOWN_FIELDS",
           "DEFAULT_BREAKDOWNS", "UNJUDGEABLE", "ScoredRecord", "metric"]


@dataclass(frozen=True)
class Metric:
    """One per-sample verdict field of a scored record.

    Attributes:
        name: The record's field (true, false, or null when the sample cannot be judged).
        label: Column header in tables and plots.
        higher_is_better: Whether a higher rate is better.
        meaning: One line for help texts and reports.
    """

    name: str
    label: str
    meaning: str
    higher_is_better: bool = True


# In the order tables show them; the first is the headline metric the gate compares.
METRICS: tuple[Metric, ...] = (
    Metric("execution_match", "execution", "same last result and final database state on the sample's database"),
    Metric("test_suite_match", "test-suite", "execution match also on generated databases of the same schema"),
    Metric("ast_match", "AST", "equal sqlglot trees after canonicalisation"),
    Metric("exact_match", "exact", "equal text after normalising whitespace, case and a trailing semicolon"),
)
METRIC_NAMES: tuple[str, ...] = tuple(m.name for m in METRICS)
PRIMARY = METRICS[0].name

# Every reason code a record can carry, in `reason` or `test_suite_reason`.
REASONS: dict[str, str] = {
    "match": "gold and prediction agree",
    "match_empty": "both return no rows (and leave the same state)",
    "column_mismatch": "the results have different numbers of columns",
    "row_mismatch": "the results hold different rows",
    "order_mismatch": "the same rows in an order the gold's ORDER BY does not allow",
    "state_mismatch": "the final database states differ",
    "extra_result": "the prediction returns rows where the gold returns none",
    "no_result": "the gold returns rows where the prediction returns none",
    "empty_prediction": "nothing left to run after stripping fences and prefixes",
    "pred_parse_error": "the prediction does not parse",
    "pred_exec_error": "the prediction fails to run (or its result is too large)",
    "timeout": "the prediction ran past the time limit",
    "gold_error": "the gold fails to run: not judgeable",
    "context_error": "the sample's context fails to build: not judgeable",
    "gold_timeout": "the gold ran past the time limit on a generated database",
    "gold_nondeterministic": "two runs of the gold disagree: not judgeable",
    "no_suite_database": "the gold ran on none of the generated databases",
    "harness_error": "the harness itself failed on this sample: counted as a failure and reported",
}

# Reasons that leave a sample out of the execution and test-suite denominators: the gold or
# context is at fault, never the prediction. Everything else, harness_error included, counts.
UNJUDGEABLE = ("gold_error", "context_error", "gold_nondeterministic")

DEFAULT_BREAKDOWNS = ("sql_complexity", "sql_task_type")


def metric(name: str) -> Metric:
    """The metric of a record field."""
    return next(m for m in METRICS if m.name == name)


class ScoredRecord(TypedDict, total=False):
    """One scored sample, as `samples.jsonl` and `harness score --out` hold it.

    The sample's own fields (id, sql_prompt, sql_context, sql, breakdown fields) and the
    prediction come first; the scorer adds the rest.
    """

    id: str
    sql: str
    sql_context: str
    prediction: str
    prediction_sql: str  # the prediction after stripping a markdown fence or a leading `SQL:`
    exact_match: bool
    ast_match: bool | None
    execution_match: bool | None
    test_suite_match: bool | None
    reason: str  # a key of REASONS
    test_suite_reason: str
    error: str | None
    # {"gold": path, "prediction": path}: "duckdb", "transpiled:<dialect>", "lenient_group_by" or
    # "transpiled:<dialect>+lenient_group_by" (harness.scoring.dialect.run_with_fallback)
    dialect: dict[str, str]
    diff: dict[str, Any]  # the first differing rows when the results differ
    decided_on: str  # "sample" (its own database) or "generated" (a schema-only sample: see `generated`)
    generated: dict[str, Any]  # databases, judged, failed_database, diff
    test_suite: dict[str, Any]  # databases, judged, failed_database, diff
    timings: dict[str, float]
