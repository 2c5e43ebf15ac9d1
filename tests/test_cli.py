"""The `harness` command line: subcommands, exit codes and the data commands."""

import json
import subprocess
import sys

from harness import cli


def test_help_lists_every_command(capsys):
    assert cli.main([]) == 2
    out = capsys.readouterr().out
    for name in cli.COMMANDS:
        assert name in out


def test_console_script_runs():
    done = subprocess.run([sys.executable, "-m", "harness.cli", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and "harness" in done.stdout


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


def test_data_show_renders_prompts(tmp_path, capsys):
    src = tmp_path / "rows.jsonl"
    src.write_text(json.dumps({"id": "a", "sql_prompt": "q?", "sql_context": "CREATE TABLE t (x INT);", "sql": "SELECT 1;"}) + "\n")
    assert cli.main(["data", "show", "--task", str(src), "--split", "all", "-n", "1"]) == 0
    assert "<start_of_turn>model" in capsys.readouterr().out
