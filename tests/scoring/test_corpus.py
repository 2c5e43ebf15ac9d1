"""The judge regression corpus (tests/scoring/corpus/): every pair is scored again and must keep
the verdict frozen when the corpus was last regenerated. A failure lists every pair that moved.

A deliberate change to scoring regenerates the corpus (`python tests/scoring/corpus/regenerate.py`)
and names the verdicts that moved in its commit message.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent / "corpus"
if str(CORPUS) not in sys.path:
    sys.path.insert(0, str(CORPUS))

import handwritten
import judge_corpus as jc
from alterations import REAL_SOURCES

# every reason code the scorer gives for a pair it could score (harness_error, a crashed job, and
# the test suite's worker-stall reasons cannot be provoked by a pair alone)
REASONS = {"match", "match_empty", "row_mismatch", "column_mismatch", "order_mismatch", "state_mismatch", "extra_result",
           "no_result", "pred_parse_error", "pred_exec_error", "timeout", "empty_prediction", "gold_error", "context_error",
           "gold_nondeterministic"}
SUITE_REASONS = {"match", "row_mismatch", "order_mismatch", "state_mismatch", "pred_exec_error", "no_suite_database"}


def _check(name: str, pairs: list[dict]) -> None:
    moved = jc.moved(pairs, jc.score(pairs))
    if moved:
        lines = [f"  {pair_id}: {field}: expected {expected!r}, got {got!r}" for pair_id, field, expected, got in moved]
        pytest.fail(
            f"{len({m[0] for m in moved})} of {len(pairs)} {name} pairs changed verdict ({len(moved)} fields):\n"
            + "\n".join(lines)
            + "\nIf the change is intended: python tests/scoring/corpus/regenerate.py, and name the moved verdicts "
            "in the commit message.",
            pytrace=False,
        )


def test_sample_task_pairs_keep_their_verdicts():
    _check("sample", jc.read_jsonl(jc.FILES["sample"]))


def test_handwritten_pairs_keep_their_verdicts():
    _check("handwritten", jc.read_jsonl(jc.FILES["handwritten"]))


def test_real_pairs_keep_their_verdicts(shared_data):
    refs = [r for r in jc.read_jsonl(jc.FILES["real"]) if (shared_data / REAL_SOURCES[r["source"]]).is_file()]
    if not refs:
        pytest.skip("none of the real data files of the corpus is in ../shared/data")
    _check("real", jc.rebuild_real(shared_data, refs))


def test_handwritten_jsonl_is_up_to_date():
    """handwritten.jsonl holds exactly the pairs of handwritten.py (else: regenerate)."""
    committed = [{k: v for k, v in p.items() if k != "expected"} for p in jc.read_jsonl(jc.FILES["handwritten"])]
    assert committed == handwritten.PAIRS, "handwritten.py changed: run python tests/scoring/corpus/regenerate.py"


def test_corpus_shape():
    """Ids are unique, real pairs are references only, and every reason code is covered."""
    pairs = {name: jc.read_jsonl(path) for name, path in jc.FILES.items()}
    ids = [p["id"] for rows in pairs.values() for p in rows]
    assert len(ids) == len(set(ids))
    assert all(set(p) <= {"id", "source", "row", "alteration", "other", "expected"} for p in pairs["real"])
    assert all(set(p["expected"]) == set(jc.FIELDS) for rows in pairs.values() for p in rows)
    own = pairs["sample"] + pairs["handwritten"]
    assert REASONS <= {p["expected"]["reason"] for p in own}
    assert SUITE_REASONS <= {p["expected"]["test_suite_reason"] for p in own}
    assert {"transpiled:mysql", "transpiled:postgres"} <= {p["expected"]["gold_dialect"] for p in own}
