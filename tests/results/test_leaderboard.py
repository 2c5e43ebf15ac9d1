"""Leaderboard from hand-made run folders: rows, intervals, breakdowns, every output format, the command."""

import csv
import io
import json

import pytest
from rich.console import Console

from harness import cli
from harness.results import leaderboard
from harness.errors import HarnessInputError
from harness.results.stats import wilson_interval
from harness.store import RunStore

COMPLEXITY = ["basic SQL", "basic SQL", "aggregation", "window functions"]


def sample(i, execution, test_suite=None, ast=False, exact=False):
    return {
        "id": f"s{i}", "prediction": "SELECT 1", "sql": "SELECT 1", "exact_match": exact, "ast_match": ast,
        "execution_match": execution, "test_suite_match": test_suite, "reason": "match" if execution else "row_mismatch",
        "sql_complexity": COMPLEXITY[i % 4], "sql_task_type": "analytics and reporting" if i % 2 else "data manipulation",
    }


def make_run(root, name, checkpoints, model="gemma-3-270m", task_version=1):
    """checkpoints: name -> list of execution matches (True/False/None); test-suite follows execution."""
    run = RunStore(root / name)
    run.write_manifest({"run": name, "task": {"name": "sample", "version": task_version}, "model": model, "preset": "cpu"})
    for checkpoint, matches in checkpoints.items():
        records = [sample(i, m, test_suite=m, ast=bool(m) and i % 2 == 0, exact=bool(m) and i == 0) for i, m in enumerate(matches)]
        summary = {"run": name, "checkpoint": checkpoint, "epoch": 0 if checkpoint == "base" else None, "model": model,
                   "adapter": None, "task": "sample", "task_version": task_version, "scorer_version": 1, "split": "test",
                   "n": len(records), "metrics": {}, "generation": {}}
        run.write_eval(checkpoint, records, summary)
    return run


@pytest.fixture
def runs(tmp_path):
    first = make_run(tmp_path, "fast", {
        "epoch_2": [True] * 7 + [False] * 1,
        "base": [True] * 2 + [False] * 5 + [None],
        "epoch_1": [True] * 5 + [False] * 3,
    })
    second = make_run(tmp_path, "other", {"base": [False] * 8, "merged": [True] * 6 + [False, None]}, model="/models/tiny")
    return [first, second]


def test_rows_in_checkpoint_order_with_judgeable_rates(runs):
    board = leaderboard.build(runs)
    assert [(r.run, r.checkpoint, r.epoch) for r in board.rows] == [
        ("fast", "base", 0), ("fast", "epoch_1", 1), ("fast", "epoch_2", 2), ("other", "base", 0), ("other", "merged", None)
    ]
    base = board.rows[0]
    assert base.label == "gemma-3-270m@base" and base.n == 8
    execution = base.rates["execution_match"]
    assert (execution.successes, execution.n) == (2, 7)
    assert execution.ci == pytest.approx(wilson_interval(2, 7))
    assert board.rows[2].rates["exact_match"].value == 1 / 8
    assert board.warnings == []


def test_step_checkpoints_come_after_the_epochs_by_step(tmp_path):
    run = make_run(tmp_path, "steps", {name: [True] for name in ("step_10", "merged", "epoch_1", "step_9", "base")})
    board = leaderboard.build([run])
    assert [(r.checkpoint, r.epoch) for r in board.rows] == [
        ("base", 0), ("epoch_1", 1), ("step_9", None), ("step_10", None), ("merged", None)
    ]


def test_breakdowns_give_execution_accuracy_per_category(runs):
    board = leaderboard.build(runs)
    by_complexity = board.breakdowns[0]
    assert by_complexity.field == "sql_complexity"
    assert by_complexity.categories == ["basic SQL", "aggregation", "window functions"]
    epoch_2 = by_complexity.rates[2]  # ids 0,1,4,5 basic; 2,6 aggregation; 3,7 window functions (7 fails)
    assert (epoch_2["basic SQL"].successes, epoch_2["basic SQL"].n) == (4, 4)
    assert (epoch_2["window functions"].successes, epoch_2["window functions"].n) == (1, 2)
    assert [b.field for b in board.breakdowns] == ["sql_complexity", "sql_task_type"]
    assert leaderboard.build(runs, ("domain",)).breakdowns == []  # no sample has a domain


def test_terminal_table(runs):
    console = Console(file=io.StringIO(), width=250)
    leaderboard.print_table(leaderboard.build(runs), console=console, breakdowns=True)
    out = console.file.getvalue()
    assert "Leaderboard" in out and "gemma-3-270m" in out and "epoch_2" in out
    assert "87.5%" in out and "52.9–97.8" in out  # 7/8 with its Wilson interval below it
    assert "7 of 8" in out  # base: one unjudgeable sample
    assert "Execution accuracy by sql_complexity" in out
    assert "basic SQL (n=4)" in out  # same judgeable n in every row: shown once in the header
    assert "window functions (n=" not in out and "0.0% (0/1)" in out  # base has an unjudgeable one: k/n per cell


def test_markdown(runs):
    text = leaderboard.to_markdown(leaderboard.build(runs))
    lines = text.splitlines()
    assert "| run | model | checkpoint | epoch | execution | test-suite | AST | exact | judgeable n |" in lines
    assert "| fast | gemma-3-270m | epoch_2 | 2 | 87.5% [52.9%, 97.8%] | 87.5% [52.9%, 97.8%] | 50.0% [21.5%, 78.5%] | 12.5% [2.2%, 47.1%] | 8 |" in lines
    assert "### Execution accuracy by sql_task_type" in lines


def test_csv(runs):
    rows = list(csv.DictReader(io.StringIO(leaderboard.to_csv(leaderboard.build(runs)))))
    assert len(rows) == 5
    base = rows[0]
    assert (base["run"], base["checkpoint"], base["epoch"], base["n"]) == ("fast", "base", "0", "8")
    assert float(base["execution_match"]) == pytest.approx(2 / 7)
    assert float(base["execution_match_ci_low"]) == pytest.approx(wilson_interval(2, 7)[0])
    assert base["execution_match_n"] == "7" and rows[4]["epoch"] == ""


def test_json_round_trips(runs):
    data = json.loads(json.dumps(leaderboard.to_json(leaderboard.build(runs))))
    assert data["metrics"] == ["execution_match", "test_suite_match", "ast_match", "exact_match"]
    merged = data["rows"][4]
    assert merged["model"] == "tiny" and merged["epoch"] is None
    assert merged["metrics"]["execution_match"] == {
        "rate": 6 / 7, "ci_low": pytest.approx(wilson_interval(6, 7)[0]), "ci_high": pytest.approx(wilson_interval(6, 7)[1]),
        "successes": 6, "n": 7,
    }
    assert data["breakdowns"][0]["rows"][0]["execution_match"]["basic SQL"]["n"] == 4


def test_write_all_writes_four_files_and_a_real_png(runs, tmp_path):
    paths = leaderboard.write_all(leaderboard.build(runs), tmp_path / "out")
    assert sorted(p.name for p in paths.values()) == ["leaderboard.csv", "leaderboard.json", "leaderboard.md", "leaderboard.png"]
    png = paths["plot"].read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
    assert json.loads(paths["json"].read_text())["rows"][0]["checkpoint"] == "base"


def test_unjudged_metric_renders_as_a_dash(tmp_path):
    run = make_run(tmp_path, "r", {"base": [True, False]})
    records = [dict(r, test_suite_match=None) for r in run.samples("base")]
    run.write_eval("base", records, run.summary("base"))
    board = leaderboard.build([run])
    assert board.rows[0].rates["test_suite_match"].n == 0
    assert "| 50.0% [9.5%, 90.5%] | — |" in leaderboard.to_markdown(board)
    leaderboard.plot(board, tmp_path / "p.png")  # one epoch, one empty metric: still draws


def test_mixed_task_versions_warn(tmp_path):
    board = leaderboard.build([make_run(tmp_path, "a", {"base": [True]}), make_run(tmp_path, "b", {"base": [True]}, task_version=2)])
    assert board.warnings == ["rows differ in task version (1, 2): not directly comparable"]
    assert "> **Warning:** rows differ in task version" in leaderboard.to_markdown(board)
    console = Console(file=io.StringIO(), width=250)
    leaderboard.print_table(board, console=console)
    assert "warning: rows differ in task version (1, 2)" in console.file.getvalue()


def test_run_without_evaluations_is_an_input_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(HarnessInputError, match="no evaluations"):
        leaderboard.build([RunStore(tmp_path / "empty")])


# --- the command ---------------------------------------------------------------------------


def test_command_defaults_to_every_run_and_writes_out_dir(runs, tmp_path, capsys):
    (tmp_path / "training-only").mkdir()  # a run still training is skipped when none are named
    out = tmp_path / "board"
    assert cli.main(["leaderboard", "--runs-dir", str(tmp_path), "--out", str(out), "--breakdown"]) == 0
    printed = capsys.readouterr().out
    assert "tiny" in printed and "by sql_task_type" in printed
    assert sorted(p.name for p in out.iterdir()) == ["leaderboard.csv", "leaderboard.json", "leaderboard.md", "leaderboard.png"]


def test_command_single_files_and_named_runs(runs, tmp_path, capsys):
    files = {flag: tmp_path / "f" / name for flag, name in
             (("--markdown", "a.md"), ("--csv", "a.csv"), ("--json", "a.json"), ("--plot", "a.png"))}
    args = ["leaderboard", "fast", str(runs[1].path), "--runs-dir", str(tmp_path)]
    assert cli.main(args + [x for flag, path in files.items() for x in (flag, str(path))]) == 0
    assert all(path.stat().st_size > 0 for path in files.values())
    assert len(json.loads(files["--json"].read_text())["rows"]) == 5
    assert "Execution accuracy by" not in capsys.readouterr().out


def test_command_errors_exit_2(tmp_path, capsys):
    assert cli.main(["leaderboard", "--runs-dir", str(tmp_path)]) == 2
    assert "no evaluated runs" in capsys.readouterr().err
    assert cli.main(["leaderboard", "nope", "--runs-dir", str(tmp_path)]) == 2
    assert "nope: no such run folder" in capsys.readouterr().err
    (tmp_path / "bare").mkdir()
    assert cli.main(["leaderboard", str(tmp_path / "bare")]) == 2
    assert "no evaluations" in capsys.readouterr().err


def test_served_models_sit_beside_local_checkpoints(runs, tmp_path):
    served = make_run(tmp_path, "served", {"base": [True] * 4 + [False] * 4}, model="openai:/models/gemma-3-270m")
    hosted = make_run(tmp_path, "hosted", {"base": [True] * 8}, model="openai:gpt-4o-mini")
    board = leaderboard.build([*runs, served, hosted])
    assert [r.label for r in board.rows][-2:] == ["openai:gemma-3-270m@base", "openai:gpt-4o-mini@base"]
    assert board.rows[-2].rates["execution_match"].successes == 4 and board.rows[-2].epoch == 0
