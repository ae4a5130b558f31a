"""Exposure control: the item-eligibility method with counts of earlier tests."""

import json
from pathlib import Path

import numpy as np
import pytest

from attest.assessment.bank import load_bank
from attest.assessment.cat import CatConfig, CatEngine, CatItem
from attest.assessment.exposure import (
    MAX_RATE,
    MIN_PROBABILITY,
    EligibilityCounts,
    exposure_key,
    exposure_rates,
    purpose_modes,
    simulate_tests,
    units_from_specs,
)
from attest.assessment.irt import ItemParams
from attest.assessment.purposes import load_purposes

BANK_ROOT = Path(__file__).resolve().parents[3] / "question_banks" / "nl"


def small_bank(n=60, seed=5):
    rng = np.random.default_rng(seed)
    return [
        CatItem(f"u{k}", ItemParams(float(rng.uniform(-2.5, 2.5))), ("werk", "wonen")[k % 2], "sc")
        for k in range(n)
    ]


# maximum information alone, fixed length 8 from 60 units: the mean exposure is 0.13, but the
# units near the cut would go to most candidates
CONFIG = CatConfig(mode="cut", cut_level="A2", top_k=1, min_items=8, max_items=8)
THETAS = np.random.default_rng(99).normal(-0.25, 1.5, 600)


def test_eligibility_is_the_goal_rate_times_eligible_over_given():
    counts = EligibilityCounts(["a", "b", "c"], max_rate=0.25, fading=1.0)
    assert counts.probabilities() == {}  # nothing given yet: everything eligible
    counts.add(["a", "b"], ineligible=[])
    counts.add(["a"], ineligible=["b"])
    counts.add(["a", "c"], ineligible=[])
    counts.add(["c"], ineligible=["a"])
    # a: eligible 3, given 3 -> 0.25; b: eligible 3, given 1 -> 0.75; c: eligible 4, given 2
    assert counts.probabilities() == pytest.approx({"a": 0.25, "b": 0.75, "c": 0.5})
    assert counts.rates() == pytest.approx({"a": 0.75, "b": 0.25, "c": 0.5})
    counts.add(["zz"], ineligible=["unknown"])  # units no longer in the bank are ignored
    assert counts.tests == 5


def test_fading_weighs_recent_tests_more():
    counts = EligibilityCounts(["a"], max_rate=0.5, fading=0.5)
    counts.add(["a"], [])
    counts.add([], [])
    assert counts.tests == pytest.approx(1.5) and counts.administered[0] == pytest.approx(0.5)
    with pytest.raises(ValueError):
        EligibilityCounts(["a"], max_rate=0.0)


def test_a_seeded_simulation_keeps_every_unit_under_the_goal_and_is_reproducible():
    bank = small_bank()
    free = exposure_rates(bank, simulate_tests(CatEngine(bank, CONFIG), THETAS, seed=7))
    assert max(free.values()) > 0.5

    def controlled():
        counts = EligibilityCounts([u.id for u in bank], max_rate=0.2)
        return simulate_tests(CatEngine(bank, CONFIG), THETAS, seed=7, counts=counts), counts

    tests, counts = controlled()
    rates = exposure_rates(bank, tests)
    assert max(rates.values()) <= 0.25  # the limit, over all 600 tests
    # once the counts have settled the busiest units sit at the goal, give or take the binomial
    # noise of 400 tests (SD 0.02 per unit)
    later = sorted(exposure_rates(bank, tests[200:]).values())[-10:]
    assert np.mean(later) <= 0.2 + 0.03
    assert min(counts.probabilities().values()) < 0.6  # the busiest units are held back
    again, _ = controlled()
    assert again == tests


def test_counts_from_stored_states_equal_the_running_counts():
    bank = small_bank()
    engine = CatEngine(bank, CONFIG)
    running = EligibilityCounts([u.id for u in bank])
    states = []
    for k, theta in enumerate(THETAS[:40]):
        state = engine.start(seed=k, eligibility=running.probabilities())
        rng = np.random.default_rng(k)
        while (unit := engine.next_item(state)) is not None:
            p = 1 / (1 + np.exp(-(theta - unit.params.b)))
            state = engine.record(state, unit.id, int(rng.random() < p))
        running.add(state.items, state.ineligible)
        states.append(json.loads(json.dumps(state.to_dict())))
    old = {**states[0], "ineligible": None}  # a state from before the draw was stored
    stored = EligibilityCounts.from_states([u.id for u in bank], [old] + states)
    assert stored.probabilities() == pytest.approx(running.probabilities())
    assert stored.tests == pytest.approx(running.tests)
    assert running.max_rate == MAX_RATE


def test_a_unit_given_only_when_ineligible_stays_drawable_and_the_engine_starts():
    """A unit that the engine gave in every counted test although it was never eligible (its
    fallback when no eligible unit fits) must not reach P(E) = 0, which the engine refuses: every
    new adaptive section would then fail to start."""
    bank = small_bank()
    first = bank[0].id
    states = [{"items": [first], "ineligible": [first]} for _ in range(50)]
    p = EligibilityCounts.from_states([u.id for u in bank], states).probabilities()
    assert p[first] == pytest.approx(MIN_PROBABILITY)
    state = CatEngine(bank, CONFIG).start(seed=3, eligibility=p)
    assert CatEngine(bank, CONFIG).next_item(state) is not None


def test_keys_and_units_follow_the_delivery():
    assert exposure_key({"mode": "cut", "cut_level": "B1"}) == "cut-B1"
    assert exposure_key(CatConfig()) == "placement"
    bank = load_bank(BANK_ROOT)
    units = units_from_specs(bank.select(skill="reading", status="live"))
    testlets = [u for u in units if u.parts]
    assert testlets and all(u.id.startswith("T:") for u in testlets)
    assert all(u.params.max_score == len(u.parts) for u in testlets)


@pytest.mark.parametrize(("skill", "key"), sorted(purpose_modes(load_purposes())))
def test_every_adaptive_mode_of_the_purposes_builds_an_engine(skill, key):
    settings = purpose_modes(load_purposes())[(skill, key)]
    config = CatConfig(**settings)
    assert exposure_key(config) == key and config.domain_tolerance >= 0
    units = units_from_specs(load_bank(BANK_ROOT).select(skill=skill, status="live"))
    engine = CatEngine(units, config)
    state = engine.start(seed=11)
    assert engine.next_item(state) is not None  # the shipped bank can start this mode


def test_conditional_counts_are_kept_per_stratum_of_the_selection():
    """Three tests ending in strata 1, 0 and 0 (the stratum of their last selection). Per
    stratum k, P(E_i | k) = r_max x (tests ending in k with i drawn eligible in k) / (tests
    ending in k that gave i), computed by hand."""
    ids = ["u0", "u1", "u2", "u3"]
    counts = EligibilityCounts(ids, max_rate=0.2, fading=1.0, stratum_max_rate=None)
    counts.add(["u0", "u1", "u2"], [], [0, 1, 1], {"1": ["u3"], "0": ["u2"]})
    counts.add(["u0"], [], [0], {})
    counts.add(["u0", "u3"], [], [1, 0], {"0": ["u1"]})
    # each test counts in the stratum of its last selection, with every unit it gave
    assert counts.stratum_tests == {0: 2.0, 1: 1.0}
    assert counts.stratum_administered[1].tolist() == [1.0, 1.0, 1.0, 0.0]
    assert counts.stratum_eligible[1].tolist() == [1.0, 1.0, 1.0, 0.0]
    assert counts.stratum_administered[0].tolist() == [2.0, 0.0, 0.0, 1.0]
    assert counts.stratum_eligible[0].tolist() == [2.0, 1.0, 2.0, 2.0]
    p = counts.stratum_probabilities()
    assert p == {0: {"u0": 0.2 * 2 / 2, "u3": 0.2 * 2 / 1}, 1: {"u0": 0.2, "u1": 0.2, "u2": 0.2}}
    # the marginal counts are unchanged by the strata
    assert counts.probabilities() == {
        "u0": 0.2 * 3 / 3,
        "u1": 0.2 * 3 / 1,
        "u2": 0.2 * 3 / 1,
        "u3": 0.2 * 3 / 1,
    }
    # a goal of its own within the strata
    strict = EligibilityCounts(ids, max_rate=0.2, fading=1.0, stratum_max_rate=0.1)
    strict.add(["u0", "u1", "u2"], [], [0, 1, 1], {"1": ["u3"]})
    assert strict.stratum_probabilities() == {1: {"u0": 0.1, "u1": 0.1, "u2": 0.1}}
    assert strict.probabilities() == {"u0": 0.2, "u1": 0.2, "u2": 0.2}
    with pytest.raises(ValueError):
        counts.add(["u0"], [], [0, 1])


def test_the_engine_draws_per_stratum_keeps_the_draw_and_uses_the_stratum_of_the_estimate():
    from attest.assessment.cat import stratum_of

    bank = small_bank()
    engine = CatEngine(bank, CONFIG)
    # stratum 0 is centred on the A2 cut (-0.75) and 0.5 logit wide
    assert [stratum_of(t, 0.5, -0.75) for t in (-0.75, -0.51, -0.49, -1.0, -1.01, 9.0)] == [
        0,
        0,
        1,
        0,
        -1,
        8,
    ]
    # every unit ineligible in stratum 0, where the test starts (at the cut): the draw is kept
    # in the state, and selections in stratum 0 avoid them while any other unit is left
    best = engine.next_item(engine.start(seed=4))
    state = engine.start(seed=4, stratum_eligibility={0: {best.id: MIN_PROBABILITY}})
    assert state.stratum_ineligible == {"0": [best.id]}
    assert engine.next_item(state).id != best.id
    elsewhere = engine.start(seed=4, stratum_eligibility={3: {best.id: MIN_PROBABILITY}})
    assert engine.next_item(elsewhere).id == best.id
    state = engine.record(state, engine.next_item(state).id, 1)
    assert state.strata == [0]
    resumed = json.loads(json.dumps(state.to_dict()))
    from attest.assessment.cat import CatState

    assert CatState.from_dict(resumed) == state


def test_conditional_counts_from_stored_states_equal_the_running_counts():
    bank = small_bank()
    engine = CatEngine(bank, CONFIG)
    running = EligibilityCounts([u.id for u in bank])
    states = []
    for k, theta in enumerate(THETAS[:40]):
        state = engine.start(
            seed=k,
            eligibility=running.probabilities(),
            stratum_eligibility=running.stratum_probabilities(),
        )
        rng = np.random.default_rng(k)
        while (unit := engine.next_item(state)) is not None:
            p = 1 / (1 + np.exp(-(theta - unit.params.b)))
            state = engine.record(state, unit.id, int(rng.random() < p))
        running.add(state.items, state.ineligible, state.strata, state.stratum_ineligible)
        states.append(json.loads(json.dumps(state.to_dict())))
    assert running.stratum_probabilities()  # the control is active
    stored = EligibilityCounts.from_states([u.id for u in bank], states)
    got, want = stored.stratum_probabilities(), running.stratum_probabilities()
    assert got.keys() == want.keys()
    assert all(got[k] == pytest.approx(want[k]) for k in want)


def test_conditional_control_lowers_the_exposure_of_near_cut_candidates():
    """A spread population, but the units near the cut go to the candidates near it: with the
    marginal control their busiest unit serves more of them than with the control per stratum
    (seeded; 77 candidates within 0.25 logit of the cut, so about +-0.05 of sampling noise)."""
    rng = np.random.default_rng(5)
    bank = [
        CatItem(f"u{k}", ItemParams(float(rng.uniform(-2.5, 2.5))), ("werk", "wonen")[k % 2], "sc")
        for k in range(120)
    ]
    engine = CatEngine(bank, CONFIG)
    thetas = np.random.default_rng(3).normal(-0.25, 1.5, 600)
    near = np.abs(thetas + 0.75) < 0.25
    rates = {}
    for conditional in (False, True):
        counts = EligibilityCounts([u.id for u in bank])
        tests = []
        for k, theta in enumerate(thetas):
            state = engine.start(
                seed=k,
                eligibility=counts.probabilities(),
                stratum_eligibility=counts.stratum_probabilities() if conditional else None,
            )
            answers = np.random.default_rng([5, k])
            while (unit := engine.next_item(state)) is not None:
                p = 1 / (1 + np.exp(-(theta - unit.params.b)))
                state = engine.record(state, unit.id, int(answers.random() < p))
            strata = state.strata if conditional else None
            counts.add(state.items, state.ineligible, strata, state.stratum_ineligible)
            tests.append(state.items)
        near_tests = [t for t, n in zip(tests, near, strict=True) if n]
        rates[conditional] = max(exposure_rates(bank, near_tests).values())
    assert near.sum() == 77
    assert rates[True] < rates[False] - 0.03
