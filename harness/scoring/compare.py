"""Pure comparison of query results and database states, as the design's execution match defines it.

Rows are bags (duplicates count). Columns are matched regardless of order and name, without
trying permutations: each column gets a signature (the sorted multiset of its values), equal
signatures pair up, columns that still tie are told apart by their values next to the already
paired columns, and the whole pairing is then verified row by row. Numbers compare by value
across integer, decimal and float types with a small relative tolerance, NULL equals NULL,
strings compare exactly, and dates/times compare as their ISO text.
"""

from __future__ import annotations

import datetime as dt
import math
import struct
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

REL_TOL = 1e-9
ABS_TOL = 1e-12
SHOW_ROWS = 5
# Floats are rounded to 32 mantissa bits (about 1e-10 relative) for hashing and sorting.
_FLOAT, _INT = struct.Struct("<d"), struct.Struct("<q")
_HALF, _MASK = 1 << 19, ~((1 << 20) - 1)


@dataclass(frozen=True)
class OrderSpec:
    """How gold's last statement orders its rows.

    Attributes:
        keys: Gold result column index of each ORDER BY key that is an output column, in order.
        complete: Every ORDER BY key is an output column, so ties can be recognised.
        limited: The statement also has a LIMIT, so which tied rows make the cut may differ.
    """

    keys: tuple[int, ...] = ()
    complete: bool = True
    limited: bool = False


@dataclass
class Verdict:
    """Outcome of a comparison: match or not, a reason code, and the first differences."""

    match: bool
    reason: str
    detail: dict = field(default_factory=dict)


def norm(value):
    """A value in comparable form: (kind, payload) with numbers as floats and times as ISO text."""
    if value is None:
        return (0, None)
    if isinstance(value, bool):
        return (1, value)
    if isinstance(value, (int, float, Decimal)):
        number = float(value)
        return (9, "nan") if math.isnan(number) else (2, number)  # NaN: a kind of its own, so kind 2 sorts
    if isinstance(value, str):
        return (3, value)
    if isinstance(value, dt.datetime):  # midnight without zone = the date (DATE vs TIMESTAMP arithmetic)
        midnight = value.time() == dt.time(0) and value.tzinfo is None
        return (3, value.date().isoformat() if midnight else value.isoformat(sep=" "))
    if isinstance(value, (dt.date, dt.time)):
        return (3, value.isoformat())
    if isinstance(value, dt.timedelta):
        return (4, value.total_seconds())
    if isinstance(value, (bytes, bytearray, memoryview)):
        return (5, bytes(value).hex())
    if isinstance(value, (list, tuple)):
        return (6, tuple(norm(v) for v in value))
    if isinstance(value, dict):
        return (7, tuple(sorted((str(k), norm(v)) for k, v in value.items())))
    return (8, str(value))


def _coarse(value):
    """A normalised value with floats rounded, for hashing and sorting (verified with tolerance later)."""
    kind, payload = value
    if kind == 2 and isinstance(payload, float):
        if payload == 0 or not math.isfinite(payload):
            return (2, abs(payload))
        bits = _INT.unpack(_FLOAT.pack(payload))[0]
        return (2, _FLOAT.unpack(_INT.pack((bits + _HALF) & _MASK))[0])
    if kind in (6, 7):
        return (kind, tuple(_coarse(v) if kind == 6 else (v[0], _coarse(v[1])) for v in payload))
    return value


def close(a, b, rel_tol: float = REL_TOL) -> bool:
    """Whether two normalised values are equal (numbers within tolerance)."""
    if a[0] != b[0]:
        return False
    if a[0] == 2 and isinstance(a[1], float) and isinstance(b[1], float):
        return math.isclose(a[1], b[1], rel_tol=rel_tol, abs_tol=ABS_TOL)
    if a[0] == 6:
        return len(a[1]) == len(b[1]) and all(close(x, y, rel_tol) for x, y in zip(a[1], b[1]))
    if a[0] == 7:
        return len(a[1]) == len(b[1]) and all(
            x[0] == y[0] and close(x[1], y[1], rel_tol) for x, y in zip(a[1], b[1])
        )
    return a == b


def _rows_close(a: list[tuple], b: list[tuple], rel_tol: float) -> bool:
    return len(a) == len(b) and all(len(x) == len(y) and all(close(u, v, rel_tol) for u, v in zip(x, y)) for x, y in zip(a, b))


def bag_equal(a: list[tuple], b: list[tuple], rel_tol: float = REL_TOL) -> bool:
    """Whether two lists of normalised rows hold the same rows the same number of times."""
    if len(a) != len(b):
        return False
    ka, kb = [tuple(map(_coarse, r)) for r in a], [tuple(map(_coarse, r)) for r in b]
    if Counter(ka) == Counter(kb):
        return True
    sa = [r for _, r in sorted(zip(ka, a), key=lambda p: p[0])]
    sb = [r for _, r in sorted(zip(kb, b), key=lambda p: p[0])]
    return _rows_close(sa, sb, rel_tol)


def match_columns(gold: list[tuple], pred: list[tuple], width: int, rel_tol: float = REL_TOL) -> list[int] | None:
    """Pair each gold column with a predicted column holding the same multiset of values.

    Args:
        gold: Normalised gold rows.
        pred: Normalised predicted rows (same row count and width).
        width: Number of columns.
        rel_tol: Numeric tolerance.

    Returns:
        `pairing[g]` = predicted column index for gold column g, or None when some gold column
        has no counterpart. The pairing is a candidate; `bag_equal` verifies it.
    """
    gold_cols = [[_coarse(r[i]) for r in gold] for i in range(width)]
    pred_cols = [[_coarse(r[i]) for r in pred] for i in range(width)]
    sig = lambda col: tuple(sorted(col))  # noqa: E731
    by_sig = defaultdict(list)
    for j, col in enumerate(pred_cols):
        by_sig[sig(col)].append(j)
    pairing: list[int | None] = [None] * width
    groups: dict[tuple, list[int]] = defaultdict(list)
    for i, col in enumerate(gold_cols):
        groups[sig(col)].append(i)
    free = set(range(width))
    unmatched = []
    for signature, golds in groups.items():
        preds = [j for j in by_sig.get(signature, []) if j in free]
        if len(preds) < len(golds):
            unmatched += golds[len(preds):]
            golds = golds[: len(preds)]
        for i, j in _split_ties(golds, preds[: len(golds)], gold_cols, pred_cols, groups, by_sig):
            pairing[i] = j
            free.discard(j)
    for i in unmatched:  # signatures that differ only by float rounding
        target = [(v,) for v in sorted((r[i] for r in gold), key=_coarse)]
        j = next((j for j in sorted(free) if _rows_close(target, [(v,) for v in sorted((r[j] for r in pred), key=_coarse)], rel_tol)), None)
        if j is None:
            return None
        pairing[i] = j
        free.discard(j)
    return pairing  # type: ignore[return-value]


def _split_ties(golds, preds, gold_cols, pred_cols, groups, by_sig):
    """Pair columns with equal signatures, using the uniquely signed columns as anchors."""
    if len(golds) <= 1:
        return list(zip(golds, preds))
    anchors = [(g[0], p[0]) for s, g in groups.items() if len(g) == 1 and len(by_sig.get(s, [])) == 1 for p in [by_sig[s]]]
    gold_anchor = list(zip(*(gold_cols[g] for g, _ in anchors))) or [()] * len(gold_cols[golds[0]])
    pred_anchor = list(zip(*(pred_cols[p] for _, p in anchors))) or [()] * len(pred_cols[preds[0]])
    refined = lambda anchor, col: tuple(sorted(zip(anchor, col)))  # noqa: E731
    waiting = defaultdict(list)
    for j in preds:
        waiting[refined(pred_anchor, pred_cols[j])].append(j)
    pairs, left = [], []
    for i in golds:
        bucket = waiting.get(refined(gold_anchor, gold_cols[i]))
        pairs.append((i, bucket.pop(0))) if bucket else left.append(i)
    rest = [j for bucket in waiting.values() for j in bucket]
    return pairs + list(zip(left, rest))


def compare_results(
    gold_rows: list[tuple],
    pred_rows: list[tuple],
    order: OrderSpec | None = None,
    rel_tol: float = REL_TOL,
    widths: tuple[int, int] | None = None,
) -> Verdict:
    """Execution-match comparison of two results (raw DuckDB rows).

    Args:
        gold_rows: Gold's last result.
        pred_rows: The prediction's last result.
        order: Gold's ORDER BY, or None when row order does not matter.
        rel_tol: Relative tolerance for numbers.
        widths: (gold, predicted) column counts, needed to tell empty results apart; taken
            from the rows when omitted.

    Returns:
        A verdict with reason match, match_empty, column_mismatch, row_mismatch or order_mismatch.
    """
    gold = [tuple(map(norm, r)) for r in gold_rows]
    pred = [tuple(map(norm, r)) for r in pred_rows]
    gold_width, pred_width = widths or (len(gold[0]) if gold else 0, len(pred[0]) if pred else 0)
    if gold_width != pred_width and (widths or (gold and pred)):
        return _differ("column_mismatch", gold_rows, pred_rows)
    if not gold and not pred:
        return Verdict(True, "match_empty")
    if len(gold) != len(pred):
        return _differ("row_mismatch", gold_rows, pred_rows)
    pairing = match_columns(gold, pred, gold_width, rel_tol)
    if pairing is None and order is not None and order.limited and order.complete and order.keys:
        cut = _last_tie_start(gold, order.keys, rel_tol)  # pair on the rows every correct answer shares
        pairing = match_columns(gold[:cut], pred[:cut], gold_width, rel_tol) if cut else list(range(gold_width))
    if pairing is None:
        return _differ("row_mismatch", gold_rows, pred_rows)
    pred = [tuple(r[j] for j in pairing) for r in pred]
    if order is None:
        return Verdict(True, "match") if bag_equal(gold, pred, rel_tol) else _differ("row_mismatch", gold_rows, pred_rows)
    return _compare_ordered(gold, pred, order, rel_tol, gold_rows, pred_rows)


def _compare_ordered(gold, pred, order: OrderSpec, rel_tol, gold_rows, pred_rows) -> Verdict:
    """Ordered comparison where rows tying on the ORDER BY keys may come in any order."""
    keys = order.keys if order.complete else ()
    key_of = lambda r: tuple(r[k] for k in keys)  # noqa: E731
    if not all(_rows_close([key_of(g)], [key_of(p)], rel_tol) for g, p in zip(gold, pred)):
        reason = "order_mismatch" if bag_equal(gold, pred, rel_tol) else "row_mismatch"
        return _differ(reason, gold_rows, pred_rows)
    if not keys:  # ties unknowable: positions must agree exactly
        if _rows_close(gold, pred, rel_tol):
            return Verdict(True, "match")
        return _differ("order_mismatch" if bag_equal(gold, pred, rel_tol) else "row_mismatch", gold_rows, pred_rows)
    if bag_equal(gold, pred, rel_tol):
        return Verdict(True, "match")
    if order.limited:  # the last tie group may be cut at a different tied row
        last = _last_tie_start(gold, keys, rel_tol)
        if bag_equal(gold[:last], pred[:last], rel_tol):
            return Verdict(True, "match")
    return _differ("row_mismatch", gold_rows, pred_rows)


def _last_tie_start(rows: list[tuple], keys: tuple[int, ...], rel_tol: float) -> int:
    """Index of the first row of the final run of rows that tie on `keys`."""
    key_of = lambda r: tuple(r[k] for k in keys)  # noqa: E731
    start = len(rows)
    while start > 0 and _rows_close([key_of(rows[start - 1])], [key_of(rows[-1])], rel_tol):
        start -= 1
    return start


def _shown(rows: list[tuple]) -> list[list]:
    """The first rows as JSON values: numbers, strings, booleans and nulls kept, anything else
    (Decimal, dates, intervals, blobs, lists) as its text."""
    return [[v if v is None or isinstance(v, (bool, int, float, str)) else str(v) for v in r] for r in rows[:SHOW_ROWS]]


def _differ(reason: str, gold_rows: list[tuple], pred_rows: list[tuple]) -> Verdict:
    """A non-match carrying the first rows each side has that the other lacks (truncated)."""
    gold_keys = Counter(tuple(map(lambda v: _coarse(norm(v)), r)) for r in gold_rows)
    pred_keys = Counter(tuple(map(lambda v: _coarse(norm(v)), r)) for r in pred_rows)
    only_gold = [r for r in gold_rows if gold_keys[k := tuple(_coarse(norm(v)) for v in r)] > pred_keys[k]]
    only_pred = [r for r in pred_rows if pred_keys[k := tuple(_coarse(norm(v)) for v in r)] > gold_keys[k]]
    detail = {
        "gold_rows": len(gold_rows),
        "pred_rows": len(pred_rows),
        "gold_first": _shown(gold_rows),
        "pred_first": _shown(pred_rows),
        "only_gold": _shown(only_gold),
        "only_pred": _shown(only_pred),
    }
    return Verdict(False, reason, detail)


def compare_states(gold: dict, pred: dict, rel_tol: float = REL_TOL) -> Verdict:
    """Whether two final database states hold the same tables/views, columns, types and contents.

    Args:
        gold: Name -> `harness.scoring.execution.Table` after the gold script.
        pred: The same after the predicted script.
        rel_tol: Relative tolerance for numbers.

    Returns:
        A verdict with reason match or state_mismatch (detail names the first differing object).
    """
    if set(gold) != set(pred):
        return Verdict(False, "state_mismatch", {"only_gold": sorted(set(gold) - set(pred)), "only_pred": sorted(set(pred) - set(gold))})
    for name in sorted(gold):
        g, p = gold[name], pred[name]
        if g.kind != p.kind or g.columns != p.columns:
            return Verdict(False, "state_mismatch", {"object": name, "gold_columns": g.columns, "pred_columns": p.columns})
        index = [list(p.columns).index(c) for c in g.columns]
        pred_rows = [tuple(norm(r[i]) for i in index) for r in p.rows]
        if not bag_equal([tuple(map(norm, r)) for r in g.rows], pred_rows, rel_tol):
            detail = _differ("state_mismatch", g.rows, [tuple(r[i] for i in index) for r in p.rows]).detail
            return Verdict(False, "state_mismatch", {"object": name, **detail})
    return Verdict(True, "match")
