"""Reading, building and scoring the judge regression corpus; shared by `regenerate.py` and the test.

Three files hold the pairs, one JSON object a line, each with its `expected` verdict:

- `sample.jsonl`: pairs built from the `sample` task's test split, self-contained.
- `handwritten.jsonl`: the pairs of `handwritten.py`, self-contained.
- `real.jsonl`: references only (`source`, `row`, `alteration`, `other`) into ../shared/data; the
  pair is rebuilt from the shared file at test time (`alterations.real_item`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from alterations import read_real, real_item

FILES = {name: HERE / f"{name}.jsonl" for name in ("sample", "handwritten", "real")}
# the verdict fields the corpus freezes (the dialect paths show which fallback ran)
FIELDS = ("exact_match", "ast_match", "execution_match", "test_suite_match", "reason", "test_suite_reason",
          "gold_dialect", "pred_dialect")
# ScoreConfig of every pair, unless the pair's own `config` changes a field
BASE_CONFIG = {"test_suite_k": 5, "seed": 0, "workers": 2}
ITEM_KEYS = ("id", "sql_context", "sql", "prediction")


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n" for row in rows), encoding="utf-8")


def item_of(pair: dict) -> dict:
    """What the scorer is given for a pair (its id, context, gold and prediction)."""
    return {k: pair[k] for k in ITEM_KEYS}


def rebuild_real(shared: Path, refs: list[dict]) -> list[dict]:
    """The pairs that the references of `real.jsonl` name, built from the shared data files."""
    rows = {}
    pairs = []
    for ref in refs:
        if ref["source"] not in rows:
            rows[ref["source"]] = read_real(shared, ref["source"])
        pairs.append({**ref, **real_item(rows[ref["source"]], ref)})
    return pairs


def verdict(record: dict) -> dict:
    """The fields of a scorer record that the corpus freezes."""
    dialect = record.get("dialect") or {}
    out = {k: record.get(k) for k in FIELDS[:6]}
    out["gold_dialect"] = dialect.get("gold")
    out["pred_dialect"] = dialect.get("prediction")
    return out


def score(pairs: list[dict]) -> list[dict]:
    """The verdict of every pair, in order: one `score_all` per distinct config."""
    from harness.scoring.scorer import ScoreConfig, score_all

    groups: dict[str, list[int]] = {}
    for i, pair in enumerate(pairs):
        groups.setdefault(json.dumps(pair.get("config") or {}, sort_keys=True), []).append(i)
    out: list[dict | None] = [None] * len(pairs)
    for key, indices in groups.items():
        config = ScoreConfig(**{**BASE_CONFIG, **json.loads(key)})
        records = score_all([item_of(pairs[i]) for i in indices], config, progress=False)
        for i, record in zip(indices, records):
            out[i] = verdict(record)
    return out  # type: ignore[return-value]


def moved(pairs: list[dict], verdicts: list[dict]) -> list[tuple[str, str, object, object]]:
    """(id, field, expected, got) for every frozen field whose verdict moved."""
    return [(pair["id"], k, pair["expected"].get(k), got.get(k))
            for pair, got in zip(pairs, verdicts) for k in FIELDS if pair["expected"].get(k) != got.get(k)]
