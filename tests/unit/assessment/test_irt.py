"""IRT maths against closed forms and an independent numerical integration."""

import math

import numpy as np
import pytest
from scipy.integrate import quad

from attest.assessment.irt import (
    ItemMatrix,
    ItemParams,
    eap,
    info_2pl,
    item_information,
    log_likelihood,
    mle,
    p_2pl,
    p_correct,
    pcm_probabilities,
)
from attest.assessment.irt import test_information as total_information

MIXED = [
    ItemParams(-1.0),
    ItemParams(0.0, a=1.7),
    ItemParams(0.8, a=0.6),
    ItemParams(0.2, steps=(-0.5, 0.0, 0.7)),
]


@pytest.mark.parametrize(
    "theta, a, b, p",
    [
        (0.0, 1.0, 0.0, 0.5),
        (1.0, 1.0, 0.0, 1 / (1 + math.exp(-1))),
        (1.0, 1.7, 0.0, 1 / (1 + math.exp(-1.7))),
        (-2.0, 0.5, 1.0, 1 / (1 + math.exp(1.5))),
    ],
)
def test_2pl_probability_and_information_match_closed_forms(theta, a, b, p):
    assert p_2pl(theta, np.array([a]), np.array([b]))[0] == pytest.approx(p)
    assert info_2pl(theta, np.array([a]), np.array([b]))[0] == pytest.approx(a * a * p * (1 - p))
    assert item_information(theta, ItemParams(b, a)) == pytest.approx(a * a * p * (1 - p))


def test_rasch_information_peaks_at_a_quarter_where_theta_equals_b():
    assert item_information(0.7, ItemParams(0.7)) == pytest.approx(0.25)
    assert total_information(0.0, [ItemParams(0.0)] * 4) == pytest.approx(1.0)


def test_pcm_known_values_and_information():
    item = ItemParams(0.0, steps=(-1.0, 1.0))  # step difficulties -1 and +1
    e = math.e
    assert pcm_probabilities(0.0, item) == pytest.approx([1 / (2 + e), e / (2 + e), 1 / (2 + e)])
    assert item_information(0.0, item) == pytest.approx(2 / (2 + e))  # Var(X) at theta = 0


@pytest.mark.parametrize("steps", [(-1.0, 0.5), (0.3, -0.2, 1.1, 2.0), (0.0,)])
def test_pcm_probabilities_sum_to_one(steps):
    p = pcm_probabilities(np.linspace(-6, 6, 25), ItemParams(0.4, steps=steps))
    assert p.shape == (25, len(steps) + 1)
    assert p.sum(axis=-1) == pytest.approx(np.ones(25))


def test_pcm_with_one_step_is_the_rasch_item():
    grid = np.linspace(-4, 4, 17)
    p = pcm_probabilities(grid, ItemParams(0.6, steps=(0.0,)))
    assert p[:, 1] == pytest.approx(p_correct(grid, np.array([0.6]))[:, 0])
    assert item_information(grid, ItemParams(0.6, steps=(0.0,))) == pytest.approx(
        item_information(grid, ItemParams(0.6))
    )


def _likelihood(theta, items, scores):
    return math.exp(float(log_likelihood(theta, items, scores)))


@pytest.mark.parametrize("scores", [[1, 1, 0, 2], [0, 1, 0, 0], [1, 1, 1, 3], [0, 0, 0, 0]])
def test_eap_matches_adaptive_quadrature(scores):
    prior = lambda t: math.exp(-0.5 * (t / 1.5) ** 2)  # noqa: E731
    norm = quad(lambda t: _likelihood(t, MIXED, scores) * prior(t), -12, 12)[0]
    mean = quad(lambda t: t * _likelihood(t, MIXED, scores) * prior(t), -12, 12)[0] / norm
    var = quad(lambda t: (t - mean) ** 2 * _likelihood(t, MIXED, scores) * prior(t), -12, 12)[0]
    est = eap(MIXED, scores)
    assert est.theta == pytest.approx(mean, abs=2e-3)
    assert est.standard_error == pytest.approx(math.sqrt(var / norm), abs=2e-3)


def test_mle_maximises_the_likelihood_and_se_is_inverse_root_information():
    scores = [1, 0, 1, 2]
    grid = np.linspace(-6, 6, 120001)
    expected = grid[np.argmax(log_likelihood(grid, MIXED, scores))]
    est = mle(MIXED, scores)
    assert est.method == "mle"
    assert est.theta == pytest.approx(expected, abs=1e-3)
    assert est.standard_error == pytest.approx(1 / math.sqrt(total_information(est.theta, MIXED)))


@pytest.mark.parametrize("scores", [[1, 1, 1, 3], [0, 0, 0, 0]])
def test_mle_falls_back_to_eap_for_extreme_patterns(scores):
    est = mle(MIXED, scores)
    assert est.method == "eap-fallback"
    assert math.isfinite(est.theta)
    assert est.theta == pytest.approx(eap(MIXED, scores).theta)


def test_scores_are_checked_against_items():
    with pytest.raises(ValueError):
        log_likelihood(0.0, MIXED, [1, 1, 0])
    with pytest.raises(ValueError):
        log_likelihood(0.0, MIXED, [1, 1, 0, 4])


def test_item_params_round_trip_and_matrix_take():
    for item in MIXED:
        assert ItemParams.from_dict(item.to_dict()) == item
    matrix = ItemMatrix.from_items(MIXED)
    assert matrix.deltas.shape == (4, 3)
    assert matrix.take([0, 1]).deltas.shape == (2, 1)
    assert list(matrix.max_scores) == [1, 1, 1, 3]
