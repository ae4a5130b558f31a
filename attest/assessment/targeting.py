"""Targeted productive sections: writing and speaking tasks at the level the receptive sections
point to, or skipped (with the reason kept) when that level is below the section's gate."""

from __future__ import annotations

import random
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.assessment import adaptive, enemies, irt
from attest.assessment.bank_queries import current_versions
from attest.assessment.cut_score_versions import cut_scores_in_force
from attest.assessment.purposes import Purpose, Section
from attest.assessment.session_plan import (
    mark_first_used,
    new_session_item,
    session_groups,
    unit_groups,
)
from attest.models import ItemVersion, SectionAttempt, SessionItem, TestSession
from attest.vocabulary import LEVELS, RECEPTIVE, level_rank


def receptive_level(session: so.Session, ts: TestSession, purpose: Purpose) -> str:
    """Return the level the receptive sections point to: the higher of their levels so far.

    The higher one is taken (not the mean) so that a candidate is never given tasks below what
    one receptive skill already shows; an adaptive section gives its decision, a linear one the
    Rasch EAP estimate of the answers so far against the cut scores in force (cut_scores.py)."""
    levels = []
    for section in purpose.sections:
        if section.skill not in RECEPTIVE:
            continue
        decision = adaptive.decision_of(session, ts, section.skill)
        if decision is not None:
            levels.append(decision.level)
            continue
        rows = [
            i
            for i in ts.items
            if i.skill == section.skill
            and not i.is_pilot
            and i.response is not None
            and i.response.score is not None
        ]
        if rows:
            est = irt.eap_estimate(
                [i.item_version.difficulty for i in rows], [i.response.score for i in rows]
            )
            cuts = cut_scores_in_force(session, section.skill, purpose.code)
            levels.append(cuts.level_for(est.theta, purpose.target_level))
    return max(levels, key=level_rank) if levels else purpose.lowest_level


def plan_targeted(
    session: so.Session,
    ts: TestSession,
    purpose: Purpose,
    section: Section,
    index: int,
    position: int,
    now: datetime,
) -> list[SessionItem]:
    """Plan the section's tasks at the targeted level (nothing, with the reason, if gated)."""
    level = receptive_level(session, ts, purpose)
    record: dict = {"receptive_level": level}
    if section.gate_level and level_rank(level) < level_rank(section.gate_level):
        record |= {
            "skipped": True,
            "reason": f"receptive level {level} is below {section.gate_level}",
        }
        session.add(
            SectionAttempt(session_id=ts.id, skill=section.skill, state=record, stopped_at=now)
        )
        session.flush()
        return []
    lowest, highest = LEVELS.index(purpose.lowest_level), LEVELS.index(purpose.target_level)
    target = LEVELS[min(max(level_rank(level) - 1, lowest), highest)]
    record["targeted_level"] = target
    session.add(SectionAttempt(session_id=ts.id, skill=section.skill, state=record))
    rng = random.Random(ts.id * 10 + index)
    chosen = _draw(session, section, target, purpose, rng, session_groups(ts))
    planned = []
    mark_first_used(session, chosen, now)  # frozen from now on
    for offset, version in enumerate(chosen):
        item = new_session_item(ts, position + offset, section.skill, version)
        session.add(item)
        planned.append(item)
    session.flush()
    return planned


def _draw(
    session: so.Session,
    section: Section,
    target: str,
    purpose: Purpose,
    rng: random.Random,
    used: set[str],
) -> list[ItemVersion]:
    """Draw `tasks` live tasks at the target level, topping up from the levels below it, never
    two of one enemy group (nor one of a group the session has used)."""
    chosen: list[ItemVersion] = []
    for level in reversed(LEVELS[LEVELS.index(purpose.lowest_level) : LEVELS.index(target) + 1]):
        versions = current_versions(session, section.skill, [level], machine_scored=False)
        chosen += enemies.draw_units(
            rng, versions, section.tasks - len(chosen), lambda v: unit_groups([v]), used
        )
        if len(chosen) >= section.tasks:
            break
    return chosen


def planned_skills(session: so.Session, ts: TestSession) -> set[str]:
    """Return the skills whose targeted section has been planned or skipped."""
    return set(
        session.scalars(sa.select(SectionAttempt.skill).where(SectionAttempt.session_id == ts.id))
    )
