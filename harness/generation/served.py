"""A model served over an OpenAI-compatible chat-completions API, as a generation backend.

`--model openai:NAME --base-url URL` names one: NAME is the model as the server knows it, URL the
API root (`http://localhost:8000/v1`; default `$OPENAI_BASE_URL`, else OpenAI's). The key comes
from an environment variable (`OPENAI_API_KEY`, or the one `--api-key-env` names); a server off
this machine is refused without one.

Each sample is one request holding the task's messages (`harness.data.prompts.messages`),
greedy (temperature 0) with the run's token limit; the server renders the model's chat template
and stops at its end of turn. Requests go `concurrency` at a time, each with a timeout; a 429, a
5xx, a timeout or a dropped connection is retried after the server's Retry-After or an
exponential backoff. Outputs are cached by base URL, model name, messages and decoding settings,
so a killed run resumes without asking again. A request that still fails, or that the server
refuses, ends the run with an error naming the sample, once the requests under way have
finished and been cached.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import os
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from urllib.parse import urlparse

from harness.data.prompts import messages
from harness.errors import HarnessInputError
from harness.models.loader import SERVED_PREFIX as PREFIX

DEFAULT_BASE_URL = "https://api.openai.com/v1"
KEY_ENV = "OPENAI_API_KEY"
MAX_WAIT_S = 60.0


def is_served(model: str) -> bool:
    """Whether a `--model` value names a served model (`openai:NAME`)."""
    return model.startswith(PREFIX)


@dataclass(frozen=True)
class Endpoint:
    """A served model and how to ask it.

    Attributes:
        name: The model's name on the server.
        base_url: The API root, without a trailing slash (requests go to `<base_url>/chat/completions`).
        key_env: The environment variable the key was read from (named in errors).
        api_key: The key, if any.
        concurrency: Requests under way at once.
        timeout_s: Seconds one request may take.
        retries: Further attempts after a 429, 5xx, timeout or dropped connection.
        backoff_s: Wait before the first retry, doubled for each further one (unless the server
            says how long with Retry-After).
    """

    name: str
    base_url: str
    key_env: str = KEY_ENV
    api_key: str | None = field(default=None, repr=False)
    concurrency: int = 4
    timeout_s: float = 120.0
    retries: int = 4
    backoff_s: float = 1.0

    @property
    def label(self) -> str:
        """The model as the leaderboard names it: `openai:NAME`."""
        return PREFIX + self.name


def endpoint(model: str, base_url: str | None = None, key_env: str = KEY_ENV, **settings) -> Endpoint:
    """The endpoint of `--model openai:NAME`, its key read from `key_env`.

    Args:
        model: `openai:NAME`.
        base_url: The API root (default `$OPENAI_BASE_URL`, else OpenAI's).
        key_env: The environment variable holding the key.
        **settings: `concurrency`, `timeout_s`, `retries`, `backoff_s` (see `Endpoint`).

    Raises:
        HarnessInputError: No name, a base URL that is not http(s), a setting out of range, or no
            key for a server off this machine.
    """
    name = model.removeprefix(PREFIX)
    if not name:
        raise HarnessInputError(f"--model {model!r}: give the served model's name, e.g. openai:gpt-4o-mini")
    url = (base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
    host = urlparse(url).hostname
    if urlparse(url).scheme not in ("http", "https") or not host:
        raise HarnessInputError(f"--base-url {url!r}: not an http(s) URL; give the API root, e.g. http://localhost:8000/v1")
    for key, low in (("concurrency", 1), ("timeout_s", 1e-3), ("retries", 0)):
        if key in settings and settings[key] < low:
            raise HarnessInputError(f"{key.replace('_s', '')} {settings[key]}: must be at least {low:g}")
    api_key = os.environ.get(key_env) or None
    if api_key is None and not _loopback(host):
        raise HarnessInputError(
            f"{url}: no API key: set the environment variable {key_env} (or name another with --api-key-env); "
            "any value will do for a server that needs none"
        )
    return Endpoint(name, url, key_env, api_key, **settings)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class RequestFailed(Exception):
    """A request that got no usable reply: an HTTP status (None when no reply came), a message, a retry hint."""

    def __init__(self, status: int | None, message: str, retry_after: float | None = None):
        super().__init__(f"HTTP {status}: {message}" if status else message)
        self.status, self.retry_after = status, retry_after

    @property
    def retryable(self) -> bool:
        return self.status is None or self.status == 429 or self.status >= 500


class ServedGenerator:
    """A served model as a `harness.generation.generate.Generator`."""

    def __init__(self, endpoint: Endpoint):
        self.endpoint = endpoint

    def cache_key(self, decode) -> dict:
        """Base URL and model name, and the decoding the requests ask for (the messages key each entry)."""
        return {"backend": "openai-chat", "base_url": self.endpoint.base_url, "model": self.endpoint.name,
                "decoding": "greedy", "temperature": 0, "max_new_tokens": decode.max_new_tokens}

    def request(self, sample) -> str:
        return json.dumps(messages(sample, with_answer=False), sort_keys=True, ensure_ascii=False)

    def run(self, pending, requests, decode, finished, bar) -> dict:
        """Ask for every pending sample, `concurrency` at a time, handing on each output as it comes.

        Raises:
            HarnessInputError: The server is unreachable, refuses the key, the model or a request,
                or a request still fails after its retries (the error names the sample; the
                outputs finished before are cached).
        """
        self.check()
        done = 0
        failure: tuple[str, RequestFailed] | None = None
        with ThreadPoolExecutor(self.endpoint.concurrency, thread_name_prefix="served") as pool:
            futures = {pool.submit(self.complete, json.loads(requests[s.id]), decode.max_new_tokens): s.id for s in pending}
            try:
                for future in as_completed(futures):
                    if future.cancelled():
                        continue
                    try:
                        text, tokens = future.result()
                    except RequestFailed as err:
                        failure = failure or (futures[future], err)
                        for other in futures:
                            other.cancel()
                        continue
                    finished({futures[future]: text}, tokens)
                    done += 1
            except BaseException:
                for other in futures:
                    other.cancel()
                raise
        if failure:
            raise self._explain(*failure, done)
        return {"backend": "openai-chat", "concurrency": self.endpoint.concurrency}

    def check(self) -> None:
        """Ask the server for its models once: refuse an unreachable server or a rejected key before any work."""
        try:
            self._send("GET", "/models", None, min(self.endpoint.timeout_s, 10.0))
        except RequestFailed as err:
            if err.status is None:
                raise HarnessInputError(
                    f"{self.endpoint.label}: cannot reach {self.endpoint.base_url} ({err}): start the server, or give "
                    "--base-url the API root of a running OpenAI-compatible server (e.g. http://localhost:8000/v1)"
                ) from None
            if err.status in (401, 403):
                raise self._explain(None, err, 0) from None

    def complete(self, chat: list[dict], max_new_tokens: int) -> tuple[str, int]:
        """One chat completion, greedy, retried on 429, 5xx, timeouts and dropped connections.

        Returns:
            The reply's text and its completion tokens (0 when the server does not say).
        """
        body = {"model": self.endpoint.name, "messages": chat, "temperature": 0, "max_tokens": max_new_tokens}
        attempt = 0
        while True:
            try:
                return _text(self._send("POST", "/chat/completions", body, self.endpoint.timeout_s))
            except RequestFailed as err:
                if not err.retryable or attempt == self.endpoint.retries:
                    raise
                wait = err.retry_after if err.retry_after is not None else self.endpoint.backoff_s * 2**attempt
                time.sleep(min(wait, MAX_WAIT_S))
                attempt += 1

    def _send(self, method: str, path: str, body: dict | None, timeout: float) -> dict:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.endpoint.api_key:
            headers["Authorization"] = f"Bearer {self.endpoint.api_key}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.endpoint.base_url + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                payload = response.read()
        except urllib.error.HTTPError as err:
            raise RequestFailed(err.code, _error_message(err.read()), _retry_after(err.headers.get("Retry-After"))) from None
        except (urllib.error.URLError, http.client.HTTPException, OSError) as err:
            reason = getattr(err, "reason", None) or err
            raise RequestFailed(None, f"no reply: {reason}") from None
        try:
            return json.loads(payload or b"{}")
        except json.JSONDecodeError:
            raise RequestFailed(None, f"a reply that is not JSON: {payload[:200]!r}") from None

    def _explain(self, sample_id: str | None, err: RequestFailed, done: int) -> HarnessInputError:
        """The error to show for a failed request: what went wrong and what to give instead."""
        where = f"{self.endpoint.label} at {self.endpoint.base_url}"
        on = f" on sample {sample_id}" if sample_id else ""
        kept = f"; the {done} outputs finished before are cached, so the same command resumes" if done else ""
        if err.status in (401, 403):
            return HarnessInputError(f"{where} refused the API key ({err}): set {self.endpoint.key_env} to a key it accepts")
        if err.status == 404:
            return HarnessInputError(
                f"{where} has no model {self.endpoint.name!r} or no chat-completions API ({err}): give the name the "
                f"server serves as --model openai:NAME and its API root (usually ending in /v1) as --base-url{kept}"
            )
        if not err.retryable:
            return HarnessInputError(
                f"{where} refused the request{on} ({err}): give --model openai:NAME with a name the server serves{kept}"
            )
        attempts = self.endpoint.retries + 1
        return HarnessInputError(f"{where} failed{on} after {attempts} attempt{'s' * (attempts > 1)} ({err}){kept}")


def _text(reply: dict) -> tuple[str, int]:
    try:
        text = reply["choices"][0]["message"].get("content") or ""
    except (KeyError, IndexError, TypeError, AttributeError):
        raise RequestFailed(None, f"a reply without choices[0].message: {json.dumps(reply)[:200]}") from None
    usage = reply.get("usage") or {}
    return text, int(usage.get("completion_tokens") or 0)


def _error_message(body: bytes) -> str:
    """The server's own words from an error reply (OpenAI's `{"error": {"message": ...}}` and common variants)."""
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return body.decode(errors="replace").strip()[:300] or "(no message)"
    if isinstance(data, dict):
        error = data.get("error", data.get("detail", data))
        if isinstance(error, dict):
            error = error.get("message", error)
        return str(error)[:300]
    return str(data)[:300]


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None  # an HTTP date: fall back to the backoff
