"""The DuckDB-NSQL evaluation format: `dev.json`, `tables.json`, `databases/<db_id>/<db_id>.duckdb`.

Each question runs on a fresh copy of its real database (the sample's `db_path`) after its
`setup_sql`. The prompt's schema is rendered from the database itself (its CREATE TABLE and
CREATE VIEW statements), so it always matches what the SQL runs against.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from harness.errors import HarnessInputError
from harness.data.samples import Sample

NSQL_FIELDS = ("db_id", "question", "query", "category")


def load_nsql(directory: Path) -> list[Sample]:
    """All questions of a DuckDB-NSQL directory as samples (ids `nsql-000`, ... by position)."""
    dev = directory / "dev.json"
    if not dev.is_file():
        raise HarnessInputError(f"{dev}: no such file (pass the DuckDB-NSQL directory with --data DIR)")
    if not (directory / "tables.json").is_file():
        raise HarnessInputError(f"{directory / 'tables.json'}: no such file")
    try:
        rows = json.loads(dev.read_text())
    except json.JSONDecodeError as e:
        raise HarnessInputError(f"{dev}: not valid JSON: {e}") from e
    if not isinstance(rows, list) or not rows:
        raise HarnessInputError(f"{dev}: expected a non-empty JSON list of questions")
    samples = []
    for n, row in enumerate(rows):
        for name in NSQL_FIELDS:
            if not isinstance(row.get(name), str):
                raise HarnessInputError(f"{dev}: item {n}: missing field {name!r}")
        db = directory / "databases" / row["db_id"] / f"{row['db_id']}.duckdb"
        if not db.is_file():
            raise HarnessInputError(f"{dev}: item {n}: database {db} not found")
        setup = (row.get("setup_sql") or "").strip()
        samples.append(
            Sample(
                id=f"nsql-{n:03d}",
                sql_prompt=row["question"],
                sql_context=schema_context(str(db)),
                sql=row["query"],
                domain=row["db_id"],
                sql_complexity=row["category"],
                db_path=str(db),
                setup_sql=setup if setup.strip("; \n") else None,
            )
        )
    return samples


@cache
def schema_context(db_path: str) -> str:
    """CREATE statements of every table and view in a DuckDB file, opened read-only."""
    import duckdb

    con = duckdb.connect(db_path, read_only=True)
    try:
        statements = con.execute(
            "SELECT sql FROM duckdb_tables() WHERE NOT internal "
            "UNION ALL SELECT sql FROM duckdb_views() WHERE NOT internal ORDER BY 1"
        ).fetchall()
    finally:
        con.close()
    return "\n".join(s.strip() for (s,) in statements if s)
