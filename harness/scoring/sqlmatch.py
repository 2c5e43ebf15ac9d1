"""Exact match and AST match of gold and predicted SQL text.

Exact match compares the texts after normalising whitespace, the case of everything outside
string literals, a trailing semicolon and surrounding markdown fences. AST match parses both with
sqlglot, qualifies columns against the schema read from the context, and compares canonical trees:
table and output aliases renamed by position, identifiers case-folded, parentheses dropped, and
the operands of AND/OR chains sorted. No optimiser rewrites, so `a > 1` and `NOT a <= 1` differ.
"""

from __future__ import annotations

import functools
import re

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.qualify import qualify

from harness.scoring.dialect import DEFAULT_SOURCE_DIALECTS, PARSE_FAILURES, split_statements
from harness.scoring.extract import extract_sql

_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\s+|[^'\"\s]+", re.DOTALL)
_CREATE = re.compile(r"\s*CREATE\s+(OR\s+REPLACE\s+)?(TEMP\w*\s+)?TABLE\b", re.IGNORECASE)
_PUNCT = re.compile(r"\s*([(),;=<>+*/-])\s*")


def normalise_text(sql: str) -> str:
    """SQL text with fences, trailing semicolons, extra whitespace and non-literal case removed."""
    sql = extract_sql(sql).rstrip().rstrip(";").strip()
    parts = []
    for token in _TOKENS.findall(sql):
        if token.isspace():
            parts.append(" ")
        elif token.startswith("'"):
            parts.append(token)
        else:
            parts.append(_PUNCT.sub(r"\1", token.lower()))
    text = "".join(parts)
    return re.sub(r" ?([(),;=<>+*/-]) ?", r"\1", text)


def exact_match(gold: str, prediction: str) -> bool:
    """Whether gold and prediction are the same text after `normalise_text`."""
    if _visible(prediction) > 3 * _visible(gold) + 16:  # normalising keeps every visible character
        return False  # (lower-casing may at most double one), so a far longer text cannot be equal
    return bool(normalise_text(prediction)) and normalise_text(gold) == normalise_text(prediction)


def _visible(text: str) -> int:
    """Characters that are not whitespace."""
    return sum(map(len, text.split()))


@functools.lru_cache(maxsize=256)
def schema_of(context: str, dialects: tuple[str, ...] = ("duckdb", *DEFAULT_SOURCE_DIALECTS)) -> dict:
    """Table -> column -> type read from the CREATE TABLE statements of a context (best effort)."""
    creates = ";\n".join(s for s in split_statements(context) if _CREATE.match(s))
    for dialect in dialects:
        try:
            statements = sqlglot.parse(creates, read=dialect)
        except SqlglotError:
            continue
        schema = {}
        for statement in statements:
            if isinstance(statement, exp.Create) and isinstance(statement.this, exp.Schema):
                table = statement.this.this.name.lower()
                schema[table] = {
                    c.name.lower(): (c.args["kind"].sql() if c.args.get("kind") else "TEXT")
                    for c in statement.this.expressions
                    if isinstance(c, exp.ColumnDef)
                }
        return schema
    return {}


def canonical(statement: exp.Expression, schema: dict, dialect: str) -> exp.Expression:
    """A meaning-preserving canonical form of one parsed statement (see the module docstring)."""
    tree = statement.copy()
    try:
        tree = qualify(tree, schema=schema or None, dialect=dialect, validate_qualify_columns=False,
                       quote_identifiers=False, identify=False)
    except SqlglotError:
        pass
    for paren in list(tree.find_all(exp.Paren)):
        if not isinstance(paren.this, exp.Query):
            paren.replace(paren.this)
    _rename_aliases(tree)
    for connector in reversed(list(tree.find_all(exp.Connector, bfs=False))):
        if isinstance(connector, (exp.And, exp.Or)):
            operands = sorted(connector.flatten(), key=lambda e: e.sql(dialect="duckdb"))
            rebuilt = operands[0]
            for operand in operands[1:]:
                rebuilt = type(connector)(this=rebuilt, expression=operand)
            connector.replace(rebuilt)
    return tree


def _rename_aliases(tree: exp.Expression) -> None:
    """Rename table/subquery aliases to _t<n> and output aliases to _c<n>, updating references."""
    tables = {}
    for n, alias in enumerate(a for a in tree.find_all(exp.TableAlias) if not isinstance(a.parent, exp.CTE)):
        if alias.name:
            tables[alias.name.lower()] = f"_t{n}"
            alias.set("this", exp.to_identifier(f"_t{n}"))
    for column in tree.find_all(exp.Column):
        if column.table and column.table.lower() in tables:
            column.set("table", exp.to_identifier(tables[column.table.lower()]))
    for select in tree.find_all(exp.Select):
        outputs = {}
        for i, projection in enumerate(select.expressions):
            if isinstance(projection, exp.Alias):
                outputs[projection.alias.lower()] = f"_c{i}"
                projection.set("alias", exp.to_identifier(f"_c{i}"))
        for clause in ("order", "group", "having"):
            node = select.args.get(clause)
            for column in (node.find_all(exp.Column) if node else []):
                if not column.table and column.name.lower() in outputs:
                    column.set("this", exp.to_identifier(outputs[column.name.lower()]))


def ast_match(gold: str, prediction: str, context: str = "", dialect: str = "duckdb") -> bool | None:
    """Whether gold and prediction have the same canonical syntax trees.

    Args:
        gold: Gold SQL.
        prediction: Predicted SQL (already extracted from model text).
        context: The schema's CREATE statements, used to qualify columns.
        dialect: sqlglot read dialect for both.

    Returns:
        None when the gold does not parse, False when the prediction does not, else the verdict.
    """
    gold_trees = _parse(gold, dialect)
    if not gold_trees:
        return None
    if prediction.strip() == gold.strip():  # the same text has the same trees: no need to canonicalise them
        return True
    pred_trees = _parse(prediction, dialect)
    if pred_trees is None:
        return False
    if len(gold_trees) != len(pred_trees):
        return False
    try:
        return all(_canonical(gold, i, context, dialect) == _canonical(prediction, i, context, dialect)
                   for i in range(len(gold_trees)))
    except RecursionError:  # too deep to canonicalise: not the gold, which canonicalises on its own
        return False


@functools.lru_cache(maxsize=512)
def _parse(sql: str, dialect: str) -> tuple[exp.Expression, ...] | None:
    """The statements of a script, or None when it does not parse (memoised: do not mutate)."""
    try:
        return tuple(t for t in sqlglot.parse(sql, read=dialect) if t is not None)
    except PARSE_FAILURES:
        return None


@functools.lru_cache(maxsize=512)
def _canonical(sql: str, index: int, context: str, dialect: str) -> exp.Expression:
    """The canonical tree of a script's `index`-th statement, memoised so that a prediction with
    the same text as its gold (or a gold scored again) is not qualified twice; do not mutate."""
    schema = schema_of(context) if context else {}  # cached: do not mutate
    return canonical(_parse(sql, dialect)[index], schema, dialect)
