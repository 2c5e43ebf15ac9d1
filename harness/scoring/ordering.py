"""Whether gold's last statement orders its result: a top-level ORDER BY found with sqlglot, not a substring.

ORDER BY inside subqueries, CTEs or window functions does not order the result and is ignored.
The statement's keyed query (`keyed_query`) tells which rows tie on the ORDER BY keys' values,
output columns or not. Where it has none, each top-level ORDER BY key is mapped to the output
column it sorts by (by position, output name or identical expression) so that rows tying on the
keys may come in any order (`order_spec`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sqlglot
from sqlglot import exp

from harness.scoring.compare import OrderSpec
from harness.scoring.dialect import PARSE_FAILURES


def order_spec(sql: str | None, columns: list[str] | None) -> OrderSpec | None:
    """The ORDER BY of a statement's top level, mapped onto its result columns.

    Args:
        sql: The statement as DuckDB ran it.
        columns: Its result column names.

    Returns:
        None when the result is unordered (or the statement cannot be parsed), else the spec.
    """
    if not sql or not columns:
        return None
    return _order_spec(sql, tuple(columns))


@functools.lru_cache(maxsize=1024)
def _order_spec(sql: str, columns: tuple[str, ...]) -> OrderSpec | None:
    """`order_spec`, memoised: the same gold is judged on every test-suite database (OrderSpec is frozen)."""
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except PARSE_FAILURES:
        return None
    while isinstance(tree, (exp.Subquery, exp.Paren)) and not tree.args.get("order"):
        tree = tree.this
    order = tree.args.get("order") if tree is not None else None
    if not isinstance(order, exp.Order) or not order.expressions:
        return None
    projections = tree.selects if isinstance(tree, exp.Query) else []
    keys = [_column_of(o.this, projections, columns) for o in order.expressions]
    mapped = tuple(k for k in _prefix(keys))
    limited = bool(tree.args.get("limit") or tree.args.get("fetch"))
    return OrderSpec(keys=mapped, complete=len(mapped) == len(keys), limited=limited)


def _prefix(keys: list[int | None]) -> list[int]:
    """Keys up to the first one that is not an output column."""
    out = []
    for key in keys:
        if key is None:
            break
        out.append(key)
    return out


def _column_of(key: exp.Expression, projections: list[exp.Expression], columns: list[str]) -> int | None:
    """Index of the output column an ORDER BY key sorts by, or None when it is not an output."""
    if isinstance(key, exp.Literal) and key.is_int:
        index = int(key.this) - 1
        return index if 0 <= index < len(columns) else None
    has_star = any(isinstance(p, exp.Star) or (isinstance(p, exp.Column) and p.is_star) for p in projections)
    if not has_star and len(projections) == len(columns):
        for i, projection in enumerate(projections):
            if isinstance(key, exp.Column) and not key.table and projection.alias_or_name.lower() == key.name.lower():
                return i
            if (projection.unalias() if isinstance(projection, exp.Alias) else projection) == key:
                return i
        for i, projection in enumerate(projections):
            inner = projection.unalias() if isinstance(projection, exp.Alias) else projection
            if isinstance(key, exp.Column) and isinstance(inner, exp.Column) and inner.name.lower() == key.name.lower():
                return i
        return None
    if isinstance(key, exp.Column):
        names = [c.lower() for c in columns]
        if names.count(key.name.lower()) == 1:
            return names.index(key.name.lower())
    return None


# Columns the keyed query adds: its ORDER BY keys (inside only) and each row's tie group.
_KEY = "__harness_key_{}"
TIE_COLUMN = "__harness_tie"


@dataclass(frozen=True)
class KeyedQuery:
    """A statement rewritten to return, with its own result, the tie group of each row.

    Attributes:
        sql: The rewritten statement (DuckDB). Its result is the statement's output columns, then
            the rank of each row by the ORDER BY keys (equal ranks tie), in rank order; under a
            LIMIT it also keeps every row that ties with the last one the LIMIT keeps.
        limit: The statement's LIMIT, or None.
    """

    sql: str
    limit: int | None


@functools.lru_cache(maxsize=1024)
def keyed_query(sql: str) -> KeyedQuery | None:
    """The statement's keyed query, which tells its tie groups from the ORDER BY keys' values.

    Each ORDER BY key is computed as a hidden column (the projection itself for a key that names
    an output column or its position, as DuckDB binds such keys), and the rows are ranked by them
    with the statement's own directions and NULL placement; `RANK() <= n` keeps the n rows of a
    `LIMIT n` and every row tied with the n-th. Statements it cannot rewrite without changing their
    rows: no top-level ORDER BY, set operations, DISTINCT (hidden keys would join the distinct
    columns), GROUP BY ALL (they would join the grouping), OFFSET, a LIMIT that is not a whole
    number, ORDER BY ALL, and positions into a `*` projection.

    Args:
        sql: One statement as DuckDB ran it.

    Returns:
        The keyed query, or None when the statement has none.
    """
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except PARSE_FAILURES:
        return None
    while isinstance(tree, (exp.Subquery, exp.Paren)) and not tree.args.get("order"):
        tree = tree.this
    order = tree.args.get("order") if isinstance(tree, exp.Select) else None
    if not isinstance(order, exp.Order) or not order.expressions:
        return None
    group, limit = tree.args.get("group"), tree.args.get("limit")
    if tree.args.get("distinct") or tree.args.get("offset") or (group is not None and group.args.get("all")):
        return None
    count = _count(limit)
    if limit is not None and count is None:
        return None
    keys = [_key_of(ordered.this, tree.selects) for ordered in order.expressions]
    if any(key is None for key in keys):
        return None
    inner = tree.copy()
    inner.set("order", None)
    inner.set("limit", None)
    names = [_KEY.format(i) for i in range(len(keys))]
    inner.select(*(exp.alias_(key, name) for key, name in zip(keys, names)), copy=False)
    ranked = ", ".join(
        exp.Ordered(this=exp.column(name), desc=o.args.get("desc"), nulls_first=o.args.get("nulls_first")).sql("duckdb")
        for name, o in zip(names, order.expressions)
    )
    keyed = (f"SELECT * EXCLUDE ({', '.join(names)}), RANK() OVER (ORDER BY {ranked}) AS {TIE_COLUMN} "
             f"FROM ({inner.sql('duckdb')}) AS __harness_rows")
    if count is not None:
        keyed += f" QUALIFY {TIE_COLUMN} <= {count}"
    return KeyedQuery(f"{keyed} ORDER BY {TIE_COLUMN}", count)


def _count(limit: exp.Expression | None) -> int | None:
    """The row count of a plain `LIMIT n`, else None (no LIMIT, an expression, a percentage, an offset)."""
    if not isinstance(limit, exp.Limit) or limit.args.get("offset") or limit.args.get("limit_options"):
        return None
    count = limit.expression
    return int(count.this) if isinstance(count, exp.Literal) and count.is_int else None


def _key_of(key: exp.Expression, projections: list[exp.Expression]) -> exp.Expression | None:
    """The expression an ORDER BY key sorts by, or None when it cannot be told from the statement.

    A position is its projection; a bare name is the projection of that output name if any (DuckDB
    prefers output names to input columns there); anything else is an expression over the input.
    """
    expands = any(isinstance(p, (exp.Star, exp.Columns)) or (isinstance(p, exp.Column) and p.is_star) for p in projections)
    if isinstance(key, exp.Var):  # ORDER BY ALL
        return None
    if isinstance(key, exp.Literal) and key.is_int:
        index = int(key.this) - 1
        return projections[index].unalias().copy() if not expands and 0 <= index < len(projections) else None
    if isinstance(key, exp.Column) and not key.table:
        for projection in projections:
            if not projection.is_star and projection.alias_or_name.lower() == key.name.lower():
                return projection.unalias().copy()
    return key.copy()
