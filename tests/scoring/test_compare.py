"""Result and state comparison: bags, tolerance, NULLs, column matching, tie-aware order."""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from decimal import Decimal

from harness.scoring.compare import OrderSpec, compare_results, compare_states
from harness.scoring.execution import Table
from harness.scoring.ordering import order_spec


def test_bag_semantics_count_duplicates():
    assert compare_results([(1,), (1,), (2,)], [(1,), (2,), (1,)]).match
    assert compare_results([(1,), (1,), (2,)], [(1,), (2,), (2,)]).reason == "row_mismatch"
    assert compare_results([(1,), (2,)], [(1,), (2,), (2,)]).reason == "row_mismatch"


def test_numbers_by_value_across_types_with_tolerance():
    assert compare_results([(3, Decimal("2.50"), 0.1 + 0.2)], [(3.0, 2.5, Decimal("0.3"))]).match
    assert not compare_results([(4750.083333,)], [(4750.08,)]).match
    assert not compare_results([(None,)], [(0,)]).match
    assert compare_results([(None, "a")], [(None, "a")]).match


def test_strings_exact_and_dates_as_iso():
    assert not compare_results([("Open",)], [("open",)]).match
    assert not compare_results([("a ",)], [("a",)]).match
    assert compare_results([(dt.date(2021, 1, 1),)], [(dt.datetime(2021, 1, 1),)]).match
    assert compare_results([(dt.date(2021, 1, 1),)], [("2021-01-01",)]).match


def test_differing_rows_are_kept_as_json_values():
    verdict = compare_results([(Decimal("2.50"), dt.date(2021, 1, 1), None)], [(Decimal("3.1"), dt.date(2021, 1, 2), True)])
    assert not verdict.match
    assert json.loads(json.dumps(verdict.detail))["only_gold"] == [["2.50", "2021-01-01", None]]
    assert verdict.detail["only_pred"] == [["3.1", "2021-01-02", True]]


def test_columns_matched_regardless_of_order_and_names():
    gold = [(1, "a", 2.0), (2, "b", 3.0)]
    assert compare_results(gold, [(2.0, 1, "a"), (3.0, 2, "b")]).match
    assert compare_results([(1, 2), (2, 1)], [(2, 1), (1, 2)]).match
    assert not compare_results([(1, 1), (2, 2)], [(1, 2), (2, 1)]).match
    assert compare_results(gold, [(1, "a"), (2, "b")]).reason == "column_mismatch"
    assert compare_results([], [], widths=(1, 2)).reason == "column_mismatch"
    assert compare_results([], [], widths=(2, 2)).reason == "match_empty"


def test_forty_columns_compare_fast():
    rng = random.Random(0)
    rows = [tuple(rng.choice([rng.randint(0, 3), rng.random(), None, "s"]) for _ in range(40)) for _ in range(1000)]
    perm = list(range(40))
    rng.shuffle(perm)
    start = time.perf_counter()
    verdict = compare_results(rows, [tuple(r[j] for j in perm) for r in rows])
    assert verdict.match and time.perf_counter() - start < 0.5
    identical = [tuple(range(40))] * 200  # every column alike in shape: no permutation search
    start = time.perf_counter()
    assert compare_results(identical, [tuple(reversed(r)) for r in identical]).match
    assert time.perf_counter() - start < 0.5


def test_order_tie_aware():
    by_first = OrderSpec(keys=(0,))
    assert compare_results([(3, "a"), (2, "b"), (2, "c")], [(3, "a"), (2, "c"), (2, "b")], by_first).match
    assert compare_results([(3, "a"), (2, "b")], [(2, "b"), (3, "a")], by_first).reason == "order_mismatch"
    limited = OrderSpec(keys=(0,), limited=True)
    assert compare_results([(3, "a"), (2, "b")], [(3, "a"), (2, "c")], limited).match
    assert not compare_results([(3, "a"), (2, "b")], [(3, "a"), (1, "c")], limited).match
    unknown = OrderSpec(keys=(), complete=False)
    assert not compare_results([("a",), ("b",)], [("b",), ("a",)], unknown).match


def test_order_spec_is_top_level_only():
    assert order_spec("SELECT a FROM (SELECT a FROM t ORDER BY a) s", ["a"]) is None
    assert order_spec("SELECT a, row_number() OVER (ORDER BY b) FROM t", ["a", "r"]) is None
    assert order_spec("SELECT a, b AS x FROM t ORDER BY x DESC LIMIT 3", ["a", "x"]) == OrderSpec((1,), True, True)
    assert order_spec("SELECT a FROM t ORDER BY b", ["a"]) == OrderSpec((), False, False)
    assert order_spec("SELECT 'order by' AS a FROM t", ["a"]) is None


def test_state_comparison():
    gold = {"t": Table("table", {"a": "INTEGER", "b": "VARCHAR"}, [(1, "x"), (2, "y")])}
    assert compare_states(gold, {"t": Table("table", {"b": "VARCHAR", "a": "INTEGER"}, [("y", 2), ("x", 1)])}).match
    assert not compare_states(gold, {"t": Table("table", {"a": "BIGINT", "b": "VARCHAR"}, [(1, "x"), (2, "y")])}).match
    assert not compare_states(gold, {"t": Table("table", {"a": "INTEGER", "b": "VARCHAR"}, [(1, "x")])}).match
    assert not compare_states(gold, {**gold, "u": Table("view", {}, [])}).match


def test_nan_beside_numbers_in_one_column():
    # a NaN once sorted against the column's numbers and raised, failing every prediction of the sample
    gold = [(1.0, "a"), (float("nan"), "b"), (2, "c")]
    assert compare_results(gold, [("c", 2), ("b", float("nan")), ("a", 1)]).match
    assert not compare_results(gold, [("c", 2), ("b", 3.0), ("a", 1)]).match
