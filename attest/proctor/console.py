"""The proctor console: a centre's live sessions with time left and connection state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.assessment import session_clock
from attest.assessment.purposes import load_purposes
from attest.models import SessionEvent, SessionStatus, TestSession, User
from attest.proctor.services import visible_centre_ids

RECENT_HOURS = 12  # sessions created but not started stay on the console this long


@dataclass(frozen=True)
class ConsoleRow:
    """One session as the console shows it (plain data, turned into JSON or HTML)."""

    session: TestSession
    purpose_title: str
    clock: session_clock.ClockStatus
    calls: tuple[str, ...]  # kinds of open proctor calls, oldest first
    focus_losses: int


def live_sessions(
    session: so.Session, user: User, now: datetime, timeout: float
) -> list[ConsoleRow]:
    """Return the sessions in progress (and those waiting for a kiosk) of the user's centre.

    Looking is enough to close a section whose time ran out while its kiosk stayed away."""
    query = (
        sa.select(TestSession)
        .where(
            sa.or_(
                TestSession.status == SessionStatus.IN_PROGRESS,
                sa.and_(
                    TestSession.status == SessionStatus.CREATED,
                    TestSession.created_at >= now - timedelta(hours=RECENT_HOURS),
                ),
            )
        )
        .order_by(TestSession.id)
    )
    centres = visible_centre_ids(user)
    if centres is not None:
        query = query.where(TestSession.centre_id.in_(centres))
    sessions = list(session.scalars(query))
    events = _events_by_session(session, [ts.id for ts in sessions])
    purposes = load_purposes()
    rows = []
    for ts in sessions:
        if ts.status is SessionStatus.IN_PROGRESS:
            session_clock.expire(session, ts, now, timeout)
        mine = events.get(ts.id, [])
        purpose = purposes.get(ts.purpose_code)
        rows.append(
            ConsoleRow(
                session=ts,
                purpose_title=purpose.title if purpose else ts.purpose_code,
                clock=session_clock.status(session, ts, now, timeout),
                calls=tuple(e.kind for e in mine if e.needs_proctor and e.resolved_at is None),
                focus_losses=sum(1 for e in mine if e.kind == "focus_lost"),
            )
        )
    return rows


def _events_by_session(
    session: so.Session, session_ids: list[int]
) -> dict[int, list[SessionEvent]]:
    if not session_ids:
        return {}
    grouped: dict[int, list[SessionEvent]] = {}
    for event in session.scalars(
        sa.select(SessionEvent)
        .where(SessionEvent.session_id.in_(session_ids))
        .order_by(SessionEvent.at, SessionEvent.id)
    ):
        grouped.setdefault(event.session_id, []).append(event)
    return grouped
