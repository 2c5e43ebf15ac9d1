"""Whether gold's last statement orders its result: a top-level ORDER BY found with sqlglot, not a substring.

ORDER BY inside subqueries, CTEs or window functions does not order the result and is ignored.
Each top-level ORDER BY key is mapped to the output column it sorts by (by position, output
name or identical expression) so that rows tying on the keys may come in any order.
"""

from __future__ import annotations

import functools

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
