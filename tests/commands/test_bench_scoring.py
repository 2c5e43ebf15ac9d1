import json

from harness import cli
from harness.commands.bench.scoring import cpu_ticks, steal_share


def test_cpu_ticks_reads_the_steal_column_of_proc_stat(tmp_path):
    stat = tmp_path / "stat"
    stat.write_text("cpu  100 5 20 800 10 0 5 60 0 0\ncpu0 50 2 10 400 5 0 2 30 0 0\n")
    assert cpu_ticks(stat) == (60, 1000)
    stat.write_text("cpu  100 5 20 800\n")  # a kernel without the steal column
    assert cpu_ticks(stat) is None
    assert cpu_ticks(tmp_path / "missing") is None


def test_steal_share_is_the_stolen_part_of_the_time_between_readings():
    assert steal_share((60, 1000), (110, 1200)) == 0.25
    assert steal_share(None, (110, 1200)) is None
    assert steal_share((60, 1000), (60, 1000)) is None


def test_bench_scoring_scores_gold_as_prediction_for_each_k(tmp_path, capsys):
    src = tmp_path / "rows.jsonl"
    rows = [{"id": str(i), "sql_prompt": "q", "sql_context": "CREATE TABLE t (x INT); INSERT INTO t VALUES (1), (2);",
             "sql": f"SELECT x FROM t WHERE x > {i % 2}"} for i in range(3)]
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "bench.json"
    assert cli.main(["bench", "scoring", "--task", str(src), "--split", "all", "--k", "0,2", "--workers", "1",
                     "--json", str(out)]) == 0
    results = json.loads(out.read_text())["results"]
    assert [(r["test_suite_k"], r["samples"], r["judgeable"], r["execution_matches"]) for r in results] == [(0, 3, 3, 3), (2, 3, 3, 3)]
    assert all(r["samples_per_s"] > 0 and (r["cpu_steal"] is None or 0 <= r["cpu_steal"] <= 1) for r in results)
    steal = results[-1]["cpu_steal"]
    assert ("n/a" if steal is None else f"{steal:.0%}") in capsys.readouterr().out
