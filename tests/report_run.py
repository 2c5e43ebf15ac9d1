"""Test helper: a small evaluated run written through the run store, for the report's tests.

Two epoch checkpoints over `n` samples of four complexities, two task types and three domains,
with every kind of outcome the report shows. By `i % 6`: 0 and 4 fail on epoch_1 (a row and an
order mismatch) and pass on epoch_2 (newly passing); 1 passes on epoch_1 and fails on epoch_2
with differing rows (newly failing); 2 fails to run on both; 3 and 5 pass on both, except
sample 5, whose gold fails (unjudgeable). Sample 2's prediction is markup, which the page must
show as text.
"""

from __future__ import annotations

from pathlib import Path

from harness.results.summary import summarize
from harness.store import RunStore

COMPLEXITIES = ("basic SQL", "aggregation", "single join", "window functions")
TASK_TYPES = ("analytics and reporting", "data manipulation")
DOMAINS = ("retail", "agriculture", "space")
MARKUP = "SELECT '<b>bold</b>' </script><script>window.injected = 1</script>"


def sample(i: int) -> dict:
    """The sample fields of sample i."""
    return {
        "id": f"q{i:04d}",
        "sql_prompt": f"Which fruit has id {i} in the {DOMAINS[i % 3]} store?",
        "sql_context": f"CREATE TABLE fruit (id INT, name TEXT, price DECIMAL(5,2)); "
                       f"INSERT INTO fruit VALUES ({i}, 'pear', 1.25), ({i + 1}, 'fig', 2.50), ({i + 2}, 'kiwi', 0.75);",
        "sql": f"SELECT name FROM fruit WHERE id = {i};",
        "sql_complexity": COMPLEXITIES[i % 4],
        "sql_task_type": TASK_TYPES[i % 2],
        "domain": DOMAINS[i % 3],
    }


def outcome(i: int, epoch: int) -> dict:
    """The scored fields of sample i at an epoch."""
    gold = f"SELECT name FROM fruit WHERE id = {i};"
    kind = i % 6
    if i == 5:
        return {"prediction": gold, "execution_match": None, "reason": "gold_error", "error": "Catalog Error: no fruit"}
    if kind == 2:
        return {"prediction": MARKUP if i == 2 else "SELEC name FROM fruit", "execution_match": False,
                "reason": "pred_exec_error", "error": 'Parser Error: syntax error at or near "SELEC"'}
    fails = {0: epoch == 1, 4: epoch == 1, 1: epoch == 2}.get(kind, False)
    if not fails:
        return {"prediction": gold, "execution_match": True, "reason": "match"}
    reason = "order_mismatch" if kind == 4 else "row_mismatch"
    diff = {"gold_rows": 1, "pred_rows": 2, "gold_first": [["pear"]], "pred_first": [["fig"], ["kiwi"]],
            "only_gold": [["pear"]], "only_pred": [["fig"], ["kiwi"]]}
    return {"prediction": f"SELECT name FROM fruit WHERE id > {i};", "execution_match": False, "reason": reason, "diff": diff}


def record(i: int, epoch: int) -> dict:
    """The scored record of sample i at an epoch, as `samples.jsonl` holds it."""
    scored = outcome(i, epoch)
    match = scored["execution_match"]
    return {
        **sample(i), **scored, "output": scored["prediction"],
        "exact_match": bool(match), "ast_match": bool(match), "test_suite_match": match,
        "dialect": {"gold": "duckdb", "prediction": "transpiled:mysql" if i % 4 == 3 else "duckdb"},
    }


def make(root: Path, n: int = 24, name: str = "demo") -> RunStore:
    """An evaluated run `root/name` with checkpoints epoch_1 and epoch_2 over n samples."""
    run = RunStore(Path(root) / name)
    run.write_manifest({"run": name, "task": {"name": "fruit", "version": 1}, "model": "tiny", "preset": "cpu"})
    for epoch in (1, 2):
        records = [record(i, epoch) for i in range(n)]
        summary = {"run": name, "checkpoint": f"epoch_{epoch}", "epoch": epoch, "model": "tiny", "task": "fruit",
                   "task_version": 1, "scorer_version": 1, "split": "test", "n": n, "metrics": summarize(records)}
        run.write_eval(f"epoch_{epoch}", records, summary)
    return run
