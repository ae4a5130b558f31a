"""A test session's results: the level per skill, the productive (examiner-scored) items, the
skills still waiting for final ratings, and the attestation currently issued from them.

Delivery writes the receptive results, examiner scoring the productive ones, issuing reads them:
all three read them here, so none of them imports another to learn what a session achieved."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.assessment import rubrics
from attest.assessment.formats import get_format
from attest.models import (
    Attestation,
    AttestationStatus,
    Performance,
    PerformanceStatus,
    SessionItem,
    TestSession,
)
from attest.vocabulary import SKILLS


def levels_of(ts: TestSession) -> dict[str, str | None]:
    """Return the level per skill for all four skills (None for skills not tested)."""
    levels: dict[str, str | None] = dict.fromkeys(SKILLS)
    for r in ts.results:
        levels[r.skill] = r.level
    return levels


def productive_items(ts: TestSession, skill: str) -> list[SessionItem]:
    """Return the scored (non-pilot) examiner-scored items of a skill in a session."""
    return [
        i
        for i in ts.items
        if i.skill == skill
        and not i.is_pilot
        and not get_format(i.item_version.format).is_machine_scored
    ]


def ratings_pending(session: so.Session, ts: TestSession) -> list[str]:
    """Return the productive skills of a session still waiting for final ratings."""
    pending = []
    done = {r.skill for r in ts.results}
    open_perfs = set(
        session.scalars(
            sa.select(Performance.skill).where(
                Performance.session_id == ts.id, Performance.status != PerformanceStatus.FINAL
            )
        )
    )
    for skill in rubrics.PRODUCTIVE:
        if productive_items(ts, skill) and (skill not in done or skill in open_perfs):
            pending.append(skill)
    return pending


def attestation_for_session(session: so.Session, ts: TestSession) -> Attestation | None:
    """Return the current attestation of a session (not superseded), if any."""
    return session.scalar(
        sa.select(Attestation)
        .where(
            Attestation.session_id == ts.id,
            Attestation.status != AttestationStatus.SUPERSEDED,
        )
        .order_by(Attestation.id.desc())
        .limit(1)
    )
