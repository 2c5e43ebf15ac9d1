"""The lenient GROUP BY rewrite: bare columns of a grouped query get MySQL's and SQLite's meaning.

MySQL (without ONLY_FULL_GROUP_BY) and SQLite accept a grouped query that selects a column
neither grouped nor aggregated ("bare" column), taking its value from some row of the group;
DuckDB rejects it. `lenient_group_by` wraps each bare column in `ANY_VALUE(...)`, which is that
meaning. When the query's only aggregate is one MIN(x) or MAX(x), a bare column takes its value
from the row holding the minimum or maximum instead (`ARG_MIN_NULL(col, x)`, `ARG_MAX_NULL(col, x)`,
and ANY_VALUE where that is NULL): SQLite documents that meaning, and that row is also one MySQL
may pick.

A query is grouped when it has a GROUP BY, or when it aggregates without one (one group of all
rows: `SELECT name, MAX(age) FROM t`). Every SELECT of the statement is rewritten on its own
(subqueries, CTEs, set operations). Bare columns are looked for in the select list, HAVING and
ORDER BY, and in correlated subqueries there (`t.id` in `(SELECT COUNT(*) FROM u WHERE
u.t_id = t.id)`); a bare HAVING or ORDER BY name that is an output column's name refers to that
output and stays. A bare select-list column keeps its output name (`name` becomes
`ANY_VALUE(name) AS name`); aliases stay as they are.

Without the schema, two shapes stay as they are: `SELECT *` in a grouped query, and a GROUP BY
name that is both a column and a select-list alias (taken as the alias).
"""

from __future__ import annotations

import functools

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

__all__ = ["lenient_group_by"]

# Containers of GROUP BY keys, whose items are the keys themselves.
_KEY_GROUPS = (exp.Cube, exp.Rollup, exp.GroupingSets, exp.Tuple)


@functools.lru_cache(maxsize=1024)
def lenient_group_by(sql: str) -> str | None:
    """`sql` (one DuckDB statement) with the bare columns of its grouped queries wrapped.

    Args:
        sql: One statement that DuckDB parses.

    Returns:
        The rewritten statement in DuckDB's dialect, or None when sqlglot cannot read it or it
        has no bare column.
    """
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
        # the deepest SELECTs first, so an outer query copies its inner ones already rewritten
        changed = [_rewrite_scope(select) for select in reversed(list(tree.find_all(exp.Select)))]
        return tree.sql(dialect="duckdb") if any(changed) else None
    except (SqlglotError, RecursionError):
        return None


def _rewrite_scope(select: exp.Select) -> bool:
    """Wrap the bare columns of one SELECT in place; returns whether any was wrapped."""
    group = select.args.get("group")
    keys = _group_keys(group) if group else []
    projections = select.expressions
    outputs = {p.alias.lower() for p in projections if isinstance(p, exp.Alias)}
    outputs |= {p.name.lower() for p in projections if isinstance(p, exp.Column) and not p.is_star}
    grouped_projections = _projections_grouped_by_position_or_alias(projections, keys)
    sources = {part.this.alias_or_name.lower() for part in (select.args.get("from_"), *(select.args.get("joins") or []))
               if part is not None}
    bare, aggregates = [], []
    for i, projection in enumerate(projections):
        if i not in grouped_projections:
            _scan(projection, keys, set(), sources, bare, aggregates)
    for clause in (select.args.get("having"), select.args.get("order")):
        if clause is not None:
            _scan(clause, keys, outputs, sources, bare, aggregates)
    if not group and not aggregates or not bare:
        return False
    wrap = _wrapper(aggregates)
    for column in bare:
        wrapped = wrap(column.copy())
        if column.parent is select:  # a bare select-list column keeps its output name
            wrapped = exp.Alias(this=wrapped, alias=column.this.copy())
        column.replace(wrapped)
    return True


def _group_keys(group: exp.Group) -> list[exp.Expression]:
    """The expressions a GROUP BY groups by, out of ROLLUP, CUBE, GROUPING SETS and parentheses."""
    keys, stack = [], list(group.expressions)
    for name in ("grouping_sets", "cube", "rollup"):
        stack.extend(group.args.get(name) or [])
    while stack:
        key = stack.pop()
        if isinstance(key, _KEY_GROUPS):
            stack.extend(key.expressions)
        elif isinstance(key, exp.Paren):
            stack.append(key.this)
        else:
            keys.append(key)
    return keys


def _projections_grouped_by_position_or_alias(projections: list[exp.Expression], keys: list[exp.Expression]) -> set[int]:
    """Indexes of select-list items a GROUP BY key names by position (`GROUP BY 1`) or alias."""
    out = set()
    for key in keys:
        if isinstance(key, exp.Literal) and key.is_int and 0 < int(key.this) <= len(projections):
            out.add(int(key.this) - 1)
        elif isinstance(key, exp.Column) and not key.table:
            out |= {i for i, p in enumerate(projections) if isinstance(p, exp.Alias) and p.alias.lower() == key.name.lower()}
    return out


def _scan(
    root: exp.Expression, keys: list[exp.Expression], outputs: set[str], sources: set[str], bare: list, aggregates: list
) -> None:
    """Collect the bare columns and the aggregates of one clause of a SELECT.

    Aggregates and grouped expressions are not entered: their columns are allowed. Nested queries
    are other scopes: only their references to this SELECT's tables (`sources`) count here. A
    column without table whose name is in `outputs` refers to that output column.
    """
    stack = [root]
    while stack:
        node = stack.pop()
        if node is not root and isinstance(node, exp.Query):
            bare.extend(c for c in _outer_references(node, sources) if not _is_grouped(c, keys))
        elif _is_aggregate(node):
            aggregates.append(node)
        elif _is_grouped(node, keys):
            continue
        elif isinstance(node, exp.Column):
            if not node.is_star and not (not node.table and node.name.lower() in outputs):
                bare.append(node)
        else:
            stack.extend(node.iter_expressions())


def _outer_references(query: exp.Query, sources: set[str]) -> list[exp.Column]:
    """Columns of a nested query that name a table of the enclosing SELECT (`sources`) it does not
    define itself, outside the nested query's own aggregates (a correlated subquery's references)."""
    outer = sources - {t.alias_or_name.lower() for t in query.find_all(exp.Table)}
    outer -= {a.name.lower() for a in query.find_all(exp.TableAlias)}
    if not outer:
        return []
    found = []
    for column in query.find_all(exp.Column):
        if column.table.lower() in outer and not _inside_aggregate(column, query):
            found.append(column)
    return found


def _inside_aggregate(node: exp.Expression, top: exp.Expression) -> bool:
    """Whether an aggregate between `node` and its ancestor `top` holds it."""
    while node is not top:
        if _is_aggregate(node):
            return True
        node = node.parent
    return False


def _is_aggregate(node: exp.Expression) -> bool:
    """Whether `node` aggregates the rows of its group (a window function does not)."""
    if isinstance(node.parent, exp.Window) and node is node.parent.this:
        return False
    if isinstance(node, (exp.Filter, exp.WithinGroup)):
        return isinstance(node.this, exp.AggFunc)
    return isinstance(node, exp.AggFunc)


def _is_grouped(node: exp.Expression, keys: list[exp.Expression]) -> bool:
    """Whether `node` is a GROUP BY key; columns match by name, and by table when both name one."""
    if isinstance(node, exp.Column):
        return any(isinstance(k, exp.Column) and k.name.lower() == node.name.lower()
                   and (not k.table or not node.table or k.table.lower() == node.table.lower()) for k in keys)
    return any(node == key for key in keys)


def _wrapper(aggregates: list[exp.Expression]):
    """How to wrap a bare column: ANY_VALUE, or beside a lone MIN/MAX the value on its row.

    ARG_MIN_NULL/ARG_MAX_NULL keep a NULL column of that row; a group whose MIN/MAX is NULL has
    no such row, and any row's value will do (ANY_VALUE).
    """
    lone = aggregates[0] if len(aggregates) == 1 else None
    if not isinstance(lone, (exp.Min, exp.Max)) or lone.expressions:
        return lambda column: exp.AnyValue(this=column)
    name = "ARG_MAX_NULL" if isinstance(lone, exp.Max) else "ARG_MIN_NULL"
    by = lone.this.expressions[0] if isinstance(lone.this, exp.Distinct) and len(lone.this.expressions) == 1 else lone.this
    return lambda column: (exp.case().when(exp.Is(this=lone.copy(), expression=exp.Null()), exp.AnyValue(this=column.copy()))
                           .else_(exp.Anonymous(this=name, expressions=[column, by.copy()])))
