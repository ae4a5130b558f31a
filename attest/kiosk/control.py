"""What a kiosk reports and asks for beyond answers: audio plays, sound check, focus loss."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.assessment import timing
from attest.assessment.purposes import get_purpose
from attest.assessment.session_events import log_session_event
from attest.models import SessionEvent, SessionItem, TestSession

FOCUS_KINDS = ("hidden", "blur", "fullscreen_exit")
FOCUS_REPEAT_SECONDS = 5  # one focus-loss report per kind within this time is enough


def max_plays_for(ts: TestSession, skill: str) -> int:
    """Return how often a clip of this section may be played (0: unlimited)."""
    section = next((s for s in get_purpose(ts.purpose_code).sections if s.skill == skill), None)
    return section.max_plays if section is not None else 2


def grant_play(session: so.Session, sitem: SessionItem, max_plays: int) -> tuple[bool, int]:
    """Count one more play of an item's clip if the limit allows; return (granted, plays).

    One conditional UPDATE, so two clicks at once can never both get the last play."""
    if not timing.may_play(sitem.play_count, max_plays):
        return False, sitem.play_count
    query = sa.update(SessionItem).where(SessionItem.id == sitem.id)
    if max_plays > 0:
        query = query.where(SessionItem.play_count < max_plays)
    granted = session.execute(query.values(play_count=SessionItem.play_count + 1)).rowcount == 1
    plays = session.scalar(sa.select(SessionItem.play_count).where(SessionItem.id == sitem.id))
    session.expire(sitem, ["play_count"])
    return granted, int(plays or 0)


def confirm_sound(session: so.Session, ts: TestSession, now: datetime) -> None:
    """The candidate hears the sample: listening items may start."""
    if ts.sound_checked_at is None:
        ts.sound_checked_at = now
        log_session_event(session, ts, "sound_ok", at=now)
    for call in _open(session, ts, "sound_problem"):
        call.resolved_at = now  # solved at the kiosk
    session.flush()


def report_sound_problem(session: so.Session, ts: TestSession, now: datetime) -> SessionEvent:
    """The candidate hears nothing: call the proctor (one open call at a time)."""
    existing = _open(session, ts, "sound_problem")
    if existing:
        return existing[0]
    event = log_session_event(session, ts, "sound_problem", at=now)
    session.flush()
    return event


def report_focus_loss(
    session: so.Session, ts: TestSession, how: str, position: int | None, now: datetime
) -> SessionEvent | None:
    """Record that the kiosk page lost focus (another window, tab or full screen left)."""
    if how not in FOCUS_KINDS:
        raise ValueError(f"unknown focus event {how!r}")
    last = session.scalar(
        sa.select(SessionEvent)
        .where(SessionEvent.session_id == ts.id, SessionEvent.kind == "focus_lost")
        .order_by(SessionEvent.id.desc())
        .limit(1)
    )
    if (
        last is not None
        and last.detail.get("how") == how
        and (now - last.at).total_seconds() < FOCUS_REPEAT_SECONDS
    ):
        return None
    event = log_session_event(session, ts, "focus_lost", at=now, how=how, position=position)
    session.flush()
    return event


def _open(session: so.Session, ts: TestSession, kind: str) -> list[SessionEvent]:
    return list(
        session.scalars(
            sa.select(SessionEvent).where(
                SessionEvent.session_id == ts.id,
                SessionEvent.kind == kind,
                SessionEvent.resolved_at.is_(None),
            )
        )
    )
