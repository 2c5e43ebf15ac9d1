"""Splitting scripts into statements, and the dialect fallback: DuckDB first, then sqlglot transpiles.

Gretel contexts and golds are often written for MySQL or PostgreSQL. A statement that DuckDB
rejects is transpiled by sqlglot from each source dialect in turn and retried; the record says
which path ran ("duckdb", "transpiled:mysql", ...). Contexts, golds and predictions all go
through the same fallback, so the dialect a model writes in does not decide its score.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

import duckdb
import sqlglot
from sqlglot.errors import SqlglotError

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
    """Run a statement as written, or else its first transpiled form that DuckDB accepts.

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
    try:
        return "duckdb", sql, run(sql)
    except _FINAL_ERRORS as exc:
        raise StatementError(str(exc), "exec", sql) from exc
    except duckdb.Error as exc:
        first = exc
    unparsed = isinstance(first, duckdb.ParserException)
    for path, converted in transpile_candidates(sql, dialects):
        try:
            return path, converted, run(converted)
        except _FINAL_ERRORS as exc:
            raise StatementError(str(exc), "exec", sql) from exc
        except duckdb.Error as exc:
            unparsed = unparsed and isinstance(exc, duckdb.ParserException)
    raise StatementError(str(first), "parse" if unparsed else "exec", sql)
