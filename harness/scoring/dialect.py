"""Splitting scripts into statements, and the dialect fallback: DuckDB first, then sqlglot transpiles,
then the lenient GROUP BY rewrite.

Gretel contexts and golds are often written for MySQL or PostgreSQL. A statement that DuckDB
rejects is transpiled by sqlglot from each source dialect in turn and retried. A statement
that still fails because it selects a column neither grouped nor aggregated (valid in MySQL and
SQLite) is retried with that column wrapped in ANY_VALUE (`harness.scoring.group_by`). The
record says which path ran ("duckdb", "transpiled:mysql", "lenient_group_by", ...). Contexts,
golds and predictions all go through the same fallback, so the dialect a model writes in does
not decide its score.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import TypeVar

import duckdb
import sqlglot
from sqlglot.errors import SqlglotError

from harness.scoring.group_by import lenient_group_by

T = TypeVar("T")

DEFAULT_SOURCE_DIALECTS = ("mysql", "postgres")

# What sqlglot raises on text it cannot handle: its own errors, and Python's recursion limit on
# deeply nested expressions.
PARSE_FAILURES = (SqlglotError, RecursionError)

# Errors that a different spelling of the same statement cannot fix.
_FINAL_ERRORS = (duckdb.PermissionException, duckdb.OutOfMemoryException, duckdb.InterruptException)


class StatementError(Exception):
    """A statement failed on every dialect path.

    Attributes:
        kind: "parse" when no path could even parse it, else "exec".
        statement: The statement as written.
    """

    def __init__(self, message: str, kind: str, statement: str):
        super().__init__(message)
        self.kind = kind
        self.statement = statement


def split_statements(script: str) -> list[str]:
    """Split a script on semicolons outside quotes and comments; drop empty and comment-only parts.

    Args:
        script: One or more SQL statements.

    Returns:
        The statements, each without its terminating semicolon.
    """
    return list(_split(script))


@functools.lru_cache(maxsize=1024)
def _split(script: str) -> tuple[str, ...]:
    """`split_statements`, memoised: a gold or prediction is split again for every database it runs on."""
    statements, start, i, n = [], 0, 0, len(script)
    while i < n:
        ch = script[i]
        if ch in "'\"`":
            end = script.find(ch, i + 1)
            while end != -1 and end + 1 < n and script[end + 1] == ch:
                end = script.find(ch, end + 2)
            i = n if end == -1 else end + 1
        elif script.startswith("--", i):
            end = script.find("\n", i)
            i = n if end == -1 else end + 1
        elif script.startswith("/*", i):
            end = script.find("*/", i + 2)
            i = n if end == -1 else end + 2
        elif ch == ";":
            statements.append(script[start:i])
            start = i = i + 1
        else:
            i += 1
    statements.append(script[start:])
    return tuple(s.strip() for s in statements if _has_code(s))


def _has_code(text: str) -> bool:
    """Whether a piece of script holds anything besides whitespace and comments.

    A piece that starts with neither whitespace nor a comment marker always yields a token (or a
    tokenizer error), so only pieces that start like a comment need sqlglot's tokenizer.
    """
    if text.lstrip()[:1] not in ("", "-", "/"):
        return True
    try:
        return any(token for token in sqlglot.tokenize(text))
    except PARSE_FAILURES:
        return bool(text.strip())


def transpile_candidates(sql: str, dialects: tuple[str, ...]) -> list[tuple[str, str]]:
    """DuckDB spellings of `sql` read as each source dialect, skipping failures and no-ops.

    Args:
        sql: One statement.
        dialects: sqlglot dialect names to read it as, in order.

    Returns:
        (path, duckdb_sql) pairs, path like "transpiled:mysql".
    """
    seen, out = {sql.strip()}, []
    for dialect in dialects:
        try:
            converted = sqlglot.transpile(sql, read=dialect, write="duckdb")
        except PARSE_FAILURES:
            continue
        if len(converted) != 1 or converted[0].strip() in seen:
            continue
        seen.add(converted[0].strip())
        out.append((f"transpiled:{dialect}", converted[0]))
    return out


def run_with_fallback(sql: str, dialects: tuple[str, ...], run: Callable[[str], T]) -> tuple[str, str, T]:
    """Run a statement as written, or else the first other spelling of it that DuckDB accepts.

    The spellings, in order: the statement as written ("duckdb"), its transpiles from each source
    dialect ("transpiled:<dialect>"), then the lenient GROUP BY rewrite of each of those that
    DuckDB rejected for a column neither grouped nor aggregated ("lenient_group_by" for the
    statement as written, "transpiled:<dialect>+lenient_group_by" for a transpile).

    Args:
        sql: One statement.
        dialects: Source dialects to transpile from when DuckDB rejects it.
        run: Executes one DuckDB statement; raises duckdb.Error on failure. Other exceptions
            (timeouts) pass straight through.

    Returns:
        (path, sql that ran, what `run` returned).

    Raises:
        StatementError: Every path failed; the message is DuckDB's error for the original.
    """
    first, unparsed, tried, ungrouped = None, True, set(), []
    for path, text in _spellings(sql, dialects, ungrouped):
        if text in tried:
            continue
        tried.add(text)
        try:
            return path, text, run(text)
        except _FINAL_ERRORS as exc:
            raise StatementError(str(exc), "exec", sql) from exc
        except duckdb.Error as exc:
            first = first or exc
            unparsed = unparsed and isinstance(exc, duckdb.ParserException)
            if isinstance(exc, duckdb.BinderException) and _UNGROUPED in str(exc):
                ungrouped.append((path, text))
    raise StatementError(str(first), "parse" if unparsed else "exec", sql)


# DuckDB's binder error for a selected column that is neither grouped nor aggregated.
_UNGROUPED = "must appear in the GROUP BY clause"


def _spellings(sql: str, dialects: tuple[str, ...], ungrouped: list[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    """(path, statement) to try in turn, each made only once the ones before it failed.

    `ungrouped` is filled by the caller, while iterating, with the spellings that failed for a
    column neither grouped nor aggregated; their lenient GROUP BY rewrites come last (a rewrite
    is not rewritten again).
    """
    yield "duckdb", sql
    yield from transpile_candidates(sql, dialects)
    for path, text in list(ungrouped):
        rewritten = lenient_group_by(text)
        if rewritten is not None:
            yield ("" if path == "duckdb" else f"{path}+") + "lenient_group_by", rewritten
