"""Served models when things go wrong, against a tiny real HTTP server on localhost that answers
as told per question: retries after 429 and 5xx, a timeout, a failing sample named with every
finished output kept, a refused key, an unknown model, an unreachable endpoint, a missing key."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import tiny_models
from harness import cli
from harness.data import prompts
from harness.errors import HarnessInputError
from harness.generation import served
from harness.generation.cache import GenerationCache
from harness.generation.generate import DecodeConfig, generate
from harness.store import RunStore

SAMPLES = tiny_models.samples(4)
KNOWN = tiny_models.samples(8)  # what the server can answer
DECODE = DecodeConfig(max_new_tokens=16)


class Server(ThreadingHTTPServer):
    """Answers chat completions per sample: `plan[sample id]` is a list of statuses to give in turn
    (the last one repeats); 200 answers the sample's gold SQL. Records every request."""

    daemon_threads = True

    def __init__(self, plan: dict[str, list[int]] | None = None, delay: float = 0.0, models_status: int = 200):
        super().__init__(("127.0.0.1", 0), Handler)
        self.plan, self.delay, self.models_status = plan or {}, delay, models_status
        self.requests: list[tuple[str, dict, dict]] = []  # (sample id, body, headers)
        self.in_flight = self.most_in_flight = 0
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def status_for(self, sample_id: str) -> int:
        statuses = self.plan.get(sample_id, [200])
        asked = sum(r[0] == sample_id for r in self.requests)
        return statuses[min(asked - 1, len(statuses) - 1)]


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass

    def reply(self, status: int, body: dict, headers: dict | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        for key, value in {"Content-Type": "application/json", **(headers or {})}.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.server.models_status != 200:
            self.reply(self.server.models_status, {"error": {"message": "Incorrect API key provided"}})
        else:
            self.reply(200, {"object": "list", "data": [{"id": "tiny", "object": "model"}]})

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if body["model"] != "tiny":
            return self.reply(404, {"error": {"message": f"The model `{body['model']}` does not exist."}})
        sample = next(s for s in KNOWN if s.sql_prompt in body["messages"][0]["content"])
        server = self.server
        with server.lock:
            server.requests.append((sample.id, body, dict(self.headers)))
            server.in_flight += 1
            server.most_in_flight = max(server.most_in_flight, server.in_flight)
            status = server.status_for(sample.id)
        time.sleep(server.delay)
        with server.lock:
            server.in_flight -= 1
        if status == 200:
            self.reply(200, {"choices": [{"index": 0, "message": {"role": "assistant", "content": sample.sql},
                                          "finish_reason": "stop"}], "usage": {"completion_tokens": 5}})
        else:
            self.reply(status, {"error": {"message": f"status {status} for you"}}, {"Retry-After": "0"})


@pytest.fixture
def server():
    servers = []

    def start(**kwargs) -> Server:
        servers.append(Server(**kwargs))
        threading.Thread(target=servers[-1].serve_forever, daemon=True).start()
        return servers[-1]

    yield start
    for s in servers:
        s.shutdown()
        s.server_close()


def ask(server, tmp_path, samples=SAMPLES, **settings):
    endpoint = served.endpoint("openai:tiny", server.url, **{"backoff_s": 0.01, **settings})
    generator = served.ServedGenerator(endpoint)
    return generate(generator, samples, DECODE, GenerationCache(tmp_path, generator.cache_key(DECODE)), progress=False)


def test_greedy_requests_of_the_tasks_messages_retried_after_429_and_5xx(server, tmp_path):
    srv = server(plan={"s1": [429, 200], "s2": [500, 503, 200]})
    outputs, stats = ask(server=srv, tmp_path=tmp_path)
    assert outputs == {s.id: s.sql for s in SAMPLES} and stats["generated"] == 4 and stats["new_tokens"] == 20
    assert sorted(r[0] for r in srv.requests) == ["s0", "s1", "s1", "s2", "s2", "s2", "s3"]
    body = srv.requests[0][1]
    assert body["temperature"] == 0 and body["max_tokens"] == 16
    assert body["messages"] == prompts.messages(next(s for s in SAMPLES if s.id == srv.requests[0][0]), with_answer=False)


def test_requests_go_a_bounded_number_at_a_time(server, tmp_path):
    srv = server(delay=0.2)
    ask(srv, tmp_path, tiny_models.samples(6), concurrency=2)
    assert srv.most_in_flight == 2


def test_a_request_that_takes_too_long_is_retried_then_named(server, tmp_path):
    srv = server(delay=1.0)
    with pytest.raises(HarnessInputError, match=r"failed on sample s\d after 2 attempts \(no reply: timed out\)"):
        ask(srv, tmp_path, SAMPLES[:1], timeout_s=0.2, retries=1)
    assert len(srv.requests) == 2


def test_a_failing_sample_is_named_and_every_finished_output_kept(server, tmp_path, own_cache, capsys):
    srv = server(plan={"s2": [500]})
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps(s.to_dict()) + "\n" for s in SAMPLES))
    args = ["eval", "--task", str(data), "--split", "all", "--model", "openai:tiny", "--base-url", srv.url,
            "--run", str(tmp_path / "run"), "--max-new-tokens", "16", "--concurrency", "1", "--retries", "2",
            "--workers", "1", "--no-progress"]
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert "openai:tiny at http://127.0.0.1" in err and "failed on sample s2 after 3 attempts (HTTP 500: status 500 for you)" in err
    assert "outputs finished before are cached, so the same command resumes" in err
    assert [r[0] for r in srv.requests].count("s2") == 3
    asked_before = {r[0] for r in srv.requests}
    srv.plan, srv.requests = {}, []  # the server recovers: only what was not finished is asked again
    assert cli.main(args) == 0
    assert {r[0] for r in srv.requests} == {"s2"} | ({s.id for s in SAMPLES} - asked_before)
    summary = RunStore(tmp_path / "run").summary("base")
    assert summary["model"] == "openai:tiny" and summary["generation"]["base_url"] == srv.url
    assert summary["generation"]["cached"] == len(asked_before - {"s2"})
    assert all(r["execution_match"] for r in RunStore(tmp_path / "run").samples("base"))


def test_a_refused_key_is_an_input_error(server, tmp_path, monkeypatch):
    monkeypatch.setenv("MY_KEY", "sk-wrong")
    srv = server(models_status=401)
    with pytest.raises(HarnessInputError, match="refused the API key .*HTTP 401: Incorrect API key.*set MY_KEY"):
        ask(srv, tmp_path, key_env="MY_KEY")
    assert srv.requests == []


def test_the_key_goes_as_a_bearer_token(server, tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    srv = server()
    ask(srv, tmp_path, SAMPLES[:1])
    assert srv.requests[0][2]["Authorization"] == "Bearer sk-test"


def test_an_unknown_model_says_what_to_give(server, tmp_path):
    srv = server()
    endpoint = served.endpoint("openai:llama-9000", srv.url)
    generator = served.ServedGenerator(endpoint)
    with pytest.raises(HarnessInputError, match="has no model 'llama-9000'.*give the name the server serves"):
        generate(generator, SAMPLES, DECODE, GenerationCache(tmp_path, generator.cache_key(DECODE)), progress=False)


def test_an_unreachable_endpoint_exits_2(tmp_path, own_cache, capsys):
    data = tmp_path / "rows.jsonl"
    data.write_text(json.dumps(SAMPLES[0].to_dict()))
    with Server() as closed:  # a port that was just free: nothing listens on it now
        url = closed.url
    assert cli.main(["eval", "--task", str(data), "--split", "all", "--model", "openai:tiny", "--base-url", url,
                     "--run", str(tmp_path / "run"), "--no-progress"]) == 2
    assert f"cannot reach {url}" in capsys.readouterr().err


def test_a_remote_server_needs_a_key_before_anything_is_sent(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert cli.main(["eval", "--model", "openai:gpt-4o-mini", "--base-url", "https://api.example.com/v1", "--no-progress"]) == 2
    assert "no API key: set the environment variable OPENAI_API_KEY" in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["--model", "openai:"], "give the served model's name"),
    (["--model", "openai:x", "--base-url", "localhost:8000"], "not an http(s) URL"),
    (["--model", "openai:x", "--base-url", "http://localhost:1/v1", "--checkpoint", "runs/r"], "give --checkpoint base"),
    (["--base-url", "http://localhost:1/v1"], "--base-url is for served models"),
    (["--model", "openai:x", "--base-url", "http://localhost:1/v1", "--concurrency", "0"], "concurrency 0: must be at least 1"),
])
def test_bad_served_arguments_exit_2(argv, message, capsys):
    assert cli.main(["eval", *argv, "--no-progress"]) == 2
    assert message in capsys.readouterr().err


def test_ask_a_served_model(server, own_cache, capsys):
    srv = server()
    sample = KNOWN[5]
    assert cli.main(["ask", sample.sql_prompt, "--schema", sample.sql_context, "--model", "openai:tiny",
                     "--base-url", srv.url]) == 0
    out = capsys.readouterr().out
    assert sample.sql.rstrip(";") in out and "1 rows" in out
