"""Exact match, AST match, extraction and statement splitting."""

from __future__ import annotations

from harness.scoring.dialect import split_statements, transpile_candidates
from harness.scoring.extract import extract_sql
from harness.scoring.sqlmatch import ast_match, exact_match

CTX = "CREATE TABLE t (a INT, b TEXT); CREATE TABLE u (a INT, c INT);"


def test_extract_sql():
    assert extract_sql("```sql\nSELECT 1;\n```") == "SELECT 1;"
    assert extract_sql("Here you go:\n```\nSELECT 2\n```\nDone.") == "SELECT 2"
    assert extract_sql("SQL: SELECT 3") == "SELECT 3"
    assert extract_sql("I think SELECT 4 works") == "I think SELECT 4 works"
    assert extract_sql("") == ""
    assert extract_sql("<think>\n\n</think>\n\nSELECT 5;") == "SELECT 5;"  # a reasoning family's empty thought
    assert extract_sql("<think>use ```x```</think>```sql\nSELECT 6\n```") == "SELECT 6"


def test_exact_match_normalises_only_form():
    assert exact_match("SELECT a FROM t WHERE b = 'X'", "select  A\nfrom T where b='X';")
    assert exact_match("SELECT a FROM t", "```sql\nSELECT a FROM t;\n```")
    assert not exact_match("SELECT a FROM t WHERE b = 'X'", "SELECT a FROM t WHERE b = 'x'")
    assert not exact_match("SELECT a FROM t", "")


def test_ast_match_canonicalises_meaning_preserving_differences():
    assert ast_match("SELECT SUM(a) AS total FROM t", "SELECT SUM(a) AS s FROM t", CTX)
    assert ast_match("SELECT t.a FROM t JOIN u ON t.a = u.a", "SELECT x.a FROM t AS x JOIN u AS y ON x.a = y.a", CTX)
    assert ast_match("SELECT a FROM t WHERE a > 1 AND b = 'x'", "SELECT a FROM t WHERE (b = 'x') AND a > 1", CTX)
    assert ast_match("SELECT a FROM t WHERE a = 1 OR a = 2", "select a from t where a = 2 or a = 1", CTX)
    assert ast_match("SELECT a, COUNT(*) c FROM t GROUP BY a ORDER BY c DESC", "SELECT a, COUNT(*) n FROM t GROUP BY a ORDER BY n DESC", CTX)


def test_ast_match_keeps_real_differences():
    assert not ast_match("SELECT a FROM t WHERE a > 1", "SELECT a FROM t WHERE a >= 1", CTX)
    assert not ast_match("SELECT a FROM t WHERE b = 'x'", "SELECT a FROM t WHERE b = 'X'", CTX)
    assert not ast_match("SELECT a FROM t WHERE a > 1", "SELECT a FROM t WHERE NOT a <= 1", CTX)
    assert not ast_match("SELECT DISTINCT a FROM t", "SELECT a FROM t", CTX)


def test_ast_match_null_when_gold_does_not_parse():
    assert ast_match("SELECT FROM WHERE (", "SELECT 1") is None
    assert ast_match("SELECT 1", "this is prose (") is False


def test_split_statements_respects_quotes_and_comments():
    script = "INSERT INTO t VALUES (1, 'a;b'); -- c;d\nSELECT \"x;y\" FROM t; /* ; */ ;"
    assert split_statements(script) == ["INSERT INTO t VALUES (1, 'a;b')", "-- c;d\nSELECT \"x;y\" FROM t"]
    assert split_statements("-- only a comment") == []


def test_transpile_candidates():
    paths = dict(transpile_candidates("SELECT DATE_SUB('2021-01-10', INTERVAL 9 DAY)", ("mysql", "postgres")))
    assert "transpiled:mysql" in paths
