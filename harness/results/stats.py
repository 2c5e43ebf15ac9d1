"""Small, pure statistics for accuracy rates and paired comparisons.

- `Rate` / `wilson_interval`: a rate over its judgeable samples with a Wilson 95% interval,
  which stays inside [0, 1] and behaves at 0/n and n/n, unlike the normal approximation.
- `paired_bootstrap_diff`: a 95% percentile interval of the difference of two paired rates,
  with a fixed seed so the same inputs always give the same interval.
- `mcnemar_exact`: the exact two-sided McNemar test, a binomial test on the discordant pairs.

No scipy: the binomial tail is summed with `math.comb` in exact integer arithmetic.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Z_95 = 1.959963984540054  # two-sided 95% quantile of the standard normal


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion.

    Args:
        successes: Number of successes, 0 <= successes <= n.
        n: Number of trials, at least 1.
        z: Normal quantile of the confidence level (default 95%).

    Returns:
        (low, high), both within [0, 1].

    Raises:
        ValueError: When n < 1 or successes is outside [0, n].
    """
    if n < 1 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n and n >= 1, got {successes}/{n}")
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Rate:
    """A rate over the judgeable samples of one metric (samples whose value is not null)."""

    successes: int
    n: int  # judgeable samples; 0 when the metric was not judged at all

    @classmethod
    def of(cls, values: Iterable[bool | None]) -> Rate:
        """The rate of True among the values that are not None."""
        judged = [bool(v) for v in values if v is not None]
        return cls(sum(judged), len(judged))

    @property
    def value(self) -> float | None:
        """The rate, or None when nothing was judgeable."""
        return self.successes / self.n if self.n else None

    @property
    def ci(self) -> tuple[float, float] | None:
        """Wilson 95% interval, or None when nothing was judgeable."""
        return wilson_interval(self.successes, self.n) if self.n else None

    def to_dict(self) -> dict:
        """JSON-ready form: rate, ci_low, ci_high, successes, n."""
        low, high = self.ci or (None, None)
        return {"rate": self.value, "ci_low": low, "ci_high": high, "successes": self.successes, "n": self.n}


def paired_bootstrap_diff(
    baseline: Sequence[bool], candidate: Sequence[bool], *, resamples: int = 10_000, seed: int = 0, confidence: float = 0.95
) -> tuple[float, float]:
    """Percentile bootstrap interval of mean(candidate) - mean(baseline) over paired samples.

    Pairs are resampled with replacement. Each pair's difference is -1, 0 or +1, so the
    counts of the three kinds in a resample are drawn in one multinomial step, which is the
    same distribution as resampling indices and needs no n-by-resamples array.

    Args:
        baseline: Outcome of each sample on the baseline side.
        candidate: Outcome of the same samples, in the same order, on the candidate side.
        resamples: Number of bootstrap resamples.
        seed: Seed of the random generator; fixed so the interval is reproducible.
        confidence: Coverage of the interval.

    Returns:
        (low, high) of the difference, candidate minus baseline.

    Raises:
        ValueError: When the sequences differ in length or are empty.
    """
    import numpy as np  # imported here so the CLI starts without it

    if len(baseline) != len(candidate):
        raise ValueError(f"paired samples differ in length: {len(baseline)} vs {len(candidate)}")
    n = len(baseline)
    if n == 0:
        raise ValueError("no paired samples")
    lost = sum(1 for b, c in zip(baseline, candidate) if b and not c)
    gained = sum(1 for b, c in zip(baseline, candidate) if c and not b)
    probabilities = [lost / n, (n - lost - gained) / n, gained / n]
    counts = np.random.default_rng(seed).multinomial(n, probabilities, size=resamples)
    differences = (counts[:, 2] - counts[:, 0]) / n
    tail = (1 - confidence) / 2
    low, high = np.quantile(differences, [tail, 1 - tail])
    return float(low), float(high)


def mcnemar_exact(b: int, c: int) -> float:
    """Exact two-sided McNemar p-value for b and c discordant pairs.

    Under the null hypothesis each discordant pair goes either way with probability 1/2, so
    the p-value is twice the binomial tail of the smaller count, capped at 1.

    Args:
        b: Pairs that pass on the baseline and fail on the candidate.
        c: Pairs that fail on the baseline and pass on the candidate.

    Returns:
        The p-value; 1.0 when there are no discordant pairs.
    """
    if b < 0 or c < 0:
        raise ValueError(f"counts must be non-negative, got b={b}, c={c}")
    n = b + c
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(min(b, c) + 1))
    return min(1.0, 2 * tail / 2**n)
