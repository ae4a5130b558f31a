"""Warm's weighted likelihood estimate (WLE) and its use for undecided adaptive tests."""

import math

import numpy as np
import pytest

from attest.assessment.cat import CatConfig, CatEngine, CatItem, StopDecision
from attest.assessment.irt import ItemParams, eap, mle, wle
from attest.assessment.irt import testlet_params as make_testlet


@pytest.mark.parametrize("n,r,b", [(10, 0, 0.3), (10, 3, 0.3), (10, 10, -1.0), (25, 12, 0.0)])
def test_rasch_wle_for_equal_items_is_the_closed_form(n, r, b):
    """n Rasch items of difficulty b and raw score r: log L' = r - nP and I'/(2I) = (1 - 2P)/2,
    so Warm's equation gives P = (r + 1/2) / (n + 1), theta = b + log((r + 1/2) / (n - r + 1/2))
    (hand-derived; finite also for r = 0 and r = n, where the MLE does not exist)."""
    est = wle([ItemParams(b)] * n, [1] * r + [0] * (n - r))
    assert est.method == "wle"
    assert est.theta == pytest.approx(b + math.log((r + 0.5) / (n - r + 0.5)), abs=1e-5)
    p = 1 / (1 + math.exp(-(est.theta - b)))
    assert est.standard_error == pytest.approx(1 / math.sqrt(n * p * (1 - p)), rel=1e-4)


def test_wle_solves_warms_equation_for_unequal_items_and_a_testlet():
    """For any items, at the WLE d log L / d theta + I'(theta) / (2 I(theta)) = 0 (Warm 1989),
    checked by finite differences; the WLE lies between the MLE and the middle of the items."""
    from attest.assessment.irt import log_likelihood, test_information

    items = [ItemParams(b) for b in (-1.5, -0.8, -0.2, 0.4, 1.1)] + [make_testlet([-1, 0, 1])]
    scores = [1, 1, 0, 1, 0, 2]
    t = wle(items, scores).theta
    h = 1e-4

    def f(x):
        return float(log_likelihood(x, items, scores)) + 0.5 * math.log(
            float(test_information(x, items))
        )

    assert (f(t + h) - f(t - h)) / (2 * h) == pytest.approx(0.0, abs=1e-3)
    centre = np.mean([-1.5, -0.8, -0.2, 0.4, 1.1, 0.0])
    m = mle(items, scores).theta
    assert min(m, centre) <= t <= max(m, centre)


def test_wle_is_less_biased_than_mle_and_eap_in_a_small_simulation():
    """20 Rasch items spread over [-2, 2], candidates at theta = -1.2 (off the prior mean 0 and
    off the items' centre): MLE is biased outwards, EAP towards the prior mean, the WLE least."""
    items = [ItemParams(b) for b in np.linspace(-2, 2, 20)]
    b = np.linspace(-2, 2, 20)
    rng = np.random.default_rng(11)
    truth = -1.2
    est = {"wle": [], "mle": [], "eap": []}
    for _ in range(400):
        x = (rng.random(20) < 1 / (1 + np.exp(-(truth - b)))).astype(int).tolist()
        if 0 < sum(x) < 20:
            est["wle"].append(wle(items, x).theta)
            est["mle"].append(mle(items, x).theta)
            est["eap"].append(eap(items, x, prior_mean=0.0, prior_sd=1.0).theta)
    bias = {k: float(np.mean(v)) - truth for k, v in est.items()}
    assert bias["mle"] < -0.03  # outwards: below the truth
    assert bias["eap"] > 0.1  # towards the prior mean 0
    assert abs(bias["wle"]) < abs(bias["mle"]) and abs(bias["wle"]) < abs(bias["eap"])


def test_wle_needs_answers():
    with pytest.raises(ValueError):
        wle([], [])


def _drive(config, n=8, b=-0.8, right=4):
    """Give n units of difficulty b, `right` of them answered correctly, to a fixed-length test."""
    bank = [CatItem(f"u{k}", ItemParams(b), "werk", "sc") for k in range(n)]
    engine = CatEngine(bank, config)
    state = engine.start(seed=1)
    given = 0
    while (unit := engine.next_item(state)) is not None:
        state = engine.record(state, unit.id, int(given < right))
        given += 1
    return state, engine


def test_an_undecided_test_at_max_length_is_classified_by_the_wle_not_the_eap():
    """Half right on 8 items of difficulty -0.8, just below the A2 cut (-0.75): the MLE and WLE
    are -0.8 (fail); the EAP, pulled towards the prior mean 0, is about -0.63 (pass). The test
    stops at its maximum length undecided and must be classified as not reaching A2."""
    config = CatConfig(mode="cut", cut_level="A2", min_items=8, max_items=8, top_k=1)
    state, _engine = _drive(config)
    decision = StopDecision(**state.stop)
    assert decision.reason == "max_length" and decision.decided_by == "estimate"
    assert state.theta > -0.75  # the EAP would pass
    assert decision.estimator == "wle"
    assert decision.theta == pytest.approx(-0.8, abs=1e-4)
    assert decision.reached is False and decision.level == "A1"
    assert decision.probability > 0.5  # the probability of the decision taken (not reached)

    # the EAP rule, kept as an option, passes the same answers
    eap_state, _ = _drive(CatConfig(**{**config.__dict__, "undecided_estimator": "eap"}))
    assert StopDecision(**eap_state.stop).reached is True


def test_an_undecided_placement_uses_the_wle_too():
    config = CatConfig(mode="placement", min_items=8, max_items=8, top_k=1)
    state, _ = _drive(config)
    decision = StopDecision(**state.stop)
    assert decision.decided_by == "estimate" and decision.estimator == "wle"
    assert decision.level == "A1"


def test_a_decided_test_reports_the_eap():
    config = CatConfig(mode="cut", cut_level="A2", min_items=8, max_items=40, top_k=1)
    state, _ = _drive(config, n=40, b=-0.75, right=40)
    decision = StopDecision(**state.stop)
    assert decision.decided_by == "sprt" and decision.estimator == "eap"
    assert decision.reached is True and decision.theta == pytest.approx(state.theta)
