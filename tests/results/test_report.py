"""The report's data and page, without a browser: what it holds, that it stays self-contained and
that record text cannot end its script; the command and its errors."""

import json
import re

import pytest

import report_run
from harness import cli
from harness.errors import HarnessInputError
from harness.results import report
from harness.results.baselines import load_outcomes
from harness.results.gate import compare
from harness.scoring.record import METRIC_NAMES, REASONS


@pytest.fixture
def run(tmp_path):
    return report_run.make(tmp_path, n=24)


def test_data_holds_every_checkpoint_sample_and_record(run):
    data = report.build([run])
    assert [c["key"] for c in data["checkpoints"]] == ["demo/epoch_1", "demo/epoch_2"]
    assert len(data["samples"]) == 24  # shared by both checkpoints, stored once
    assert data["reasons"] == REASONS and [m["name"] for m in data["metrics"]] == list(METRIC_NAMES)
    records = data["records"]["demo/epoch_2"]
    failing = records[1]
    assert data["samples"][failing["s"]]["id"] == "q0001" and failing["reason"] == "row_mismatch"
    assert failing["diff"]["only_gold"] == [["pear"]] and failing["dialect"]["gold"] == "duckdb"
    assert "output" not in failing  # the same as the prediction: not stored twice
    assert data["samples"][0]["sql_complexity"] == "basic SQL" and data["samples"][0]["domain"] == "retail"
    assert [b["field"] for b in data["leaderboard"]["breakdowns"]] == ["sql_complexity", "sql_task_type", "domain"]


def test_comparisons_are_the_gates_in_both_directions(run):
    data = report.build([run])
    assert set(data["comparisons"]) == {"demo/epoch_1 > demo/epoch_2", "demo/epoch_2 > demo/epoch_1"}
    shown = data["comparisons"]["demo/epoch_1 > demo/epoch_2"]
    gate = compare(load_outcomes(run.path, "epoch_1"), load_outcomes(run.path, "epoch_2"))
    assert shown["decision"] == gate.decision == "pass"
    assert (shown["p_value"], shown["difference"]) == (gate.p_value, gate.difference)
    assert [data["samples"][i]["id"] for i in shown["newly_failing"]] == [f.id for f in gate.newly_failing]
    assert [data["samples"][i]["id"] for i in shown["newly_passing"]] == ["q0000", "q0004", "q0006", "q0010",
                                                                         "q0012", "q0016", "q0018", "q0022"]
    assert shown["unjudgeable"] == {"baseline": 1, "candidate": 1}
    backwards = data["comparisons"]["demo/epoch_2 > demo/epoch_1"]
    assert backwards["newly_failing"] == shown["newly_passing"]


def test_page_is_self_contained_and_its_data_reads_back(run):
    data = report.build([run])
    page = report.render(data, "<svg></svg>")
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert not re.search(r"<link|\bsrc=|@import|url\(", page)  # nothing loaded from anywhere
    assert report_run.MARKUP not in page and "</script><script>window.injected" not in page
    payload = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S).group(1)
    assert json.loads(payload) == json.loads(json.dumps(data))  # "\u003c" reads back as "<"


def test_command_writes_the_report_into_the_run(run, capsys):
    assert cli.main(["report", str(run.path)]) == 0
    assert run.report_path.is_file() and f"wrote {run.report_path}" in capsys.readouterr().out
    assert "<title>harness report: demo</title>" in run.report_path.read_text()


def test_command_names_runs_under_runs_dir_and_writes_out(run, tmp_path):
    other = report_run.make(tmp_path, n=6, name="other")
    out = tmp_path / "out" / "both.html"
    assert cli.main(["report", "demo", "other", "--runs-dir", str(tmp_path), "--out", str(out)]) == 0
    checkpoints = json.loads(re.search(r'id="report-data">(.*?)</script>', out.read_text(), re.S).group(1))["checkpoints"]
    assert [c["key"] for c in checkpoints] == ["demo/epoch_1", "demo/epoch_2", "other/epoch_1", "other/epoch_2"]
    assert not other.report_path.exists()


def test_several_runs_need_out(run, tmp_path, capsys):
    report_run.make(tmp_path, n=6, name="other")
    assert cli.main(["report", "--runs-dir", str(tmp_path)]) == 2
    assert "2 runs: name the report file with --out FILE" in capsys.readouterr().err


@pytest.mark.parametrize("change, message", [
    (lambda r: r.pop("id"), "line 3: no sample id"),
    (lambda r: r.update(execution_match="yes"), "line 3: execution_match must be true, false or null"),
])
def test_bad_records_are_named_by_file_and_line(run, capsys, change, message):
    records = run.samples("epoch_2")
    change(records[2])
    run.write_eval("epoch_2", records, run.summary("epoch_2"))
    with pytest.raises(HarnessInputError, match=re.escape(f"{run.eval_dir('epoch_2') / 'samples.jsonl'}: {message}")):
        report.build([run])
    assert cli.main(["report", str(run.path)]) == 2
    assert message in capsys.readouterr().err


def test_run_without_evaluations_exits_2(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert cli.main(["report", str(tmp_path / "empty")]) == 2
    assert "no evaluations" in capsys.readouterr().err


def test_runs_in_folders_of_one_name_are_refused(tmp_path, capsys):
    first, second = report_run.make(tmp_path / "a"), report_run.make(tmp_path / "b")
    assert cli.main(["report", str(first.path), str(second.path), "--out", str(tmp_path / "r.html")]) == 2
    assert "runs named alike (demo)" in capsys.readouterr().err
