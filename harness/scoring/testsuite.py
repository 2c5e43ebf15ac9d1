"""Generated databases: random databases of a sample's schema that gold and prediction must agree on.

They serve the test-suite match, and decide the execution match of a schema-only sample (one
whose tables hold no rows, where the empty database decides nothing). The schema and the observed
values are read from the sample's own database. Each column draws from its observed values (and
those of same-named columns in other tables, so joins hit) or, with none, defaults of its type;
their neighbours (n +/- 1, a day either side, other letter case), boundary values, the literals of
the gold and of the prediction with their neighbours, and NULL. Rows that break a constraint are
dropped. Generation is deterministic in the seed, and the prepared databases are cached per schema
and literals in the worker process.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import re
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

import duckdb

from harness.scoring.execution import DatabaseSpec, Executor
from harness.scoring.literals import Literals, script_literals
from harness.scoring.sandbox import DATABASE

T = TypeVar("T")

_CACHE: OrderedDict[tuple, "Suite"] = OrderedDict()
_CACHE_SIZE = 256
_DEFAULTS = {
    int: [0, 1, 2, 3, 5, 10, 100],
    float: [0.0, 0.5, 1.0, 2.5, 10.0, 99.99],
    str: ["a", "b", "A", "x y", "2021-01-01"],
    dt.date: [dt.date(2020, 1, 1), dt.date(2021, 6, 15), dt.date(2022, 12, 31)],
    dt.datetime: [dt.datetime(2020, 1, 1), dt.datetime(2021, 6, 15, 12, 30)],
    bool: [True, False],
}
_INT_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT")


@dataclass
class Suite:
    """The generated databases of one schema and pair of scripts: what they are drawn from, and those drawn so far.

    Each database comes from its own seed, so they are generated one at a time when first asked
    for: a prediction that fails on the first database costs no generation of the others.
    """

    tables: list[dict]
    literals: Literals
    key: str
    seed: int
    size: int
    specs: dict[int, DatabaseSpec] = field(default_factory=dict)
    pools: dict | None = None  # what each column draws from, the same for every database

    @property
    def schema_only(self) -> bool:
        """Whether the sample's database has tables and every one of them is empty."""
        tables = [t for t in self.tables if "view" not in t]
        return bool(tables) and not any(t["rows"] for t in tables)

    def database(
        self, executor: Executor, i: int, use: Callable[[duckdb.DuckDBPyConnection, DatabaseSpec, list[tuple] | None], T]
    ) -> tuple[DatabaseSpec, T | None]:
        """Database `i` as a prepared spec, generated now unless an earlier call did.

        Generating builds the database once to drop rows that break constraints. When every
        statement of that build succeeded, the database holds exactly the spec's state, so
        `use(cursor, spec, objects)` runs on it before it is thrown away, which saves building it
        again; `objects` are its tables as `harness.scoring.execution.snapshot` lists them (None when the
        schema has views, whose names only the catalog knows).

        Returns:
            (the spec, what `use` returned, or None when it did not run).
        """
        if i in self.specs:
            return self.specs[i], None
        if self.pools is None:
            self.pools = _pools(self.tables, self.literals)
        with executor.sandbox.fresh() as cursor:
            spec, exact = _generate(cursor, self.tables, self.pools, random.Random(f"{self.seed}:{i}:{self.key}"))
            self.specs[i] = spec
            if not exact:
                return spec, None
            views = any("view" in t for t in self.tables)
            return spec, use(cursor, spec, None if views else [(DATABASE, "main", t["name"], "table") for t in self.tables])


def suite(executor: Executor, base: DatabaseSpec, scripts: tuple[str, ...], k: int, seed: int,
          tables: list[dict] | None = None, extra: int = 0) -> Suite:
    """The k (+ extra) generated databases of a sample and pair of scripts (cached).

    Database i is the same whatever `extra` is, so the first k do not depend on whether more are asked for.

    Args:
        executor: Runs statements in the sandbox.
        base: The sample's database (its schema and values are read from it).
        scripts: Gold and prediction, for their literals.
        k: Number of databases, part of every database's seed.
        extra: Databases wanted beyond the k.
        seed: Base random seed.
        tables: `read_schema` of the sample's database when the caller already read it;
            otherwise the database is built again to read it.

    Returns:
        The suite; of size 0 when the schema cannot be read.
    """
    found = script_literals(scripts, executor.dialects)
    cached = (base, found, k, seed, extra)
    if cached in _CACHE:
        _CACHE.move_to_end(cached)
        return _CACHE[cached]
    if tables is None:
        with executor.sandbox.fresh(base.db_path) as cursor:
            try:
                executor.build(cursor, base)
            except Exception:  # noqa: BLE001 - any failure only means no test suite for this sample
                tables = []
            else:
                tables = read_schema(cursor, base)
    made = Suite(tables, found, "", seed, k + extra if tables else 0)
    if made.schema_only:  # the views' own literals pick the rows they show
        made.literals = script_literals((*scripts, *(t["view"] for t in tables if "view" in t)), executor.dialects)
        made.key = hashlib.sha256(repr((base, made.literals, k, seed)).encode()).hexdigest()
    else:  # seeded by the literals alone: with those of the gold only, the databases of scorer 1.1
        made.key = hashlib.sha256(repr((base, list(found.values), k, seed)).encode()).hexdigest()
    _CACHE[cached] = made
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return made


def read_schema(cursor: duckdb.DuckDBPyConnection, base: DatabaseSpec) -> list[dict]:
    """Tables (in creation order) with DDL, columns, types, nullability and rows; then views.

    Only objects of the `main` schema count: DuckDB writes their DDL unqualified, so replaying
    it creates them in the generated database and nowhere else (`CREATE TABLE memory.t`, the
    DDL of a table in a schema named `memory`, would create it in the sandbox's own catalog).
    Catalog queries are kept few, as each has a fixed cost whatever it returns: columns and their
    types come from each table's own `SELECT *` (the names and types `duckdb_columns()` lists),
    and constraints and views are not looked for in a database built from SQL text that never
    says NOT, PRIMARY, UNIQUE or VIEW.

    Args:
        cursor: The database `base` builds, in that state.
        base: How it was built.

    Returns:
        The objects; none when they cannot be read (then there is no test suite).
    """
    text = None if base.db_path else f"{base.context} {base.setup_sql}".upper()
    try:
        return _read_schema(cursor, text)
    except Exception:  # noqa: BLE001 - any failure only means no test suite for this sample
        return []


_CONSTRAINED = re.compile(r"\bNOT\b|PRIMARY|UNIQUE")
_VIEW = re.compile(r"\bVIEW\b")


def _read_schema(cursor: duckdb.DuckDBPyConnection, text: str | None) -> list[dict]:
    here = "WHERE database_name = current_database() AND schema_name = 'main'"
    not_null, keys = defaultdict(set), defaultdict(set)
    if text is None or _CONSTRAINED.search(text):
        for name, kind, names in cursor.execute(
            f"SELECT table_name, constraint_type, constraint_column_names FROM duckdb_constraints() {here} "
            "AND constraint_type IN ('NOT NULL', 'PRIMARY KEY', 'UNIQUE')"
        ).fetchall():
            if kind == "NOT NULL":
                not_null[name].update(names)
            elif len(names) == 1:
                keys[name].add(names[0])
    tables = []
    for name, sql in cursor.execute(f"SELECT table_name, sql FROM duckdb_tables() {here} ORDER BY table_oid").fetchall():
        result = cursor.execute(f'SELECT * FROM "{name}"')  # fetchmany below, not a LIMIT, which DuckDB runs slower
        columns = [(column, str(data_type), column not in not_null[name]) for column, data_type, *_ in result.description]
        tables.append({"name": name, "sql": sql, "columns": columns, "rows": result.fetchmany(200), "unique": set(keys[name])})
    views = []
    if text is None or _VIEW.search(text):
        views = cursor.execute(f"SELECT sql FROM duckdb_views() {here} AND NOT internal ORDER BY view_oid").fetchall()
    return tables + [{"view": sql} for (sql,) in views]


def _python_type(data_type: str):
    upper = data_type.upper()
    if upper.startswith(_INT_TYPES):
        return int
    if upper.startswith(("DECIMAL", "DOUBLE", "FLOAT", "REAL", "NUMERIC")):
        return float
    if upper.startswith("VARCHAR"):
        return str
    if upper == "DATE":
        return dt.date
    if upper.startswith("TIMESTAMP"):
        return dt.datetime
    if upper == "BOOLEAN":
        return bool
    return None


def _neighbours(value) -> list:
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, (int, Decimal)):
        return [value - 1, value + 1]
    if isinstance(value, float):
        return [value - 1, value + 1, value * 2]
    if isinstance(value, (dt.date, dt.datetime)):
        return [value - dt.timedelta(days=1), value + dt.timedelta(days=1)]
    if isinstance(value, str):
        return [value.upper(), value.lower(), value + "x", value[:-1]]
    return []


def _typed(values, kind) -> list:
    """The values a column of `kind` can hold: numbers for numbers, ISO strings read as dates for dates."""
    if kind is float:
        return [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if kind in (dt.date, dt.datetime):
        return [t for t in (_as_time(v, kind) for v in values) if t is not None]
    return [v for v in values if kind is not None and type(v) is kind]


def _pools(tables: list[dict], literals: Literals) -> dict:
    """(table, column) -> ((cumulative share, values), ...): what a cell draws from.

    A column with observed values draws its cells from them (45%), their neighbours, boundaries,
    and the script literals with their neighbours (a quarter). One with none (a schema-only
    sample) draws half of them from the literals compared with a column of its name, so that rows
    meet every condition of a filter at once, and most of the rest from the other literals.
    """
    by_name = defaultdict(list)
    for table in tables:
        if "view" not in table:
            for i, (column, _, _) in enumerate(table["columns"]):
                by_name[column.lower()] += [r[i] for r in table["rows"] if r[i] is not None]
    pools = {}
    for table in (t for t in tables if "view" not in t):
        for column, data_type, _ in table["columns"]:
            kind = _python_type(data_type)
            observed = list({repr(v): v for v in by_name[column.lower()]}.values())  # lists and structs are unhashable
            literal = _typed(literals.values, kind)
            base = observed or _DEFAULTS.get(kind, [])
            # columns of one name in several tables may differ in type: boundaries come from this type only
            typed = [v for v in base if isinstance(v, (int, float) if kind is float else kind) and not isinstance(v, bool)] if kind in (int, float, str, dt.date) else []
            boundary = [min(typed), max(typed)] if typed else []
            if kind in (int, float):
                boundary.append(0)
            if kind is str:
                boundary.append("")
            neighbours = [n for v in base for n in _neighbours(v)]
            if observed:
                near_literal = literal + [n for v in literal for n in _neighbours(v)]
                pools[table["name"], column] = ((0.45, base), (0.6, neighbours), (0.75, boundary), (1.0, near_literal))
                continue
            own = _typed(literals.of_column(column), kind) or literal
            if kind in (dt.date, dt.datetime):  # for conditions relative to today (CURRENT_DATE - INTERVAL 1 YEAR)
                own = own + _recent(kind)
            pools[table["name"], column] = (
                (0.5, own), (0.65, literal), (0.8, [n for v in own + literal for n in _neighbours(v)]),
                (0.9, base), (0.95, boundary), (1.0, neighbours),
            )
    return pools


def _recent(kind) -> list:
    """Today, a month, a year and two years ago (so these databases depend on the day they are drawn)."""
    today = dt.date.today()
    days = [today - dt.timedelta(days=n) for n in (0, 30, 365, 730)]
    return days if kind is dt.date else [dt.datetime.combine(d, dt.time()) for d in days]


def _as_time(value, kind):
    """A string literal read as a date or timestamp of `kind` (the way SQL compares them), or None."""
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value[:10]) if kind is dt.date else dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def _value(rng: random.Random, pool: tuple[tuple[float, list], ...], nullable: bool, null_rate: float):
    """One cell: NULL, or a value of the first share of the pool the roll falls in (an empty share passes it on)."""
    fallback = next((choices for _, choices in pool if choices), None)
    if (nullable and rng.random() < null_rate) or not fallback:
        return None
    roll = rng.random()
    for share, choices in pool:
        if roll < share and choices:
            return rng.choice(choices)
    return rng.choice(fallback)


def _generate(cursor: duckdb.DuckDBPyConnection, tables: list[dict], pools: dict, rng: random.Random) -> tuple[DatabaseSpec, bool]:
    """One random database of the schema (`_pools` of it), built on `cursor` to drop rows that break constraints.

    Returns:
        (the spec, whether every statement run on `cursor` is in it, in order: then the
        database behind `cursor` is in exactly the spec's state).
    """
    prepared: list[tuple[str, tuple]] = []
    exact = True
    for table in tables:
        if "view" in table:
            exact &= _try(cursor, prepared, table["view"], ())
            continue
        if not _try(cursor, prepared, table["sql"], ()):
            exact = False
            continue
        rows = [r for r in table["rows"] if rng.random() < 0.5]
        null_rate = rng.choice((0.1, 0.2, 0.4))
        used = {c: {r[i] for r in rows} for i, (c, _, _) in enumerate(table["columns"]) if c in table["unique"]}
        for _ in range(rng.randint(8, 20) if table["rows"] else _empty_table_rows(rng)):
            row = []
            for column, _, nullable in table["columns"]:
                value = _value(rng, pools[table["name"], column], bool(nullable), null_rate)
                if column in used:  # keep single-column keys unique so the row is not dropped
                    value = _fresh(value, used[column])
                    used[column].add(value)
                row.append(value)
            rows.append(tuple(row))
        marks = "(" + ", ".join(["?"] * len(table["columns"])) + ")"
        insert = f'INSERT INTO "{table["name"]}" VALUES '
        if rows and not _try(cursor, prepared, insert + ", ".join([marks] * len(rows)), tuple(v for r in rows for v in r)):
            exact = False
            kept = [row for row in rows if _try(cursor, [], insert + marks, row)]  # drop rows that break constraints
            if kept:
                prepared.append((insert + ", ".join([marks] * len(kept)), tuple(v for row in kept for v in row)))
    return DatabaseSpec(prepared=tuple(prepared)), exact


def _empty_table_rows(rng: random.Random) -> int:
    """Rows for a table the sample left empty: usually many, so that filters meet their values,
    sometimes one to three, so that a row can equal an aggregate of its table (`x >= AVG(x)`)."""
    few, many = rng.randint(1, 3), rng.randint(20, 40)
    return few if rng.random() < 0.3 else many


def _fresh(value, used: set):
    """`value`, or when taken, the nearest untaken value of its kind."""
    step = 0
    while value in used and step < 10_000:
        step += 1
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, (int, float, Decimal)):
            value = value + 1
        elif isinstance(value, (dt.date, dt.datetime)):
            value = value + dt.timedelta(days=1)
        elif isinstance(value, str):
            value = f"{value}{step}"
        else:
            return value
    return value


def _try(cursor: duckdb.DuckDBPyConnection, prepared: list, sql: str, params: tuple) -> bool:
    """Run a statement; keep it in `prepared` only when it succeeds."""
    try:
        cursor.execute(sql, list(params))
    except duckdb.Error:
        return False
    prepared.append((sql, params))
    return True
