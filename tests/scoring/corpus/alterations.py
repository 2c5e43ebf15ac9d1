"""Deterministic alterations of a gold query, shared by `regenerate.py` and `tests/scoring/test_corpus.py`.

Each alteration maps a gold's text to a prediction's text; the text outside string literals and
quoted identifiers is the only part touched, and only the first occurrence of what it looks for
is changed. An alteration that finds nothing to change returns the gold unchanged, and such pairs
are left out of the corpus. `other_gold` takes another row's gold as the prediction.

Changing any function here changes the pairs built from the real data (which are committed as
references, rebuilt at test time): regenerate the corpus afterwards.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

_QUOTED = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"", re.DOTALL)
_NUMBER = re.compile(r"(?<![\w.])(\d+)(\.\d+)?(?![\w.])")
_DATE = re.compile(r"^(\d{4})(-\d{2}-\d{2}.*)$", re.DOTALL)


def _quoted_spans(sql: str) -> list[tuple[int, int]]:
    return [m.span() for m in _QUOTED.finditer(sql)]


def _in_code(spans: list[tuple[int, int]], i: int) -> bool:
    return not any(a <= i < b for a, b in spans)


def _first_in_code(sql: str, pattern: str, after: int = 0) -> re.Match | None:
    """The first match of `pattern` (case-insensitive) outside quotes, at or after `after`."""
    spans = _quoted_spans(sql)
    return next((m for m in re.finditer(pattern, sql, re.IGNORECASE) if m.start() >= after and _in_code(spans, m.start())), None)


def _replace(sql: str, match: re.Match | None, text: str) -> str:
    return sql if match is None else sql[: match.start()] + text + sql[match.end():]


def _after_where(sql: str) -> int:
    """Offset just after the first WHERE keyword outside quotes, or 0 when there is none."""
    where = _first_in_code(sql, r"\bWHERE\b")
    return where.end() if where else 0


def identity(gold: str) -> str:
    """The gold itself."""
    return gold


def gt_to_ge(gold: str) -> str:
    """The first `>` comparison becomes `>=`."""
    return _replace(gold, _first_in_code(gold, r"(?<![<>=!-])>(?![=>])"), ">=")


def eq_to_ne(gold: str) -> str:
    """The first `=` comparison after WHERE (else the first anywhere) becomes `<>`."""
    pattern = r"(?<![<>=!:])=(?![=>])"
    match = _first_in_code(gold, pattern, _after_where(gold)) or _first_in_code(gold, pattern)
    return _replace(gold, match, "<>")


def desc_to_asc(gold: str) -> str:
    """The first DESC becomes ASC."""
    return _replace(gold, _first_in_code(gold, r"\bDESC\b"), "ASC")


def add_distinct(gold: str) -> str:
    """The first SELECT not already followed by DISTINCT becomes SELECT DISTINCT."""
    return _replace(gold, _first_in_code(gold, r"\bSELECT\b(?!\s+DISTINCT\b)"), "SELECT DISTINCT")


def where_literal(gold: str) -> str:
    """The first literal after WHERE changes: a number n becomes n + 1, a date-like string moves
    a year on, any other string gets `_x` appended. No WHERE: unchanged."""
    start = _after_where(gold)
    if not start:
        return gold
    string = next((m for m in _QUOTED.finditer(gold) if m.start() >= start and m.group(0).startswith("'")), None)
    number = _first_in_code(gold, _NUMBER.pattern, start)
    if number and (string is None or number.start() < string.start()):
        whole, fraction = number.group(1), number.group(2) or ""
        return _replace(gold, number, f"{int(whole) + 1}{fraction}")
    if string is None:
        return gold
    text = string.group(0)[1:-1]
    date = _DATE.match(text)
    changed = f"{int(date.group(1)) + 1:04d}{date.group(2)}" if date else f"{text}_x"
    return _replace(gold, string, f"'{changed}'")


ALTERATIONS = {
    f.__name__: f for f in (identity, gt_to_ge, eq_to_ne, desc_to_asc, add_distinct, where_literal)
}
# `other_gold` is not a text alteration: the prediction is the gold of the row named by `other`.
OTHER_GOLD = "other_gold"


def alter(name: str, gold: str, other: str | None = None) -> str:
    """The prediction that alteration `name` makes of `gold` (`other`: the other row's gold, for other_gold)."""
    if name == OTHER_GOLD:
        if other is None:
            raise ValueError("other_gold needs the other row's gold")
        return other
    return ALTERATIONS[name](gold)


# --- the real data in ../shared/data: read in place, never copied into the repo --------------------

REAL_SOURCES = {
    "gretel-test-dev": "gretel-test-dev/gretel_test_dev.jsonl",
    "gretel-sample": "gretel-sample/text_to_sql.csv",
}


def read_real(shared: Path, source: str) -> dict[str, dict]:
    """Rows of one shared data file by their id (as text), in file order."""
    path = Path(shared) / REAL_SOURCES[source]
    if path.suffix == ".csv":
        with path.open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    else:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {str(row["id"]): row for row in rows}


def real_item(rows: dict[str, dict], ref: dict) -> dict:
    """The item (id, sql_context, sql, prediction) that a committed reference names."""
    row = rows[ref["row"]]
    other = rows[ref["other"]]["sql"] if ref.get("other") else None
    return {"id": ref["id"], "sql_context": row["sql_context"], "sql": row["sql"],
            "prediction": alter(ref["alteration"], row["sql"], other)}
