"""Classification rules of the adaptive engine: the generalized likelihood ratio stop and
selection at the cut (hand-checked examples, and the GLR never deciding later than the SPRT)."""

import math

import numpy as np
import pytest

from attest.assessment.cat import (
    CatConfig,
    CatEngine,
    CatItem,
    glr_log_ratio,
    nearest_cut,
)
from attest.assessment.irt import ItemParams


def log_sigmoid(x):
    return -np.logaddexp(0.0, -np.asarray(x, dtype=float))


def test_glr_takes_the_likelihood_at_the_estimate_once_it_lies_beyond_the_region():
    # one Rasch question (b = 0) answered right: log L(theta) = log sigmoid(theta), rising, so
    # the largest value at theta >= 0.5 is at the top point (2) and at theta <= -0.5 at -0.5
    points = np.array([-2.0, -1.0, 0.0, 1.0, 2.0, 0.5, -0.5])
    ll = log_sigmoid(points)
    got = glr_log_ratio(points, ll, lower=-0.5, upper=0.5)
    # by hand: log(1 / (1 + e^-2)) - log(1 / (1 + e^0.5)) = -0.126928 + 0.974077
    assert got == pytest.approx(0.847149, abs=1e-6)
    # Wald's SPRT statistic at the same points: log L(0.5) - log L(-0.5) = 0.5 for Rasch
    sprt = float(log_sigmoid(0.5) - log_sigmoid(-0.5))
    assert sprt == pytest.approx(0.5) and got > sprt


def test_glr_equals_the_sprt_while_the_estimate_lies_inside_the_region():
    # one right and one wrong answer to b = 0: log L = log s(t) + log s(-t), largest at 0, so
    # the largest values outside (-0.5, 0.5) are at the bounds themselves: the SPRT statistic
    points = np.linspace(-3.0, 3.0, 13)
    ll = log_sigmoid(points) + log_sigmoid(-points)
    assert glr_log_ratio(points, ll, -0.5, 0.5) == pytest.approx(0.0, abs=1e-12)
    # shifted region, bounds 0.5 and 1.5, the estimate (0) below both: the largest value at
    # theta <= 0.5 is at the estimate, so the statistic is log L(1.5) - log L(0), by hand
    # log(0.817574 * 0.182426) - log(0.25) = -0.516532, below the SPRT's log L(1.5) - log L(0.5)
    # = log(0.149146) - log(0.622459 * 0.377541) = -0.454673
    expected = math.log(1 / (1 + math.exp(-1.5))) + math.log(1 / (1 + math.exp(1.5)))
    expected -= 2 * math.log(0.5)
    assert glr_log_ratio(points, ll, 0.5, 1.5) == pytest.approx(expected, abs=1e-9)
    sprt = float(ll[points == 1.5][0] - ll[points == 0.5][0])
    assert sprt == pytest.approx(-0.454673, abs=1e-6) and expected < sprt
    assert expected == pytest.approx(-0.516532, abs=1e-6)


def test_nearest_cut():
    cuts = np.array([-2.5, -0.75, 0.75, 2.25])
    assert nearest_cut(-3.0, cuts) == -2.5
    assert nearest_cut(0.1, cuts) == 0.75
    assert nearest_cut(-0.2, cuts) == -0.75
    assert nearest_cut(0.0, cuts) == -0.75  # equal distance: the first
    assert nearest_cut(9.0, np.array([-0.75])) == -0.75


def bank_of(bs, domain="werk"):
    return [
        CatItem(f"i{k}", ItemParams(float(b)), domain, "single_choice") for k, b in enumerate(bs)
    ]


def test_selection_at_the_cut_takes_the_question_nearest_the_cut_not_the_estimate():
    # difficulties -2.98, -2.88, ...: no two equally near a cut (a tie would be broken by the
    # last bits of exp(), which differ between CPUs' vector code)
    bank = bank_of(np.linspace(-3.0, 3.0, 61) + 0.02)
    at_estimate = CatEngine(bank, CatConfig(mode="cut", cut_level="A2", top_k=1))
    at_cut = CatEngine(bank, CatConfig(mode="cut", cut_level="A2", top_k=1, select_at="cut"))
    state = at_cut.start(seed=1, theta=2.0)
    assert at_estimate.next_item(state).params.b == pytest.approx(2.02)
    assert at_cut.next_item(state).params.b == pytest.approx(-0.78)  # nearest to -0.75
    # placement: the cut nearest the estimate
    placement = CatEngine(bank, CatConfig(top_k=1, select_at="cut"))
    assert placement.next_item(placement.start(seed=1, theta=1.2)).params.b == pytest.approx(0.72)
    with pytest.raises(ValueError, match="select_at"):
        CatConfig(select_at="median")


def replay(engine, items, scores):
    """Feed a fixed answer pattern to an engine; return the first stop decision and its step."""
    state = engine.start(seed=5)
    for k, (item, score) in enumerate(zip(items, scores, strict=True), start=1):
        state = engine.record(state, item, score)
        if state.stop is not None:
            return k, state.stop
    return None, None


@pytest.mark.parametrize("theta", [-2.0, -1.2, -0.75, -0.4, 0.5, 1.5])
def test_glr_decides_no_later_than_the_sprt_and_the_same_way(theta):
    rng = np.random.default_rng(int((theta + 5) * 100))
    bank = bank_of(rng.uniform(-3.0, 2.0, 120))
    settings = dict(mode="cut", cut_level="A2", min_items=5, max_items=60, sprt_delta=0.4)
    sprt = CatEngine(bank, CatConfig(**settings, top_k=1))
    glr = CatEngine(bank, CatConfig(**settings, top_k=1, stop_rule="glr"))
    for seed in range(8):
        answers = np.random.default_rng([seed, 1])
        state, items, scores = sprt.start(seed=seed), [], []
        while (item := sprt.next_item(state)) is not None:
            score = int(answers.random() < 1 / (1 + math.exp(-(theta - item.params.b))))
            state = sprt.record(state, item.id, score)
            items.append(item.id)
            scores.append(score)
        step, decision = replay(glr, items, scores)
        assert step is not None and step <= len(items)
        if state.stop["reason"] == "level_decided":
            assert decision["reason"] == "level_decided"
            assert decision["reached"] == state.stop["reached"]
            assert decision["decided_by"] == "glr"
