"""Scoring worker processes, watched from outside: a worker that stops reporting is killed and replaced.

A worker runs jobs (`fn(payload, config, beat)`) one at a time and calls `beat(stage, partial)`
before every step that runs SQL. The parent waits for each beat at most `stall_s` seconds
(the query timeout plus a grace period); past that, or when the worker dies, it kills the
process, starts a fresh one, and returns what it knows: the last stage and partial result.
A new process's start (its imports, slow on a loaded machine) is not a stall: the wait for
beats begins when it reports ready.
A beat writes its stage and time to memory shared with the parent, so that the parent does not
receive and handle a message for every beat; only a partial result is sent.
Each worker's temp files live in a directory the parent creates and removes, killed or not.
Workers start with glibc's per-thread allocator cache enlarged (`ALLOCATOR_TUNABLE`).
`WorkerPool` feeds jobs to several workers from threads as they are submitted (a future per
job); `run_jobs` runs a list of jobs on one.
"""

from __future__ import annotations

import atexit
import multiprocessing as mp
import os
import queue
import shutil
import tempfile
import threading
import time
import traceback
from concurrent.futures import Future, ThreadPoolExecutor
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from harness.progress import progress_bar

_CONTEXT = mp.get_context("spawn")
_STARTUP_S = 120.0  # longest a new worker process may take to import and report ready
# DuckDB allocates and frees many small blocks per statement, more than glibc's per-thread cache
# keeps by default, so the workers' allocator keeps more of them and goes to the heap less often.
# Read by glibc when a process starts, so it is set in the environment the workers are spawned
# with; ignored elsewhere, and left alone when the user set it.
ALLOCATOR_TUNABLE = "glibc.malloc.tcache_count=4096"
_ENV_LOCK = threading.Lock()


def _tune_allocator() -> None:
    """Add `ALLOCATOR_TUNABLE` to GLIBC_TUNABLES unless that already names the setting."""
    with _ENV_LOCK:
        current = os.environ.get("GLIBC_TUNABLES", "")
        if ALLOCATOR_TUNABLE.split("=")[0] not in current:
            os.environ["GLIBC_TUNABLES"] = f"{current}:{ALLOCATOR_TUNABLE}" if current else ALLOCATOR_TUNABLE


@dataclass
class Outcome:
    """What a job gave back.

    Attributes:
        result: The job's return value, or None when the worker was killed or crashed.
        killed: "stall" (no beat in time), "crash" (the process died), "error" (the job raised) or None.
        stage: The last stage the worker reported.
        partial: The last partial result the worker reported.
        error: Traceback text when the job raised.
    """

    result: Any = None
    killed: str | None = None
    stage: str | None = None
    partial: Any = None
    error: str | None = None


class _Heartbeat:
    """A worker's last stage and when it was reported, in memory shared by worker and parent."""

    def __init__(self):
        self._stage = _CONTEXT.RawArray("c", 256)
        self._time = _CONTEXT.RawValue("d", time.monotonic())

    def beat(self, stage: str) -> None:
        self._stage.value = stage.encode()[:255]
        self._time.value = time.monotonic()

    @property
    def stage(self) -> str | None:
        return self._stage.value.decode(errors="replace") or None

    def silent_s(self) -> float:
        """Seconds since the last beat."""
        return time.monotonic() - self._time.value


def _main(conn, heartbeat: _Heartbeat, fn: Callable, config: Any, tmpdir: str) -> None:
    """Worker loop: receive payloads, run `fn`, report beats, partial results and the result; clean up on exit."""
    tempfile.tempdir = tmpdir  # every temp file of this process lives where the parent can remove it
    conn.send(("ready",))

    def beat(stage: str, partial: Any = None) -> None:
        heartbeat.beat(stage)
        if partial is not None:
            conn.send(("partial", partial))

    while True:
        try:
            payload = conn.recv()
        except EOFError:
            break
        if payload is None:
            break
        try:
            conn.send(("done", fn(payload, config, beat)))
        except Exception:  # noqa: BLE001 - reported to the parent, which records it
            conn.send(("error", traceback.format_exc()))
    atexit._run_exitfuncs()  # close sandboxes, then skip interpreter teardown of DuckDB objects
    os._exit(0)


class Worker:
    """One worker process running `fn` with a fixed `config`."""

    def __init__(self, fn: Callable, config: Any, stall_s: float):
        self.fn, self.config, self.stall_s = fn, config, stall_s
        self._process = None
        self._conn = None
        self._tmpdir: str | None = None
        self._heartbeat: _Heartbeat | None = None

    def _start(self) -> bool:
        """Start the process; whether it reported ready within `_STARTUP_S`."""
        _tune_allocator()
        parent, child = _CONTEXT.Pipe()
        self._tmpdir = tempfile.mkdtemp(prefix="harness-worker-")
        self._heartbeat = _Heartbeat()
        self._process = _CONTEXT.Process(target=_main, args=(child, self._heartbeat, self.fn, self.config, self._tmpdir),
                                         daemon=True)
        self._conn = parent
        self._process.start()
        child.close()
        try:
            return parent.poll(_STARTUP_S) and parent.recv() == ("ready",)
        except (EOFError, OSError):
            return False

    def call(self, payload: Any) -> Outcome:
        """Run one job; never raises for anything the job or its SQL does."""
        if (self._process is None or not self._process.is_alive()) and not self._start():
            self.kill()
            return Outcome(killed="error", error=f"the worker process did not report ready within {_STARTUP_S:g} s "
                                                 "(it died while starting, or was slower)")
        outcome = Outcome()
        heartbeat = self._heartbeat
        heartbeat.beat("")
        try:
            self._conn.send(payload)
            while True:
                wait = self.stall_s - heartbeat.silent_s()
                if wait <= 0:
                    outcome.killed = "stall"
                    break
                if not self._conn.poll(wait):
                    continue  # the worker may have beaten meanwhile
                kind, *rest = self._conn.recv()
                if kind == "partial":
                    outcome.partial = rest[0]
                elif kind == "done":
                    outcome.result = rest[0]
                    return outcome
                else:
                    outcome.killed, outcome.error, outcome.stage = "error", rest[0], heartbeat.stage
                    return outcome
        except (EOFError, OSError, BrokenPipeError):
            outcome.killed = "crash"
        outcome.stage = heartbeat.stage
        self.kill()
        return outcome

    def kill(self) -> None:
        """Kill the process now; the next call starts a new one."""
        if self._process is not None and self._process.pid is not None:
            self._process.kill()
            self._process.join(5)
        if self._conn is not None:
            self._conn.close()
        if self._tmpdir:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
        self._process = self._conn = self._tmpdir = self._heartbeat = None

    def close(self) -> None:
        """Ask the process to exit, killing it if it does not."""
        if self._process is not None and self._process.is_alive():
            try:
                self._conn.send(None)
                self._process.join(2)
            except (OSError, BrokenPipeError):
                pass
        self.kill()


class WorkerPool:
    """Worker processes fed by threads, for jobs submitted one at a time; use as a context manager.

    Each job takes the next idle worker, so a worker killed on a stall is replaced without
    holding up the others. Processes start on their first job.

    Args:
        fn: Top-level function `fn(payload, config, beat)` run inside the workers.
        config: Passed to every call.
        workers: Number of processes.
        stall_s: Longest wait for a beat before a worker is killed.
    """

    def __init__(self, fn: Callable, config: Any, workers: int, stall_s: float):
        self._workers = [Worker(fn, config, stall_s) for _ in range(max(1, workers))]
        self._idle: queue.Queue[Worker] = queue.Queue()
        for worker in self._workers:
            self._idle.put(worker)
        self._threads = ThreadPoolExecutor(len(self._workers), thread_name_prefix="harness-worker")

    def submit(self, payload: Any) -> Future:
        """Queue one job; the future's result is its `Outcome`."""
        return self._threads.submit(self._call, payload)

    def _call(self, payload: Any) -> Outcome:
        worker = self._idle.get()
        try:
            return worker.call(payload)
        finally:
            self._idle.put(worker)

    def close(self) -> None:
        """Drop jobs not started, wait for running ones, then stop every process."""
        self._threads.shutdown(wait=True, cancel_futures=True)
        for worker in self._workers:
            worker.close()

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def run_jobs(fn: Callable, payloads: list, config: Any, workers: int, stall_s: float, label: str | None) -> list[Outcome]:
    """Run `fn` on every payload across `workers` processes; outcomes in payload order.

    Args:
        fn: Top-level function `fn(payload, config, beat)` run inside the workers.
        payloads: Jobs.
        config: Passed to every call.
        workers: Number of processes (capped at the number of jobs).
        stall_s: Longest wait for a beat before a worker is killed.
        label: Progress bar text, or None for no progress bar.

    Returns:
        One outcome per payload.
    """
    if not payloads:
        return []
    with WorkerPool(fn, config, min(workers, len(payloads)), stall_s) as pool, progress_bar(label is not None) as bar:
        task = bar.add_task(label or "", total=len(payloads))
        futures = [pool.submit(p) for p in payloads]
        for future in futures:
            future.add_done_callback(lambda _: bar.advance(task))
        return [future.result() for future in futures]
