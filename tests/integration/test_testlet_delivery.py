"""Testlets are delivered together and scored together, in linear and adaptive sections."""

from __future__ import annotations

import random

import sqlalchemy as sa

from attest.assessment import adaptive
from attest.assessment.bank_queries import unit_id
from attest.assessment.delivery import _units_for_scoring, create_session, plan_section
from attest.assessment.purposes import Purpose, Section
from attest.models import Item, Role
from tests.factories import load_demo_bank, make_candidate, make_centre, make_user


def test_a_linear_form_keeps_each_testlet_together(db, now):
    load_demo_bank(db)
    centre = make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    ts, _ = create_session(
        db, make_candidate(db, centre=centre), "a2-luisteren-lezen", proctor, now
    )
    section = Section(skill="reading", items_per_level=100, pilot_items=1)
    purpose = Purpose("t", "t", "", "B1", "B1", (section,))
    planned = plan_section(db, ts, purpose, section, 1, now, random.Random(1))
    units = [unit_id(i.item_version) for i in planned if not i.is_pilot]
    testlet_parts = db.scalars(sa.select(Item.id).where(Item.testlet_id == "nl-lz-b1-t001")).all()
    assert len(testlet_parts) == 3
    positions = [i.position for i in planned if i.item_version.item_id in testlet_parts]
    assert positions == list(range(positions[0], positions[0] + 3))  # one after the other
    assert units.count("T:nl-lz-b1-t001") == 3


def test_a_testlet_is_scored_as_one_unit(db, now):
    load_demo_bank(db)
    parts = db.scalars(sa.select(Item).where(Item.testlet_id == "nl-lz-b1-t001")).all()

    class Row:
        def __init__(self, item):
            self.item_version = item.versions[-1]

    rows = [Row(i) for i in parts]
    difficulties, fractions = _units_for_scoring(rows, [1.0, 1.0, 0.0])
    assert len(difficulties) == 1 and abs(fractions[0] - 2 / 3) < 1e-9


def test_the_adaptive_engine_sees_a_testlet_as_one_partial_credit_unit(db):
    load_demo_bank(db)
    section = Section(skill="reading", mode="adaptive", cat={"mode": "placement"})
    engine, units = adaptive.engine_for(db, section)
    unit = next(u for u in engine.bank if u.id == "T:nl-lz-b1-t001")
    assert len(unit.parts) == 3 and unit.params.max_score == 3
    assert [v.item_id for v in units[unit.id]] == list(unit.parts)
    assert not any(u.id in unit.parts for u in engine.bank)  # its parts are not drawn alone
