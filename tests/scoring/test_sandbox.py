"""The sandbox: hostile predictions end within the timeout plus two seconds and escape nothing."""

from __future__ import annotations

import os
import time
from pathlib import Path

import duckdb
import pytest

from harness.scoring.sandbox import QueryTimeout, Sandbox, SandboxLimits
from harness.scoring.scorer import ScoreConfig, score_item
from harness.scoring.workers import Worker

TIMEOUT = 1.5
CONFIG = ScoreConfig(timeout_s=TIMEOUT, memory_limit="256MB", test_suite_k=0, workers=1)
CONTEXT = "CREATE TABLE t (a INT, b TEXT); INSERT INTO t VALUES (1, 'x'), (2, 'y');"


@pytest.fixture
def sandbox():
    box = Sandbox()
    yield box
    box.close()


def _hostile(tmp: Path) -> dict[str, str]:
    secret = tmp / "secret.txt"
    secret.write_text("top secret\n")
    return {
        "copy-to": f"COPY t TO '{tmp / 'out.csv'}'",
        "export-database": f"EXPORT DATABASE '{tmp / 'dump'}'",
        "attach-new-file": f"ATTACH '{tmp / 'new.duckdb'}' AS x; CREATE TABLE x.t AS SELECT 1",
        "read-csv": f"SELECT * FROM read_csv('{secret}')",
        "read-text": f"SELECT content FROM read_text('{secret}')",
        "glob": "SELECT * FROM glob('/etc/*')",
        "install-extension": "INSTALL httpfs",
        "load-extension": "LOAD httpfs",
        "enable-external-access": "SET enable_external_access = true; SELECT * FROM read_text('/etc/passwd')",
        "raise-memory": "SET memory_limit = '100GB'",
        "unlock": "SET lock_configuration = false",
        "getenv": "SELECT getenv('HOME')",
        "recursive-cte": "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r",
        "cross-join": "SELECT count(*) FROM range(100000) a, range(100000) b, range(100000) c",
        "memory-bomb": "SELECT list(range) FROM range(1000000000)",
        "huge-string": "SELECT repeat('x', 1000000000)",
    }


@pytest.mark.parametrize("name", list(_hostile(Path("/tmp"))))
def test_hostile_prediction_is_contained(tmp_path, name):
    query = _hostile(tmp_path)[name]
    start = time.monotonic()
    record = score_item({"sql_context": CONTEXT, "sql": "SELECT a FROM t", "prediction": query}, CONFIG)
    elapsed = time.monotonic() - start
    assert elapsed < TIMEOUT + 2.0 + 1.0, elapsed  # + 1 s for a worker (re)start on a busy machine
    assert record["execution_match"] is False, record
    assert record["reason"] in ("pred_exec_error", "pred_parse_error", "timeout"), record
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret.txt"]
    after = score_item({"sql_context": CONTEXT, "sql": "SELECT a FROM t", "prediction": "SELECT a FROM t"}, CONFIG)
    assert after["execution_match"] is True and after["reason"] == "match"


def test_hanging_queries_time_out_and_the_run_goes_on():
    from harness.scoring.scorer import score_all

    hang = "SELECT count(*) FROM range(100000) a, range(100000) b, range(100000) c"
    items = [{"id": i, "sql_context": CONTEXT, "sql": "SELECT a FROM t", "prediction": hang if i % 2 else "SELECT a FROM t"} for i in range(4)]
    start = time.monotonic()
    records = score_all(items, ScoreConfig(timeout_s=1.0, test_suite_k=0, workers=2), progress=False)
    assert time.monotonic() - start < 2 * (1.0 + 2.0) + 3.0
    assert [r["reason"] for r in records] == ["match", "timeout", "match", "timeout"]


def test_timeout_interrupts_the_statement():
    sandbox = Sandbox(SandboxLimits(memory_limit="256MB"))
    try:
        with sandbox.fresh() as cursor:
            start = time.monotonic()
            with pytest.raises(QueryTimeout):
                sandbox.execute(cursor, "SELECT count(*) FROM range(100000) a, range(100000) b", time.monotonic() + 0.5)
            assert time.monotonic() - start < 1.5
            assert sandbox.execute(cursor, "SELECT 42", time.monotonic() + 1).rows == [(42,)]
    finally:
        sandbox.close()


def test_each_script_gets_a_fresh_database(sandbox):
    with sandbox.fresh() as cursor:
        sandbox.execute(cursor, "CREATE TABLE leak (x INT)", time.monotonic() + 5)
        sandbox.execute(cursor, "CREATE TABLE memory.main.leak2 (x INT)", time.monotonic() + 5)
        sandbox.execute(cursor, "CREATE TEMP TABLE leak3 (x INT)", time.monotonic() + 5)
    with sandbox.fresh() as cursor:
        names = sandbox.execute(cursor, "SELECT table_name FROM duckdb_tables()", time.monotonic() + 5).rows
        assert names == []
        sandbox.execute(cursor, "ATTACH ':memory:' AS other", time.monotonic() + 5)
    with sandbox.fresh() as cursor:
        others = sandbox.execute(cursor, "SELECT database_name FROM duckdb_databases() "
                                 "WHERE NOT internal AND database_name <> current_database()", time.monotonic() + 5).rows
        assert others == [("memory",)]
        settings = dict(sandbox.execute(cursor, "SELECT name, value FROM duckdb_settings() WHERE name IN "
                                        "('enable_external_access', 'lock_configuration', 'autoload_known_extensions', "
                                        "'autoinstall_known_extensions', 'threads')", time.monotonic() + 5).rows)
        assert settings == {"enable_external_access": "false", "lock_configuration": "true",
                            "autoload_known_extensions": "false", "autoinstall_known_extensions": "false", "threads": "1"}
    sandbox.close()
    assert not os.path.exists(sandbox.workdir)


@pytest.mark.parametrize("script, probe", [
    ("CREATE VIEW memory.main.v AS SELECT 42 AS x", "SELECT * FROM memory.main.v"),
    ("USE memory; CREATE VIEW v AS SELECT 42 AS x", "SELECT * FROM memory.main.v"),
    ("USE memory; CREATE TABLE t AS SELECT 42 AS x", "SELECT * FROM memory.main.t"),
    ("SET schema = 'memory.main'; CREATE TABLE IF NOT EXISTS t AS SELECT 42 AS x", "SELECT * FROM memory.main.t"),
    ("SET search_path = 'memory.main'; CREATE OR REPLACE VIEW v AS SELECT 42 AS x", "SELECT * FROM memory.main.v"),
    ('CREATE TABLE "memory"."main"."t" AS SELECT 42 AS x', "SELECT * FROM memory.main.t"),
    ("CREATE MACRO memory.main.m() AS 42", "SELECT memory.main.m()"),
    ("USE memory; CREATE MACRO tm() AS TABLE SELECT 42", "SELECT * FROM memory.main.tm()"),
    ("CREATE SEQUENCE memory.main.s START 42", "SELECT nextval('memory.main.s')"),
    ("CREATE TYPE memory.main.e AS ENUM ('secret')", "SELECT 'secret'::memory.main.e"),
    ("CREATE SCHEMA memory.s; CREATE VIEW memory.s.v AS SELECT 42", "SELECT * FROM memory.s.v"),
    ("/* hidden */ CREATE VIEW memory.main.v AS SELECT 42 AS x", "SELECT * FROM memory.main.v"),
    ("EXPLAIN ANALYZE CREATE MACRO memory.main.m() AS 42", "SELECT memory.main.m()"),
])
def test_objects_left_in_the_default_catalog_are_gone_for_the_next_script(sandbox, script, probe):
    with sandbox.fresh() as cursor:
        for statement in script.split(";"):
            sandbox.execute(cursor, statement, time.monotonic() + 5)
        assert sandbox.execute(cursor, probe, time.monotonic() + 5).rows
    with sandbox.fresh() as cursor:
        with pytest.raises(duckdb.Error):
            sandbox.execute(cursor, probe, time.monotonic() + 5)


def test_every_script_database_has_one_name_and_one_is_open_at_a_time(sandbox):
    names = []
    for _ in range(2):
        with sandbox.fresh() as cursor:
            names += sandbox.execute(cursor, "SELECT current_database()", time.monotonic() + 5).rows
            with pytest.raises(RuntimeError, match="not reentrant"):
                with sandbox.fresh():
                    pass
    assert names == [("sandbox",), ("sandbox",)]


def test_unqualified_tables_and_views_are_not_looked_for_elsewhere(sandbox, monkeypatch):
    import harness.scoring.sandbox

    looked = []
    leftovers = harness.scoring.sandbox._leftovers
    monkeypatch.setattr(harness.scoring.sandbox, "_leftovers", lambda *a: looked.append(a) or leftovers(*a))
    with sandbox.fresh() as cursor:
        sandbox.execute(cursor, 'CREATE TABLE t (a INT); CREATE TABLE IF NOT EXISTS "Odd ""name""" AS SELECT 1 AS b;'
                        "INSERT INTO t VALUES (1); CREATE OR REPLACE TEMP VIEW v AS SELECT a FROM t", time.monotonic() + 5)
    assert looked == []
    with sandbox.fresh() as cursor:  # a SET may have moved them
        sandbox.execute(cursor, "SET schema = 'main'; CREATE TABLE t (a INT)", time.monotonic() + 5)
    assert len(looked) == 1


def test_views_in_the_scripts_own_database_do_not_rebuild_the_instance(sandbox):
    with sandbox.fresh() as cursor:
        sandbox.execute(cursor, "CREATE TABLE t (a INT); CREATE VIEW v AS SELECT a FROM t", time.monotonic() + 5)
        instance = sandbox._conn
    with sandbox.fresh() as cursor:
        assert sandbox.execute(cursor, "SELECT 1", time.monotonic() + 5).rows == [(1,)]
    assert sandbox._conn is instance


def _crash(payload, config, beat):
    if payload == "crash":
        os._exit(3)
    if payload == "hang":
        beat("hang", {"partial": 1})
        time.sleep(60)
    if payload == "slow":
        for step in range(5):  # 2 s in all, never 1 s without a beat
            beat(f"step {step}")
            time.sleep(0.4)
        return "done"
    return payload * 2


def test_a_worker_slow_to_start_is_not_taken_for_stalled(monkeypatch):
    import harness.scoring.workers
    from slow_start_job import job

    worker = Worker(job, None, stall_s=0.5)
    try:
        assert worker.call(7).result == 7
        worker.kill()
        monkeypatch.setattr(harness.scoring.workers, "_STARTUP_S", 0.5)  # one that never gets ready is an error, not a hang
        outcome = worker.call(7)
        assert outcome.killed == "error" and "did not report ready within 0.5 s" in outcome.error
    finally:
        worker.close()


def test_crashed_or_stalled_worker_is_replaced():
    worker = Worker(_crash, None, stall_s=1.0)
    try:
        assert worker.call(2).result == 4
        assert worker.call("crash").killed == "crash"
        assert worker.call(3).result == 6
        start = time.monotonic()
        outcome = worker.call("hang")
        assert outcome.killed == "stall" and outcome.stage == "hang" and time.monotonic() - start < 3
        assert outcome.partial == {"partial": 1}
        assert worker.call(5).result == 10
        assert worker.call("slow").result == "done"  # beats keep a long job alive
    finally:
        worker.close()
