"""Decision accuracy (Rudner 2005; Lee 2010) against hand-computed figures and a simulation."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from attest.assessment import irt
from attest.assessment.decision_accuracy import (
    best_items_standard_error,
    form_standard_error,
    rudner_quality,
    summed_score_distribution,
    summed_score_quality,
)


def _phi(x: float) -> float:
    return math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def _cdf(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2))


def _riemann_accuracy(cut: float, se: float, mean: float, sd: float) -> tuple[float, float]:
    """Accuracy and consistency by a plain midpoint sum, independent of the module's grid."""
    step, acc, cons = 0.001, 0.0, 0.0
    lo = mean - 10 * sd
    for k in range(int(20 * sd / step)):
        t = lo + (k + 0.5) * step
        w = _phi((t - mean) / sd) / sd * step
        p_pass = _cdf((t - cut) / se)
        acc += w * (p_pass if t >= cut else 1 - p_pass)
        cons += w * (p_pass**2 + (1 - p_pass) ** 2)
    return acc, cons


@pytest.mark.parametrize(
    ("cut", "se", "mean", "sd"),
    [(0.0, 0.5, 0.0, 1.0), (-0.75, 0.4, 0.0, 1.5), (0.75, 0.8, 0.3, 1.2)],
)
def test_constant_se_matches_a_riemann_sum(cut, se, mean, sd):
    q = rudner_quality(cut, lambda t: np.full_like(t, se), mean, sd)
    acc, cons = _riemann_accuracy(cut, se, mean, sd)
    assert q.accuracy == pytest.approx(acc, abs=2e-4)
    assert q.consistency == pytest.approx(cons, abs=2e-4)
    assert q.false_pass + q.false_fail == pytest.approx(1 - q.accuracy)


def test_worked_example_cut_at_the_mean():
    # Cut at the mean, SE equal to the sd: accuracy = 1/2 + (1/pi) arctan(sd/SE) = 0.75 exactly
    # (the bivariate normal orthant probability, Sheppard 1899); errors split evenly.
    q = rudner_quality(0.0, lambda t: np.ones_like(t), 0.0, 1.0)
    assert q.accuracy == pytest.approx(0.75, abs=1e-4)
    assert q.false_pass == pytest.approx(q.false_fail, abs=1e-6)


def test_perfect_measurement_classifies_everyone_right():
    q = rudner_quality(-0.75, lambda t: np.zeros_like(t), 0.0, 1.5)
    assert q.accuracy == pytest.approx(1.0)
    assert q.consistency == pytest.approx(1.0)


def test_no_information_is_a_coin_toss():
    q = rudner_quality(0.4, lambda t: np.full_like(t, 1e6), 0.0, 1.0)
    assert q.accuracy == pytest.approx(0.5, abs=1e-4)
    assert q.consistency == pytest.approx(0.5, abs=1e-4)


def test_more_items_more_accuracy():
    form = [-1.5, -1.0, -0.5, 0.0]
    short = rudner_quality(-0.75, form_standard_error(form), 0.0, 1.5)
    long = rudner_quality(-0.75, form_standard_error(form * 3), 0.0, 1.5)
    assert long.accuracy > short.accuracy
    assert long.consistency > short.consistency


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="sd must be positive"):
        rudner_quality(0.0, lambda t: np.ones_like(t), 0.0, 0.0)
    with pytest.raises(ValueError, match="at least one item"):
        form_standard_error([])
    with pytest.raises(ValueError, match="non-negative"):
        rudner_quality(0.0, lambda t: -np.ones_like(t))


def test_form_standard_error_is_one_over_root_information():
    se = form_standard_error([0.0, 0.0, 0.0, 0.0])
    assert float(se(np.array([0.0]))[0]) == pytest.approx(1.0)  # 4 items x 0.25 information


def test_best_items_take_the_most_informative():
    se = best_items_standard_error([0.0, 5.0, 0.0, -5.0], 2)
    assert float(se(np.array([0.0]))[0]) == pytest.approx(1 / math.sqrt(0.5))


def test_summed_score_distribution_matches_enumeration():
    b = [-1.0, 0.2, 1.3]
    theta = np.array([-0.4, 0.9])
    dist = summed_score_distribution(theta, b)
    for i, t in enumerate(theta):
        p = [1 / (1 + math.exp(-(t - d))) for d in b]
        expected = [0.0] * 4
        for pattern in itertools.product((0, 1), repeat=3):
            prob = math.prod(pj if x else 1 - pj for pj, x in zip(p, pattern, strict=True))
            expected[sum(pattern)] += prob
        assert dist[i] == pytest.approx(expected)


# The shipped A2 form: 4 A1 and 4 A2 items per skill, difficulties spread over the level bands.
FORM = [-2.6, -2.0, -1.6, -1.2, -0.9, -0.5, -0.1, 0.3]


def test_analytic_accuracy_agrees_with_a_simulation_of_the_same_form():
    rng = np.random.default_rng(20261207)
    cut, mean, sd, n = -0.75, 0.0, 1.5, 20_000
    theta = rng.normal(mean, sd, n)
    responses = rng.random((n, len(FORM))) < irt.p_correct(theta, np.array(FORM))
    # score every simulee with delivery's estimator: EAP, prior N(0, 1.5)
    by_score = {
        r: irt.eap_estimate(FORM, [1.0] * r + [0.0] * (len(FORM) - r)).theta
        for r in range(len(FORM) + 1)
    }
    passed = np.array([by_score[int(r)] >= cut for r in responses.sum(axis=1)])
    simulated = float(np.mean(passed == (theta >= cut)))
    exact = summed_score_quality(cut, FORM, mean, sd)
    rudner = rudner_quality(cut, form_standard_error(FORM), mean, sd)
    # Monte Carlo SE of the simulated figure is ~0.002 at n = 20 000
    assert exact.accuracy == pytest.approx(simulated, abs=0.008)
    assert rudner.accuracy == pytest.approx(simulated, abs=0.03)
    false_pass = float(np.mean(passed & (theta < cut)))
    assert exact.false_pass == pytest.approx(false_pass, abs=0.006)
