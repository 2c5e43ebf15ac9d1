"""Ties of gold's ORDER BY from its sort keys' values: the keyed query, the comparison, and the
executor reading them for the gold only."""

from __future__ import annotations

import duckdb
import pytest

from harness.scoring import execution
from harness.scoring.compare import Ties, compare_ties
from harness.scoring.execution import DatabaseSpec, Executor
from harness.scoring.ordering import TIE_COLUMN, KeyedQuery, keyed_query
from harness.scoring.sandbox import Sandbox

STAFF = """CREATE TABLE staff (id INT, name VARCHAR, dept VARCHAR, salary INT, boss INT);
INSERT INTO staff VALUES (1, 'Ann', 'Sales', 50, NULL), (2, 'Bob', 'Sales', 40, 1), (3, 'Cid', 'IT', 60, NULL),
    (4, 'Dee', 'IT', 60, 3), (5, 'Eve', 'HR', 35, NULL), (6, 'Fay', 'Sales', 40, 1)"""


@pytest.fixture(scope="module")
def db():
    conn = duckdb.connect()
    conn.execute(STAFF)
    yield conn
    conn.close()


def _groups(db, sql: str) -> list[set]:
    """The keyed query's rows of `sql`, as the set of first-column values of each tie group."""
    query = keyed_query(sql)
    cursor = db.execute(query.sql)
    assert cursor.description[-1][0] == TIE_COLUMN
    groups: dict = {}
    for *row, rank in cursor.fetchall():
        groups.setdefault(rank, set()).add(row[0])
    return list(groups.values())


def test_keyed_query_returns_tie_groups_of_keys_not_in_the_output(db):
    assert _groups(db, "SELECT name FROM staff ORDER BY salary DESC") == [{"Cid", "Dee"}, {"Ann"}, {"Bob", "Fay"}, {"Eve"}]
    assert _groups(db, "SELECT name FROM staff ORDER BY dept, salary DESC") == [{"Eve"}, {"Cid", "Dee"}, {"Ann"}, {"Bob", "Fay"}]
    assert keyed_query("SELECT name FROM staff ORDER BY salary DESC").limit is None


def test_keyed_query_keeps_every_row_tied_at_the_limit(db):
    assert keyed_query("SELECT name FROM staff ORDER BY salary DESC LIMIT 4").limit == 4
    assert _groups(db, "SELECT name FROM staff ORDER BY salary DESC LIMIT 4") == [{"Cid", "Dee"}, {"Ann"}, {"Bob", "Fay"}]
    assert _groups(db, "SELECT name FROM staff ORDER BY salary DESC LIMIT 1") == [{"Cid", "Dee"}]
    assert _groups(db, "SELECT name FROM staff ORDER BY salary DESC LIMIT 0") == []


def test_keyed_query_keys_naming_outputs_sort_by_the_projection(db):
    by_total = "SELECT dept, SUM(salary) AS total FROM staff GROUP BY dept ORDER BY total DESC"
    assert _groups(db, by_total) == [{"Sales"}, {"IT"}, {"HR"}]
    assert _groups(db, "SELECT dept, COUNT(*) FROM staff GROUP BY dept ORDER BY 2 DESC LIMIT 1") == [{"Sales"}]
    # an output name wins over an input column of the same name, as DuckDB binds ORDER BY
    assert _groups(db, "SELECT name AS salary FROM staff ORDER BY salary LIMIT 2") == [{"Ann"}, {"Bob"}]
    assert _groups(db, "WITH s AS (SELECT * FROM staff) SELECT * FROM s ORDER BY salary LIMIT 1") == [{5}]


def test_keyed_query_keeps_null_placement(db):
    assert _groups(db, "SELECT name FROM staff ORDER BY boss DESC NULLS FIRST LIMIT 2") == [{"Ann", "Cid", "Eve"}]
    assert _groups(db, "SELECT name FROM staff ORDER BY boss DESC LIMIT 1") == [{"Dee"}]
    assert _groups(db, "SELECT name FROM staff ORDER BY boss NULLS FIRST, salary LIMIT 1") == [{"Eve"}]


@pytest.mark.parametrize("sql", [
    "SELECT name FROM staff",
    "SELECT name FROM (SELECT name FROM staff ORDER BY salary) AS s",
    "SELECT name, RANK() OVER (ORDER BY salary) FROM staff",
    "SELECT DISTINCT dept FROM staff ORDER BY dept",
    "SELECT name FROM staff UNION ALL SELECT dept FROM staff ORDER BY 1",
    "SELECT name FROM staff ORDER BY salary LIMIT 2 OFFSET 1",
    "SELECT name FROM staff ORDER BY salary LIMIT 10%",
    "SELECT dept, COUNT(*) FROM staff GROUP BY ALL ORDER BY 2",
    "SELECT name FROM staff ORDER BY ALL",
    "SELECT * FROM staff ORDER BY 2",
    "INSERT INTO staff SELECT * FROM staff ORDER BY id",
    "SELECT FROM WHERE",
])
def test_statements_without_a_keyed_query(sql):
    assert keyed_query(sql) is None


def _ties(rows: list[tuple], limit: int | None = None) -> Ties:
    return Ties(rows, len(rows[0]) - 1 if rows else 1, limit)


# name, dept | rank: salary DESC
GOLD = [("Cid", "IT", 1), ("Dee", "IT", 1), ("Ann", "Sales", 3), ("Bob", "Sales", 4), ("Fay", "Sales", 4), ("Eve", "HR", 6)]


def test_any_order_inside_a_tie_group_matches():
    ties = _ties(GOLD)
    assert compare_ties(ties, [r[:2] for r in GOLD], 2).match
    assert compare_ties(ties, [("Dee", "IT"), ("Cid", "IT"), ("Ann", "Sales"), ("Fay", "Sales"), ("Bob", "Sales"), ("Eve", "HR")], 2).match
    assert compare_ties(ties, [("IT", "Dee"), ("IT", "Cid"), ("Sales", "Ann"), ("Sales", "Fay"), ("Sales", "Bob"), ("HR", "Eve")], 2).match


def test_order_across_tie_groups_must_hold():
    ties = _ties(GOLD)
    swapped = [("Cid", "IT"), ("Ann", "Sales"), ("Dee", "IT"), ("Bob", "Sales"), ("Fay", "Sales"), ("Eve", "HR")]
    assert compare_ties(ties, swapped, 2).reason == "order_mismatch"
    other = [("Cid", "IT"), ("Dee", "IT"), ("Ann", "Sales"), ("Bob", "Sales"), ("Fay", "Sales"), ("Eve", "IT")]
    assert compare_ties(ties, other, 2).reason == "row_mismatch"
    assert compare_ties(ties, [r[:2] for r in GOLD[:5]], 2).reason == "row_mismatch"
    assert compare_ties(ties, [r[:1] for r in GOLD], 1).reason == "column_mismatch"


def test_a_limit_may_cut_a_tie_group_at_any_of_its_rows():
    ties = _ties(GOLD[:5], limit=4)  # the keyed query keeps Fay, tied with Bob
    assert compare_ties(ties, [("Dee", "IT"), ("Cid", "IT"), ("Ann", "Sales"), ("Fay", "Sales")], 2).match
    assert compare_ties(ties, [("IT", "Cid"), ("IT", "Dee"), ("Sales", "Ann"), ("Sales", "Bob")], 2).match
    untied = compare_ties(ties, [("Cid", "IT"), ("Dee", "IT"), ("Ann", "Sales"), ("Eve", "HR")], 2)
    assert untied.reason == "row_mismatch"
    assert compare_ties(ties, [("Cid", "IT"), ("Dee", "IT"), ("Fay", "Sales"), ("Ann", "Sales")], 2).reason == "order_mismatch"
    assert compare_ties(ties, [r[:2] for r in GOLD[:5]], 2).reason == "row_mismatch"  # all tied rows: one too many
    # the whole result inside the group the limit cuts: columns are paired by the rows that may come
    top = _ties(GOLD[:2], limit=1)
    assert compare_ties(top, [("IT", "Dee")], 2).match
    assert compare_ties(top, [("Ann", "Sales")], 2).reason == "row_mismatch"


def test_a_limit_past_the_rows_wants_them_all():
    ties = _ties(GOLD[:2], limit=5)
    assert compare_ties(ties, [("Dee", "IT"), ("Cid", "IT")], 2).match
    assert compare_ties(ties, [("Dee", "IT")], 2).reason == "row_mismatch"
    assert compare_ties(Ties([], 2, 3), [], 2).reason == "match_empty"


def test_ties_compare_numbers_by_value_and_never_show_ranks():
    ties = _ties([(1, 2.5, 1), (2, 2.5, 1), (3, 1.0, 3)], limit=2)
    assert compare_ties(ties, [(2, 2.5 + 1e-12), (1, 2.5)], 2).match
    verdict = compare_ties(ties, [(3, 1.0), (1, 2.5)], 2)
    assert verdict.reason == "row_mismatch"
    assert verdict.detail["gold_first"] == [[1, 2.5], [2, 2.5]] and verdict.detail["gold_rows"] == 2


@pytest.fixture(scope="module")
def executor():
    sandbox = Sandbox()
    yield Executor(sandbox, timeout_s=5, dialects=("mysql", "postgres"))
    sandbox.close()


def test_the_executor_reads_ties_of_the_first_of_a_pair_only(executor):
    spec = DatabaseSpec(STAFF)
    gold, pred = executor.run_pair(spec, "SELECT name FROM staff ORDER BY salary DESC LIMIT 1", "SELECT 1")
    assert gold.columns == ["name"] and len(gold.rows) == 1 and pred.ties is None
    assert sorted(gold.ties.rows) == [("Cid", 1), ("Dee", 1)] and gold.ties.limit == 1
    assert executor.run(spec, "SELECT name FROM staff ORDER BY salary").ties is None
    # ordered by output columns without a LIMIT: the result shows its groups, no keyed query runs
    assert executor.run_pair(spec, "SELECT name, salary FROM staff ORDER BY 2, name", "SELECT 1")[0].ties is None
    assert executor.run_pair(spec, "SELECT name, salary FROM staff ORDER BY 2 LIMIT 2", "SELECT 1")[0].ties.limit == 2
    # the statement as DuckDB ran it is keyed, after the dialect fallback
    mysql, _ = executor.run_pair(spec, 'SELECT name FROM staff WHERE dept = "Sales" ORDER BY salary DESC LIMIT 2', "SELECT 1")
    assert mysql.paths == ["transpiled:mysql"] and sorted(mysql.ties.rows) == [("Ann", 1), ("Bob", 2), ("Fay", 2)]


def test_ties_after_changes_and_when_the_rewrite_is_not_trusted(executor, monkeypatch):
    spec = DatabaseSpec(STAFF)
    script = "UPDATE staff SET salary = 60 WHERE name = 'Ann'; SELECT name FROM staff ORDER BY salary DESC LIMIT 1"
    gold, pred = executor.run_pair(spec, script, "SELECT name FROM staff")
    assert gold.mutated and sorted(gold.ties.rows) == [("Ann", 1), ("Cid", 1), ("Dee", 1)]
    assert len(pred.rows) == 6
    # a gold that disagrees with itself keeps the plain comparison
    assert executor.run_pair(spec, "SELECT name FROM staff ORDER BY random()", "SELECT 1")[0].ties is None
    # a keyed query that fails inside the gold's rolled-back transaction leaves the run as it was
    monkeypatch.setattr(execution, "keyed_query", lambda sql: KeyedQuery("SELECT no_such_column FROM staff", None))
    gold, pred = executor.run_pair(spec, script, "SELECT name FROM staff")
    assert gold.error is None and gold.ties is None and gold.rows in ([("Ann",)], [("Cid",)], [("Dee",)])
    assert pred.error is None and len(pred.rows) == 6
