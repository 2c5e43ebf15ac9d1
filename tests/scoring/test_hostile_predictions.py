"""Judgeability depends on gold and context only: whatever a prediction holds, its record is a
judged match or failure, never a sample dropped from the denominator."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.scoring.record import UNJUDGEABLE
from harness.scoring.scorer import ScoreConfig, _from_outcome, score_item
from harness.scoring.workers import Outcome

CONTEXT = "CREATE TABLE staff (id INT, name TEXT, salary INT); INSERT INTO staff VALUES (1, 'ann', 10), (2, 'bob', 20);"
GOLD = "SELECT name FROM staff WHERE salary > 15"
CONFIG = ScoreConfig(workers=1, test_suite_k=2, timeout_s=2.0)
HOSTILE = {
    "deep nesting": "SELECT " + "(" * 10_000 + "1" + ")" * 10_000,
    "deep AND chain": "SELECT name FROM staff WHERE " + " AND ".join(["salary > 15"] * 3_000),
    "lone surrogate": "SELECT 'a\ud800' AS name",
    "surrogate in an identifier": "SELECT na\udfffme FROM staff",
    "control characters": "SELECT \x00\x01\x1b[2J name FROM staff",
    "a megabyte of comment": "SELECT name FROM staff WHERE salary > 15 " + "-- x\n" * 200_000,
    "a megabyte of text": "x" * 1_000_000,
    "unclosed fence": "```sql\nSELECT name FROM staff WHERE salary > 15",
    "only a fence": "``````",
    "statements that never end": "SELECT 1;" * 5_000,
}

CORRECT = ("deep AND chain", "a megabyte of comment", "unclosed fence")  # the same rows as the gold


def _assert_judged(record: dict) -> None:
    assert record["reason"] not in (*UNJUDGEABLE, "harness_error"), record.get("error")
    for metric in ("exact_match", "execution_match", "test_suite_match"):
        assert record[metric] in (True, False), (metric, record[metric], record["reason"])
    assert record["ast_match"] in (True, False)


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_prediction_is_a_judged_failure(name):
    record = score_item({"id": name, "sql_context": CONTEXT, "sql": GOLD, "prediction": HOSTILE[name]}, CONFIG)
    _assert_judged(record)
    assert record["execution_match"] is (name in CORRECT)


# any code point: controls, unassigned, private use, and lone surrogates (which st.characters leaves out)
texts = st.text(alphabet=st.one_of(st.characters(exclude_categories=()), st.integers(0xD800, 0xDFFF).map(chr)), max_size=300)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(texts, texts.map(lambda t: f"SELECT {t} FROM staff"), texts.map(lambda t: GOLD + t),
                 st.integers(1, 3_000).map(lambda n: "SELECT " + "(" * n + "salary" + ")" * n + " FROM staff")))
def test_any_prediction_is_judged(prediction):
    _assert_judged(score_item({"id": "p", "sql_context": CONTEXT, "sql": GOLD, "prediction": prediction}, CONFIG))


ITEM = {"id": "s1", "sql_context": CONTEXT, "sql": GOLD, "prediction": "SELECT 1"}


@pytest.mark.parametrize("stage, killed, reason", [
    ("prediction", "stall", "timeout"),
    ("prediction", "crash", "pred_exec_error"),
    ("prediction", "error", "harness_error"),  # an exception that escaped: the harness's, counted as a failure
])
def test_a_worker_lost_on_the_prediction_fails_the_prediction(stage, killed, reason):
    partial = {**ITEM, "prediction_sql": "SELECT 1", "exact_match": None, "ast_match": None, "execution_match": None,
               "test_suite_match": None, "reason": None}
    record = _from_outcome(ITEM, Outcome(killed=killed, stage=stage, partial=partial, error="Traceback ..."))
    assert record["reason"] == reason and record["execution_match"] is False and record["test_suite_match"] is False
    assert record["exact_match"] is False and record["ast_match"] is False and stage in record["error"]


def test_a_parser_hung_by_the_prediction_fails_only_the_undecided_metrics():
    partial = {**ITEM, "exact_match": True, "ast_match": None, "execution_match": True, "test_suite_match": None,
               "reason": "match"}
    record = _from_outcome(ITEM, Outcome(killed="stall", stage="ast", partial=partial))
    assert (record["execution_match"], record["exact_match"], record["ast_match"], record["test_suite_match"]) == (True, True, False, False)
    assert record["reason"] == "match"


def test_an_unjudgeable_sample_stays_unjudgeable_when_the_prediction_hangs_a_parser():
    partial = {**ITEM, "exact_match": None, "ast_match": None, "execution_match": None, "test_suite_match": None,
               "reason": "gold_error"}
    record = _from_outcome(ITEM, Outcome(killed="stall", stage="exact", partial=partial))
    assert record["reason"] == "gold_error" and record["execution_match"] is None and record["test_suite_match"] is None


def test_a_stalled_gold_is_unjudgeable_and_an_internal_error_counts_as_a_failure():
    stalled = _from_outcome(ITEM, Outcome(killed="stall", stage="gold", partial={**ITEM, "reason": None}))
    assert stalled["reason"] == "gold_error" and stalled["execution_match"] is None
    before_gold = _from_outcome(ITEM, Outcome(killed="stall", stage="extract", partial={**ITEM, "reason": None}))
    assert before_gold["reason"] == "harness_error" and before_gold["execution_match"] is False
    for stage in ("gold", "extract", "prediction", "generated:2:prediction", None):
        failed = _from_outcome(ITEM, Outcome(killed="error", stage=stage, error="KeyError: 'x'"))
        assert failed["reason"] == "harness_error" and failed["execution_match"] is False
        assert failed["test_suite_match"] is False and "KeyError" in failed["error"]


def test_a_suite_lost_on_the_prediction_fails_the_test_suite_only():
    partial = {**ITEM, "exact_match": False, "ast_match": False, "execution_match": True, "test_suite_match": None,
               "reason": "match"}
    timed_out = _from_outcome(ITEM, Outcome(killed="stall", stage="suite:2:prediction", partial=partial))
    assert timed_out["execution_match"] is True and timed_out["test_suite_match"] is False
    assert timed_out["test_suite_reason"] == "timeout"
    gold_slow = _from_outcome(ITEM, Outcome(killed="stall", stage="suite:2:gold", partial=partial))
    assert gold_slow["test_suite_match"] is None and gold_slow["test_suite_reason"] == "gold_timeout"
    raised = _from_outcome(ITEM, Outcome(killed="error", stage="suite:2:prediction", partial=partial, error="TypeError"))
    assert raised["execution_match"] is True and raised["test_suite_match"] is False
    assert raised["test_suite_reason"] == "harness_error" and "TypeError" in raised["error"]
