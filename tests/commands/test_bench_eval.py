"""`harness bench eval` end to end on a tiny random-weight model: every engine, the guide's loop, the JSON."""

import json

import pytest

from harness import cli


@pytest.fixture
def tiny_task(tmp_path, tiny_model, own_cache):
    rows = [{"id": f"q{i}", "sql_prompt": f"Value {i}?", "sql_context": f"CREATE TABLE t (x INT); INSERT INTO t VALUES ({i});",
             "sql": "SELECT x FROM t;"} for i in range(20)]
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return tiny_model("gemma3", template=False), data


def test_bench_eval_prints_and_saves_the_figures(tiny_task, tmp_path, capsys):
    model, data = tiny_task
    out = tmp_path / "bench.json"
    argv = ["bench", "eval", "--task", str(data), "--model", str(model), "--limit", "4", "--guide-samples", "2",
            "--max-new-tokens", "6", "--dtype", "float32", "--workers", "1", "--random-weights",
            "--engine", "batched,static,continuous", "--json", str(out)]
    assert cli.main(argv) == 0
    assert "harness bench eval" in capsys.readouterr().out
    figures = json.loads(out.read_text())
    guide, *ours = figures["results"]
    assert guide["path"] == "guide pipeline" and guide["samples"] == 2 and guide["x_guide"] == 1.0
    assert [r["engine"] for r in ours] == ["batched", "static", "continuous"]
    for row in ours:
        assert row["samples"] == 4 and row["executable"] == 4 and row["agree"] == 4  # greedy: every engine agrees
        assert row["generate_samples_per_s"] > 0 and row["step_samples_per_s"] > 0 and row["x_guide"] > 0
    assert figures["device"] == "CPU" and figures["random_weights"]
