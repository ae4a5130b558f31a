"""Cut scores as data and level probabilities."""

import numpy as np
import pytest
from scipy.stats import norm

from attest.assessment.cefr import (
    BELOW_A1,
    LEVELS,
    level_probabilities,
    level_probabilities_from_posterior,
    most_likely_level,
)
from attest.assessment.cut_scores import CutScoreError, cut_scores_for, load_cut_scores, load_store
from attest.assessment.irt import ItemParams, posterior

# Version "provisional-1" of the store: one logit below the middle of each difficulty band.
PROVISIONAL_CUTS = {"A1": -2.5, "A2": -0.75, "B1": 0.75, "B2": 2.25}


def test_cut_scores_load_per_skill_and_are_marked_provisional():
    records = load_cut_scores()
    assert set(records) == {"listening", "reading"}
    for record in records.values():
        assert record.is_provisional
        assert record.cut_scores.cuts == PROVISIONAL_CUTS
        assert "provisional" in record.cut_scores.method
        assert record.cut_scores.version == "provisional-1"
    assert cut_scores_for("reading").level_for(0.0) == "A2"


def test_cut_scores_must_rise(tmp_path):
    path = tmp_path / "cuts.yaml"
    path.write_text("version: x\nskills:\n  reading:\n    cuts: {A1: 0, A2: -1, B1: 1, B2: 2}\n")
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


STORE = """
version: panel-2027-1
skills:
  reading:
    status: final
    cuts: {A1: -2.0, A2: -0.5, B1: 1.0, B2: 2.5}
    record: {method: Bookmark RP67, source: panel report 2027-01, date: 2027-01-15, panel: P1}
    purposes:
      a2-luisteren-lezen:
        status: final
        cuts: {A1: -2.2, A2: -0.6, B1: 1.0, B2: 2.5}
        record: {method: modified Angoff, source: panel report 2027-01, date: 2027-01-16}
"""


def test_the_store_is_versioned_per_skill_and_per_purpose(tmp_path):
    path = tmp_path / "cuts.yaml"
    path.write_text(STORE)
    store = load_store(path)
    assert store.version == "panel-2027-1"
    reading = store.record("reading")
    assert not reading.is_provisional and reading.source == "panel report 2027-01"
    assert store.cuts("reading").cuts["A2"] == -0.5
    assert store.cuts("reading", "niveaubepaling").cuts["A2"] == -0.5  # no cuts of its own
    own = store.cuts("reading", "a2-luisteren-lezen")
    assert (own.cuts["A2"], own.method, own.version) == (-0.6, "modified Angoff", "panel-2027-1")
    with pytest.raises(KeyError):
        store.cuts("writing")


@pytest.mark.parametrize(
    "text",
    [
        "skills: {reading: {cuts: {A1: 0, A2: 1, B1: 2, B2: 3}}}\n",  # no version
        "version: x\n",  # no skills
        "version: x\nskills: {reading: {cuts: {A1: 0, A2: 1}}}\n",  # a level without a cut
    ],
)
def test_a_malformed_store_is_refused(tmp_path, text):
    path = tmp_path / "cuts.yaml"
    path.write_text(text)
    with pytest.raises(CutScoreError):
        load_store(path)
