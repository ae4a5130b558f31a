"""Enemy groups: no two units of one group in a draw, nor in an adaptive section."""

from __future__ import annotations

import random

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from attest.assessment import enemies
from attest.assessment.cat import CatConfig, CatEngine, CatItem
from attest.assessment.irt import ItemParams

GROUPS = ("wijkagent", "ziek", "laarzen", "jas")


def unit_bank(n: int = 60) -> list[tuple[str, tuple[str, ...]]]:
    """Units with 0 to 2 groups each, so groups overlap in many ways."""
    rng = random.Random(5)
    return [(f"u{k}", tuple(rng.sample(GROUPS, rng.choice((0, 0, 1, 1, 2))))) for k in range(n)]


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(0, 2**32), k=st.integers(1, 60), used=st.sets(st.sampled_from(GROUPS)))
def test_a_draw_never_holds_two_enemies_nor_a_used_group(seed, k, used):
    start = set(used)
    drawn = enemies.draw_units(random.Random(seed), unit_bank(), k, lambda u: u[1], set(used))
    assert len(drawn) <= k
    assert enemies.enemy_pairs([u[1] for u in drawn]) == []
    assert not any(enemies.clashes(u[1], start) for u in drawn)
    # units without a group are never held back: the draw is as full as it can be
    free = [u for u in unit_bank() if not u[1]]
    assert len(drawn) >= min(k, len(free))


def test_enemy_pairs_names_the_units_and_the_group():
    assert enemies.enemy_pairs([("a",), (), ("b", "a")]) == [(0, 2, "a")]


def cat_bank(n: int = 120) -> list[CatItem]:
    rng = np.random.default_rng(3)
    return [
        CatItem(
            f"i{k}",
            ItemParams(float(rng.uniform(-2.5, 2.5))),
            ("werk", "wonen")[k % 2],
            "single_choice",
            enemies=(GROUPS[k % 4],) if k % 3 == 0 else (),
        )
        for k in range(n)
    ]


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    theta=st.floats(-2.5, 2.5),
    blocked=st.sets(st.sampled_from(GROUPS), max_size=2),
)
def test_an_adaptive_section_never_gives_two_enemies_nor_a_blocked_group(seed, theta, blocked):
    bank = cat_bank()
    by_id = {u.id: u for u in bank}
    engine = CatEngine(bank, CatConfig(min_items=30, max_items=30, stop_rule="ci", top_k=1))
    rng = np.random.default_rng(seed)
    state = engine.start(seed=seed)
    while (unit := engine.next_item(state, blocked)) is not None:
        p = 1 / (1 + np.exp(-(theta - unit.params.b)))
        state = engine.record(state, unit.id, int(rng.random() < p), blocked)
    given_groups = [by_id[i].enemies for i in state.items]
    assert enemies.enemy_pairs(given_groups) == []
    assert not any(set(g) & blocked for g in given_groups)
    assert all(entry["engine_choice"] for entry in state.log)
    # top_k=1 picks the most informative unit, so enemies were really in the way
    assert len(state.items) == 30
