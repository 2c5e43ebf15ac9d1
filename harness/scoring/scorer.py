"""Scoring a prediction against its gold: exact, AST, execution and test-suite match, with a reason code.

Public API: `SCORER_VERSION`, `ScoreConfig`, `Scorer`, `score_item`, `score_all`,
`check_gold`, `check_golds`. All SQL runs in sandboxed worker processes (`harness.scoring.sandbox`, `harness.scoring.workers`).
"""

from __future__ import annotations

import atexit
import os
import time
from collections.abc import Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field, fields

from harness.scoring.compare import Verdict, compare_results, compare_states, compare_ties
from harness.scoring.dialect import DEFAULT_SOURCE_DIALECTS
from harness.scoring.execution import DatabaseSpec, Executor, ScriptRun
from harness.scoring.extract import extract_sql
from harness.scoring.ordering import order_spec
from harness.scoring.sandbox import Sandbox, SandboxLimits
from harness.scoring.sqlmatch import ast_match, exact_match
from harness.scoring.testsuite import read_schema, suite
from harness.progress import progress_bar
from harness.scoring.workers import Outcome, Worker, WorkerPool, run_jobs

__all__ = ["SCORER_VERSION", "ScoreConfig", "Scorer", "score_item", "score_all", "check_gold", "check_golds"]

SCORER_VERSION = "1.2.0"

_PRED_REASONS = {"parse": "pred_parse_error", "exec": "pred_exec_error", "too_large": "pred_exec_error",
                 "timeout": "timeout", "empty": "empty_prediction", "context": "pred_exec_error"}


@dataclass(frozen=True)
class ScoreConfig:
    """How predictions are scored."""

    timeout_s: float = field(default=5.0, metadata={"help": "wall-clock seconds per SQL script; building the sample's database has a limit of its own"})
    memory_limit: str = field(default="512MB", metadata={"help": "DuckDB memory limit per worker"})
    threads: int = 1  # DuckDB threads per worker
    source_dialects: tuple[str, ...] = field(
        default=DEFAULT_SOURCE_DIALECTS,
        metadata={"help": "sqlglot dialects to transpile from, in order, when DuckDB rejects a statement"},
    )
    ast_dialect: str = "duckdb"  # sqlglot read dialect for AST match
    test_suite_k: int = field(default=5, metadata={"help": "extra random databases per sample; 0 turns test-suite match off"})
    seed: int = 0  # seed of the test-suite databases
    workers: int = field(default_factory=lambda: os.cpu_count() or 1, metadata={"help": "scoring processes (default: CPU count)"})
    max_rows: int = 100_000  # most rows kept from one result

    def limits(self) -> SandboxLimits:
        """The sandbox limits this config asks for."""
        return SandboxLimits(memory_limit=self.memory_limit, threads=self.threads, max_rows=self.max_rows)


def field_help() -> dict[str, str]:
    """Field name to help text, for the `--help` of the options that set a field."""
    return {f.name: f.metadata["help"] for f in fields(ScoreConfig) if "help" in f.metadata}


_EXECUTORS: dict[ScoreConfig, Executor] = {}
_INITIAL: dict[DatabaseSpec, dict] = {}


def _executor(config: ScoreConfig) -> Executor:
    """This process's executor for `config` (one sandbox per process and config)."""
    if config not in _EXECUTORS:
        sandbox = Sandbox(config.limits())
        atexit.register(sandbox.close)
        _EXECUTORS[config] = Executor(sandbox, config.timeout_s, tuple(config.source_dialects))
    return _EXECUTORS[config]


def _initial_state(executor: Executor, spec: DatabaseSpec) -> dict:
    """The state of a database before any script ran (cached)."""
    if spec not in _INITIAL:
        if len(_INITIAL) > 256:
            _INITIAL.clear()
        _INITIAL[spec] = executor.run(spec, "SELECT 1", want_state=True).state or {}
    return _INITIAL[spec]


def _path(run: ScriptRun, context: bool = False) -> str:
    """The one dialect path to report for a run: the first fallback used, else duckdb."""
    paths = (run.context_paths if context else []) + run.paths
    return next((p for p in paths if p != "duckdb"), "duckdb")


def judge(executor: Executor, spec: DatabaseSpec, gold: ScriptRun, pred: ScriptRun) -> Verdict:
    """Execution match of two successful runs: last results, then final states."""
    if gold.columns is None and pred.columns is not None:
        return Verdict(False, "extra_result", {"pred_columns": pred.columns})
    if gold.columns is not None and pred.columns is None:
        return Verdict(False, "no_result", {"gold_columns": gold.columns})
    verdict = Verdict(True, "match")
    if gold.columns is not None:
        if gold.ties is not None:  # ordered, with tie groups from its sort keys' values
            verdict = compare_ties(gold.ties, pred.rows, len(pred.columns))
        else:
            order = order_spec(gold.last_sql, gold.columns)
            verdict = compare_results(gold.rows, pred.rows, order, widths=(len(gold.columns), len(pred.columns)))
        if not verdict.match:
            return verdict
    if gold.mutated or pred.mutated:
        states = [r.state if r.state is not None else _initial_state(executor, spec) for r in (gold, pred)]
        state = compare_states(*states)
        if not state.match:
            return state
    return verdict


def _score_here(item: dict, config: ScoreConfig, beat) -> dict:
    """Score one item in this process (called inside a worker)."""
    start = time.monotonic()
    gold, context = item.get("sql") or "", item.get("sql_context") or ""
    pred = extract_sql(str(item.get("prediction") or ""))
    record = {**item, "prediction_sql": pred, "exact_match": exact_match(gold, pred)}
    beat("ast")
    record["ast_match"] = ast_match(gold, pred, context, config.ast_dialect)
    record.update(execution_match=None, test_suite_match=None, reason=None, error=None)
    executor, spec = _executor(config), DatabaseSpec.from_item(item)
    seen = {}

    def judge_on_it(cursor, runs):  # the sample's database, back as built: a test suite would read it again
        # a run without a state of its own is judged by the initial one, which is read elsewhere
        if not runs[1].error and (all(r.state is not None for r in runs) or not any(r.mutated for r in runs)):
            seen["verdict"] = judge(executor, spec, *runs)
            if seen["verdict"].match and config.test_suite_k > 0:
                seen["tables"] = read_schema(cursor, spec)

    beat("gold", record)
    gold_run, pred_run = executor.run_pair(spec, gold, pred if pred.strip() else None,
                                           between=lambda: beat("prediction", record), unchanged=judge_on_it)
    record["dialect"] = {"gold": _path(gold_run, context=True)}
    record["timings"] = {"gold_s": round(gold_run.seconds, 4)}
    if gold_run.error:
        reason = "context_error" if gold_run.error_kind == "context" else "gold_error"
        return _finish(record, start, reason=reason, error=gold_run.error)
    if pred_run is None:
        return _finish(record, start, reason="empty_prediction", execution_match=False, test_suite_match=False)
    record["dialect"]["prediction"] = _path(pred_run)
    record["timings"]["pred_s"] = round(pred_run.seconds, 4)
    if pred_run.error:
        return _finish(record, start, reason=_PRED_REASONS[pred_run.error_kind], error=pred_run.error,
                       execution_match=False, test_suite_match=False)
    verdict = seen.get("verdict") or judge(executor, spec, gold_run, pred_run)
    if not verdict.match and _unstable(executor, spec, gold, pred):
        return _finish(record, start, **_NONDETERMINISTIC)
    record.update(execution_match=verdict.match, reason=verdict.reason)
    if verdict.detail:
        record["diff"] = verdict.detail
    if not verdict.match:
        record["test_suite_match"] = False
    elif config.test_suite_k > 0:
        _run_suite(record, executor, spec, gold, pred, config, beat, seen.get("tables"))
    return _finish(record, start)


# a gold that disagrees with itself (USING SAMPLE, random(), now()) cannot judge anything
_NONDETERMINISTIC = {"reason": "gold_nondeterministic", "error": "two runs of the gold gave different results"}


_STABILITY_RERUNS = 3


def _unstable(executor: Executor, spec: DatabaseSpec, gold: str, pred: str) -> bool:
    """Whether the gold disagrees with itself, called after gold and prediction disagreed.

    A prediction that is the gold's own text already was a second run of the gold. Otherwise the
    gold runs again in pairs, the second where a prediction would run; one disagreement is proof.
    A random sample of a small table agrees with itself by chance often (1 row of 5: one pair in
    five), so a single rerun would call such a gold stable about as often.
    """
    if pred.strip() == gold.strip():
        return True
    return any(not judge(executor, spec, *executor.run_pair(spec, gold, gold)).match for _ in range(_STABILITY_RERUNS))


def _run_suite(record: dict, executor: Executor, spec: DatabaseSpec, gold: str, pred: str, config: ScoreConfig, beat,
               tables: list[dict] | None) -> None:
    """Fill test_suite_match: both scripts must agree on every generated database gold runs on
    (`tables`: the schema of the sample's database, when already read)."""
    beat("suite", record)
    databases = suite(executor, spec, gold, config.test_suite_k, config.seed, tables)
    judged = 0
    for i in range(databases.size):
        beat(f"suite:{i}")  # `record` is as reported at "suite" until the suite ends

        def between(i=i):
            beat(f"suite:{i}:prediction")

        def on_generated(cursor, db, objects, i=i):
            beat(f"suite:{i}:gold")
            return executor.run_on(cursor, db, gold, pred, between, objects=objects)

        db, runs = databases.database(executor, i, on_generated)
        if runs is None:
            beat(f"suite:{i}:gold")
            gold_run, pred_run = executor.run_pair(db, gold, pred, between=between)
        else:
            gold_run, pred_run = executor.finish_pair(db, runs, pred)
        if gold_run.error:
            continue
        verdict = judge(executor, db, gold_run, pred_run) if not pred_run.error else Verdict(False, _PRED_REASONS[pred_run.error_kind])
        judged += 1
        if not verdict.match and _unstable(executor, db, gold, pred):
            record.update(execution_match=None, **_NONDETERMINISTIC)
            return
        if not verdict.match:
            record.update(test_suite_match=False, test_suite_reason=verdict.reason,
                          test_suite={"databases": databases.size, "failed_database": i, "diff": verdict.detail})
            return
    record["test_suite"] = {"databases": databases.size, "judged": judged}
    record["test_suite_match"] = True if judged else None
    record["test_suite_reason"] = "match" if judged else "no_suite_database"


def _finish(record: dict, start: float, **fields) -> dict:
    record.update(fields)
    record.setdefault("timings", {})["total_s"] = round(time.monotonic() - start, 4)
    return record


def _from_outcome(item: dict, outcome: Outcome) -> dict:
    """The record for an item, also when its worker was killed or the job raised."""
    if outcome.result is not None:
        return outcome.result
    record = {**(outcome.partial or item)}
    stage = outcome.stage or ""
    why = f"worker {'killed after a stall' if outcome.killed == 'stall' else outcome.killed} in stage {stage!r}"
    if outcome.killed == "error":
        return {**record, "execution_match": None, "test_suite_match": None, "reason": "harness_error", "error": outcome.error}
    if stage == "gold":
        return {**record, "execution_match": None, "test_suite_match": None, "reason": "gold_error", "error": why}
    if stage.startswith("suite") and stage.endswith("gold"):
        return {**record, "test_suite_match": None, "test_suite_reason": "gold_timeout", "error": why}
    if stage.startswith("suite"):
        return {**record, "test_suite_match": False, "test_suite_reason": "timeout", "error": why}
    return {**record, "execution_match": False, "test_suite_match": False, "reason": "timeout", "error": why}


def _stall_s(config: ScoreConfig) -> float:
    return config.timeout_s + 2.0


_SINGLE: dict[ScoreConfig, Worker] = {}
PREVIEW_ROWS = 20


def score_item(item: dict, config: ScoreConfig = ScoreConfig()) -> dict:
    """Score one item in a sandboxed worker process (kept alive between calls).

    Args:
        item: `sql_context`, `sql` (gold), `prediction`; optionally `id`, `db_path`, `setup_sql`
            and breakdown fields.
        config: Scoring settings.

    Returns:
        The item plus exact_match, ast_match, execution_match, test_suite_match, reason, error,
        dialect paths, timings and (when results differ) a diff of the first differing rows.
    """
    if config not in _SINGLE:
        _SINGLE[config] = Worker(_score_here, config, _stall_s(config))
        atexit.register(_SINGLE[config].close)
    return _from_outcome(item, _SINGLE[config].call(item))


class Scorer:
    """Scores items in sandboxed worker processes as they are submitted; use as a context manager.

    Lets a caller score while it still produces items (generation, say); `records` waits for
    the rest and returns them in submission order.

    Args:
        config: Scoring settings.
        progress: A rich `Progress` to show a "scoring" task on, or None.
        total: Items expected, for the progress bar's total and the number of processes.
    """

    def __init__(self, config: ScoreConfig = ScoreConfig(), progress=None, total: int | None = None):
        workers = config.workers if total is None else min(config.workers, total)
        self._pool = WorkerPool(_score_here, config, workers, _stall_s(config))
        self._items: list[dict] = []
        self._futures: list[Future] = []
        self._progress = progress
        self._task = progress.add_task("scoring", total=total) if progress is not None else None
        self.started: float | None = None
        self.finished: float | None = None

    def submit(self, item: dict) -> None:
        """Queue one item for scoring."""
        self.started = self.started or time.perf_counter()
        future = self._pool.submit(item)
        future.add_done_callback(self._done)
        self._items.append(item)
        self._futures.append(future)

    def _done(self, _future: Future) -> None:
        self.finished = time.perf_counter()
        if self._progress is not None:
            self._progress.advance(self._task)

    def records(self) -> list[dict]:
        """Every submitted item's record, in submission order (waits for those still running)."""
        return [_from_outcome(item, future.result()) for item, future in zip(self._items, self._futures)]

    def close(self) -> None:
        """Stop the worker processes."""
        self._pool.close()

    def __enter__(self) -> "Scorer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def score_all(items: Iterable[dict], config: ScoreConfig = ScoreConfig(), progress: bool = True) -> list[dict]:
    """Score many items in parallel worker processes; records come back in input order."""
    items = list(items)
    with progress_bar(progress) as bar, Scorer(config, bar if progress else None, total=len(items)) as scorer:
        for item in items:
            scorer.submit(item)
        return scorer.records()


def _check_here(item: dict, config: ScoreConfig, beat) -> dict:
    """Run an item's context and gold (inside a worker)."""
    beat("gold")
    run = _executor(config).run(DatabaseSpec.from_item(item), item.get("sql") or "")
    status = {None: "ok", "context": "context_error", "timeout": "timeout"}.get(run.error_kind, "gold_error")
    returned = run.columns is not None and not run.error
    return {"status": status, "dialect": _path(run, context=True), "error": run.error,
            "rows": len(run.rows) if returned else None, "columns": run.columns if returned else None,
            "preview": [[None if v is None else str(v) for v in row] for row in run.rows[:PREVIEW_ROWS]] if returned else None}


def _check_outcome(outcome: Outcome) -> dict:
    if outcome.result is not None:
        return outcome.result
    status = "timeout" if outcome.killed == "stall" else "gold_error"
    return {"status": status, "dialect": None, "error": outcome.error or f"worker {outcome.killed}", "rows": None,
            "columns": None, "preview": None}


def check_golds(items: Iterable[dict], config: ScoreConfig = ScoreConfig(), progress: bool = True) -> list[dict]:
    """`check_gold` for many items, in parallel, in input order."""
    outcomes = run_jobs(_check_here, list(items), config, config.workers, _stall_s(config), "checking golds" if progress else None)
    return [_check_outcome(o) for o in outcomes]


def check_gold(item: dict, config: ScoreConfig = ScoreConfig()) -> dict:
    """Whether an item's context and gold run: {"status", "dialect", "error", "rows", "columns", "preview"}.

    status is "ok", "context_error", "gold_error" or "timeout"; dialect is the path that ran
    ("duckdb", "transpiled:mysql", ...); rows is the row count of the last result, columns its
    column names and preview its first rows as text.
    """
    return check_golds([item], config, progress=False)[0]
