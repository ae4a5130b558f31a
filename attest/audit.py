"""Record audit events (who did what to which object), without personal data.

The trail is append-only and hash-chained (attest/audit_chain.py). Appending locks the single
chain-head row (SELECT ... FOR UPDATE on PostgreSQL; SQLite serialises writers anyway) until the
transaction ends, so concurrent requests extend the chain one after another and never fork it
(the unique `seq` would refuse a fork in any case)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.audit_chain import GENESIS, ChainProblem, entry_hash, verify_chain
from attest.models import AuditChainHead, AuditEvent, User
from attest.models._types import utcnow

HEAD_ID = 1


def _lock_head(session: so.Session) -> AuditChainHead:
    query = (
        sa.select(AuditChainHead)
        .where(AuditChainHead.id == HEAD_ID)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    head = session.scalar(query)
    if head is None:  # the row is gone (an emptied database): start the chain again
        try:
            with session.begin_nested():
                session.add(AuditChainHead(id=HEAD_ID, seq=0, hash=GENESIS))
        except sa.exc.IntegrityError:
            pass  # another transaction created it first; lock theirs
        head = session.scalar(query)
    return head


def record_event(
    session: so.Session,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: object,
    **detail: Any,
) -> AuditEvent:
    """Append an audit event to the chain (in the caller's transaction)."""
    head = _lock_head(session)
    event = AuditEvent(
        seq=head.seq + 1,
        at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:64],
        detail=detail,
        prev_hash=head.hash,
    )
    event.hash = entry_hash(_fields(event))
    head.seq, head.hash = event.seq, event.hash
    session.add(event)
    session.flush()
    return event


def _fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "seq": event.seq,
        "at": event.at,
        "actor_id": event.actor_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "detail": event.detail,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


def verify_audit_trail(session: so.Session, batch: int = 5000) -> tuple[int, list[ChainProblem]]:
    """Walk the whole trail in row order; return (entries checked, problems found)."""
    head = session.get(AuditChainHead, HEAD_ID)
    columns = [getattr(AuditEvent, name) for name in _fields(AuditEvent()).keys()]
    count = 0

    def rows():
        nonlocal count
        last_id = 0
        while True:
            chunk = (
                session.execute(
                    sa.select(*columns)
                    .where(AuditEvent.id > last_id)
                    .order_by(AuditEvent.id)
                    .limit(batch)
                )
                .mappings()
                .all()
            )
            if not chunk:
                return
            count += len(chunk)
            yield from chunk
            last_id = chunk[-1]["id"]

    problems = verify_chain(rows(), (head.seq, head.hash) if head is not None else (0, GENESIS))
    return count, problems
