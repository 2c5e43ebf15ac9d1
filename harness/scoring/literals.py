"""The literals of SQL scripts, and the columns they are compared with, for generated databases.

A filter selects something on a generated database only when a row holds the value it looks for:
`WHERE state = 'NY' AND year = 2021` needs a row with both. So the generated databases draw on the
literals of gold and prediction, and a column with no observed values draws first on the literals
compared with it (`col = v`, `col <> v`, `col > v`, `col IN (...)`, `col BETWEEN a AND b`, `col LIKE v`).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlglot
from sqlglot import exp

from harness.scoring.dialect import PARSE_FAILURES

MOST = 32  # literals kept from one script
_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Like, exp.ILike)


@dataclass(frozen=True)
class Literals:
    """What the scripts compare with.

    Attributes:
        values: Every literal, the first script's first (a long prediction cannot crowd out the gold's).
        by_column: Lower-cased column name -> the literals compared with a column of that name.
    """

    values: tuple = ()
    by_column: tuple[tuple[str, tuple], ...] = ()

    def of_column(self, name: str) -> tuple:
        """The literals compared with columns named `name` (any case)."""
        return dict(self.by_column).get(name.lower(), ())


def script_literals(scripts: tuple[str, ...], dialects: tuple[str, ...]) -> Literals:
    """The literals of the scripts (each read in the first dialect that parses it)."""
    values: dict[str, object] = {}
    by_column: dict[str, dict[str, object]] = {}
    for script in scripts:
        trees = _parse(script, dialects)
        found = sorted({v for v in map(_value, _literal_nodes(trees)) if v is not None}, key=repr)
        for value in found[:MOST]:
            values.setdefault(repr(value), value)
        for column, value in _compared(trees):
            by_column.setdefault(column, {}).setdefault(repr(value), value)
    return Literals(tuple(values.values())[: 2 * MOST],
                    tuple(sorted((c, tuple(v.values())[:MOST]) for c, v in by_column.items())))


def _parse(sql: str, dialects: tuple[str, ...]) -> list[exp.Expression]:
    for dialect in ("duckdb", *dialects):
        try:
            return [tree for tree in sqlglot.parse(sql, read=dialect) if tree is not None]
        except PARSE_FAILURES:
            continue
    return []


def _literal_nodes(trees: list[exp.Expression]):
    return (node for tree in trees for node in tree.find_all(exp.Literal))


def _value(node: exp.Expression):
    """The Python value of a literal (a negated number included), or None for anything else."""
    negative = isinstance(node, exp.Neg)
    if negative:
        node = node.this
    if not isinstance(node, exp.Literal):
        return None
    if node.is_string:
        return None if negative else node.this
    try:
        number = int(node.this) if node.is_int else float(node.this)
    except ValueError:
        return None
    return -number if negative else number


def _constant(node: exp.Expression):
    """A literal, possibly cast (`DATE '2021-01-01'`, `'5'::INT`), as its value; else None."""
    while isinstance(node, (exp.Cast, exp.Paren)):
        node = node.this
    return _value(node)


def _compared(trees: list[exp.Expression]):
    """(lower-cased column name, literal) for every comparison of a column with literals."""
    for tree in trees:
        for node in tree.find_all(*_COMPARISONS, exp.In, exp.Between):
            column = node.this
            if isinstance(node, _COMPARISONS):
                column, other = node.this, node.expression
                if not isinstance(column, exp.Column):
                    column, other = other, column
                others = [other]
            elif isinstance(node, exp.In):
                others = list(node.expressions)
            else:
                others = [node.args.get("low"), node.args.get("high")]
            if not isinstance(column, exp.Column):
                continue
            for value in (_constant(o) for o in others if o is not None):
                if value is not None:
                    yield column.name.lower(), value
