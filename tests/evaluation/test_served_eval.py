"""A served model evaluated like a local checkpoint, against a real OpenAI-compatible server:
`transformers serve` (transformers' serving extras) serving a tiny local Llama 3 on localhost.
The eval is killed midway and resumed from the cache; its outputs equal the same model's
in-process greedy outputs; both sit on one leaderboard; `bench eval --served` counts agreement."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from transformers import GenerationConfig

import tiny_models
from harness.models import chat_format, loader
from harness.store import RunStore

N = 8


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def model_folder(tiny_model, tmp_path_factory) -> Path:
    """A tiny Llama 3 whose generation config stops at its end of turn, as `harness merge` writes one for serving."""
    folder = shutil.copytree(tiny_model("llama3"), tmp_path_factory.mktemp("served") / "llama3")
    config = GenerationConfig.from_pretrained(folder)
    config.eos_token_id = chat_format.stop_ids(loader.load_tokenizer(str(folder)), config)
    config.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def server(model_folder, tmp_path_factory):
    """`transformers serve` on a free localhost port, pinned to the tiny model; its API root."""
    port = free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "transformers"), "serve", str(model_folder), "--host", "127.0.0.1",
             "--port", str(port), "--dtype", "bfloat16", "--device", "cpu"],
            stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "HF_HUB_OFFLINE": "1"},
        )
    deadline = time.time() + 180
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2)
            break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                pytest.fail(f"transformers serve did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
    yield f"http://127.0.0.1:{port}/v1"
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def data(tmp_path) -> Path:
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(s.to_dict()) + "\n" for s in tiny_models.samples(N)))
    return path


def harness(*args, env):
    return subprocess.Popen([sys.executable, "-m", "harness.cli", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def outputs(run: Path) -> dict[str, str]:
    return {r["id"]: r["output"] for r in RunStore(run).samples("base")}


def test_served_eval_killed_midway_resumes_from_the_cache_and_agrees_with_in_process(server, model_folder, data, tmp_path):
    env = {**os.environ, "HARNESS_CACHE": str(tmp_path / "cache")}
    common = ["--task", str(data), "--split", "all", "--max-new-tokens", "48", "--workers", "1", "--no-progress"]
    served = ["eval", *common, "--model", f"openai:{model_folder}", "--base-url", server, "--concurrency", "1",
              "--run", str(tmp_path / "served")]

    proc = harness(*served, env=env)
    cache_lines = lambda: sum(line.count('"output"') for p in (tmp_path / "cache" / "generations").glob("*.jsonl")  # noqa: E731
                              for line in p.read_text().splitlines())
    while proc.poll() is None and (not (tmp_path / "cache" / "generations").exists() or cache_lines() < 2):
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    output, _ = proc.communicate()
    finished = cache_lines()
    assert proc.returncode == -signal.SIGKILL and 2 <= finished < N, output

    resumed = harness(*served, env=env)
    output, _ = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, output
    generation = RunStore(tmp_path / "served").summary("base")["generation"]
    assert (generation["cached"], generation["generated"]) == (finished, N - finished)
    assert generation["base_url"] == server and generation["temperature"] == 0

    local = harness("eval", *common, "--model", str(model_folder), "--batch-size", "1", "--run", str(tmp_path / "local"), env=env)
    output, _ = local.communicate(timeout=600)
    assert local.returncode == 0, output
    assert outputs(tmp_path / "served") == outputs(tmp_path / "local")  # greedy: the same text either way

    board = harness("leaderboard", str(tmp_path / "local"), str(tmp_path / "served"), "--csv", str(tmp_path / "board.csv"), env=env)
    output, _ = board.communicate(timeout=300)
    assert board.returncode == 0, output
    assert {"llama3", "openai:llama3"} <= set((tmp_path / "board.csv").read_text().replace(",", "\n").splitlines())


def test_bench_eval_counts_the_served_outputs_that_agree(server, model_folder, data, tmp_path):
    env = {**os.environ, "HARNESS_CACHE": str(tmp_path / "cache")}
    bench = harness("bench", "eval", "--task", str(data), "--model", str(model_folder), "--guide-samples", "0",
                    "--batch-size", "1", "--max-new-tokens", "24", "--workers", "1", "--served", f"openai:{model_folder}",
                    "--base-url", server, "--json", str(tmp_path / "bench.json"), env=env)
    output, _ = bench.communicate(timeout=600)
    assert bench.returncode == 0, output
    local, remote = json.loads((tmp_path / "bench.json").read_text())["results"]
    assert remote["path"] == f"served (openai:{model_folder})" and remote["samples"] == local["samples"] == 2  # the test split
    assert remote["agree"] == 2 and local["agree"] == 2
    assert remote["generate_samples_per_s"] > 0
