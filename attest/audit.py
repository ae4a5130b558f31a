"""Record audit events (who did what to which object), without personal data."""

from __future__ import annotations

from typing import Any

import sqlalchemy.orm as so

from attest.models import AuditEvent, User


def record_event(
    session: so.Session,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: object,
    **detail: Any,
) -> AuditEvent:
    """Add an audit event to the session."""
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        detail=detail,
    )
    session.add(event)
    return event
