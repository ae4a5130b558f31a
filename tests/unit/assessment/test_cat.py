"""The adaptive engine: stopping, lengths, exposure, content balance, testlets, reproducibility."""

import json
from collections import Counter
from dataclasses import replace

import numpy as np
import pytest

from attest.assessment.cat import CatConfig, CatEngine, CatItem, CatState, StopDecision
from attest.assessment.cut_scores import DEFAULT_SKILL, cut_scores_for
from attest.assessment.irt import ItemParams

DOMAINS = ("werk", "wonen", "gezondheid", "vervoer")
BANDS = ((-3.0, -1.0), (-1.0, 0.5), (0.5, 2.0), (2.0, 3.5))


def make_bank(n=320, testlets=0, seed=7):
    """Return n Rasch items over the four level bands plus `testlets` three-question testlets."""
    rng = np.random.default_rng(seed)
    bank = [
        CatItem(
            f"i{k}",
            ItemParams(float(rng.uniform(*BANDS[k % 4]))),
            DOMAINS[(k // 4) % 4],
            ("single_choice", "text_entry")[k % 5 == 0],
        )
        for k in range(n)
    ]
    for t in range(testlets):
        b = float(rng.uniform(-2.5, 3.0))
        bank.append(
            CatItem(
                f"t{t}",
                ItemParams(b, steps=(-0.6, 0.0, 0.6)),
                DOMAINS[t % 4],
                "single_choice",
                parts=(f"t{t}a", f"t{t}b", f"t{t}c"),
            )
        )
    return bank


def simulate(engine, theta, seed, answer_seed=0):
    """Run one simulated candidate to the end; return the final state."""
    rng = np.random.default_rng([answer_seed, seed])
    state = engine.start(seed=seed)
    while (item := engine.next_item(state)) is not None:
        probs = np.exp(np.cumsum(np.r_[0.0, theta - item.params.deltas()]))
        state = engine.record(state, item.id, int(rng.choice(probs.size, p=probs / probs.sum())))
    return state


@pytest.fixture(scope="module")
def bank():
    return make_bank()


def test_same_seed_same_test_and_json_round_trip_resumes_identically(bank):
    engine = CatEngine(bank, CatConfig())
    first, second = simulate(engine, 0.3, seed=11), simulate(CatEngine(bank), 0.3, seed=11)
    assert first.log == second.log
    # stop half way, store as JSON, resume in a fresh engine (a new web request)
    state, rng = engine.start(seed=11), np.random.default_rng([0, 11])
    for _ in range(5):
        item = engine.next_item(state)
        x = int(rng.choice(2, p=[1 - (p := 1 / (1 + np.exp(-(0.3 - item.params.b)))), p]))
        state = engine.record(state, item.id, x)
    resumed = CatState.from_dict(json.loads(json.dumps(state.to_dict())))
    fresh = CatEngine(bank)
    while (item := fresh.next_item(resumed)) is not None:
        x = int(rng.choice(2, p=[1 - (p := 1 / (1 + np.exp(-(0.3 - item.params.b)))), p]))
        resumed = fresh.record(resumed, item.id, x)
    assert resumed.items == first.items and resumed.stop == first.stop
    assert fresh.next_item(resumed) is None and engine.next_item(first) is None


def test_next_item_is_stable_for_a_state_and_follows_the_entry_theta(bank):
    engine = CatEngine(bank, CatConfig(top_k=1))
    state = engine.start(seed=3)
    assert engine.next_item(state) == CatEngine(bank, CatConfig(top_k=1)).next_item(state)
    hard = engine.next_item(engine.start(seed=3, theta=3.0))
    assert hard.params.b > engine.next_item(state).params.b + 1.5


@pytest.mark.parametrize("theta", [-4.0, 3.5])
def test_never_stops_before_the_minimum_even_when_the_level_is_clear(bank, theta):
    config = CatConfig(min_items=12, max_items=30, sprt_delta=0.6)
    loose = CatEngine(bank, CatConfig(min_items=3, max_items=30, sprt_delta=0.6))
    states = [simulate(CatEngine(bank, config), theta, seed=s) for s in range(10)]
    assert min(simulate(loose, theta, seed=s).n_questions for s in range(10)) < 12
    assert min(state.n_questions for state in states) == 12
    assert all(s.stop["reason"] in ("level_decided", "max_length") for s in states)


def test_max_length_caps_a_candidate_sitting_on_a_cut(bank):
    engine = CatEngine(bank, CatConfig(mode="cut", cut_level="A2", max_items=25))
    lengths = [simulate(engine, -0.75, seed=s).n_questions for s in range(20)]
    assert max(lengths) == 25
    reasons = Counter(simulate(engine, -0.75, seed=s).stop["reason"] for s in range(20))
    assert reasons["max_length"] > 0


def test_se_target_stops_when_no_level_is_decided(bank):
    config = CatConfig(min_items=5, max_items=60, se_target=0.45, sprt_delta=0.05)
    state = simulate(CatEngine(bank, config), 0.75, seed=2)
    assert state.stop["reason"] == "se_target" and state.se <= 0.45


def test_ci_rule_decides_when_the_interval_holds_no_cut(bank):
    config = CatConfig(stop_rule="ci", ci_z=1.96, max_items=60)
    state = simulate(CatEngine(bank, config), 0.0, seed=4)
    decision = StopDecision(**state.stop)
    if decision.reason == "level_decided":
        lo, hi = decision.theta - 1.96 * decision.se, decision.theta + 1.96 * decision.se
        assert lo >= -0.75 and hi < 0.75 and decision.level == "A2"


def test_single_cut_mode_decides_reached_or_not(bank):
    engine = CatEngine(bank, CatConfig(mode="cut", cut_level="A2"))
    high, low = simulate(engine, 1.5, seed=5), simulate(engine, -2.5, seed=6)
    assert high.stop["reached"] is True and high.stop["level"] == "A2"
    assert low.stop["reached"] is False and low.stop["level"] in ("A1", "below_A1")
    assert high.start_theta == -0.75  # entry at the decision cut


def test_placement_is_mostly_right_and_flags_uncertain_results(bank):
    engine = CatEngine(bank, CatConfig(max_items=40))
    truth = np.random.default_rng(9).normal(-0.25, 1.5, 60)
    levels = [StopDecision(**simulate(engine, t, seed=s).stop) for s, t in enumerate(truth)]
    cuts = cut_scores_for(DEFAULT_SKILL)  # the cuts a CatConfig gets by default
    right = [d.level == cuts.level_for(t) for d, t in zip(levels, truth, strict=True)]
    assert np.mean(right) > 0.7
    assert all(d.is_uncertain == (d.probability < 0.8) for d in levels)


def test_randomesque_exposure_control_spreads_items_over_many_candidates(bank):
    truth = np.random.default_rng(1).normal(-0.25, 1.5, 200)

    def exposure(top_k):
        engine = CatEngine(bank, CatConfig(mode="cut", cut_level="A2", top_k=top_k, max_items=30))
        tests = [simulate(engine, t, seed=s) for s, t in enumerate(truth)]
        counts = Counter(i for state in tests for i in state.items)
        first = Counter(state.items[0] for state in tests)
        return max(counts.values()) / len(truth), max(first.values()) / len(truth)

    plain, plain_first = exposure(1)
    spread, spread_first = exposure(8)
    assert plain_first > 0.2 and spread_first <= 0.1  # 4 domains x 8 = 32 first items
    assert spread < 0.75 * plain and spread <= 0.35


def test_domains_balanced_and_format_share_capped(bank):
    config = CatConfig(max_items=24, format_max_share={"text_entry": 0.25})
    engine = CatEngine(bank, config)
    for s, theta in enumerate((-2.0, 0.0, 1.0, 2.8)):
        state = simulate(engine, theta, seed=s)
        domains = Counter(e["domain"] for e in state.log)
        assert max(domains.values()) - min(domains.get(d, 0) for d in DOMAINS) <= 1
        formats = Counter(e["format"] for e in state.log)
        assert formats["text_entry"] <= np.ceil(0.25 * max(state.n_questions, config.min_items))


def test_testlets_are_delivered_whole_and_counted_by_question():
    bank = make_bank(n=40, testlets=40)
    engine = CatEngine(bank, CatConfig(min_items=10, max_items=20))
    state = simulate(engine, 0.5, seed=8)
    testlet_steps = [e for e in state.log if e["parts"]]
    assert testlet_steps, "expected the engine to pick testlets from a bank rich in them"
    assert all(len(e["parts"]) == 3 and e["max_score"] == 3 for e in testlet_steps)
    assert state.n_questions == sum(max(len(e["parts"]), 1) for e in state.log) <= 20


def test_record_refuses_bad_input(bank):
    engine = CatEngine(bank, CatConfig(mode="cut", cut_level="B1", min_items=1, max_items=1))
    state = engine.start(seed=0)
    with pytest.raises(ValueError):
        engine.record(state, "nope", 1)
    with pytest.raises(ValueError):
        engine.record(state, bank[0].id, 2)
    state = engine.record(state, bank[0].id, 1)
    assert engine.should_stop(state).reason == "max_length"
    with pytest.raises(ValueError):
        engine.record(state, bank[1].id, 1)


def test_a_small_bank_runs_out():
    engine = CatEngine(make_bank(n=6), CatConfig(min_items=8, max_items=20))
    state = simulate(engine, 0.75, seed=0)
    assert state.stop["reason"] == "bank_exhausted" and state.n_questions == 6


def test_config_is_checked():
    with pytest.raises(ValueError):
        CatConfig(mode="cut")
    with pytest.raises(ValueError):
        CatConfig(min_items=10, max_items=5)


def test_sympson_hetter_eligibility_limits_a_units_use_and_is_reproducible(bank):
    truth = np.random.default_rng(3).normal(-0.25, 1.5, 150)
    config = CatConfig(mode="cut", cut_level="A2", top_k=1, max_items=20)

    def usage(engine):
        tests = [simulate(engine, t, seed=s) for s, t in enumerate(truth)]
        return Counter(i for state in tests for i in state.items), tests

    free, _ = usage(CatEngine(bank, config))
    busiest = [uid for uid, _ in free.most_common(5)]
    limited = replace(config, exposure=dict.fromkeys(busiest, 0.2))
    held, tests = usage(CatEngine(bank, limited))
    for uid in busiest:
        assert held[uid] <= 0.2 * len(truth) + 12 < free[uid]
    again = [simulate(CatEngine(bank, limited), t, seed=s) for s, t in enumerate(truth[:10])]
    assert [s.items for s in again] == [s.items for s in tests[:10]]


def test_exposure_probabilities_are_checked(bank):
    with pytest.raises(ValueError):
        CatConfig(exposure={"i1": 0.0})
    with pytest.raises(ValueError):
        CatConfig(exposure={"i1": 1.5})


def test_eligibility_given_at_start_is_drawn_once_and_kept_in_the_state(bank):
    engine = CatEngine(bank, CatConfig(mode="cut", cut_level="A2", top_k=1, max_items=20))
    eligibility = {item.id: 0.5 for item in bank[:160]}
    state = engine.start(seed=21, eligibility=eligibility)
    assert 40 < len(state.ineligible) < 120 and set(state.ineligible) <= set(eligibility)
    assert engine.start(seed=21, eligibility=eligibility).ineligible == state.ineligible
    assert engine.start(seed=21).ineligible == []  # no probabilities: every unit eligible
    rng = np.random.default_rng(0)
    while (item := engine.next_item(state)) is not None:
        assert item.id not in state.ineligible  # plenty of eligible units fit the rules
        state = engine.record(state, item.id, int(rng.random() < 0.5))
    assert state.ineligible == engine.start(seed=21, eligibility=eligibility).ineligible
    # the stored draw holds after a JSON round trip, whatever the probabilities are later
    resumed = CatState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert resumed.ineligible == state.ineligible and resumed.stop == state.stop
    with pytest.raises(ValueError):
        engine.start(seed=1, eligibility={bank[0].id: 0.0})


def test_one_engine_chooses_by_each_states_own_eligibility(bank):
    """An engine reused for many tests (a simulation) must not hand one test the choice it made
    for another test with the same seed but other ineligible units."""
    engine = CatEngine(bank, CatConfig(mode="cut", cut_level="A2", top_k=1, max_items=20))
    first = engine.next_item(engine.start(seed=7))
    without = engine.start(seed=7, eligibility={first.id: 1e-12})
    assert without.ineligible == [first.id]
    assert engine.next_item(without).id != first.id


def test_a_state_from_before_the_draw_was_kept_uses_the_configured_probabilities(bank):
    busiest = {item.id: 0.01 for item in bank[:200]}
    engine = CatEngine(bank, CatConfig(top_k=1, exposure=busiest))
    state = engine.start(seed=5)
    old = CatState.from_dict({k: v for k, v in state.to_dict().items() if k != "ineligible"})
    assert old.ineligible is None
    assert engine.next_item(old) == engine.next_item(state)
    assert engine.next_item(old).id not in busiest


def test_a_domain_tolerance_lets_a_domain_run_ahead_by_at_most_that_much(bank):
    config = CatConfig(max_items=24, domain_tolerance=1)
    strict, loose = CatEngine(bank, replace(config, domain_tolerance=0)), CatEngine(bank, config)
    spread, changed = [], 0
    for s, theta in enumerate((-2.0, -0.5, 0.0, 1.0, 2.8)):
        state = simulate(loose, theta, seed=s)
        counts = Counter(e["domain"] for e in state.log)
        spread.append(max(counts.values()) - min(counts.get(d, 0) for d in DOMAINS))
        changed += simulate(strict, theta, seed=s).items != state.items
    assert max(spread) <= 2 and changed  # balanced within the tolerance, and freer than before


def test_the_stored_state_is_a_deep_copy_of_every_field() -> None:
    """to_dict names every field (a new field not stored would be lost on resume) and shares
    no list or dict with the state the engine goes on changing."""
    import dataclasses

    state = CatState(
        seed=7, start_theta=0.1, theta=0.4, se=0.6, items=["a", "T:t1"], scores=[1, 2],
        n_questions=3, log=[{"step": 1, "shortlist": ["a", "b"]}], stop={"reason": "x"},
        ineligible=["z"], strata=[0, 1], stratum_ineligible={"0": ["y"], "1": []},
    )  # fmt: skip
    stored = state.to_dict()
    assert stored == dataclasses.asdict(state)
    state.items.append("b")
    state.log[0]["shortlist"].append("c")
    state.stratum_ineligible["0"].append("q")
    state.stop["reason"] = "changed"
    assert stored["items"] == ["a", "T:t1"] and stored["log"][0]["shortlist"] == ["a", "b"]
    assert stored["stratum_ineligible"]["0"] == ["y"] and stored["stop"] == {"reason": "x"}
