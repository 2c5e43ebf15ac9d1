"""The embedded sample set: size, coverage, determinism, split hygiene and executable golds."""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
from collections import Counter

import duckdb
import pytest

from harness.data.sample_task import TEMPLATES, generate

COMPLEXITIES = {
    "basic SQL", "aggregation", "single join", "multiple joins",
    "subqueries", "window functions", "set operations", "CTEs",
}
TASK_TYPES = {"analytics and reporting", "data retrieval", "data manipulation", "data definition"}
FIRST_KEYWORD = {
    "analytics and reporting": ("SELECT", "WITH"),
    "data retrieval": ("SELECT", "WITH"),
    "data manipulation": ("INSERT", "UPDATE", "DELETE"),
    "data definition": ("CREATE", "ALTER", "DROP"),
}


@pytest.fixture(scope="module")
def splits():
    return generate()


def test_same_seed_same_samples_other_seed_other_samples(splits):
    assert generate() == splits
    assert generate(50, 10, seed=1) != generate(50, 10, seed=0)


DIGEST = (
    "import hashlib, json; from harness.data.sample_task import generate; train, test = generate(300, 60); "
    "print(hashlib.sha256(json.dumps([s.to_dict() for s in train + test]).encode()).hexdigest())"
)


def test_output_does_not_depend_on_the_process_hash_seed():
    digests = {
        subprocess.run([sys.executable, "-c", DIGEST], env={**os.environ, "PYTHONHASHSEED": seed},
                       capture_output=True, text=True, check=True).stdout
        for seed in ("0", "12345")
    }
    assert len(digests) == 1


def test_default_sizes_and_ids(splits):
    train, test = splits
    assert (len(train), len(test)) == (10000, 2500)
    assert train[0].id == "sample-train-00001" and test[-1].id == "sample-test-02500"
    assert len({s.id for s in train + test}) == 12500


def test_small_sizes_are_exact():
    train, test = generate(7, 3, seed=4)
    assert (len(train), len(test)) == (7, 3)


def test_coverage_of_domains_complexities_and_task_types(splits):
    train, test = splits
    assert len({s.domain for s in train}) >= 20
    for split in (train, test):
        assert {s.sql_complexity for s in split} == COMPLEXITIES
        assert {s.sql_task_type for s in split} == TASK_TYPES


def test_every_intent_has_three_phrasings_and_the_set_uses_them(splits):
    assert len({t.intent for t in TEMPLATES}) == len(TEMPLATES)
    assert all(len(set(t.phrasings)) >= 3 for t in TEMPLATES)
    assert {(t.complexity, t.task_type) for t in TEMPLATES} >= {
        ("basic SQL", "data manipulation"), ("basic SQL", "data definition")}
    questions = {s.sql_prompt for s in splits[0]}
    assert len(questions) > 3 * len(TEMPLATES)


def test_fields_and_gold_kind_match_the_task_type(splits):
    for sample in splits[0] + splits[1]:
        assert sample.sql_prompt and sample.sql_explanation
        assert sample.db_path is None and sample.setup_sql is None
        assert sample.sql.startswith(FIRST_KEYWORD[sample.sql_task_type]), sample.id
        assert sample.sql.endswith(";") and sample.sql_context.endswith(";")
        assert 2 <= sample.sql_context.count("CREATE TABLE") <= 4, sample.id


def test_splits_do_not_overlap_and_have_no_duplicates(splits):
    train, test = splits
    pairs = [(s.sql_context, s.sql_prompt) for s in train], [(s.sql_context, s.sql_prompt) for s in test]
    assert len(set(pairs[0])) == len(train) and len(set(pairs[1])) == len(test)
    assert not set(pairs[0]) & set(pairs[1])
    assert not {s.sql_context for s in train} & {s.sql_context for s in test}


def test_contexts_are_compact(splits):
    lengths = [len(s.sql_context) for s in splits[0] + splits[1]]
    assert statistics.median(lengths) < 900


def test_every_context_and_gold_runs_and_selects_return_rows(splits):
    """Run the whole set in DuckDB, each sample on an empty database.

    A new connection costs about 20 ms here (two minutes for the set), so each sample runs
    in its own transaction on one connection and is rolled back; DuckDB's DDL is
    transactional, so every sample starts from an empty catalog (checked after each).
    """
    con = duckdb.connect(config={"threads": 1})
    failures, outcomes = [], Counter()
    for sample in splits[0] + splits[1]:
        con.execute("BEGIN")
        try:
            con.execute(sample.sql_context)
            result = con.execute(sample.sql).fetchall()
        except duckdb.Error as exc:
            failures.append(f"{sample.id}: {exc}")
            con.execute("ROLLBACK")
            continue
        con.execute("ROLLBACK")
        if sample.sql_task_type == "data manipulation":
            outcomes["changed" if result[0][0] > 0 else "unchanged"] += 1
        elif sample.sql_task_type != "data definition":
            outcomes["rows" if result else "empty"] += 1
        assert con.execute("SELECT count(*) FROM duckdb_tables()").fetchone()[0] == 0
    assert not failures, failures[:10]
    assert outcomes["unchanged"] == 0
    assert outcomes["rows"] >= 0.9 * (outcomes["rows"] + outcomes["empty"])


def test_golds_use_only_tables_of_their_context(splits):
    for sample in splits[1]:
        tables = set(re.findall(r"CREATE TABLE (\w+)", sample.sql_context))
        sql = re.sub(r"EXTRACT\(YEAR FROM \w+\)", "", sample.sql)
        used = set(re.findall(r"(?:FROM|JOIN|INTO|UPDATE|TABLE) (\w+)", sql))
        created = set(re.findall(r"CREATE (?:TABLE|VIEW) (\w+)", sample.sql))
        ctes = set(re.findall(r"WITH (\w+) AS \(", sql))
        assert used <= tables | created | ctes, sample.id
