"""Adaptive sections of a test session: the CAT engine (cat.py) over the live bank, its state
stored with the session so every choice and the stopping reason can be explained later."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.assessment.bank_queries import current_versions
from attest.assessment.cat import CatConfig, CatEngine, CatItem, CatState, StopDecision
from attest.assessment.cefr import cut_scores_for
from attest.assessment.irt import ItemParams
from attest.assessment.purposes import Section
from attest.models import ItemVersion, SectionAttempt, SessionItem, TestSession


def _bank(session: so.Session, skill: str) -> dict[str, ItemVersion]:
    """Return the current versions of the live, machine-scored items of a skill, by item id."""
    return {v.item_id: v for v in current_versions(session, skill, machine_scored=True)}


def engine_for(session: so.Session, section: Section) -> tuple[CatEngine, dict[str, ItemVersion]]:
    """Build the engine of a section over the live bank of its skill."""
    versions = _bank(session, section.skill)
    units = [
        CatItem(
            id=item_id, params=ItemParams(b=v.difficulty), domain=v.item.domain, format=v.format
        )
        for item_id, v in versions.items()
    ]
    config = CatConfig(**{"cuts": cut_scores_for(section.skill).cuts, **section.cat})
    return CatEngine(units, config, np.random.default_rng(0)), versions


def attempt_for(
    session: so.Session, ts: TestSession, section: Section, index: int
) -> SectionAttempt:
    """Return the section's stored state, opening it at the engine's entry point if new."""
    attempt = session.scalar(
        sa.select(SectionAttempt).where(
            SectionAttempt.session_id == ts.id, SectionAttempt.skill == section.skill
        )
    )
    if attempt is None:
        engine, _ = engine_for(session, section)
        state = engine.start(seed=ts.id * 10 + index)  # reproducible from the session
        attempt = SectionAttempt(session_id=ts.id, skill=section.skill, state=state.to_dict())
        session.add(attempt)
        session.flush()
    return attempt


def next_unit(
    session: so.Session,
    ts: TestSession,
    section: Section,
    index: int,
    position: int,
    now: datetime,
) -> SessionItem | None:
    """Plan the engine's next item at `position`, or close the section and return None."""
    attempt = attempt_for(session, ts, section, index)
    if attempt.stopped_at is not None:
        return None
    engine, versions = engine_for(session, section)
    state = CatState.from_dict(attempt.state)
    unit = engine.next_item(state)
    if unit is None:
        decision = engine.should_stop(state)
        if decision is not None and state.stop is None:
            state.stop = decision.to_dict()
            attempt.state = state.to_dict()
        attempt.stopped_at = now
        return None
    version = versions[unit.id]
    version.first_used_at = version.first_used_at or now
    item = SessionItem(session=ts, position=position, skill=section.skill, item_version=version)
    session.add(item)
    session.flush()
    return item


def record_unit(
    session: so.Session,
    ts: TestSession,
    section: Section,
    index: int,
    item_id: str,
    score: float,
    now: datetime,
) -> None:
    """Feed a scored answer to the engine (partial credit is rounded) and keep its state."""
    attempt = attempt_for(session, ts, section, index)
    state = CatState.from_dict(attempt.state)
    if item_id in state.items:
        return
    engine, _ = engine_for(session, section)
    new = engine.record(state, item_id, int(round(score)))
    attempt.state = new.to_dict()  # a new dict, so the JSON column is written
    if new.stop is not None:
        attempt.stopped_at = now


def is_recorded(session: so.Session, ts: TestSession, skill: str, item_id: str) -> bool:
    """Tell whether the engine has already taken an answer to this item into account."""
    attempt = session.scalar(
        sa.select(SectionAttempt).where(
            SectionAttempt.session_id == ts.id, SectionAttempt.skill == skill
        )
    )
    return attempt is not None and item_id in attempt.state.get("items", [])


def decision_of(session: so.Session, ts: TestSession, skill: str) -> StopDecision | None:
    """Return how a finished adaptive section ended (level, probabilities, reason)."""
    attempt = session.scalar(
        sa.select(SectionAttempt).where(
            SectionAttempt.session_id == ts.id, SectionAttempt.skill == skill
        )
    )
    if attempt is None or not attempt.state.get("stop"):
        return None
    return StopDecision(**attempt.state["stop"])
