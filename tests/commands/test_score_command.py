"""`harness score`: the JSONL contract, exit 2 on malformed input, joining a dataset and predictions by id."""

from __future__ import annotations

import argparse
import json

import pytest

from harness.commands import score
from harness.errors import HarnessInputError

CTX = "CREATE TABLE t (a INT, b TEXT); INSERT INTO t VALUES (1, 'x'), (2, 'y');"


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    score.configure(parser)
    return score.main(parser.parse_args(argv + ["--no-progress", "--workers", "2"]))


def _write(path, rows):
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return str(path)


def test_scores_a_predictions_file(tmp_path, capsys):
    rows = [
        {"id": "1", "sql_context": CTX, "sql": "SELECT a FROM t", "prediction": "SELECT a FROM t", "sql_complexity": "basic SQL"},
        {"id": "2", "sql_context": CTX, "sql": "SELECT a FROM t", "prediction": "```sql\nSELECT b FROM t\n```"},
        {"id": "3", "sql_context": CTX, "sql": "SELECT zz FROM t", "prediction": "SELECT a FROM t"},
    ]
    out = tmp_path / "scored.jsonl"
    assert _run([_write(tmp_path / "p.jsonl", rows), "--out", str(out)]) == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in records] == ["1", "2", "3"]
    assert [r["reason"] for r in records] == ["match", "row_mismatch", "gold_error"]
    assert [r["execution_match"] for r in records] == [True, False, None]
    assert records[0]["sql_complexity"] == "basic SQL" and records[0]["test_suite_match"] is True
    assert all({"exact_match", "ast_match", "test_suite_match"} <= set(r) for r in records)
    assert "execution_match" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "p.jsonl: line 2: not valid JSON"),
        (json.dumps({"sql_context": CTX, "sql": "SELECT 1"}), "p.jsonl: line 2: missing field 'prediction'"),
        (json.dumps([1, 2]), "p.jsonl: line 2: expected a JSON object"),
        (json.dumps({"sql_context": CTX, "sql": 5, "prediction": "x"}), "p.jsonl: line 2: field(s) sql must be strings"),
    ],
)
def test_malformed_input_names_the_line(tmp_path, line, message):
    good = {"sql_context": CTX, "sql": "SELECT 1", "prediction": "SELECT 1"}
    with pytest.raises(HarnessInputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        _run([_write(tmp_path / "p.jsonl", [good, line])])


def test_missing_file_and_usage_errors(tmp_path):
    with pytest.raises(HarnessInputError, match="no such file"):
        _run([str(tmp_path / "absent.jsonl")])
    with pytest.raises(HarnessInputError):
        _run([])
    with pytest.raises(HarnessInputError):
        _run(["--dataset", str(tmp_path / "d.jsonl")])


def test_dataset_joined_with_predictions_by_id(tmp_path, capsys):
    dataset = [{"id": i, "sql_context": CTX, "sql": "SELECT a FROM t WHERE a > 1", "domain": "x"} for i in ("a", "b", "c")]
    preds = [{"id": "c", "prediction": "SELECT a FROM t WHERE a >= 2"}, {"id": "a", "prediction": "SELECT a FROM t"},
             {"id": "zzz", "prediction": "SELECT 1"}]
    out = tmp_path / "scored.jsonl"
    code = _run(["--dataset", _write(tmp_path / "d.jsonl", dataset), "--predictions", _write(tmp_path / "preds.jsonl", preds),
                 "--out", str(out), "--test-suite-k", "0"])
    assert code == 0
    records = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert set(records) == {"a", "c"}
    assert records["c"]["execution_match"] is True and records["a"]["execution_match"] is False
    err = capsys.readouterr().err
    assert "1 sample(s) have no prediction" in err and "b" in err
    assert "1 prediction id(s) are not in the dataset" in err and "zzz" in err


def test_duplicate_prediction_ids_are_refused(tmp_path):
    dataset = [{"id": "a", "sql_context": CTX, "sql": "SELECT 1"}]
    preds = [{"id": "a", "prediction": "SELECT 1"}, {"id": "a", "prediction": "SELECT 2"}]
    with pytest.raises(HarnessInputError, match="appears twice"):
        _run(["--dataset", _write(tmp_path / "d.jsonl", dataset), "--predictions", _write(tmp_path / "p.jsonl", preds)])
