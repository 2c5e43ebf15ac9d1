"""How well execution match tells a gold from a gold with one WHERE literal or comparison changed,
on data with rows and on the same data with its INSERTs removed (schema only).

    python tests/scoring/corpus/judge_rates.py [--sample N] [--shared ../shared/data] [--k K] [--json OUT]

For each source (the sample task's test split, the shared real gretel rows when present) it prints,
with and without the INSERTs: judgeable golds, gold-as-prediction rates, and the share of altered
golds that execution match and test-suite match reject. A measuring tool, not a test.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from alterations import read_real, where_literal  # noqa: E402

from harness.data.tasks import load_task  # noqa: E402
from harness.scoring.dialect import split_statements  # noqa: E402
from harness.scoring.scorer import ScoreConfig, score_all  # noqa: E402

_COMPARISON = re.compile(r"(?<![<>=!])(>=|<=|<>|!=|>|<|=)(?![=>])")
_FLIP = {">": ">=", ">=": ">", "<": "<=", "<=": "<", "=": "<>", "<>": "=", "!=": "="}


def where_comparison(gold: str) -> str:
    """The first comparison after WHERE (outside quotes) flipped: > and >=, < and <=, = and <>."""
    where = re.search(r"\bWHERE\b", gold, re.IGNORECASE)
    if not where:
        return gold
    quoted = [m.span() for m in re.finditer(r"'(?:[^']|'')*'", gold)]
    for m in _COMPARISON.finditer(gold, where.end()):
        if not any(a <= m.start() < b for a, b in quoted):
            return gold[: m.start()] + _FLIP[m.group(1)] + gold[m.end():]
    return gold


def schema_only(context: str) -> str:
    """The context without its INSERT statements."""
    return ";\n".join(s for s in split_statements(context) if not re.match(r"\s*INSERT\b", s, re.IGNORECASE)) + ";"


def sources(args) -> dict[str, list[dict]]:
    out = {"sample": [{"id": s.id, "sql_context": s.sql_context, "sql": s.sql}
                      for s in load_task("sample").test[: args.sample]]}
    shared = Path(args.shared)
    for name in ("gretel-test-dev", "gretel-sample"):
        try:
            rows = read_real(shared, name)
        except FileNotFoundError:
            continue
        out[name] = [{"id": i, "sql_context": r["sql_context"], "sql": r["sql"]} for i, r in rows.items()]
    return out


def rates(rows: list[dict], config: ScoreConfig) -> dict:
    items = []
    for row in rows:
        items.append({**row, "id": f"{row['id']}/gold", "prediction": row["sql"]})
        for name, alter in (("literal", where_literal), ("comparison", where_comparison)):
            altered = alter(row["sql"])
            if altered != row["sql"]:
                items.append({**row, "id": f"{row['id']}/{name}", "prediction": altered})
    records = score_all(items, config, progress=False)
    gold = [r for r in records if r["id"].endswith("/gold") and r["execution_match"] is not None]
    judgeable = {r["id"].rsplit("/", 1)[0] for r in gold}
    altered = [r for r in records if not r["id"].endswith("/gold") and r["id"].rsplit("/", 1)[0] in judgeable]
    share = lambda rs, key, value: round(sum(r[key] is value for r in rs) / len(rs), 4) if rs else None  # noqa: E731
    return {"samples": len(rows), "judgeable": len(judgeable),
            "gold_execution": share(gold, "execution_match", True), "gold_test_suite": share(gold, "test_suite_match", True),
            "altered": len(altered), "execution_rejects": share(altered, "execution_match", False),
            "test_suite_rejects": share(altered, "test_suite_match", False),
            "decided_on_generated": sum(r.get("decided_on") == "generated" for r in altered)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=300, help="test samples of the sample task (default 300)")
    parser.add_argument("--shared", default=str(Path(__file__).resolve().parents[4] / "shared" / "data"))
    parser.add_argument("--k", type=int, default=5, help="test-suite databases (default 5)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    config = ScoreConfig(test_suite_k=args.k)
    results = {}
    for name, rows in sources(args).items():
        for variant, transform in (("with rows", lambda c: c), ("schema only", schema_only)):
            start = time.perf_counter()
            figures = rates([{**r, "sql_context": transform(r["sql_context"])} for r in rows], config)
            figures["seconds"] = round(time.perf_counter() - start, 1)
            results[f"{name}, {variant}"] = figures
            print(f"{name}, {variant}: {json.dumps(figures)}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
