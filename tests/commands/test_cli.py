"""The `harness` command line: subcommands, exit codes and the data commands."""

import json
import subprocess
import sys

import pytest

from harness import cli


def test_help_lists_every_command(capsys):
    assert cli.main([]) == 2
    out = capsys.readouterr().out
    for name in cli.COMMANDS:
        assert name in out


def test_console_script_runs():
    done = subprocess.run([sys.executable, "-m", "harness.cli", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and "harness" in done.stdout


def test_scoring_options_show_score_configs_help_and_the_parser_loads_no_scorer(capsys):
    from harness.scoring.scorer import field_help

    for command, names in (("score", ["timeout_s", "workers", "test_suite_k", "source_dialects", "memory_limit"]),
                           ("eval", ["timeout_s", "workers"]), ("run", ["timeout_s", "workers"])):
        with pytest.raises(SystemExit):
            cli.main([command, "--help"])
        out = "".join(capsys.readouterr().out.split())  # help lines wrap at spaces and hyphens
        assert all("".join(field_help()[name].split()) in out for name in names), command
    if sys.version_info < (3, 14):  # from 3.14, argparse expands each help text as its option is added
        code = "import sys; from harness import cli; cli.build_parser(); print('harness.scoring.scorer' in sys.modules)"
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        assert done.stdout.strip() == "False"


def test_unknown_task_exits_2_with_a_message(capsys):
    assert cli.main(["data", "show", "--task", "nope"]) == 2
    assert "unknown task 'nope'" in capsys.readouterr().err


def test_data_export_writes_gretel_fields(tmp_path):
    rows = [
        {"id": str(i), "sql_prompt": "q", "sql_context": f"CREATE TABLE t{i} (x INT);", "sql": f"SELECT x FROM t{i};"}
        for i in range(10)
    ]
    src = tmp_path / "rows.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "test.jsonl"
    assert cli.main(["data", "export", "--task", str(src), "--split", "test", "--out", str(out)]) == 0
    exported = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(exported) == 2
    assert set(exported[0]) == {"id", "sql_prompt", "sql_context", "sql"}


def test_data_show_renders_prompts(tmp_path, capsys, tiny_model, own_cache):
    src = tmp_path / "rows.jsonl"
    src.write_text(json.dumps({"id": "a", "sql_prompt": "q?", "sql_context": "CREATE TABLE t (x INT);", "sql": "SELECT 1;"}) + "\n")
    assert cli.main(["data", "show", "--task", str(src), "--split", "all", "-n", "1"]) == 0
    out = capsys.readouterr().out
    assert "user:" in out and "<USER_QUERY>" in out and "assistant:" in out and "<start_of_turn>" not in out
    assert cli.main(["data", "show", "--task", str(src), "--split", "all", "-n", "1", "--model", str(tiny_model("llama3"))]) == 0
    assert "<|start_header_id|>assistant<|end_header_id|>" in capsys.readouterr().out


def test_data_selfscore_passes_on_sound_golds(tmp_path, capsys):
    src = tmp_path / "rows.jsonl"
    rows = [{"id": str(i), "sql_prompt": "q", "sql_context": "CREATE TABLE t (x INT); INSERT INTO t VALUES (1), (2);",
             "sql": f"SELECT x FROM t WHERE x > {i % 2}"} for i in range(4)]
    rows.append({"id": "bad", "sql_prompt": "q", "sql_context": "CREATE TABLE t (x INT);", "sql": "SELECT y FROM t"})
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert cli.main(["data", "selfscore", "--task", str(src), "--split", "all", "--workers", "1"]) == 0
    assert "all 4 judgeable golds match themselves" in capsys.readouterr().out


def test_data_selfscore_fails_when_a_gold_misses_itself(tmp_path, monkeypatch, capsys):
    import harness.scoring.scorer

    src = tmp_path / "rows.jsonl"
    src.write_text(json.dumps({"id": "a", "sql_prompt": "q", "sql_context": "CREATE TABLE t (x INT);", "sql": "SELECT x FROM t"}) + "\n")
    record = {"id": "a", "exact_match": True, "ast_match": False, "execution_match": True, "test_suite_match": True, "reason": "match"}
    monkeypatch.setattr(harness.scoring.scorer, "score_all", lambda items, config: [record])
    assert cli.main(["data", "selfscore", "--task", str(src), "--split", "all"]) == 1
    out = capsys.readouterr().out
    assert "a: ast_match (match)" in out and "1 of 1 judgeable golds do not match themselves" in out
