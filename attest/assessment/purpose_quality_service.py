"""Decision quality per purpose from the live bank: the database's or the bank files'."""

from __future__ import annotations

import sqlalchemy.orm as so

from attest.assessment.bank import Bank
from attest.assessment.bank_queries import current_versions, unit_id
from attest.assessment.cut_score_versions import store_in_force
from attest.assessment.cut_scores import CutScoreStore, load_store
from attest.assessment.purpose_quality import (
    DEFAULT_POPULATION,
    PurposeQuality,
    SectionDecision,
    quality_table,
    section_decision,
    unit_difficulties,
)
from attest.assessment.purposes import Purpose, load_purposes
from attest.vocabulary import LEVELS, RECEPTIVE


def live_units_in_db(session: so.Session) -> dict:
    """Return skill -> level -> unit difficulties of the current live versions (what delivery
    draws from)."""
    rows = [
        (skill, version.level, unit_id(version), version.difficulty)
        for skill in RECEPTIVE
        for version in current_versions(session, skill, LEVELS, "live")
    ]
    return unit_difficulties(rows)


def live_units_in_bank(bank: Bank) -> dict:
    """Return skill -> level -> unit difficulties of the live items in the bank files."""
    rows = [
        (i.skill, i.level, f"T:{i.testlet}" if i.testlet else i.id, i.difficulty)
        for i in bank.items
        if i.skill in RECEPTIVE and i.status == "live"
    ]
    return unit_difficulties(rows)


def purposes_quality(
    units: dict,
    population: tuple[float, float] = DEFAULT_POPULATION,
    store: CutScoreStore | None = None,
) -> list[PurposeQuality]:
    """Return every shipped purpose's decision quality at the cuts of `store` (default: the
    package's file; a caller with a database passes `store_in_force`)."""
    store = store or load_store()
    return [
        row
        for purpose in load_purposes().values()
        for row in quality_table(
            [purpose],
            {skill: store.cuts(skill, purpose.code).cuts for skill in store.skills},
            units,
            population,
        )
    ]


def decision_rows(session: so.Session, skill: str) -> list[tuple[Purpose, SectionDecision]]:
    """Return (purpose, decision) for one skill's sections in every purpose, from the database's
    live bank, for the psychometric report ([] while the skill has no live items)."""
    units = live_units_in_db(session).get(skill)
    if not units:
        return []
    store = store_in_force(session)
    return [
        (
            purpose,
            section_decision(
                purpose, section, level, store.cuts(skill, purpose.code).cuts[level], units
            ),
        )
        for purpose in load_purposes().values()
        for section in purpose.sections
        if section.skill == skill
        for level in purpose.decision_levels
    ]
