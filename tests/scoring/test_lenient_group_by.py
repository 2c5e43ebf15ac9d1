"""The lenient GROUP BY rewrite (a pure function) and its place in the dialect fallback."""

from __future__ import annotations

import duckdb
import pytest

from harness.scoring.dialect import StatementError, run_with_fallback
from harness.scoring.group_by import lenient_group_by

CONTEXT = """
CREATE TABLE emp (id INT PRIMARY KEY, name VARCHAR, dept VARCHAR, salary INT, hired DATE);
INSERT INTO emp VALUES (1, 'Ann', 'Sales', 5000, '2020-01-15'), (2, 'Bob', 'Sales', 4000, '2021-03-01'),
    (3, 'Cid', 'IT', 6000, '2019-07-30'), (4, 'Dee', 'IT', 7000, '2022-11-11'), (5, 'Eve', 'HR', NULL, '2018-05-05');
CREATE TABLE sales (emp_id INT, amount INT);
INSERT INTO sales VALUES (1, 10), (1, 20), (3, 5);
"""


@pytest.fixture
def db():
    connection = duckdb.connect()
    connection.execute(CONTEXT)
    yield connection
    connection.close()


@pytest.mark.parametrize("sql, expected", [
    # a bare select-list column keeps its output name; the grouped key and the aggregate stay
    ("SELECT dept, name, COUNT(*) FROM emp GROUP BY dept",
     "SELECT dept, ANY_VALUE(name) AS name, COUNT(*) FROM emp GROUP BY dept"),
    # aggregates without GROUP BY: one group; a lone MAX takes bare columns from its row (SQLite)
    ("SELECT name, MAX(salary) FROM emp",
     ("SELECT CASE WHEN MAX(salary) IS NULL THEN ANY_VALUE(name) ELSE ARG_MAX_NULL(name, salary) END AS name, "
      "MAX(salary) FROM emp")),
    ("SELECT dept, name, MIN(salary) AS low FROM emp GROUP BY dept",
     ("SELECT dept, CASE WHEN MIN(salary) IS NULL THEN ANY_VALUE(name) ELSE ARG_MIN_NULL(name, salary) END AS name, "
      "MIN(salary) AS low FROM emp GROUP BY dept")),
    # inside expressions and aliases; a qualified column keeps its alias
    ("SELECT e.dept, e.salary * 2 AS twice FROM emp AS e GROUP BY e.dept",
     "SELECT e.dept, ANY_VALUE(e.salary) * 2 AS twice FROM emp AS e GROUP BY e.dept"),
    ("SELECT e.dept, e.name FROM emp AS e GROUP BY e.dept",
     "SELECT e.dept, ANY_VALUE(e.name) AS name FROM emp AS e GROUP BY e.dept"),
    # a column of another table with the grouped column's name is not grouped
    ("SELECT a.id, b.id FROM emp AS a JOIN emp AS b ON a.dept = b.dept GROUP BY a.id",
     "SELECT a.id, ANY_VALUE(b.id) AS id FROM emp AS a JOIN emp AS b ON a.dept = b.dept GROUP BY a.id"),
    # HAVING and ORDER BY: output names stay, other bare columns are wrapped
    ("SELECT dept, COUNT(*) AS n FROM emp GROUP BY dept HAVING n > 1 AND name <> 'x' ORDER BY n, hired",
     "SELECT dept, COUNT(*) AS n FROM emp GROUP BY dept HAVING n > 1 AND ANY_VALUE(name) <> 'x' ORDER BY n, ANY_VALUE(hired)"),
    # GROUP BY by position and by alias groups that select-list item
    ("SELECT YEAR(hired) AS y, name, COUNT(*) FROM emp GROUP BY y",
     "SELECT YEAR(hired) AS y, ANY_VALUE(name) AS name, COUNT(*) FROM emp GROUP BY y"),
    ("SELECT dept, name, COUNT(*) FROM emp GROUP BY 1",
     "SELECT dept, ANY_VALUE(name) AS name, COUNT(*) FROM emp GROUP BY 1"),
    # ROLLUP keys are grouped
    ("SELECT dept, name, COUNT(*) FROM emp GROUP BY ROLLUP (dept)",
     "SELECT dept, ANY_VALUE(name) AS name, COUNT(*) FROM emp GROUP BY ROLLUP (dept)"),
    # windows are not aggregates; their arguments must be grouped too
    ("SELECT dept, SUM(COUNT(*)) OVER (ORDER BY salary) FROM emp GROUP BY dept",
     "SELECT dept, SUM(COUNT(*)) OVER (ORDER BY ANY_VALUE(salary)) FROM emp GROUP BY dept"),
    # FILTER and WITHIN GROUP belong to their aggregate
    ("SELECT dept, name, COUNT(*) FILTER(WHERE salary > 1) FROM emp GROUP BY dept",
     "SELECT dept, ANY_VALUE(name) AS name, COUNT(*) FILTER(WHERE salary > 1) FROM emp GROUP BY dept"),
    # every SELECT on its own: a CTE, a derived table, each side of a UNION
    ("WITH c AS (SELECT dept, name, COUNT(*) AS n FROM emp GROUP BY dept) SELECT * FROM c",
     "WITH c AS (SELECT dept, ANY_VALUE(name) AS name, COUNT(*) AS n FROM emp GROUP BY dept) SELECT * FROM c"),
    ("SELECT dept, name FROM emp GROUP BY dept UNION ALL SELECT 'x', name FROM emp",
     "SELECT dept, ANY_VALUE(name) AS name FROM emp GROUP BY dept UNION ALL SELECT 'x', name FROM emp"),
    # a correlated subquery's reference to the grouped query's table; its own columns stay
    ("SELECT e.dept, (SELECT SUM(s.amount) FROM sales AS s WHERE s.emp_id = e.id) FROM emp AS e GROUP BY e.dept",
     "SELECT e.dept, (SELECT SUM(s.amount) FROM sales AS s WHERE s.emp_id = ANY_VALUE(e.id)) FROM emp AS e GROUP BY e.dept"),
])
def test_rewrite(sql, expected, db):
    assert lenient_group_by(sql) == expected
    db.execute(expected).fetchall()  # the rewrite runs in DuckDB


@pytest.mark.parametrize("sql", [
    "SELECT dept, COUNT(*) FROM emp GROUP BY dept",  # already valid
    "SELECT name FROM emp",  # not grouped
    "SELECT name, SUM(salary) OVER () FROM emp",  # a window does not group
    "SELECT dept, (SELECT MAX(salary) FROM emp) FROM emp GROUP BY dept",  # the subquery is its own scope
    "SELECT *, COUNT(*) FROM emp GROUP BY dept",  # a star cannot be wrapped without the schema
    "SELEC name FRM emp",  # sqlglot cannot read it
    "SELECT " + "(" * 5000 + "1" + ")" * 5000,  # too deep for sqlglot: no rewrite, no crash
])
def test_no_rewrite(sql):
    assert lenient_group_by(sql) is None


def test_output_names_stay(db):
    sql = "SELECT e.dept, e.name, MAX(e.salary) AS top FROM emp AS e GROUP BY e.dept"
    names = [d[0] for d in db.execute(lenient_group_by(sql)).description]
    assert names == ["dept", "name", "top"]


def test_lone_max_takes_its_rows_values(db):
    """SQLite's rule: bare columns from the row of the only MAX; any row where the MAX is NULL."""
    db.execute("INSERT INTO emp VALUES (6, NULL, 'Ops', 100, NULL), (7, 'Gus', 'Ops', 50, NULL)")
    rows = db.execute(lenient_group_by("SELECT dept, name, MAX(salary) FROM emp GROUP BY dept ORDER BY dept")).fetchall()
    assert rows == [("HR", "Eve", None), ("IT", "Dee", 7000), ("Ops", None, 100), ("Sales", "Ann", 5000)]


def _run(db, tried=None):
    def run(sql):
        if tried is not None:
            tried.append(sql)
        return db.execute(sql).fetchall()
    return run


def test_fallback_path_as_written(db):
    path, ran, rows = run_with_fallback("SELECT dept, name, COUNT(*) FROM emp GROUP BY dept ORDER BY dept",
                                        ("mysql", "postgres"), _run(db))
    assert path == "lenient_group_by" and "ANY_VALUE(name) AS name" in ran
    assert [(d, n) for d, _, n in rows] == [("HR", 1), ("IT", 2), ("Sales", 2)]


def test_fallback_path_after_a_transpile(db):
    sql = "SELECT dept, name, COUNT(*) FROM emp WHERE hired > DATE_SUB('2021-01-10', INTERVAL 900 DAY) GROUP BY dept"
    path, ran, _ = run_with_fallback(sql, ("mysql", "postgres"), _run(db))
    assert path == "transpiled:mysql+lenient_group_by" and "ANY_VALUE(name)" in ran


def test_valid_statement_runs_as_written(db):
    tried = []
    assert run_with_fallback("SELECT dept, COUNT(*) FROM emp GROUP BY dept", ("mysql",), _run(db, tried))[0] == "duckdb"
    assert len(tried) == 1


def test_other_errors_are_not_rewritten(db):
    tried = []
    with pytest.raises(StatementError, match="nope"):
        run_with_fallback("SELECT dept, nope, COUNT(*) FROM emp GROUP BY dept", ("mysql",), _run(db, tried))
    assert not any("ANY_VALUE" in sql.upper() for sql in tried)
