"""Agreement statistics against an independent computation (scikit-learn) on the same data."""

from __future__ import annotations

import random

import pytest
from sklearn.metrics import cohen_kappa_score

from attest.assessment import agreement


@pytest.mark.parametrize("seed", range(20))
def test_quadratic_weighted_kappa_matches_scikit_learn(seed):
    rng = random.Random(seed)
    own = [rng.randint(0, 4) for _ in range(rng.randint(5, 300))]
    other = [min(4, max(0, b + rng.choice([-2, -1, 0, 0, 0, 1, 1]))) for b in own]
    expected = cohen_kappa_score(own, other, weights="quadratic", labels=[0, 1, 2, 3, 4])
    assert agreement.quadratic_weighted_kappa(own, other) == pytest.approx(expected, abs=1e-12)


def test_simple_statistics():
    own, other = [2, 2, 3, 1, 0], [2, 3, 1, 1, 0]
    stats = agreement.agreement(own, other)
    assert stats.n == 5
    assert stats.exact == pytest.approx(3 / 5)
    assert stats.adjacent == pytest.approx(4 / 5)
    assert stats.severity == pytest.approx((0 - 1 + 2 + 0 + 0) / 5)
    assert agreement.agreement([], []).kappa is None
    assert agreement.quadratic_weighted_kappa([2, 2], [2, 2]) is None  # undefined: no spread


BOUNDS = {
    "min_pairs": 4,
    "exact_min": 0.5,
    "adjacent_min": 0.9,
    "kappa_min": 0.6,
    "severity_max": 0.5,
}


def test_flags_name_every_bound_crossed_and_wait_for_enough_pairs():
    harsh = agreement.agreement([0, 0, 1, 1, 2], [2, 2, 3, 3, 4])
    assert agreement.flags(harsh, BOUNDS) == ["exact", "adjacent", "kappa", "severity"]
    good = agreement.agreement([0, 1, 2, 3, 4], [0, 1, 2, 3, 4])
    assert agreement.flags(good, BOUNDS) == []
    assert agreement.flags(agreement.agreement([0, 0], [4, 4]), BOUNDS) == []


def test_calibration_outcome():
    tol = {"level_exact_min": 0.8, "max_band_difference": 1}
    ok = agreement.CalibrationScore({"a": 2, "b": 3}, {"a": 2, "b": 2}, "A2", "A2")
    off = agreement.CalibrationScore({"a": 0, "b": 2}, {"a": 2, "b": 2}, "below_A1", "A2")
    assert agreement.calibration_outcome([ok, ok, ok, ok], tol).passed
    result = agreement.calibration_outcome([ok, ok, ok, off], tol)
    assert not result.passed and result.level_exact == 0.75 and result.worst_band_difference == 2
    assert not agreement.calibration_outcome([], tol).passed
