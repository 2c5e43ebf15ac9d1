"""The sample record every stage shares: the gretel fields plus an optional real database."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

# Sample fields that results are broken down by.
BREAKDOWN_FIELDS = ("sql_complexity", "sql_task_type", "domain")


@dataclass(frozen=True)
class Sample:
    """One text-to-SQL sample.

    Attributes:
        id: Stable identifier, unique within a task; predictions are joined to samples by it.
        sql_prompt: The natural-language question.
        sql_context: CREATE TABLE / INSERT statements (the schema shown in the prompt).
        sql: The gold SQL.
        domain: Subject area, for breakdowns.
        sql_complexity: Gretel complexity class (basic SQL, aggregation, single join, ...).
        sql_task_type: Gretel task type (analytics and reporting, data manipulation, ...).
        sql_explanation: Free-text explanation of the gold, when the dataset has one.
        db_path: A real DuckDB file that scripts run against (on a fresh copy) instead of
            building the database from `sql_context`.
        setup_sql: Statements run on the database before gold or prediction.
    """

    id: str
    sql_prompt: str
    sql_context: str
    sql: str
    domain: str | None = None
    sql_complexity: str | None = None
    sql_task_type: str | None = None
    sql_explanation: str | None = None
    db_path: str | None = None
    setup_sql: str | None = None

    def to_dict(self) -> dict:
        """The sample as a JSON-ready dict, leaving out empty optional fields."""
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_dict(cls, row: dict) -> Sample:
        """Build a sample from a dict, ignoring keys that are not sample fields."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: (str(v) if v is not None else None) for k, v in row.items() if k in known})
