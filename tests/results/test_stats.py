"""Statistics against known values: Wilson intervals, exact McNemar, paired bootstrap."""

import math

import numpy as np
import pytest

from harness.results.stats import Rate, mcnemar_exact, paired_bootstrap_diff, wilson_interval


def test_wilson_at_the_edges():
    z2 = 1.959963984540054**2
    assert wilson_interval(0, 10) == pytest.approx((0.0, z2 / (10 + z2)))
    assert wilson_interval(10, 10) == pytest.approx((10 / (10 + z2), 1.0))
    assert wilson_interval(0, 10)[1] == pytest.approx(0.2775, abs=1e-4)


def test_wilson_known_values():
    assert wilson_interval(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    assert wilson_interval(81, 263) == pytest.approx((0.2553, 0.3662), abs=1e-4)  # Wilson's own textbook example


@pytest.mark.parametrize("k,n", [(0, 0), (-1, 5), (6, 5)])
def test_wilson_rejects_impossible_counts(k, n):
    with pytest.raises(ValueError):
        wilson_interval(k, n)


def test_rate_counts_only_judgeable_values():
    rate = Rate.of([True, False, None, True, None])
    assert (rate.successes, rate.n, rate.value) == (2, 3, pytest.approx(2 / 3))
    assert rate.ci == pytest.approx(wilson_interval(2, 3))
    assert rate.to_dict()["n"] == 3


def test_rate_with_nothing_judgeable_has_no_value():
    rate = Rate.of([None, None])
    assert rate.value is None and rate.ci is None
    assert rate.to_dict() == {"rate": None, "ci_low": None, "ci_high": None, "successes": 0, "n": 0}


def test_mcnemar_known_values():
    assert mcnemar_exact(0, 10) == pytest.approx(2 * 0.5**10)
    assert mcnemar_exact(10, 0) == mcnemar_exact(0, 10)
    assert mcnemar_exact(1, 9) == pytest.approx(2 * (1 + 10) / 2**10)
    assert mcnemar_exact(5, 2) == pytest.approx(2 * (1 + 7 + 21) / 2**7)


def test_mcnemar_without_discordant_pairs_or_balanced_is_one():
    assert mcnemar_exact(0, 0) == 1.0
    assert mcnemar_exact(5, 5) == 1.0


def test_mcnemar_stays_exact_for_large_counts():
    p = mcnemar_exact(1000, 1200)
    assert 0 < p < 0.001
    # normal approximation with continuity correction is close for counts this large
    z = (abs(1000 - 1200) - 1) / math.sqrt(2200)
    assert p == pytest.approx(math.erfc(z / math.sqrt(2)), rel=0.05)
    assert mcnemar_exact(3000, 5) == 0.0  # underflows quietly instead of raising OverflowError


def test_mcnemar_rejects_negative_counts():
    with pytest.raises(ValueError):
        mcnemar_exact(-1, 3)


def test_bootstrap_is_deterministic_and_contains_the_difference():
    rng = np.random.default_rng(1)
    before = list(rng.random(300) < 0.6)
    after = list(rng.random(300) < 0.7)
    low, high = paired_bootstrap_diff(before, after)
    assert (low, high) == paired_bootstrap_diff(before, after)
    observed = (sum(after) - sum(before)) / 300
    assert low < observed < high
    assert paired_bootstrap_diff(before, after, seed=7) != (low, high)


def test_bootstrap_matches_resampling_indices():
    rng = np.random.default_rng(2)
    before = rng.random(200) < 0.5
    after = np.where(rng.random(200) < 0.2, ~before, before)
    draws = rng.integers(0, 200, size=(20_000, 200))
    naive = np.quantile(after[draws].mean(axis=1) - before[draws].mean(axis=1), [0.025, 0.975])
    assert paired_bootstrap_diff(list(before), list(after)) == pytest.approx(tuple(naive), abs=0.01)


def test_bootstrap_of_identical_or_all_flipped_sides():
    same = [True, False] * 20
    assert paired_bootstrap_diff(same, same) == (0.0, 0.0)
    assert paired_bootstrap_diff([False] * 10, [True] * 10) == (1.0, 1.0)


def test_bootstrap_rejects_unpaired_input():
    with pytest.raises(ValueError):
        paired_bootstrap_diff([True], [True, False])
    with pytest.raises(ValueError):
        paired_bootstrap_diff([], [])
