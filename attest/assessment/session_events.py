"""Session events: what happened in a test session that the proctor must see or an appeal needs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.models import SessionEvent, TestSession, User
from attest.models._types import utcnow

# Kinds that call the proctor until someone has seen to them.
CALLS_PROCTOR = frozenset(
    {"microphone_problem", "recording_flagged", "sound_problem", "outage", "storage_error"}
)


def log_session_event(
    session: so.Session,
    ts: TestSession,
    kind: str,
    actor: User | None = None,
    at: datetime | None = None,
    needs_proctor: bool | None = None,
    **detail: Any,
) -> SessionEvent:
    """Add an event to a test session (no personal data in `detail`)."""
    event = SessionEvent(
        session_id=ts.id,
        kind=kind,
        at=at or utcnow(),
        actor_id=actor.id if actor is not None else None,
        detail=detail,
        needs_proctor=kind in CALLS_PROCTOR if needs_proctor is None else needs_proctor,
    )
    session.add(event)
    return event


def events_of(session: so.Session, ts: TestSession) -> list[SessionEvent]:
    """All events of a session, oldest first."""
    return list(
        session.scalars(
            sa.select(SessionEvent)
            .where(SessionEvent.session_id == ts.id)
            .order_by(SessionEvent.at, SessionEvent.id)
        )
    )


def open_calls(session: so.Session, ts: TestSession) -> list[SessionEvent]:
    """Events that still call the proctor."""
    return [e for e in events_of(session, ts) if e.needs_proctor and e.resolved_at is None]


def resolve_event(session: so.Session, event: SessionEvent, actor: User, now: datetime) -> None:
    """Mark a proctor call as seen to."""
    from attest.audit import record_event

    event.resolved_at = now
    record_event(
        session, actor, "session_event.resolve", "session_event", event.id, kind=event.kind
    )
