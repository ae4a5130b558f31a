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
