"""Scoring against the SQL fixture pairs, gold-as-prediction checks, summaries and the real gretel rows."""

from __future__ import annotations

import csv
import re
import time
from decimal import Decimal
from pathlib import Path

import pytest

from harness.results.summary import summarize
from harness.scoring.scorer import SCORER_VERSION, ScoreConfig, check_gold, score_all, score_item

PAIRS = Path(__file__).parent / "sql_pairs"
GRETEL = Path(__file__).parents[3] / "shared" / "data" / "gretel-sample" / "text_to_sql.csv"
CONFIG = ScoreConfig(timeout_s=5, workers=2)
_KEYS = {"exact": "exact_match", "ast": "ast_match", "exec": "execution_match", "suite": "test_suite_match"}


def load_pairs() -> list[dict]:
    """Every pair of every fixture file: name, context, gold, prediction, expect."""
    pairs = []
    for path in sorted(PAIRS.glob("*.txt")):
        text = path.read_text()
        head, *blocks = re.split(r"^=== ", text, flags=re.MULTILINE)
        shared = _sections(head).get("context", "")
        for block in blocks:
            name, _, body = block.partition("\n")
            sections = _sections(body)
            expect = dict(item.split("=", 1) for item in sections.pop("expect").split())
            pairs.append({"id": f"{path.stem}/{name.strip()}", "sql_context": sections.get("context", shared),
                          "sql": sections["gold"], "prediction": sections.get("prediction", ""), "expect": expect})
    return pairs


def _sections(text: str) -> dict:
    """`name:` headed sections of a block; `expect:` holds its value on the same line."""
    out, current = {}, None
    for line in text.splitlines():
        match = re.match(r"^(context|gold|prediction|expect):\s*(.*)$", line)
        if match:
            current = match.group(1)
            out[current] = match.group(2)
        elif current:
            out[current] = (out[current] + "\n" + line) if out[current] else line
    return {k: v.strip() for k, v in out.items()}


def _value(text: str):
    return {"true": True, "false": False, "null": None}[text]


@pytest.fixture(scope="module")
def scored() -> dict:
    pairs = load_pairs()
    records = score_all([{k: v for k, v in p.items() if k != "expect"} for p in pairs], CONFIG, progress=False)
    return {p["id"]: (p, r) for p, r in zip(pairs, records)}


def test_fixture_has_enough_pairs():
    assert len(load_pairs()) >= 60


@pytest.mark.parametrize("pair_id", [p["id"] for p in load_pairs()])
def test_pair_verdicts(scored, pair_id):
    pair, record = scored[pair_id]
    for key, expected in pair["expect"].items():
        if expected == "*":
            continue
        if key in _KEYS:
            assert record[_KEYS[key]] is _value(expected), (key, record)
        elif key == "reason":
            assert record["reason"] == expected, record
        elif key in ("gold_dialect", "pred_dialect"):
            assert record["dialect"]["gold" if key == "gold_dialect" else "prediction"] == expected, record


def test_records_keep_input_order_and_fields(scored):
    pairs = load_pairs()
    assert list(scored) == [p["id"] for p in pairs]
    for pair, record in scored.values():
        assert record["sql"] == pair["sql"] and record["sql_context"] == pair["sql_context"]
        assert {"exact_match", "ast_match", "execution_match", "test_suite_match", "reason", "timings"} <= set(record)


def test_mismatch_records_show_differing_rows(scored):
    _, record = scored["select/missing-distinct"]
    assert record["diff"]["gold_rows"] == 3 and record["diff"]["pred_rows"] == 6
    assert record["diff"]["only_pred"]


def test_gold_as_prediction_scores_every_judgeable_fixture():
    items, seen = [], set()
    for pair in load_pairs():
        if (pair["sql_context"], pair["sql"]) not in seen:
            seen.add((pair["sql_context"], pair["sql"]))
            items.append({"id": pair["id"], "sql_context": pair["sql_context"], "sql": pair["sql"], "prediction": pair["sql"]})
    records = score_all(items, CONFIG, progress=False)
    judgeable = [r for r in records if r["execution_match"] is not None]
    assert len(judgeable) >= len(items) - 3
    failed = [(r["id"], r["reason"], r.get("test_suite_reason")) for r in judgeable if not (r["execution_match"] and r["test_suite_match"] is not False)]
    assert failed == []
    assert all(r["exact_match"] for r in records)


def test_summary_counts_and_breakdowns():
    records = [
        {"exact_match": True, "ast_match": True, "execution_match": True, "test_suite_match": True, "reason": "match", "sql_complexity": "basic SQL"},
        {"exact_match": False, "ast_match": None, "execution_match": None, "test_suite_match": None, "reason": "gold_error", "sql_complexity": "basic SQL"},
        {"exact_match": False, "ast_match": False, "execution_match": False, "test_suite_match": False, "reason": "row_mismatch", "sql_complexity": "aggregation", "domain": "x"},
    ]
    summary = summarize(records)
    assert summary["n"] == 3 and summary["judgeable"] == 2 and summary["unjudgeable"] == 1
    assert {k: summary["execution_match"][k] for k in ("n", "successes", "rate")} == {"n": 2, "successes": 1, "rate": 0.5}
    assert summary["exact_match"]["n"] == 3
    assert summary["reasons"] == {"match": 1, "gold_error": 1, "row_mismatch": 1}
    assert summary["by"]["sql_complexity"]["basic SQL"]["execution_match"]["rate"] == 1.0
    assert summary["by"]["domain"]["x"]["n"] == 1 and "sql_task_type" not in summary["by"]


def test_score_item_and_check_gold():
    item = {"sql_context": "CREATE TABLE t (a INT); INSERT INTO t VALUES (1), (2);", "sql": "SELECT a FROM t", "prediction": "SELECT a FROM t WHERE a > 1"}
    record = score_item(item, ScoreConfig(test_suite_k=0, workers=1))
    assert record["execution_match"] is False and record["reason"] == "row_mismatch" and record["test_suite_match"] is False
    assert check_gold(item, ScoreConfig(workers=1)) == {
        "status": "ok", "dialect": "duckdb", "error": None, "rows": 2, "columns": ["a"], "preview": [["1"], ["2"]]}
    assert check_gold({**item, "sql": "SELECT b FROM t"}, ScoreConfig(workers=1))["status"] == "gold_error"
    assert check_gold({**item, "sql_context": "CREATE TABLE ("}, ScoreConfig(workers=1))["status"] == "context_error"
    assert isinstance(SCORER_VERSION, str) and SCORER_VERSION


def test_real_database_file_is_copied_not_changed(tmp_path):
    import duckdb

    path = tmp_path / "shop.duckdb"
    with duckdb.connect(str(path)) as conn:
        conn.execute("CREATE TABLE items (id INT, price DOUBLE); INSERT INTO items VALUES (1, 2.5), (2, 4.0)")
    item = {"sql_context": "", "db_path": str(path), "setup_sql": "INSERT INTO items VALUES (3, 1.0)",
            "sql": "DELETE FROM items WHERE price < 3", "prediction": "DELETE FROM items WHERE price <= 2.5"}
    record = score_item(item, ScoreConfig(workers=1))
    assert record["execution_match"] is True, record
    with duckdb.connect(str(path)) as conn:
        assert conn.execute("SELECT count(*) FROM items").fetchone()[0] == 2


@pytest.mark.skipif(not GRETEL.is_file(), reason="gretel sample not present")
def test_gretel_sample_gold_as_prediction():
    with GRETEL.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    items = [{k: r[k] for k in ("id", "sql_context", "sql", "sql_complexity", "sql_task_type", "domain")} | {"prediction": r["sql"]} for r in rows]
    with_fallback = score_all(items, CONFIG, progress=False)
    without = score_all(items, ScoreConfig(timeout_s=5, workers=2, source_dialects=(), test_suite_k=0), progress=False)
    judged = [r for r in with_fallback if r["execution_match"] is not None]
    judged_plain = [r for r in without if r["execution_match"] is not None]
    print(f"gretel sample: {len(judged)}/{len(rows)} judgeable with the transpile fallback, {len(judged_plain)} without")
    assert len(rows) == 25 and len(judged) >= len(judged_plain)
    assert all(r["execution_match"] for r in judged), [(r["id"], r["reason"]) for r in judged if not r["execution_match"]]
    assert all(r["test_suite_match"] is not False for r in judged), [(r["id"], r.get("test_suite_reason")) for r in judged if r["test_suite_match"] is False]


def test_a_gold_that_disagrees_with_itself_is_unjudgeable():
    context = "CREATE TABLE t (a INT); INSERT INTO t SELECT range FROM range(200);"
    item = {"sql_context": context, "sql": "SELECT a FROM t ORDER BY random() LIMIT 3", "prediction": "SELECT a FROM t LIMIT 3"}
    record = score_item(item, ScoreConfig(workers=1))
    assert record["execution_match"] is None and record["test_suite_match"] is None
    assert record["reason"] == "gold_nondeterministic"


def test_a_gold_sampling_a_small_table_never_fails_against_itself():
    # one row of five: two runs agree one time in five, so a rerun alone cannot prove stability
    context = "CREATE TABLE t (a INT); INSERT INTO t VALUES (1), (2), (3), (4), (5);"
    gold = "SELECT * FROM t USING SAMPLE 20% (reservoir)"
    records = score_all([{"id": str(i), "sql_context": context, "sql": gold, "prediction": gold} for i in range(30)],
                        ScoreConfig(workers=1), progress=False)
    assert {r["reason"] for r in records} <= {"match", "gold_nondeterministic"}
    assert any(r["reason"] == "gold_nondeterministic" for r in records)


def test_test_suite_handles_list_columns_and_one_name_with_two_types():
    context = ("CREATE TABLE c (id INT, tags VARCHAR[]); INSERT INTO c VALUES (1, ['a', 'b']), (2, ['c']);"
               "CREATE TABLE d (id VARCHAR, note VARCHAR); INSERT INTO d VALUES ('x', 'n');")
    gold = "SELECT tags[1] FROM c WHERE id > 1"
    record = score_item({"sql_context": context, "sql": gold, "prediction": gold}, ScoreConfig(workers=1))
    assert record["reason"] == "match" and record["test_suite_match"] is True, record


def test_a_generated_database_judged_where_it_was_built_holds_its_specs_state():
    from harness.scoring.execution import DatabaseSpec, Executor, snapshot
    from harness.scoring.sandbox import Sandbox
    from harness.scoring.testsuite import suite

    context = ("CREATE TABLE p (id INT PRIMARY KEY, name TEXT NOT NULL, price DECIMAL(6, 2));"
               "INSERT INTO p VALUES (1, 'a', 2.5), (2, 'b', NULL), (3, 'B', 10);"
               "CREATE TABLE o (id INT, p_id INT, day DATE); INSERT INTO o VALUES (1, 1, '2021-01-01'), (2, 3, '2022-02-02');"
               "CREATE VIEW v AS SELECT name FROM p WHERE price > 2")
    sandbox = Sandbox()
    try:
        executor = Executor(sandbox, 5.0, ())
        databases = suite(executor, DatabaseSpec(context), "SELECT name FROM p WHERE price > 2.5", 5, 0)
        assert databases.size == 5
        for i in range(databases.size):
            spec, state = databases.database(executor, i, lambda cursor, _, objects: snapshot(sandbox, cursor, time.monotonic() + 60)[0])
            assert state is not None  # every statement of this schema's generation succeeds
            assert executor.run(spec, "SELECT 1", want_state=True).state == state
            assert databases.database(executor, i, lambda *_: 1) == (spec, None)  # cached, not generated again
    finally:
        sandbox.close()


def test_a_generated_database_comes_with_the_tables_its_catalog_lists():
    # a script that changes no table or view is snapshotted from this list, without a catalog read
    from harness.scoring.execution import DatabaseSpec, Executor, snapshot
    from harness.scoring.sandbox import Sandbox
    from harness.scoring.testsuite import suite

    context = ('CREATE TABLE "Orders" (id INT PRIMARY KEY, total DECIMAL(8, 2)); INSERT INTO "Orders" VALUES (1, 9.5), (2, 20);'
               "CREATE TABLE items (order_id INT, sku TEXT); INSERT INTO items VALUES (1, 'a'), (2, 'b');")
    sandbox = Sandbox()
    try:
        executor = Executor(sandbox, 5.0, ())
        databases = suite(executor, DatabaseSpec(context), 'SELECT sku FROM items JOIN "Orders" ON id = order_id', 3, 0)
        for i in range(databases.size):
            def listed(cursor, _, objects):
                read, from_catalog = snapshot(sandbox, cursor, time.monotonic() + 60)
                return sorted(objects), sorted(from_catalog), snapshot(sandbox, cursor, time.monotonic() + 60, objects)[0] == read

            _, (objects, from_catalog, same_state) = databases.database(executor, i, listed)
            assert objects == from_catalog == [("sandbox", "main", "Orders", "table"), ("sandbox", "main", "items", "table")]
            assert same_state
    finally:
        sandbox.close()


def test_read_schema_gives_the_catalogs_columns_types_keys_and_views():
    from harness.scoring.execution import DatabaseSpec, Executor
    from harness.scoring.sandbox import Sandbox
    from harness.scoring.testsuite import read_schema

    context = ("CREATE TABLE p (id INT PRIMARY KEY, code TEXT UNIQUE, name VARCHAR(20) NOT NULL, price DECIMAL(6, 2), tags INT[]);"
               "INSERT INTO p VALUES (1, 'x', 'Lakeview', 2.5, [1]), (2, 'y', 'b', NULL, NULL);"
               "CREATE VIEW cheap AS SELECT name FROM p WHERE price < 3")
    plain = "CREATE TABLE t (a INT, b TEXT); INSERT INTO t VALUES (1, 'Lakeview');"  # no constraint, and no view
    sandbox = Sandbox()
    try:
        executor = Executor(sandbox, 5.0, ())
        schemas = []
        for spec in (DatabaseSpec(context), DatabaseSpec(plain)):
            with sandbox.fresh() as cursor:
                executor.build(cursor, spec)
                schemas.append(read_schema(cursor, spec))
                here = "WHERE database_name = current_database() AND schema_name = 'main' ORDER BY table_name, column_index"
                catalog = cursor.execute(f"SELECT table_name, column_name, data_type, is_nullable FROM duckdb_columns() {here}").fetchall()
                assert [(t["name"], *c) for t in schemas[-1] if "view" not in t for c in t["columns"]] == [c for c in catalog if c[0] != "cheap"]
        tables, plain_tables = schemas
        assert [t.get("name") for t in tables] == ["p", None] and "CREATE VIEW cheap" in tables[1]["view"]
        assert tables[0]["unique"] == {"id", "code"} and tables[0]["rows"] == [(1, "x", "Lakeview", Decimal("2.50"), [1]), (2, "y", "b", None, None)]
        assert [c[2] for c in tables[0]["columns"]] == [False, True, False, True, True]
        assert plain_tables[0]["columns"] == [("a", "INTEGER", True), ("b", "VARCHAR", True)] and len(plain_tables) == 1
    finally:
        sandbox.close()


def test_test_suite_generation_creates_nothing_outside_its_database():
    # DuckDB writes the DDL of a table in a schema named `memory` as `CREATE TABLE memory.t`:
    # replayed in a generated database, that would create it in the sandbox's own catalog
    from harness.scoring.execution import DatabaseSpec, Executor
    from harness.scoring.sandbox import Sandbox
    from harness.scoring.testsuite import suite

    spec = DatabaseSpec("CREATE TABLE t (a INT); INSERT INTO t VALUES (1), (2);"
                        "CREATE SCHEMA memory; SET schema = 'memory'; CREATE TABLE sneaky (b INT); INSERT INTO sneaky VALUES (7);")
    sandbox = Sandbox()
    try:
        executor = Executor(sandbox, 5.0, ())
        databases = suite(executor, spec, "SELECT a FROM t WHERE a > 1", 5, 0)
        assert databases.size == 5 and [table["name"] for table in databases.tables] == ["t"]
        for i in range(databases.size):
            databases.database(executor, i, lambda *_: None)
            with sandbox.fresh() as cursor:
                leaked = "SELECT table_name FROM duckdb_tables() WHERE database_name = 'memory'"
                assert sandbox.execute(cursor, leaked, time.monotonic() + 5).rows == []
    finally:
        sandbox.close()


def test_a_changing_gold_is_rolled_back_so_the_prediction_runs_on_the_same_database():
    from harness.scoring.execution import DatabaseSpec, Executor
    from harness.scoring.sandbox import Sandbox

    spec = DatabaseSpec("CREATE TABLE t (a INT, s TEXT); INSERT INTO t VALUES (1, 'x'), (2, 'y'), (3, 'z');")
    sandbox = Sandbox()
    try:
        executor = Executor(sandbox, 5.0, ("mysql",))
        built = []
        build = executor.build
        executor.build = lambda cursor, spec: built.append(spec) or build(cursor, spec)
        for gold, builds in (("DELETE FROM t WHERE a > 1; ALTER TABLE t ADD COLUMN b INT", 1),
                             ('DELETE FROM t WHERE s = "y"', 2),  # mysql only: failed in a transaction, runs outside
                             ("CREATE SEQUENCE s; SELECT nextval('s')", 2)):  # a sequence is not rolled back
            built.clear()
            gold_run, pred_run = executor.run_pair(spec, gold, "SELECT count(*) FROM t")
            assert gold_run.error is None and gold_run.mutated, gold
            assert pred_run.rows == [(3,)], gold  # the prediction saw the database as built
            assert len(built) == builds, gold
        with sandbox.fresh() as cursor:
            executor.build(cursor, spec)
            assert executor.run_on(cursor, spec, "UPDATE t SET a = a * 10", "SELECT sum(a) FROM t")[1].rows == [(6,)]
        # a caller that wants the database back gets the changing prediction rolled back too
        for pred, back in (("DELETE FROM t WHERE a = 1", True), ('DELETE FROM t WHERE s = "x"', False)):  # mysql only: not back
            seen = []
            gold_run, pred_run = executor.run_pair(spec, "DELETE FROM t WHERE a = 1", pred, unchanged=lambda cursor, runs:
                                                   seen.append(cursor.execute("SELECT count(*) FROM t").fetchall()))
            assert pred_run.error is None and len(pred_run.state["t"].rows) == 2, pred
            assert seen == ([[(3,)]] if back else []), pred
    finally:
        sandbox.close()
