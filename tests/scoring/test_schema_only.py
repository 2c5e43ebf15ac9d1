"""Schema-only samples (tables created, no rows) are judged on generated databases, and the
prediction's literals join the generated databases' value pools."""

from __future__ import annotations

import pytest

from harness.scoring.scorer import ScoreConfig, _from_outcome, score_all
from harness.scoring.workers import Outcome

SCHEMA = "CREATE TABLE staff (id INT PRIMARY KEY, name TEXT, dept TEXT, salary INT, hired DATE);"
ROWS = "INSERT INTO staff VALUES (1, 'ann', 'sales', 60000, '2020-03-01'), (2, 'bob', 'hr', 40000, '2022-07-01');"
GOLD = "SELECT name FROM staff WHERE dept = 'sales' AND salary > 50000"
CONFIG = ScoreConfig(workers=2)


def _score(context: str, predictions: dict[str, str], gold: str = GOLD, config: ScoreConfig = CONFIG) -> dict[str, dict]:
    items = [{"id": name, "sql_context": context, "sql": gold, "prediction": p} for name, p in predictions.items()]
    return {r["id"]: r for r in score_all(items, config, progress=False)}


WRONG = {
    "other string": "SELECT name FROM staff WHERE dept = 'hr' AND salary > 50000",
    ">= for >": "SELECT name FROM staff WHERE dept = 'sales' AND salary >= 50000",
    "other number": "SELECT name FROM staff WHERE dept = 'sales' AND salary > 50001",
    "a condition dropped": "SELECT name FROM staff WHERE salary > 50000",
    "<> for =": "SELECT name FROM staff WHERE dept <> 'sales' AND salary > 50000",
}


def test_schema_only_sample_is_decided_on_generated_databases():
    records = _score(SCHEMA, {"gold": GOLD, "equivalent": "SELECT s.name FROM staff AS s WHERE s.salary > 50000 AND 'sales' = s.dept", **WRONG})
    for name in ("gold", "equivalent"):
        assert records[name]["execution_match"] is True and records[name]["test_suite_match"] is True
        assert records[name]["decided_on"] == "generated" and records[name]["generated"] == {"databases": 5, "judged": 5}
    for name in WRONG:
        record = records[name]
        assert record["execution_match"] is False and record["test_suite_match"] is False, name
        assert record["decided_on"] == "generated" and record["reason"] == "row_mismatch", name
        assert 5 <= record["generated"]["failed_database"] < 10 and record["generated"]["diff"]  # after the suite's 5


def test_a_mismatch_on_the_empty_database_stands_and_data_decides_as_before():
    records = _score(SCHEMA, {"columns": "SELECT name, id FROM staff WHERE dept = 'sales'"})
    assert records["columns"]["reason"] == "column_mismatch" and records["columns"]["decided_on"] == "sample"
    with_rows = _score(SCHEMA + ROWS, {"gold": GOLD, ">= for >": WRONG[">= for >"]})
    assert with_rows["gold"]["decided_on"] == "sample" and "generated" not in with_rows["gold"]
    assert with_rows[">= for >"]["execution_match"] is True  # the two rows cannot tell; the test suite can
    assert with_rows[">= for >"]["test_suite_match"] is False


def test_generated_k_zero_leaves_schema_only_samples_to_the_empty_database():
    records = _score(SCHEMA, {"other string": WRONG["other string"]}, config=ScoreConfig(workers=1, generated_k=0, test_suite_k=0))
    assert records["other string"]["execution_match"] is True and records["other string"]["reason"] == "match_empty"
    assert records["other string"]["decided_on"] == "sample"


def test_dml_and_dates_on_a_schema_only_sample():
    gold = "DELETE FROM staff WHERE hired < '2021-01-01'"
    records = _score(SCHEMA, {"gold": gold, "other date": "DELETE FROM staff WHERE hired < '2022-01-01'",
                              "<= for <": "DELETE FROM staff WHERE hired <= '2021-01-01'"}, gold=gold)
    assert records["gold"]["execution_match"] is True and records["gold"]["decided_on"] == "generated"
    assert records["other date"]["execution_match"] is False and records["other date"]["reason"] == "state_mismatch"
    assert records["<= for <"]["execution_match"] is False


def test_prediction_literals_join_the_test_suite_pools():
    # 7 is neither observed nor a neighbour of an observed value: only the prediction's literal brings it in
    context = "CREATE TABLE t (x INT); INSERT INTO t VALUES (1), (20), (40);"
    records = _score(context, {"extra condition": "SELECT x FROM t WHERE x > 5 AND x <> 7"}, gold="SELECT x FROM t WHERE x > 5")
    assert records["extra condition"]["execution_match"] is True and records["extra condition"]["test_suite_match"] is False


@pytest.mark.parametrize("stage, killed, reason, match", [
    ("generated:1:prediction", "stall", "timeout", False),
    ("generated:1:prediction", "crash", "pred_exec_error", False),
    ("generated:1:prediction", "error", "harness_error", False),
    ("generated:1:gold", "stall", "gold_error", None),
])
def test_a_worker_lost_on_a_generated_database(stage, killed, reason, match):
    item = {"id": "s", "sql_context": SCHEMA, "sql": GOLD, "prediction": GOLD}
    partial = {**item, "exact_match": True, "ast_match": True, "execution_match": None, "test_suite_match": None,
               "reason": None, "decided_on": "sample"}
    record = _from_outcome(item, Outcome(killed=killed, stage=stage, partial=partial, error="Traceback"))
    assert record["reason"] == reason and record["execution_match"] is match
