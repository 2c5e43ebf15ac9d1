"""Write the judge regression corpus's expected verdicts with the current scorer.

    python tests/scoring/corpus/regenerate.py              # re-score the committed pairs
    python tests/scoring/corpus/regenerate.py --reselect   # pick the pairs again, then score them

Without --reselect the pairs stay as committed (sample.jsonl's inputs, real.jsonl's references,
handwritten.py) and only their `expected` verdicts are rewritten, so `git diff` shows exactly the
verdicts that moved. --reselect picks the sample-task and real-data pairs again from their
sources (the `sample` task's test split; ../shared/data).

Every pair is scored twice, in fresh worker processes each time; a pair whose verdict differs
between the two is left out and named. Real-data pairs need ../shared/data; without it real.jsonl
is left as it is.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import judge_corpus as jc
from alterations import OTHER_GOLD, REAL_SOURCES, alter, read_real

SHARED = HERE.parents[3] / "shared" / "data"
SAMPLE_PICKS = 40
SAMPLE_ALTERATIONS = ("identity", "gt_to_ge", "eq_to_ne", "desc_to_asc", "add_distinct", OTHER_GOLD, "where_literal")
# each real row gets identity and the first of these, from a rotating start, that changes its gold
REAL_ROTATION = ("gt_to_ge", "eq_to_ne", "desc_to_asc", "add_distinct", "where_literal", OTHER_GOLD)
REAL_STRIDE = {"gretel-sample": 1, "gretel-test-dev": 3}


def _tables(context: str) -> tuple[str, ...]:
    return tuple(sorted(t.lower() for t in re.findall(r"CREATE\s+TABLE\s+(\w+)", context, re.IGNORECASE)))


def select_sample() -> list[dict]:
    """Pairs from ~40 test samples of the `sample` task, spread over sql_complexity x sql_task_type."""
    from harness.data.tasks import load_task

    test = load_task("sample").split("test")
    groups = defaultdict(list)
    for sample in test:
        groups[(sample.sql_complexity, sample.sql_task_type)].append(sample)
    picks = []
    for round_ in range(3):  # the first, a third and two thirds of the way through each group
        for key in sorted(groups):
            pick = groups[key][round_ * len(groups[key]) // 3]
            if len(picks) < SAMPLE_PICKS and pick not in picks:
                picks.append(pick)
    pairs = []
    for n, sample in enumerate(test_order := sorted(picks, key=lambda s: s.id)):
        # another gold over the same tables: the next test sample of the same domain and table set
        start = test.index(sample)
        other = next((o for o in test[start + 1:] + test[:start]
                      if o.domain == sample.domain and _tables(o.sql_context) == _tables(sample.sql_context)
                      and o.sql.strip() != sample.sql.strip()), test_order[(n + 1) % len(test_order)])
        for name in SAMPLE_ALTERATIONS:
            prediction = alter(name, sample.sql, other.sql)
            if name != "identity" and prediction.strip() == sample.sql.strip():
                continue
            pair = {"id": f"{sample.id}/{name}", "sample": sample.id, "alteration": name}
            if name == OTHER_GOLD:
                pair["other"] = other.id
            pairs.append({**pair, "sql_complexity": sample.sql_complexity, "sql_task_type": sample.sql_task_type,
                          "sql_context": sample.sql_context, "sql": sample.sql, "prediction": prediction})
    return pairs


def select_real(shared: Path) -> list[dict]:
    """References into the shared real data: identity and one rotating alteration per chosen row."""
    refs = []
    for source in REAL_SOURCES:
        rows = read_real(shared, source)
        ids = list(rows)
        for i in range(0, len(ids), REAL_STRIDE[source]):
            row = ids[i]
            gold, other = rows[row]["sql"], ids[(i + 1) % len(ids)]
            refs.append({"id": f"{source}/{row}/identity", "source": source, "row": row, "alteration": "identity"})
            n = i // REAL_STRIDE[source]
            for name in REAL_ROTATION[n % len(REAL_ROTATION):] + REAL_ROTATION[:n % len(REAL_ROTATION)]:
                if alter(name, gold, rows[other]["sql"]).strip() != gold.strip():
                    ref = {"id": f"{source}/{row}/{name}", "source": source, "row": row, "alteration": name}
                    if name == OTHER_GOLD:
                        ref["other"] = other
                    refs.append(ref)
                    break
    return refs


def _stable(name: str, pairs: list[dict]) -> tuple[list[dict], list[dict]]:
    """(pairs, their verdicts) scored twice, less those whose verdicts differ between the two."""
    first, second = jc.score(pairs), jc.score(pairs)
    kept, verdicts = [], []
    for pair, a, b in zip(pairs, first, second):
        if a != b:
            print(f"{name}: left out {pair['id']}: unstable verdict {a} / {b}")
            continue
        kept.append(pair)
        verdicts.append(a)
    return kept, verdicts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reselect", action="store_true", help="pick the sample-task and real-data pairs again")
    parser.add_argument("--shared", type=Path, default=SHARED, help="the shared data folder (default: ../shared/data)")
    args = parser.parse_args()

    import handwritten

    sources = {"handwritten": [dict(p) for p in handwritten.PAIRS]}
    if args.reselect or not jc.FILES["sample"].exists():
        sources["sample"] = select_sample()
    else:
        sources["sample"] = [{k: v for k, v in p.items() if k != "expected"} for p in jc.read_jsonl(jc.FILES["sample"])]
    real_refs = None
    if args.shared.is_dir():
        if args.reselect or not jc.FILES["real"].exists():
            real_refs = select_real(args.shared)
        else:
            real_refs = [{k: v for k, v in p.items() if k != "expected"} for p in jc.read_jsonl(jc.FILES["real"])]
        sources["real"] = jc.rebuild_real(args.shared, real_refs)
    else:
        print(f"{args.shared} not present: real.jsonl left as it is")

    for name, pairs in sources.items():
        ids = [p["id"] for p in pairs]
        assert len(ids) == len(set(ids)), f"{name}: duplicate ids"
        kept, verdicts = _stable(name, pairs)
        if name == "real":  # references only: the shared data never enters the repo
            by_id = {r["id"]: r for r in real_refs}
            rows = [{**by_id[p["id"]], "expected": v} for p, v in zip(kept, verdicts)]
        else:
            rows = [{**p, "expected": v} for p, v in zip(kept, verdicts)]
        jc.write_jsonl(jc.FILES[name], rows)
        print(f"{name}: wrote {len(rows)} pairs to {jc.FILES[name].relative_to(HERE.parents[2])}")
    return 0


if __name__ == "__main__":  # scoring workers are spawned: they import this file again
    sys.exit(main())
