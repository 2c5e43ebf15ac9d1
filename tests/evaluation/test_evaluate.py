"""`harness eval` end to end on a tiny random-weight model: generate, score (overlapped), store, cache, rescore."""

import json

import pytest
import torch

import tiny_models
from harness import cli
from harness.data.samples import Sample
from harness.errors import HarnessInputError
from harness.evaluation.evaluate import generate_and_score, resolve_checkpoints
from harness.generation.cache import GenerationCache
from harness.generation.generate import DecodeConfig, generate
from harness.generation.local import LocalGenerator
from harness.models.loader import load_model
from harness.scoring.extract import extract_sql
from harness.scoring.scorer import ScoreConfig, score_all
from harness.store import RunStore


@pytest.fixture
def tiny_setup(tmp_path, tiny_model, own_cache):
    rows = [
        {"id": f"q{i}", "sql_prompt": f"Value {i}?", "sql_context": f"CREATE TABLE t (x INT); INSERT INTO t VALUES ({i});",
         "sql": "SELECT x FROM t;", "sql_complexity": "basic SQL"}
        for i in range(4)
    ]
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return tiny_model("gemma3", template=False), data, tmp_path / "run"


def eval_args(model, data, run):
    return ["eval", "--task", str(data), "--split", "all", "--model", str(model), "--run", str(run),
            "--max-new-tokens", "6", "--dtype", "float32", "--workers", "1", "--no-progress"]


def test_eval_stores_scored_samples_and_serves_the_cache(tiny_setup):
    model, data, run = tiny_setup
    assert cli.main(eval_args(model, data, run)) == 0
    store = RunStore(run)
    assert store.checkpoints() == ["base"]
    summary = store.summary("base")
    assert summary["n"] == 4 and summary["generation"]["generated"] == 4 and summary["scorer_version"]
    records = store.samples("base")
    assert {r["id"] for r in records} == {"q0", "q1", "q2", "q3"}
    for record in records:
        assert {"output", "prediction", "exact_match", "execution_match", "reason"} <= set(record)
    manifest = store.manifest()
    assert manifest["eval"]["n"] == 4 and manifest["eval"]["versions"]["duckdb"]
    assert "q3" in store.report_path.read_text()  # the report, beside the run's results
    assert cli.main(eval_args(model, data, run)) == 0
    assert store.summary("base")["generation"] == {**store.summary("base")["generation"], "generated": 0, "cached": 4}


def test_rescore_reuses_predictions(tiny_setup):
    model, data, run = tiny_setup
    assert cli.main(eval_args(model, data, run)) == 0
    before = RunStore(run).samples("base")
    assert cli.main(["eval", "--rescore", str(run), "--workers", "1", "--no-progress"]) == 0
    after = RunStore(run).samples("base")
    assert [r["prediction"] for r in after] == [r["prediction"] for r in before]


def test_checkpoint_folder_without_weights_is_refused(tmp_path):
    (tmp_path / "epoch_1").mkdir()
    with pytest.raises(HarnessInputError, match="no weights here"):
        resolve_checkpoints([str(tmp_path / "epoch_1")], "gemma-3-270m")


def test_run_folder_gives_every_epoch(tmp_path):
    for n in (2, 1, 10):
        folder = tmp_path / "checkpoints" / f"epoch_{n}"
        folder.mkdir(parents=True)
        (folder / "adapter_config.json").write_text("{}")
    labels = [c.label for c in resolve_checkpoints(["base", str(tmp_path)], "m")]
    assert labels == ["base", "epoch_1", "epoch_2", "epoch_10"]


def test_scoring_during_generation_gives_the_records_of_generate_then_score(tmp_path, tiny_model):
    model, tok = load_model(str(tiny_model("gemma3", template=False)), dtype=torch.float32, device="cpu", check=False)
    samples = [Sample(id=f"q{i}", sql_prompt=f"Value {i}?" + " please" * i, sql="SELECT x FROM t;",
                      sql_context=f"CREATE TABLE t (x INT); INSERT INTO t VALUES ({i});") for i in range(5)]
    decode, config = DecodeConfig(max_new_tokens=6, dtype="float32"), ScoreConfig(workers=2, test_suite_k=1)
    generator = LocalGenerator(tok, {"model": "tiny"}, model=model, batch_size=2)
    cache = GenerationCache(tmp_path / "gen", generator.cache_key(decode))
    cache.put([(samples[3].id, generator.request(samples[3]), "SELECT x FROM t;")])  # one cached
    overlapped, stats = generate_and_score(generator, samples, decode, cache, config, progress=False)
    assert (stats["cached"], stats["generated"]) == (1, 4) and stats["score_seconds"] >= 0
    assert [r["id"] for r in overlapped] == [s.id for s in samples]
    assert overlapped[3]["execution_match"] is True
    outputs, _ = generate(generator, samples, decode, cache, progress=False)
    items = [{**s.to_dict(), "output": outputs[s.id], "prediction": extract_sql(outputs[s.id])} for s in samples]
    strip = lambda r: {k: v for k, v in r.items() if k != "timings"}  # noqa: E731 - wall-clock times differ
    assert [strip(r) for r in overlapped] == [strip(r) for r in score_all(items, config, progress=False)]


def test_two_process_eval_merges_by_id_into_the_one_process_results(tmp_path, tiny_model):
    """`eval --gpus 2` on gloo: each worker generates its share into its own cache shard, rank 0 scores all."""
    import os
    import subprocess
    import sys

    model = tiny_model("gemma3")
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps(s.to_dict()) + "\n" for s in tiny_models.samples(7)))
    env = {**os.environ, "HARNESS_CACHE": str(tmp_path / "cache"), "CUDA_VISIBLE_DEVICES": ""}
    runs = {}
    for processes in (2, 1):
        run = tmp_path / f"run{processes}"
        args = [*eval_args(model, data, run), "--batch-size", "1", "--gpus", str(processes)]
        if processes == 1:  # its own cache, so nothing is served from the two-process run's
            env["HARNESS_CACHE"] = str(tmp_path / "cache1")
        done = subprocess.run([sys.executable, "-m", "harness.cli", *args], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        runs[processes] = {r["id"]: r for r in RunStore(run).samples("base")}
    shards = sorted((tmp_path / "cache" / "generations").glob("*.shard-*.jsonl"))
    assert [p.name.split(".")[1] for p in shards] == ["shard-0", "shard-1"]
    assert [sum('"id"' in line for line in p.read_text().splitlines()) for p in shards] == [4, 3]  # samples 0,2,4,6 and 1,3,5
    assert RunStore(tmp_path / "run2").summary("base")["generation"]["cached"] == 7  # rank 0 only scored
    assert runs[2].keys() == runs[1].keys() and len(runs[1]) == 7
    for sample_id, record in runs[1].items():
        assert {k: runs[2][sample_id][k] for k in ("output", "exact_match", "execution_match", "reason")} == \
               {k: record[k] for k in ("output", "exact_match", "execution_match", "reason")}
