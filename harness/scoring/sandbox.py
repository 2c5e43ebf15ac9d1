"""The DuckDB sandbox that gold and predicted SQL run in.

Each scoring worker process owns one DuckDB instance, opened with external access disabled,
extension install and autoload off, a memory limit and a thread limit, and then locked, so no
statement can change those settings back. Every script gets a fresh catalog (an attached
in-memory database, or an attached copy of a real `.duckdb` file) and its own connection, both
thrown away afterwards; anything a script leaves behind elsewhere makes the instance be rebuilt.
Each statement runs under a deadline: a watchdog thread calls `interrupt()` on the connection from
outside the query, and the parent process kills and replaces the whole worker if it stops
reporting (see `harness.scoring.workers`).

Protects against: reading or writing files outside the sandbox's own temp dir (COPY TO, EXPORT
DATABASE, ATTACH, read_csv/read_text/glob), installing or loading extensions from disk or the
network, re-enabling external access or raising the limits (configuration is locked), reading
environment variables (DuckDB has no such function), runaway queries (timeout), memory bombs
(memory limit), leaking state from one script to the next (fresh catalog and connection).

Does not protect against: bugs in DuckDB itself (a crash kills only the worker, which is then
replaced, but a memory-safety exploit would run with the harness user's rights), writes into
the sandbox's own temp dir (allowed by DuckDB there, wiped after every script), CPU use up to
the timeout, or a denial of service by filling that temp dir within the timeout. It is not an
OS-level jail: run the harness itself as an unprivileged user.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb


class QueryTimeout(Exception):
    """A statement ran past its deadline and was interrupted."""


class ResultTooLarge(Exception):
    """A statement returned more rows than the sandbox keeps."""


@dataclass(frozen=True)
class SandboxLimits:
    """Resource limits of a sandboxed DuckDB instance.

    Attributes:
        memory_limit: DuckDB memory limit for the whole instance (e.g. "512MB").
        threads: DuckDB worker threads.
        max_rows: Most rows kept from one result; more is an error, not a silent truncation.
    """

    memory_limit: str = "512MB"
    threads: int = 1
    max_rows: int = 100_000


@dataclass
class Output:
    """What one executed statement gave back.

    Attributes:
        statement_type: DuckDB's statement type name (SELECT, INSERT, CREATE, ...).
        columns: Result column names, or None when the statement returns no rows.
        rows: Result rows (empty list when there are no columns).
        types: Result column types as DuckDB spells them (as in `duckdb_columns().data_type`),
            or None when the statement returns no rows.
        keeps_catalog: Whether the statement is a read or DML, after which the database holds the
            same tables and views as before.
    """

    statement_type: str
    columns: list[str] | None
    rows: list[tuple]
    types: list[str] | None = None
    keeps_catalog: bool = False


class _Watchdog:
    """One daemon thread that interrupts the armed connection when its deadline passes.

    Arming wakes the thread only when the new deadline comes before the thread's next wake-up:
    waking it for every statement would add a thread switch under the GIL to each one, and one
    script's statements share a deadline anyway.
    """

    def __init__(self):
        self._cond = threading.Condition()
        self._target: tuple[duckdb.DuckDBPyConnection, float] | None = None
        self._wake = float("inf")  # when the thread next looks at the target, at the latest
        threading.Thread(target=self._loop, daemon=True, name="sandbox-watchdog").start()

    def arm(self, cursor: duckdb.DuckDBPyConnection, deadline: float) -> None:
        with self._cond:
            self._target = (cursor, deadline)
            if deadline < self._wake:
                self._cond.notify()

    def disarm(self) -> None:
        with self._cond:
            self._target = None

    def _loop(self) -> None:
        with self._cond:
            while True:
                if self._target is None:
                    self._wake = float("inf")
                    self._cond.wait()
                    continue
                cursor, deadline = self._target
                remaining = deadline - time.monotonic()
                if remaining > 0:
                    self._wake = deadline
                    self._cond.wait(remaining)
                    continue
                cursor.interrupt()
                self._target = None


# The name of every script's database: scripts that read the catalog see the same one each time.
DATABASE = "sandbox"


class Sandbox:
    """One locked DuckDB instance that hands out a fresh database per script."""

    def __init__(self, limits: SandboxLimits = SandboxLimits()):
        self.limits = limits
        self.workdir = tempfile.mkdtemp(prefix="harness-sandbox-")
        self._conn: duckdb.DuckDBPyConnection | None = None
        self._watchdog = _Watchdog()
        self._creates: set[str] | None = None  # while a script database is open: what its statements may create
        # sql -> (last statement's type, what it may create, whether it keeps the tables and views)
        self._parsed: dict[str, tuple[str, frozenset[str], bool]] = {}

    def _instance(self) -> duckdb.DuckDBPyConnection:
        if self._conn is None:
            self._conn = duckdb.connect(
                ":memory:",
                config={
                    "enable_external_access": False,
                    "autoinstall_known_extensions": False,
                    "autoload_known_extensions": False,
                    "allow_community_extensions": False,
                    "memory_limit": self.limits.memory_limit,
                    "threads": self.limits.threads,
                    "temp_directory": self.workdir,
                    "lock_configuration": True,
                },
            )
        return self._conn

    @contextmanager
    def fresh(self, db_path: str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection whose current database (named `DATABASE`) is new: empty, or a private copy
        of `db_path`. One is open at a time.

        Args:
            db_path: A DuckDB file to copy into the sandbox's temp dir and open instead of an
                empty in-memory database. The original is never opened.

        Yields:
            A connection that is closed, and its database detached, on exit.
        """
        if self._creates is not None:
            raise RuntimeError("Sandbox.fresh is not reentrant: one script database at a time")
        conn = self._instance()
        self._creates = set()
        try:
            if db_path:
                copy = os.path.join(self.workdir, f"{DATABASE}.duckdb")
                shutil.copyfile(db_path, copy)
                conn.execute(f"ATTACH '{copy}' AS {DATABASE}")
            else:
                conn.execute(f"ATTACH ':memory:' AS {DATABASE}")
            cursor = conn.cursor()
            cursor.execute(f"USE {DATABASE}")
            try:
                yield cursor
            finally:
                cursor.close()
        finally:
            self._clean()
            self._creates = None

    def _clean(self) -> None:
        """Detach the script's database; rebuild the instance if the script left anything elsewhere.

        Any object outside the script's database would be readable by a later script through its
        qualified name (`memory.main.v`). Reading the catalog for every kind of object would often
        cost more than the script (listing macros scans all built-in functions), so `execute` notes
        which kinds of object the script's statements could have created, and only those are looked
        for; when none could create anything, nothing is looked for. A table or view created under
        an unqualified name is in the script's database (or its connection's temp catalog), unless a
        SET statement (USE, SET schema, SET search_path) moved the current schema. Statements a
        caller runs on the cursor itself, not through `execute`, must create nothing outside the
        script's database (the test-suite databases' own unqualified CREATE and INSERT statements).
        """
        conn = self._instance()
        kinds = self._creates - {"nothing", "path", "here"}
        if {"path", "here"} <= self._creates:  # an unqualified name may be in another database now
            kinds |= {"table", "view"}
        try:
            conn.execute(f"DETACH DATABASE IF EXISTS {DATABASE}")
            leftovers = "other" in kinds or (bool(kinds) and _leftovers(conn, "view" in kinds))
        except duckdb.Error:
            leftovers = True
        if leftovers:
            self.reset()
        for entry in os.listdir(self.workdir):
            path = os.path.join(self.workdir, entry)
            shutil.rmtree(path, ignore_errors=True) if os.path.isdir(path) else os.remove(path)

    def execute(self, cursor: duckdb.DuckDBPyConnection, sql: str, deadline: float) -> Output:
        """Run one statement, interrupted from a timer thread when `deadline` passes.

        Args:
            cursor: A connection from `fresh`.
            sql: Exactly one SQL statement in DuckDB's dialect.
            deadline: `time.monotonic()` value at which the statement is interrupted.

        Returns:
            The statement's type, result columns and rows.

        Raises:
            QueryTimeout: The deadline passed.
            ResultTooLarge: More than `limits.max_rows` rows came back.
            duckdb.Error: The statement failed (parse, bind or run time), or is text DuckDB cannot
                take (a lone surrogate, which UTF-8 cannot encode).
        """
        if deadline <= time.monotonic():
            raise QueryTimeout()
        if sql not in self._parsed:  # a gold or prediction runs on every database of its sample
            try:
                sql.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise duckdb.InvalidInputException(f"not valid text: {exc.reason} at character {exc.start}") from exc
            statements = cursor.extract_statements(sql)
            if len(self._parsed) > 4096:
                self._parsed.clear()
            self._parsed[sql] = (
                statements[-1].type.name if statements else "INVALID",
                frozenset(map(_creates, statements)),
                all(st.type.name in _KEEPS_CATALOG for st in statements),
            )
        statement_type, creates, keeps_catalog = self._parsed[sql]
        self._creates |= creates
        self._watchdog.arm(cursor, deadline)
        try:
            cursor.execute(sql)
            description = cursor.description
            columns = [d[0] for d in description] if description else None
            types = [str(d[1]) for d in description] if description else None
            rows = cursor.fetchmany(self.limits.max_rows + 1) if columns else []
        except duckdb.InterruptException as exc:
            raise QueryTimeout() from exc
        finally:
            self._watchdog.disarm()
        if time.monotonic() > deadline:
            raise QueryTimeout()
        if len(rows) > self.limits.max_rows:
            raise ResultTooLarge(f"more than {self.limits.max_rows} rows")
        return Output(statement_type, columns, rows, types, keeps_catalog)

    def reset(self) -> None:
        """Close the instance; the next script opens a new one."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def close(self) -> None:
        """Close the instance and delete the temp dir."""
        self.reset()
        shutil.rmtree(self.workdir, ignore_errors=True)


# Statement types after which a database holds the tables and views it held before.
_KEEPS_CATALOG = frozenset({"SELECT", "INSERT", "UPDATE", "DELETE", "MERGE_INTO"})
# Statement types that cannot create a catalog object or attach a database. Settings cannot
# leak: configuration is locked, and session settings and variables end with the connection
# (SET also moves the current schema: see "path").
_CREATE_NOTHING = frozenset({"SELECT", "INSERT", "UPDATE", "DELETE", "DROP", "TRANSACTION"})
# Statement types that create no catalog object, or only a database (seen by `_leftovers`).
_CREATE_DATABASE = frozenset({"ALTER", "ATTACH", "DETACH"})
# CREATE TABLE or VIEW of an unqualified name: created in the current schema.
_CREATE_HERE = re.compile(
    r'\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:TEMP|TEMPORARY)\s+)?(?:TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?'
    r'(?:"(?:[^"]|"")*"|[A-Za-z_][A-Za-z0-9_]*)\s*(?:\(|AS\s)',
    re.IGNORECASE,
)
# CREATE statements whose object `_leftovers` always looks for: a table, or an index (on a table).
_CREATE_TABLE = re.compile(r"\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:TEMP|TEMPORARY)\s+TABLE|TABLE|(?:UNIQUE\s+)?INDEX)\s", re.IGNORECASE)
_CREATE_VIEW = re.compile(r"\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:TEMP|TEMPORARY)\s+)?VIEW\s", re.IGNORECASE)
# EXPLAIN of a query, which only plans it (EXPLAIN ANALYZE runs its statement, a CREATE too)
_EXPLAIN_QUERY = re.compile(r"\s*EXPLAIN\s+(?:SELECT|WITH|FROM)\s", re.IGNORECASE)


def _creates(statement) -> str:
    """Which kind of leftover `statement` could leave: "nothing"; "here" (a table or view of an
    unqualified name: a leftover only after a "path"); "path" (a SET, which may move the current
    schema); "table" (a table, an index or a database: looked for); "view"; or "other" (a macro,
    sequence, type, schema, or any statement not recognised here), for which the instance is
    rebuilt without looking. Anything the text does not plainly name, a leading comment included,
    counts as "other"."""
    kind = statement.type.name
    if kind in _CREATE_NOTHING or (kind == "EXPLAIN" and _EXPLAIN_QUERY.match(statement.query)):
        return "nothing"
    if kind == "SET":
        return "path"
    if kind == "CREATE" and _CREATE_HERE.match(statement.query):
        return "here"
    if kind in _CREATE_DATABASE or (kind == "CREATE" and _CREATE_TABLE.match(statement.query)):
        return "table"
    if kind == "CREATE" and _CREATE_VIEW.match(statement.query):
        return "view"
    return "other"


def _leftovers(conn: duckdb.DuckDBPyConnection, views: bool) -> bool:
    """Whether a database other than the default one is attached, or any table (or, if `views`,
    any view) exists, once the script's database is detached (the instance itself creates none).

    The catalog is read unfiltered and filtered in Python, which is cheaper than a filtered
    query in DuckDB; this runs after every script.
    """
    databases = conn.execute("SELECT database_name, internal FROM duckdb_databases()").fetchall()
    if any(not internal and name != "memory" for name, internal in databases):
        return True
    if views and any(not internal for (internal,) in conn.execute("SELECT internal FROM duckdb_views()").fetchall()):
        return True
    return bool(conn.execute("SELECT database_name FROM duckdb_tables()").fetchall())
