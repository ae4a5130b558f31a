"""Cut scores as data and level probabilities."""

import numpy as np
import pytest
from scipy.stats import norm

from attest.assessment.cefr import (
    BELOW_A1,
    LEVELS,
    PROVISIONAL_CUTS,
    cut_scores_for,
    level_probabilities,
    level_probabilities_from_posterior,
    load_cut_scores,
    most_likely_level,
)
from attest.assessment.irt import ItemParams, posterior


def test_cut_scores_load_per_skill_and_are_marked_provisional():
    records = load_cut_scores()
    assert set(records) == {"listening", "reading"}
    for record in records.values():
        assert record.is_provisional
        assert record.cut_scores.cuts == PROVISIONAL_CUTS
        assert "provisional" in record.cut_scores.method
    assert cut_scores_for("reading").level_for(0.0) == "A2"


def test_cut_scores_must_rise(tmp_path):
    path = tmp_path / "cuts.yaml"
    path.write_text("reading:\n  cuts: {A1: 0, A2: -1, B1: 1, B2: 2}\n")
    with pytest.raises(ValueError, match="rise"):
        load_cut_scores(path)


@pytest.mark.parametrize("theta, se", [(-0.5, 0.4), (2.0, 0.3), (-4.0, 1.0), (0.75, 0.25)])
def test_level_probabilities_follow_the_normal_approximation(theta, se):
    probs = level_probabilities(theta, se, PROVISIONAL_CUTS)
    assert list(probs) == [BELOW_A1, *LEVELS]
    assert sum(probs.values()) == pytest.approx(1.0)
    assert probs["A2"] == pytest.approx(norm.cdf(0.75, theta, se) - norm.cdf(-0.75, theta, se))


def test_uncertain_when_the_most_likely_level_is_below_080():
    at_cut = most_likely_level(level_probabilities(-0.75, 0.3, PROVISIONAL_CUTS))
    assert at_cut.is_uncertain and at_cut.probability < 0.8
    clear = most_likely_level(level_probabilities(0.0, 0.3, PROVISIONAL_CUTS))
    assert clear.level == "A2" and not clear.is_uncertain


def test_probabilities_from_the_posterior_agree_roughly_with_the_normal_approximation():
    items = [ItemParams(b) for b in np.linspace(-2, 2, 30)]
    scores = [1] * 17 + [0] * 13
    grid, weights = posterior(items, scores)
    exact = level_probabilities_from_posterior(grid, weights, PROVISIONAL_CUTS)
    assert sum(exact.values()) == pytest.approx(1.0)
    w = np.asarray(weights)
    mean = float((w * grid).sum())
    approx = level_probabilities(
        mean, float(np.sqrt((w * (grid - mean) ** 2).sum())), PROVISIONAL_CUTS
    )
    assert max(abs(exact[k] - approx[k]) for k in exact) < 0.08
