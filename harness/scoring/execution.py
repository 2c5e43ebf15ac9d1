"""Running a script on a fresh database: its last result, its final state, which dialect paths ran."""

from __future__ import annotations

import os
import re
import time
from collections import OrderedDict
from dataclasses import dataclass, field

import duckdb

from harness.scoring.compare import Ties, compare_ties
from harness.scoring.dialect import StatementError, run_with_fallback, split_statements
from harness.scoring.ordering import keyed_query, order_spec
from harness.scoring.sandbox import QueryTimeout, ResultTooLarge, Sandbox

# Statement types that cannot change the database (DuckDB reports SHOW/DESCRIBE as SELECT).
_READ_ONLY = {"SELECT", "EXPLAIN", "PRAGMA"}
_DML = {"INSERT", "UPDATE", "DELETE", "MERGE_INTO"}
_RETURNING = re.compile(r"\bRETURNING\b", re.IGNORECASE)
# Statements that run inside one transaction as they would alone, and whose every effect a
# ROLLBACK undoes: reads, DML, and DDL of tables, views and indexes (DuckDB's catalog and
# data are transactional). Settings, attachments, transactions and sequences are not.
_UNDOABLE = re.compile(
    r"\s*(?:SELECT|WITH|FROM|VALUES|INSERT|UPDATE|DELETE|"
    r"(?:CREATE(?:\s+OR\s+REPLACE)?(?:\s+(?:TEMP|TEMPORARY))?(?:\s+UNIQUE)?|DROP|ALTER)\s+(?:TABLE|VIEW|INDEX))\s",
    re.IGNORECASE,
)
_PLAIN_READ = re.compile(r"\s*(?:SELECT|FROM|VALUES)\s", re.IGNORECASE)
# A sequence's counter survives a ROLLBACK: a database that may use one is rebuilt instead.
_SEQUENCES = re.compile(r"SEQUENCE|NEXTVAL|CURRVAL|SETVAL|SERIAL|IDENTITY|AUTO_?INCREMENT|GENERATED", re.IGNORECASE)


@dataclass(frozen=True)
class DatabaseSpec:
    """How to build the database a script starts from.

    Attributes:
        context: CREATE/INSERT statements (any dialect the fallback handles).
        setup_sql: Statements run after the context or file.
        db_path: A real DuckDB file; scripts run on a private copy of it.
        prepared: Already-resolved (sql, params) statements, used instead of the three above
            (the generated test-suite databases).
    """

    context: str = ""
    setup_sql: str = ""
    db_path: str | None = None
    prepared: tuple[tuple[str, tuple], ...] | None = None

    @classmethod
    def from_item(cls, item: dict) -> DatabaseSpec:
        """The database of a scoring item: a copy of `db_path` when it has one (its `sql_context`
        then only describes the schema for the prompt), else built from `sql_context`; `setup_sql` after."""
        db_path = item.get("db_path") or None
        return cls("" if db_path else item.get("sql_context") or "", item.get("setup_sql") or "", db_path)


@dataclass
class Table:
    """One table or view of a final database state.

    Attributes:
        kind: "table" or "view".
        columns: Lower-cased column name -> normalised type, in column order.
        rows: Contents, in the order of `columns`.
    """

    kind: str
    columns: dict[str, str]
    rows: list[tuple]


@dataclass
class ScriptRun:
    """What running one script gave.

    Attributes:
        error: None on success, else the error message.
        error_kind: "context", "parse", "exec", "timeout", "too_large" or "empty".
        paths: Dialect path of each statement that ran ("duckdb", "transpiled:mysql", ...).
        context_paths: Dialect paths of the context statements that needed a fallback.
        columns: Columns of the last row-returning statement, or None when there was none.
        rows: Its rows.
        last_sql: The DuckDB text of that statement.
        mutated: Whether any statement could have changed the database.
        state: Final tables and views by name, when `mutated` (else the state is the initial one).
        ties: The last result's tie groups by its ORDER BY keys, when they were asked for, the last
            statement gave that result, and the groups needed its keyed query (`Executor._ties`).
        seconds: Wall time of the script (context build excluded).
    """

    error: str | None = None
    error_kind: str | None = None
    paths: list[str] = field(default_factory=list)
    context_paths: list[str] = field(default_factory=list)
    columns: list[str] | None = None
    rows: list[tuple] = field(default_factory=list)
    last_sql: str | None = None
    mutated: bool = False
    state: dict[str, Table] | None = None
    ties: Ties | None = None
    seconds: float = 0.0


class Executor:
    """Runs scripts on fresh databases in one sandbox, remembering how each context resolved."""

    def __init__(self, sandbox: Sandbox, timeout_s: float, dialects: tuple[str, ...], cache_size: int = 512):
        self.sandbox = sandbox
        self.timeout_s = timeout_s
        self.dialects = dialects
        self._resolved: OrderedDict[DatabaseSpec, tuple[tuple[str, ...], tuple[str, ...]]] = OrderedDict()
        self._cache_size = cache_size
        self._not_undoable: set[str] = set()  # scripts a statement of which failed inside a transaction

    def build(self, cursor: duckdb.DuckDBPyConnection, spec: DatabaseSpec) -> list[str]:
        """Build `spec` in the fresh database behind `cursor`; returns the fallback paths used.

        Raises:
            StatementError: A context or setup statement failed on every path.
            QueryTimeout: Building took longer than the timeout.
        """
        deadline = time.monotonic() + self.timeout_s
        if spec.prepared is not None:
            for sql, params in spec.prepared:
                cursor.execute(sql, list(params))
            return []
        if spec in self._resolved:
            self._resolved.move_to_end(spec)
            statements, paths = self._resolved[spec]
            if statements:  # known to run: replay as one call
                self.sandbox.execute(cursor, ";\n".join(statements), deadline)
            return list(paths)
        statements, paths = [], []
        for sql in split_statements(spec.context) + split_statements(spec.setup_sql):
            path, ran, _ = run_with_fallback(sql, self.dialects, lambda s: self.sandbox.execute(cursor, s, deadline))
            statements.append(ran)
            if path != "duckdb":
                paths.append(path)
        self._resolved[spec] = (tuple(statements), tuple(paths))
        if len(self._resolved) > self._cache_size:
            self._resolved.popitem(last=False)
        return paths

    def run(self, spec: DatabaseSpec, script: str, want_state: bool = False) -> ScriptRun:
        """Run `script` on a fresh database built from `spec`.

        Args:
            spec: The starting database.
            script: Statements to run, in order; the first failing one ends the script.
            want_state: Snapshot the final state even when nothing could have changed it.

        Returns:
            The run; failures are recorded in it, never raised.
        """
        return self.run_pair(spec, script, None, want_state=want_state)[0]

    def run_pair(
        self, spec: DatabaseSpec, first: str, second: str | None, between=None, want_state: bool = False, unchanged=None
    ) -> tuple[ScriptRun, ScriptRun | None]:
        """Run two scripts, each on a database in the state `spec` builds.

        The second reuses the first one's database when that is back in its starting state: the
        first changed nothing (only read-only statements ran), or it ran inside a transaction
        that was rolled back (`run_on`). Otherwise the second gets a new database. With
        `unchanged`, the second runs in a rolled-back transaction too when it can. With a second
        script to compare it with, the first one's ties are read (`ScriptRun.ties`).

        Args:
            spec: The starting database.
            first: Script run first (the gold).
            second: Script run second (the prediction), or None; skipped when `first` fails.
            between: Called with no arguments before the second script starts.
            want_state: Snapshot final states even when nothing could have changed them.
            unchanged: Called as `unchanged(cursor, runs)` before the database is closed, when
                both scripts ran on it and it is back in the state `spec` builds (each changed
                nothing or was rolled back).

        Returns:
            (first run, second run or None).
        """
        if spec.db_path and not os.path.isfile(spec.db_path):
            failed = ScriptRun(error=f"context: database file not found: {spec.db_path}", error_kind="context")
            return failed, None
        with self.sandbox.fresh(spec.db_path) as cursor:
            try:
                context_paths = self.build(cursor, spec)
            except (StatementError, QueryTimeout, ResultTooLarge, duckdb.Error) as exc:
                return ScriptRun(error=f"context: {_message(exc)}", error_kind="context"), None
            runs, back = self._pair_on(cursor, spec, first, second, between, want_state, None, unchanged is not None)
            runs[0].context_paths = context_paths
            if unchanged and runs[1] is not None and back:
                unchanged(cursor, runs)
        return self.finish_pair(spec, runs, second, want_state)

    def run_on(
        self, cursor: duckdb.DuckDBPyConnection, spec: DatabaseSpec, first: str, second: str | None, between=None,
        want_state: bool = False, objects: list[tuple] | None = None,
    ) -> tuple[ScriptRun, ScriptRun | None]:
        """The part of `run_pair` that runs on its first database, for a caller that already holds
        one in the state `spec` builds (a test-suite database just generated): `first`, then
        `second` on the same database when that is back in its starting state. `finish_pair`
        does the rest.

        A first script that may change the database, but only in ways a ROLLBACK undoes, runs
        inside a transaction that is rolled back once its final state is read, which saves
        building the database again for the second. When one of its statements fails there
        (a failed statement ends DuckDB's transaction, so the dialect fallback could not retry
        it), it runs again outside one, as it would have without the transaction.

        The tables and views the database starts with (`objects`, when the caller knows them) are
        read from the catalog by the first snapshot of a script that changed none of them, and
        not read again for the second.

        Returns:
            (first run, second run or None when it was skipped or needs a database of its own).
        """
        return self._pair_on(cursor, spec, first, second, between, want_state, objects, False)[0]

    def _pair_on(
        self, cursor: duckdb.DuckDBPyConnection, spec: DatabaseSpec, first: str, second: str | None, between,
        want_state: bool, objects: list[tuple] | None, keep: bool,
    ) -> tuple[tuple[ScriptRun, ScriptRun | None], bool]:
        """`run_on`, and whether the database is back in its starting state after the second script
        ran on it; with `keep`, the second runs in a rolled-back transaction too when it can."""
        first_run, undone, ties = None, False, second is not None
        if second is not None and self._undoable(spec, first):
            first_run, undone, objects = self._rolled_back(cursor, first, want_state, objects, ties)
        if first_run is None:
            (first_run, objects), undone = self._script(cursor, first, want_state, objects, ties), False
        if second is None or first_run.error:
            return (first_run, None), False
        if between:
            between()
        if first_run.mutated and not undone:
            return (first_run, None), False
        if keep and self._undoable(spec, second):
            second_run, back, _ = self._rolled_back(cursor, second, want_state, objects)
            if second_run is not None:
                return (first_run, second_run), back
        second_run = self._script(cursor, second, want_state, objects)[0]
        return (first_run, second_run), not second_run.mutated

    def _undoable(self, spec: DatabaseSpec, script: str) -> bool:
        """Whether `script` may change a database built from `spec`, and a ROLLBACK undoes all it can do."""
        if spec.db_path or script in self._not_undoable:  # a file's catalog may hold sequences
            return False
        statements = split_statements(script)
        if not statements or all(_PLAIN_READ.match(s) for s in statements) or not all(_UNDOABLE.match(s) for s in statements):
            return False
        texts = (spec.context, spec.setup_sql, script, *(sql for sql, _ in spec.prepared or ()))
        return not any(_SEQUENCES.search(text) for text in texts)

    def _rolled_back(
        self, cursor: duckdb.DuckDBPyConnection, script: str, want_state: bool, objects: list[tuple] | None,
        ties: bool = False,
    ) -> tuple[ScriptRun | None, bool, list[tuple] | None]:
        """`script` run inside a transaction, then rolled back (`ties` as in `_script`).

        Returns:
            (the run, whether the database is back in its starting state, its starting tables and
            views as `_script` gives them); the run is None when a statement failed and the
            database is back: the script must run outside a transaction.
        """
        cursor.execute("BEGIN TRANSACTION")
        run, objects = self._script(cursor, script, want_state, objects, ties)
        try:
            cursor.execute("ROLLBACK")
        except duckdb.Error:
            return run, False, objects
        if run.error_kind in ("parse", "exec"):
            if len(self._not_undoable) > 4096:
                self._not_undoable.clear()
            self._not_undoable.add(script)
            return None, True, objects
        return run, True, objects

    def finish_pair(
        self, spec: DatabaseSpec, runs: tuple[ScriptRun, ScriptRun | None], second: str | None, want_state: bool = False
    ) -> tuple[ScriptRun, ScriptRun | None]:
        """The end of `run_pair`: `second` on a fresh database built from `spec` when the first
        script changed its own (`run_on` left it out); `runs` as they are otherwise."""
        first_run, second_run = runs
        if second is None or first_run.error or second_run is not None:
            return runs
        with self.sandbox.fresh(spec.db_path) as cursor:
            self.build(cursor, spec)
            return first_run, self._script(cursor, second, want_state)[0]

    def _script(
        self, cursor: duckdb.DuckDBPyConnection, script: str, want_state: bool, objects: list[tuple] | None = None,
        ties: bool = False,
    ) -> tuple[ScriptRun, list[tuple] | None]:
        """Run a script's statements in order on `cursor`, recording its last result and state.

        Args:
            objects: The tables and views the database holds now, as `snapshot` lists them, if known.
            ties: Also read the last result's tie groups (`_ties`) when the last statement gave it.

        Returns:
            (the run, the tables and views the database held before it: `objects`, or when that is
            None and the script changed none of them, those its final snapshot read).
        """
        out = ScriptRun()
        statements = split_statements(script)
        if not statements:
            out.error, out.error_kind = "no SQL statement", "empty"
            return out, objects
        start = time.monotonic()
        deadline = start + self.timeout_s
        keeps_catalog, last_read = True, False
        try:
            for sql in statements:
                path, ran, result = run_with_fallback(sql, self.dialects, lambda s: self.sandbox.execute(cursor, s, deadline))
                out.paths.append(path)
                out.mutated |= result.statement_type not in _READ_ONLY
                keeps_catalog &= result.keeps_catalog
                returns_rows = result.statement_type in _READ_ONLY or (
                    result.statement_type in _DML and _RETURNING.search(ran)
                )
                if returns_rows and result.columns is not None:
                    out.columns, out.rows, out.last_sql = result.columns, result.rows, ran
                last_read = result.statement_type == "SELECT" and result.columns is not None
            if out.mutated or want_state:
                out.state, listed = snapshot(self.sandbox, cursor, deadline, objects if keeps_catalog else None)
                if keeps_catalog:
                    objects = listed
            if ties and last_read:  # after the snapshot: a failed statement aborts a transaction
                out.ties = self._ties(cursor, out, deadline)
        except StatementError as exc:
            out.error, out.error_kind = _message(exc), exc.kind
        except QueryTimeout:
            out.error, out.error_kind = f"timed out after {self.timeout_s:g}s", "timeout"
        except ResultTooLarge as exc:
            out.error, out.error_kind = str(exc), "too_large"
        out.seconds = time.monotonic() - start
        return out, objects

    def _ties(self, cursor: duckdb.DuckDBPyConnection, run: ScriptRun, deadline: float) -> Ties | None:
        """The tie groups of `run`'s last result, read by its last statement's keyed query on the
        database that statement read (a read changes nothing).

        None when the result itself tells them (unordered, or ordered by output columns only and
        without a LIMIT: `order_spec`), the statement has no keyed query, the keyed query fails, or
        the run's own result is not one the tie groups allow (the rewrite is then not trusted).
        """
        order = order_spec(run.last_sql, run.columns)
        query = None if order is None or (order.complete and not order.limited) else keyed_query(run.last_sql)
        if query is None:
            return None
        try:
            out = self.sandbox.execute(cursor, query.sql, deadline)
        except (duckdb.Error, QueryTimeout, ResultTooLarge):
            return None
        if out.columns is None or len(out.columns) != len(run.columns) + 1:
            return None
        ties = Ties(out.rows, len(run.columns), query.limit)
        return ties if compare_ties(ties, run.rows, len(run.columns)).match else None


def _message(exc: Exception) -> str:
    if isinstance(exc, QueryTimeout):
        return "timed out"
    return str(exc).strip() or type(exc).__name__


def normalise_type(data_type: str) -> str:
    """A column type with synonyms folded (DuckDB already maps INT->INTEGER, TEXT->VARCHAR)."""
    return re.sub(r"^VARCHAR\(\d+\)$", "VARCHAR", data_type.strip().upper())


def snapshot(
    sandbox: Sandbox, cursor: duckdb.DuckDBPyConnection, deadline: float, objects: list[tuple] | None = None
) -> tuple[dict[str, Table], list[tuple]]:
    """Tables and views of the current database and temp catalog, with types and contents.

    Column types come from each object's own `SELECT *` (they are the types `duckdb_columns()`
    lists), which saves a catalog query: catalog queries are not cheap next to reading a table.

    Args:
        objects: The (database, schema, name, kind) of every table and view there, when the caller
            knows them; else they are read from the catalog, one query more.

    Returns:
        (lower-cased name (schema-qualified outside `main`) -> Table, the objects).
    """
    if objects is None:
        scope = "database_name IN (current_database(), 'temp')"
        objects = sandbox.execute(
            cursor,
            f"SELECT database_name, schema_name, table_name, 'table' FROM duckdb_tables() WHERE {scope} "
            f"UNION ALL SELECT database_name, schema_name, view_name, 'view' FROM duckdb_views() "
            f"WHERE NOT internal AND {scope}",
            deadline,
        ).rows
    state = {}
    for database, schema, name, kind in objects:
        out = sandbox.execute(cursor, f'SELECT * FROM "{database}"."{schema}"."{name}"', deadline)
        cols = {c.lower(): normalise_type(t) for c, t in zip(out.columns, out.types)}
        key = name.lower() if schema == "main" else f"{schema}.{name}".lower()
        state[key] = Table(kind, cols, out.rows)
    return state, objects
