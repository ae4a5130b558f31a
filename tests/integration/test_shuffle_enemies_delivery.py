"""Delivery over the shipped bank: shown orders are drawn per candidate and stored, and no
session holds two items of one enemy group (linear forms, adaptive sections, pilot seeding)."""

from __future__ import annotations

import random

import pytest

from attest.assessment import adaptive, enemies, shuffle
from attest.assessment.bank_queries import unit_id
from attest.assessment.delivery import create_session, plan_pilots, plan_section
from attest.assessment.purposes import Purpose, Section
from attest.models import Response, Role
from tests.factories import load_demo_bank, make_candidate, make_centre, make_user

# Every level, every unit: without the enemy rule these forms would hold many enemy pairs.
WHOLE = {
    skill: Section(skill=skill, items_per_level=200, pilot_items=20)
    for skill in ("listening", "reading")
}
PURPOSE = Purpose("t", "t", "", "A1", "B2", tuple(WHOLE.values()))


@pytest.fixture
def new_session(db, now):
    load_demo_bank(db)
    centre = make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)

    def make():
        candidate = make_candidate(db, centre=centre)
        ts, _ = create_session(db, candidate, "a2-luisteren-lezen", proctor, now)
        return ts

    return make


def groups_per_unit(items) -> list[set[str]]:
    units: dict[str, set[str]] = {}
    for item in items:
        units.setdefault(unit_id(item.item_version), set()).update(
            item.item_version.item.enemy_groups or ()
        )
    return list(units.values())


def test_linear_forms_and_pilots_never_hold_two_enemies(db, now, new_session):
    for seed in range(8):
        ts = new_session()
        planned = plan_section(db, ts, PURPOSE, WHOLE["listening"], 1, now, random.Random(seed))
        planned += plan_section(
            db, ts, PURPOSE, WHOLE["reading"], len(planned) + 1, now, random.Random(seed)
        )
        planned += plan_pilots(
            db, ts, PURPOSE, WHOLE["reading"], len(planned) + 1, now, random.Random(seed)
        )
        db.flush()
        groups = groups_per_unit(ts.items)
        assert enemies.enemy_pairs(groups) == [], seed
        assert sum(1 for g in groups if g) >= 20  # most groups are in every form, once


def test_the_shown_order_is_drawn_per_candidate_and_stored(db, now, new_session):
    ts = new_session()
    plan_section(db, ts, PURPOSE, WHOLE["reading"], 1, now, random.Random(1))
    db.flush()
    choice = [i for i in ts.items if i.item_version.format == "single_choice"]
    shuffled = [i for i in choice if i.item_version.content.get("shuffle", True)]
    assert len(shuffled) > 20
    # an item whose order means something (prices in rising order) keeps the bank order
    assert all(i.display_order is None for i in choice if i not in shuffled)
    assert len(choice) > len(shuffled)
    for item in ts.items:
        version = item.item_version
        expected = shuffle.display_order(
            version.format, version.content, shuffle.seed_for(ts.id, version.item_id)
        )
        assert item.display_order == expected
    # the key is not on one place: over the form it lands on each of a, b, c (and d)
    places = {i.display_order["options"].index(i.item_version.content["answer"]) for i in shuffled}
    assert places >= {0, 1, 2}
    other = new_session()
    plan_section(db, other, PURPOSE, WHOLE["reading"], 1, now, random.Random(1))
    db.flush()
    mine = {i.item_version.item_id: i.display_order for i in ts.items}
    theirs = {i.item_version.item_id: i.display_order for i in other.items}
    assert sum(mine[k] != theirs[k] for k in mine if k in theirs and mine[k]) > 10


@pytest.mark.parametrize("seed", range(2))
def test_an_adaptive_section_avoids_enemies_of_its_own_and_of_earlier_sections(
    db, now, new_session, seed
):
    ts = new_session()
    listening = Section(skill="listening", items_per_level=3, pilot_items=0)
    planned = plan_section(db, ts, PURPOSE, listening, 1, now, random.Random(seed))
    db.flush()
    before = set().union(*groups_per_unit(ts.items))
    section = Section(
        skill="reading",
        mode="adaptive",
        cat={"mode": "placement", "min_items": 60, "max_items": 60, "stop_rule": "ci"},
    )
    position = len(planned) + 1
    rng = random.Random(seed)
    while (first := adaptive.next_unit(db, ts, section, 1, position, now)) is not None:
        parts = [i for i in ts.items if i.position >= position]
        for part in parts:
            score = float(rng.random() < 0.6)
            db.add(Response(session_item=part, value={"v": None}, score=score))
            db.flush()
            adaptive.record_unit(db, ts, section, 1, part.item_version.item_id, score, now)
        position += len(parts)
        assert first.display_order == shuffle.display_order(
            first.item_version.format,
            first.item_version.content,
            shuffle.seed_for(ts.id, first.item_version.item_id),
        )
    reading = [i for i in ts.items if i.skill == "reading"]
    assert len(reading) >= 40
    assert enemies.enemy_pairs(groups_per_unit(ts.items)) == []
    assert before and not (before & set().union(*groups_per_unit(reading)))
