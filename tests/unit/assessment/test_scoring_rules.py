"""Levels from estimates, Rasch EAP, requirement profiles and short codes."""

import numpy as np
import pytest

from attest.assessment import codes
from attest.assessment.cefr import BELOW_A1, CutScores
from attest.assessment.irt import eap_estimate


@pytest.mark.parametrize(
    "theta, ceiling, level",
    [
        (-4.0, "A2", BELOW_A1),
        (-2.5, "A2", "A1"),
        (-1.0, "A2", "A1"),
        (-0.75, "A2", "A2"),
        (3.0, "A2", "A2"),
        (3.0, "B2", "B2"),
        (1.0, "B2", "B1"),
        (1.0, None, "B1"),
    ],
)
def test_level_for_theta(theta, ceiling, level):
    cuts = CutScores({"A1": -2.5, "A2": -0.75, "B1": 0.75, "B2": 2.25})  # the store's provisional-1
    assert cuts.level_for(theta, ceiling) == level


def test_eap_rises_with_the_score_and_stays_finite_for_extreme_patterns():
    b = np.linspace(-2, 1, 10)
    thetas = [eap_estimate(b, [1] * k + [0] * (10 - k)).theta for k in range(11)]
    assert all(x < y for x, y in zip(thetas, thetas[1:], strict=False))
    assert np.isfinite(thetas[0]) and np.isfinite(thetas[-1])
    assert eap_estimate(b, [1] * 10).standard_error > eap_estimate(b, [1, 0] * 5).standard_error


def test_eap_matches_a_brute_force_posterior_mean():
    b, x = np.array([-1.0, 0.0, 0.5]), np.array([1, 1, 0])
    grid = np.linspace(-8, 8, 20001)
    p = 1 / (1 + np.exp(-(grid[:, None] - b)))
    post = np.prod(np.where(x == 1, p, 1 - p), axis=1) * np.exp(-0.5 * (grid / 1.5) ** 2)
    expected = (grid * post).sum() / post.sum()
    assert eap_estimate(b, x).theta == pytest.approx(expected, abs=0.01)


def test_eap_refuses_mismatched_lengths():
    with pytest.raises(ValueError):
        eap_estimate([0.0, 1.0], [1])


def test_codes_have_no_ambiguous_characters_and_normalise():
    for _ in range(200):
        code = codes.new_code()
        assert len(code) == 9 and code[4] == "-"
        assert not set(code.replace("-", "")) & set("0O1IL2Z5S8B")
        assert codes.is_wellformed(code.lower().replace("-", " "))
    assert not codes.is_wellformed("ABCD-EFGH")  # B is not in the alphabet
    assert codes.code_hash("k7qd mx4t") == codes.code_hash("K7QD-MX4T")
