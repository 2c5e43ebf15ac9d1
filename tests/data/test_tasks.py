"""Task loading: the guide's split, local files, DuckDB-NSQL, and errors that name the fault."""

import json

import pytest

from harness.data import tasks
from harness.errors import HarnessInputError


def gretel_rows(n):
    return [
        {
            "id": i,
            "domain": f"d{i % 7}",
            "sql_complexity": "basic SQL",
            "sql_task_type": "analytics and reporting",
            "sql_prompt": f"How many rows with x = {i}?",
            "sql_context": f"CREATE TABLE t (x INT); INSERT INTO t VALUES ({i});",
            "sql": f"SELECT COUNT(*) FROM t WHERE x = {i};",
            "sql_explanation": "counts",
        }
        for i in range(n)
    ]


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.fixture
def fake_hub(monkeypatch):
    """Replace only the network boundary: `datasets.load_dataset`."""
    import datasets

    calls = []

    def load_dataset(name, split):
        calls.append((name, split))
        return datasets.Dataset.from_list(gretel_rows(13_000))

    monkeypatch.setattr(datasets, "load_dataset", load_dataset)
    return calls


def test_gretel_from_hub_uses_the_guides_split(fake_hub):
    task = tasks.load_task("gretel")
    assert fake_hub == [("philschmid/gretel-synthetic-text-to-sql", "train")]
    assert (len(task.train), len(task.test)) == (10_000, 2_500)
    assert not {s.id for s in task.train} & {s.id for s in task.test}
    assert task.spec["split"]["seed"] == 42
    again = tasks.load_task("gretel")
    assert [s.id for s in again.test] == [s.id for s in task.test]
    assert task.test[0].sql_complexity == "basic SQL" and task.test[0].id.isdigit()


def test_gretel_hub_failure_says_how_to_work_offline(monkeypatch):
    import datasets

    def offline(*a, **k):
        raise ConnectionError("offline")

    monkeypatch.setattr(datasets, "load_dataset", offline)
    with pytest.raises(HarnessInputError, match="--data FILE"):
        tasks.load_task("gretel")


def test_gretel_from_local_file(tmp_path):
    path = write_jsonl(tmp_path / "g.jsonl", gretel_rows(12_600))
    task = tasks.load_task("gretel", data=str(path))
    assert (len(task.train), len(task.test)) == (10_000, 2_500)


def test_split_larger_than_data_names_the_file_and_field(tmp_path):
    path = write_jsonl(tmp_path / "small.jsonl", gretel_rows(100))
    with pytest.raises(HarnessInputError, match=r"small.jsonl: split.take is 12500 but the data has 100"):
        tasks.load_task("gretel", data=str(path))


def test_local_file_task_splits_by_fraction(tmp_path):
    path = write_jsonl(tmp_path / "rows.jsonl", gretel_rows(50))
    task = tasks.load_task(str(path))
    assert (len(task.train), len(task.test)) == (40, 10)
    assert task.name == "file:rows.jsonl"


def test_missing_column_is_named(tmp_path):
    rows = [{k: v for k, v in r.items() if k != "sql_context"} for r in gretel_rows(5)]
    with pytest.raises(HarnessInputError, match=r"rows.jsonl: missing column 'sql_context'"):
        tasks.load_task(str(write_jsonl(tmp_path / "rows.jsonl", rows)))


def test_empty_value_names_the_row(tmp_path):
    rows = gretel_rows(5)
    rows[3]["sql"] = " "
    with pytest.raises(HarnessInputError, match=r"row 4: field 'sql' is empty"):
        tasks.load_task(str(write_jsonl(tmp_path / "rows.jsonl", rows)))


def test_bad_json_line_is_named(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text(json.dumps(gretel_rows(1)[0]) + "\n{not json\n")
    with pytest.raises(HarnessInputError, match=r"rows.jsonl: line 2: not valid JSON"):
        tasks.load_task(str(path))


def test_empty_and_unreadable_files(tmp_path):
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(HarnessInputError, match="empty.csv"):
        tasks.load_task(str(tmp_path / "empty.csv"))
    with pytest.raises(HarnessInputError, match="no such file"):
        tasks.load_task(str(tmp_path / "missing.jsonl"))


def test_duplicate_ids_are_refused(tmp_path):
    rows = gretel_rows(3)
    rows[2]["id"] = rows[0]["id"]
    with pytest.raises(HarnessInputError, match="row 3: duplicate id '0'"):
        tasks.load_task(str(write_jsonl(tmp_path / "rows.jsonl", rows)))


def test_unknown_task_lists_the_known_ones():
    with pytest.raises(HarnessInputError, match="unknown task 'nope'.*sample"):
        tasks.load_task("nope")


def test_csv_and_parquet_read_the_same_rows(tmp_path):
    import pandas as pd

    frame = pd.DataFrame(gretel_rows(20))
    frame.to_csv(tmp_path / "rows.csv", index=False)
    frame.to_parquet(tmp_path / "rows.parquet")
    a = tasks.load_task(str(tmp_path / "rows.csv"))
    b = tasks.load_task(str(tmp_path / "rows.parquet"))
    assert [s.sql for s in a.test] == [s.sql for s in b.test]


def test_real_gretel_rows_load_as_a_local_task(shared_data):
    task = tasks.load_task(str(shared_data / "gretel-sample" / "text_to_sql.csv"))
    assert len(task.train) + len(task.test) == 25
    assert all(s.domain and s.sql_complexity and s.sql_task_type for s in task.split("all"))


def test_duckdb_nsql_renders_schema_from_the_database(shared_data):
    task = tasks.load_task("duckdb-nsql", data=str(shared_data / "duckdb-nsql"))
    assert len(task.test) == 75 and task.train == []
    hn = next(s for s in task.test if s.domain == "hn")
    assert "CREATE TABLE hacker_news" in hn.sql_context
    assert hn.db_path.endswith("hn.duckdb")
    assert {s.sql_complexity for s in task.test} == {"easy", "medium", "hard", "duckdb", "ddl"}


def test_duckdb_nsql_missing_directory_is_named(tmp_path):
    with pytest.raises(HarnessInputError, match="dev.json: no such file"):
        tasks.load_task("duckdb-nsql", data=str(tmp_path))


def test_every_task_file_parses():
    for name in tasks.task_names():
        spec = tasks.read_spec(tasks.tasks_dir() / f"{name}.toml")
        assert spec["name"] == name and spec["version"]


def test_a_task_file_from_before_the_prompt_field_went_still_loads(tmp_path, monkeypatch):
    # task files used to name their prompt (only "guide" existed); the key is now ignored
    file_task = (tasks.tasks_dir() / "file.toml").read_text().replace('name = "file"', 'name = "old"')
    (tmp_path / "old.toml").write_text('prompt = "guide"\n' + file_task)
    monkeypatch.setenv("HARNESS_TASKS_DIR", str(tmp_path))
    task = tasks.load_task("old", data=str(write_jsonl(tmp_path / "rows.jsonl", gretel_rows(5))))
    assert task.version == "1" and len(task.split("all")) == 5


def create_context_rows(n):
    """Rows shaped like b-mc2/sql-create-context: question, context (CREATE TABLE only), answer; no id."""
    return [
        {
            "question": f"How many heads of the departments are older than {i}?",
            "context": "CREATE TABLE head (age INTEGER, name VARCHAR)",
            "answer": f"SELECT COUNT(*) FROM head WHERE age > {i}",
        }
        for i in range(n)
    ]


def test_sql_create_context_from_hub_maps_fields_and_splits_as_the_guide(monkeypatch):
    import datasets

    calls = []

    def load_dataset(name, split):
        calls.append((name, split))
        return datasets.Dataset.from_list(create_context_rows(13_000))

    monkeypatch.setattr(datasets, "load_dataset", load_dataset)
    task = tasks.load_task("sql-create-context")
    assert calls == [("b-mc2/sql-create-context", "train")]
    assert (len(task.train), len(task.test)) == (10_000, 2_500)
    assert task.spec["split"]["seed"] == 42
    sample = task.test[0]
    n = int(sample.id)  # no id column: the row number, counted from 1
    assert sample.sql_prompt == f"How many heads of the departments are older than {n - 1}?"
    assert sample.sql_context == "CREATE TABLE head (age INTEGER, name VARCHAR)"
    assert sample.sql == f"SELECT COUNT(*) FROM head WHERE age > {n - 1}"
    assert [s.id for s in tasks.load_task("sql-create-context").test] == [s.id for s in task.test]


def test_sql_create_context_from_a_local_file_splits_as_from_the_hub(tmp_path, monkeypatch):
    import datasets

    rows = create_context_rows(12_500)
    monkeypatch.setattr(datasets, "load_dataset", lambda name, split: datasets.Dataset.from_list(rows))
    from_hub = tasks.load_task("sql-create-context")
    monkeypatch.setattr(datasets, "load_dataset", None)  # a local file never reaches the Hub
    local = tasks.load_task("sql-create-context", data=str(write_jsonl(tmp_path / "scc.jsonl", rows)))
    assert local.origin.endswith("scc.jsonl")
    assert [(s.id, s.sql) for s in local.test] == [(s.id, s.sql) for s in from_hub.test]
    assert [s.id for s in local.train] == [s.id for s in from_hub.train]


def test_sql_create_context_file_missing_a_column_names_file_and_field(tmp_path, capsys):
    from harness import cli

    rows = [{k: v for k, v in r.items() if k != "context"} for r in create_context_rows(5)]
    path = write_jsonl(tmp_path / "small.jsonl", rows)
    with pytest.raises(HarnessInputError, match=r"small.jsonl: missing column 'context' \(field sql_context\)"):
        tasks.load_task("sql-create-context", data=str(path))
    assert cli.main(["data", "show", "--task", "sql-create-context", "--data", str(path)]) == 2
    assert "small.jsonl: missing column 'context'" in capsys.readouterr().err


def test_sql_create_context_small_file_is_refused_not_split_differently(tmp_path):
    path = write_jsonl(tmp_path / "small.jsonl", create_context_rows(30))
    with pytest.raises(HarnessInputError, match=r"small.jsonl: split.take is 12500 but the data has 30"):
        tasks.load_task("sql-create-context", data=str(path))
