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

from harness.scoring.compare import Verdict, compare_results, compare_states
from harness.scoring.dialect import DEFAULT_SOURCE_DIALECTS
from harness.scoring.execution import DatabaseSpec, Executor, ScriptRun
from harness.scoring.extract import extract_sql
from harness.scoring.ordering import order_spec
from harness.scoring.record import METRIC_NAMES, UNJUDGEABLE
from harness.scoring.sandbox import Sandbox, SandboxLimits
from harness.scoring.sqlmatch import ast_match, exact_match
from harness.scoring.testsuite import Suite, read_schema, suite
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
    generated_k: int = field(default=5, metadata={
        "help": "generated databases that decide execution match when the sample's tables hold no rows; 0 leaves it to the empty database"})
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
    """Score one item in this process (called inside a worker).

    The gold runs first, so that whatever then goes wrong with the prediction (in its run, its
    test suite, its exact or AST match, or a worker killed meanwhile) is known to be the
    prediction's failure on a judgeable sample (`_from_outcome` reads the stage it happened in).
    """
    start = time.monotonic()
    gold = item.get("sql") or ""
    record = {**item, "prediction_sql": "", "exact_match": None, "ast_match": None,
              "execution_match": None, "test_suite_match": None, "reason": None, "error": None}
    beat("extract", record)
    pred = record["prediction_sql"] = extract_sql(str(item.get("prediction") or ""))
    executor, spec = _executor(config), DatabaseSpec.from_item(item)
    seen = {}

    def judge_on_it(cursor, runs):  # the sample's database, back as built: a test suite would read it again
        # a run without a state of its own is judged by the initial one, which is read elsewhere
        if not runs[1].error and (all(r.state is not None for r in runs) or not any(r.mutated for r in runs)):
            seen["verdict"] = judge(executor, spec, *runs)
            if seen["verdict"].match and config.test_suite_k + config.generated_k > 0:
                seen["tables"] = read_schema(cursor, spec)

    beat("gold", record)
    gold_run, pred_run = executor.run_pair(spec, gold, pred if pred.strip() else None,
                                           between=lambda: beat("prediction", record), unchanged=judge_on_it)
    record["dialect"] = {"gold": _path(gold_run, context=True)}
    record["timings"] = {"gold_s": round(gold_run.seconds, 4)}
    if gold_run.error:
        reason = "context_error" if gold_run.error_kind == "context" else "gold_error"
        return _finish(record, start, config, beat, reason=reason, error=gold_run.error)
    if pred_run is None:
        return _finish(record, start, config, beat, reason="empty_prediction", execution_match=False,
                       test_suite_match=False)
    record["dialect"]["prediction"] = _path(pred_run)
    record["timings"]["pred_s"] = round(pred_run.seconds, 4)
    if pred_run.error:
        return _finish(record, start, config, beat, reason=_PRED_REASONS[pred_run.error_kind], error=pred_run.error,
                       execution_match=False, test_suite_match=False)
    verdict = seen.get("verdict") or judge(executor, spec, gold_run, pred_run)
    if not verdict.match and _unstable(executor, spec, gold, pred):
        return _finish(record, start, config, beat, **_NONDETERMINISTIC)
    record.update(execution_match=verdict.match, reason=verdict.reason, decided_on="sample")
    if verdict.detail:
        record["diff"] = verdict.detail
    _text_metrics(record, gold, config, beat)
    if not verdict.match:
        return _finish(record, start, config, beat, test_suite_match=False)
    generated_k, suite_k = config.generated_k, config.test_suite_k
    if generated_k + suite_k == 0:
        return _finish(record, start, config, beat)
    # the test suite's k databases first, as for every sample; a schema-only sample's execution match
    # is decided on generated_k more, and its test suite is its k databases after those
    databases = suite(executor, spec, (gold, pred), suite_k, config.seed, seen.get("tables"), extra=generated_k)
    suite_databases = range(suite_k)
    if databases.schema_only and generated_k:
        if not _decide_on_generated(record, executor, databases, range(suite_k, suite_k + generated_k), gold, pred, beat):
            return _finish(record, start, config, beat)
    if suite_k:
        _run_suite(record, executor, databases, suite_databases, gold, pred, beat)
    return _finish(record, start, config, beat)


def _text_metrics(record: dict, gold: str, config: ScoreConfig, beat) -> None:
    """Exact and AST match, each in a stage of its own (a prediction that hangs a parser fails only these)."""
    pred = record["prediction_sql"]
    beat("exact", record)
    record["exact_match"] = exact_match(gold, pred)
    beat("ast", record)
    record["ast_match"] = ast_match(gold, pred, record.get("sql_context") or "", config.ast_dialect)


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


def _decide_on_generated(record: dict, executor: Executor, databases: Suite, indices: range, gold: str, pred: str,
                         beat) -> bool:
    """Decide the execution match of a schema-only sample on generated databases; whether to go on.

    The empty database matched (a mismatch there is a mismatch anywhere). Gold and prediction must
    now agree on every generated database the gold runs on; when it runs on none, the empty
    database's verdict stands. The record says which databases decided (`decided_on`, `generated`).
    """
    sample_verdict = {"execution_match": record["execution_match"], "reason": record["reason"]}
    record.update(execution_match=None, reason=None)  # undecided while the generated databases run
    beat("generated", record)
    failed, judged, index = _agree(executor, databases, indices, gold, pred, beat, "generated")
    if failed is not None and failed.reason == "gold_nondeterministic":
        record.update(execution_match=None, test_suite_match=None, **_NONDETERMINISTIC)
        return False
    if not judged:
        record.update(sample_verdict)
        return True
    record.update(decided_on="generated", generated={"databases": len(indices), "judged": judged})
    if failed is None:
        record.update(execution_match=True, reason="match")
        return True
    record.update(execution_match=False, reason=failed.reason, test_suite_match=False)
    record["generated"].update(failed_database=index, diff=failed.detail)
    return False


def _run_suite(record: dict, executor: Executor, databases: Suite, indices: range, gold: str, pred: str, beat) -> None:
    """Fill test_suite_match: both scripts must agree on every one of these generated databases the gold runs on."""
    beat("suite", record)
    failed, judged, index = _agree(executor, databases, indices, gold, pred, beat, "suite")
    if failed is not None and failed.reason == "gold_nondeterministic":
        record.update(execution_match=None, test_suite_match=None, **_NONDETERMINISTIC)
    elif failed is not None:
        record.update(test_suite_match=False, test_suite_reason=failed.reason,
                      test_suite={"databases": len(indices), "failed_database": index, "diff": failed.detail})
    else:
        record["test_suite"] = {"databases": len(indices), "judged": judged}
        record["test_suite_match"] = True if judged else None
        record["test_suite_reason"] = "match" if judged else "no_suite_database"


def _agree(executor: Executor, databases: Suite, indices: range, gold: str, pred: str, beat,
           stage: str) -> tuple[Verdict | None, int, int | None]:
    """Judge gold and prediction on generated databases until one disagrees.

    Each database reports stages `<stage>:<i>`, `<stage>:<i>:gold` and `<stage>:<i>:prediction`
    (the record stays as last reported at `<stage>`).

    Returns:
        (the first disagreeing verdict, reason gold_nondeterministic when the gold disagrees with
        itself there, or None; the number of databases judged, those where the gold ran; the
        index of the disagreeing database).
    """
    judged = 0
    for i in (i for i in indices if i < databases.size):
        beat(f"{stage}:{i}")

        def between(i=i):
            beat(f"{stage}:{i}:prediction")

        def on_generated(cursor, db, objects, i=i):
            beat(f"{stage}:{i}:gold")
            return executor.run_on(cursor, db, gold, pred, between, objects=objects)

        db, runs = databases.database(executor, i, on_generated)
        if runs is None:
            beat(f"{stage}:{i}:gold")
            gold_run, pred_run = executor.run_pair(db, gold, pred, between=between)
        else:
            gold_run, pred_run = executor.finish_pair(db, runs, pred)
        if gold_run.error:
            continue
        verdict = judge(executor, db, gold_run, pred_run) if not pred_run.error else Verdict(False, _PRED_REASONS[pred_run.error_kind])
        judged += 1
        if not verdict.match and _unstable(executor, db, gold, pred):
            return Verdict(False, "gold_nondeterministic"), judged, i
        if not verdict.match:
            return verdict, judged, i
    return None, judged, None


def _finish(record: dict, start: float, config: ScoreConfig, beat, **fields) -> dict:
    record.update(fields)
    if record["exact_match"] is None:
        _text_metrics(record, record.get("sql") or "", config, beat)
    record.setdefault("timings", {})["total_s"] = round(time.monotonic() - start, 4)
    return record


def _from_outcome(item: dict, outcome: Outcome) -> dict:
    """The record for an item, also when its worker was killed or the job raised.

    Judgeability depends on gold and context only. A worker that stalls or dies past the gold's
    run fails the prediction (`timeout`, `pred_exec_error`): a metric not yet decided is false;
    while the gold runs, the gold (`gold_error`). An exception that escaped the job is the
    harness's own failure (`harness_error`, in `test_suite_reason` when the test suite raised): the
    sample still counts, as a failure, and the commands report it.
    """
    if outcome.result is not None:
        return outcome.result
    record = {**item, **{m: None for m in METRIC_NAMES}, "reason": None, **(outcome.partial or {})}
    stage = outcome.stage or ""
    why = f"worker {'killed after a stall' if outcome.killed == 'stall' else outcome.killed} in stage {stage!r}"
    undecided = {m: False for m in METRIC_NAMES if record.get(m) is None}
    if record["reason"] in UNJUDGEABLE:
        undecided = {m: v for m, v in undecided.items() if m not in ("execution_match", "test_suite_match")}
    if outcome.killed == "error":
        why = f"{why}: {outcome.error}"
        if stage.startswith("suite"):
            return {**record, **undecided, "test_suite_reason": "harness_error", "error": why}
        return {**record, **undecided, "reason": record["reason"] if record["reason"] in UNJUDGEABLE else "harness_error",
                "error": why}
    failed_by = "timeout" if outcome.killed == "stall" else "pred_exec_error"
    if stage in ("", "extract"):  # before the gold ran: whose doing is not known, so the harness's
        return {**record, **undecided, "reason": "harness_error", "error": why}
    if stage.endswith("gold"):  # the gold's run: the gold's doing
        if stage.startswith("suite"):
            return {**record, "test_suite_match": None, "test_suite_reason": "gold_timeout", "error": why}
        return {**record, "execution_match": None, "test_suite_match": None, "reason": "gold_error", "error": why}
    if stage.startswith("suite"):
        return {**record, **undecided, "test_suite_reason": failed_by, "error": why}
    if stage in ("exact", "ast"):  # the execution verdict stands; only the text metrics were left
        return {**record, **undecided, "error": why}
    return {**record, **undecided, "reason": failed_by, "error": why}  # prediction, generated databases


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
    the rest and returns them in submission order. A caller that submits several groups (one
    per checkpoint, say) keeps each group's indices and asks `ready` and `records` for a slice.

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

    def submit(self, item: dict) -> int:
        """Queue one item for scoring; returns its index in submission order."""
        self.started = self.started or time.perf_counter()
        future = self._pool.submit(item)
        future.add_done_callback(self._done)
        self._items.append(item)
        self._futures.append(future)
        return len(self._futures) - 1

    def _done(self, _future: Future) -> None:
        self.finished = time.perf_counter()
        if self._progress is not None:
            self._progress.advance(self._task)

    def ready(self, start: int = 0, stop: int | None = None) -> bool:
        """Whether the items submitted `start` to `stop - 1` (default: all) are scored."""
        return all(future.done() for future in self._futures[start:stop])

    def records(self, start: int = 0, stop: int | None = None) -> list[dict]:
        """The records of the items submitted `start` to `stop - 1` (default: all), in submission
        order; waits for those still running."""
        pairs = zip(self._items[start:stop], self._futures[start:stop])
        return [_from_outcome(item, future.result()) for item, future in pairs]

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
    ("duckdb", "transpiled:mysql", "lenient_group_by", ...); rows is the row count of the last
    result, columns its column names and preview its first rows as text.
    """
    return check_golds([item], config, progress=False)[0]
