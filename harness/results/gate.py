"""Regression gate: the pure decision whether a candidate regressed against a baseline.

`compare(baseline, candidate, thresholds)` pairs two `OutcomeTable`s by sample id and returns
a `GateResult`. No files are read here (see `harness.results.baselines`) and nothing is printed (see
`harness.commands.gate`), so every decision is unit-tested on made-up tables.

Rules, in order:
1. Not comparable (exit 2) when the tasks, task versions, scorer versions, sample ids or the
   gold SQL of an id differ; the message names every difference. Also when no sample is judgeable on both sides.
2. Samples whose `execution_match` is null (unjudgeable, e.g. a gold that fails) on either
   side are left out of the pairing and reported apart.
3. Fail (exit 1) when the drop in execution accuracy is larger than `max_drop` and the exact
   McNemar test is significant at `alpha`, or when more samples newly fail than
   `max_new_failures` allows (a flat rate can hide many flips both ways).
4. Pass (exit 0) otherwise.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from harness.results.stats import Rate, mcnemar_exact, paired_bootstrap_diff

PASS, FAIL, NOT_COMPARABLE = "pass", "fail", "not_comparable"
EXIT_CODES = {PASS: 0, FAIL: 1, NOT_COMPARABLE: 2}
META_CHECKED = (("task", "task"), ("task_version", "task version"), ("scorer_version", "scorer version"))
EPSILON = 1e-12  # rates are ratios of integers; keep 0.90 - 0.88 from counting as > 0.02


@dataclass(frozen=True)
class Outcome:
    """The execution outcome of one sample."""

    execution_match: bool | None  # None: unjudgeable (the gold failed), never a model failure
    reason: str = ""
    prediction: str = ""
    gold: str = ""


@dataclass
class OutcomeTable:
    """One side of a comparison: where it comes from and its outcome per sample id."""

    outcomes: dict[str, Outcome]
    task: str | None = None
    task_version: str | int | None = None
    scorer_version: str | int | None = None
    model: str | None = None
    checkpoint: str | None = None
    run: str | None = None
    source: str = ""  # the file or folder it was read from, for messages

    @property
    def label(self) -> str:
        """Short name for tables: model@checkpoint, or the source."""
        if self.model or self.checkpoint:
            return f"{self.model or '?'}@{self.checkpoint or '?'}"
        return self.source or "?"


@dataclass(frozen=True)
class Thresholds:
    """When the gate fails."""

    max_drop: float = 0.02  # largest tolerated drop in execution accuracy (absolute, 0.02 = 2 points)
    alpha: float = 0.05  # significance level of the McNemar test
    max_new_failures: int | None = None  # most samples allowed to flip from pass to fail; None: no limit


@dataclass(frozen=True)
class Flip:
    """A sample whose execution outcome differs between the two sides."""

    id: str
    baseline_reason: str
    candidate_reason: str
    baseline_prediction: str
    candidate_prediction: str
    gold: str


@dataclass
class GateResult:
    """Everything the gate found; `decision` is pass, fail or not_comparable."""

    decision: str
    reasons: list[str]  # why it failed, or why the sides are not comparable
    thresholds: Thresholds
    baseline_label: str = ""
    candidate_label: str = ""
    n_paired: int = 0
    baseline_rate: Rate | None = None
    candidate_rate: Rate | None = None
    difference: float | None = None  # candidate minus baseline, over the paired samples
    difference_ci: tuple[float, float] | None = None
    p_value: float | None = None
    newly_failing: list[Flip] = field(default_factory=list)
    newly_passing: list[Flip] = field(default_factory=list)
    unjudgeable: dict[str, list[str]] = field(default_factory=dict)  # side -> ids left out

    @property
    def exit_code(self) -> int:
        """0 pass, 1 fail, 2 not comparable."""
        return EXIT_CODES[self.decision]

    def to_dict(self) -> dict:
        """JSON-ready form, with both rates expanded and the exit code."""
        data = asdict(self)
        data["baseline_rate"] = self.baseline_rate.to_dict() if self.baseline_rate else None
        data["candidate_rate"] = self.candidate_rate.to_dict() if self.candidate_rate else None
        data["exit_code"] = self.exit_code
        return data


def comparability_problems(baseline: OutcomeTable, candidate: OutcomeTable) -> list[str]:
    """Every reason the two sides cannot be compared; empty when they can."""
    problems = []
    for attribute, name in META_CHECKED:
        mine, theirs = getattr(baseline, attribute), getattr(candidate, attribute)
        if str(mine) != str(theirs):
            problems.append(f"different {name}: baseline {mine!r}, candidate {theirs!r}")
    only_baseline = sorted(set(baseline.outcomes) - set(candidate.outcomes))
    only_candidate = sorted(set(candidate.outcomes) - set(baseline.outcomes))
    if only_baseline or only_candidate:
        problems.append(
            f"different sample ids: {len(only_baseline)} only in the baseline{_examples(only_baseline)}, "
            f"{len(only_candidate)} only in the candidate{_examples(only_candidate)}"
        )
    shared = sorted(set(baseline.outcomes) & set(candidate.outcomes))
    other_gold = [i for i in shared if baseline.outcomes[i].gold and candidate.outcomes[i].gold
                  and baseline.outcomes[i].gold != candidate.outcomes[i].gold]
    if other_gold:
        problems.append(f"different gold SQL for {len(other_gold)} sample ids{_examples(other_gold)}")
    return problems


def compare(baseline: OutcomeTable, candidate: OutcomeTable, thresholds: Thresholds = Thresholds()) -> GateResult:
    """Pair the two sides by sample id and decide whether the candidate regressed."""
    result = GateResult(NOT_COMPARABLE, [], thresholds, baseline.label, candidate.label)
    result.reasons = comparability_problems(baseline, candidate)
    if result.reasons:
        return result
    ids = sorted(baseline.outcomes)
    result.unjudgeable = {
        "baseline": [i for i in ids if baseline.outcomes[i].execution_match is None],
        "candidate": [i for i in ids if candidate.outcomes[i].execution_match is None],
    }
    left_out = set(result.unjudgeable["baseline"]) | set(result.unjudgeable["candidate"])
    paired = [i for i in ids if i not in left_out]
    if not paired:
        result.reasons = ["no sample is judgeable on both sides"]
        return result
    before = [bool(baseline.outcomes[i].execution_match) for i in paired]
    after = [bool(candidate.outcomes[i].execution_match) for i in paired]
    result.n_paired = len(paired)
    result.baseline_rate, result.candidate_rate = Rate(sum(before), len(paired)), Rate(sum(after), len(paired))
    for i, was, now in zip(paired, before, after):
        if was != now:
            flips = result.newly_failing if was else result.newly_passing
            flips.append(_flip(i, baseline.outcomes[i], candidate.outcomes[i]))
    lost, gained = len(result.newly_failing), len(result.newly_passing)
    result.difference = (gained - lost) / len(paired)
    result.difference_ci = paired_bootstrap_diff(before, after)
    result.p_value = mcnemar_exact(lost, gained)
    result.reasons = _failures(result, thresholds)
    result.decision = FAIL if result.reasons else PASS
    return result


def _failures(result: GateResult, thresholds: Thresholds) -> list[str]:
    """The failed rules of a paired comparison."""
    failures = []
    drop = -result.difference
    if drop > thresholds.max_drop + EPSILON and result.p_value < thresholds.alpha:
        failures.append(
            f"execution accuracy dropped {drop * 100:.1f} points ({result.baseline_rate.value:.1%} -> "
            f"{result.candidate_rate.value:.1%}; allowed {thresholds.max_drop * 100:.1f}), "
            f"significant at alpha={thresholds.alpha:g} (McNemar p={result.p_value:.3g})"
        )
    if thresholds.max_new_failures is not None and len(result.newly_failing) > thresholds.max_new_failures:
        failures.append(
            f"{len(result.newly_failing)} samples newly fail (at most {thresholds.max_new_failures} allowed)"
        )
    return failures


def _flip(sample_id: str, before: Outcome, after: Outcome) -> Flip:
    return Flip(sample_id, before.reason, after.reason, before.prediction, after.prediction, after.gold or before.gold)


def _examples(ids: list[str], limit: int = 3) -> str:
    if not ids:
        return ""
    more = f", ... {len(ids) - limit} more" if len(ids) > limit else ""
    return " (" + ", ".join(ids[:limit]) + more + ")"
