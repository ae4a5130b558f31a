"""Record audit events (who did what to which object), without personal data.

The trail is append-only and hash-chained (attest/audit_chain.py). An event is recorded in the
caller's transaction but joins the chain only when that transaction commits: just before the
commit the single chain-head row is locked (SELECT ... FOR UPDATE on PostgreSQL; on SQLite a
transaction that may write holds the database's write lock from its BEGIN IMMEDIATE on, see
attest.engine), the transaction's events are given their sequence numbers and
hashes and inserted, and the commit releases the lock. Concurrent requests thus extend the chain
one after another and never fork it (the unique `seq` would refuse a fork in any case), while
the lock is held for the commit only, not for the rest of the request: a request that is slow or
waits for a CPU no longer makes every other audited request wait behind it. Events recorded in
a savepoint that rolls back, or in a transaction that rolls back, never join the chain."""

from __future__ import annotations

from collections.abc import Callable, Mapping
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


_PENDING = "attest_audit_pending"


def record_event(
    session: so.Session,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: object,
    **detail: Any,
) -> AuditEvent:
    """Record an audit event in the caller's transaction; it joins the chain at the commit.

    The event returned has its sequence number, time, hash and id once the transaction has
    committed (`at` is the time it joined the chain, so times rise with the sequence)."""
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:64],
        detail=detail,
    )
    # The event belongs to the innermost transaction, begun now if there is none yet, so that
    # a rollback of that transaction (or of a savepoint it is in) takes the event with it.
    owner = session.get_nested_transaction() or session.get_transaction() or session.begin()
    session.info.setdefault(_PENDING, []).append((owner, event))
    return event


def _append_pending(session: so.Session) -> None:
    """Chain and insert the transaction's recorded events, holding the head lock to the commit."""
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    head = _lock_head(session)
    now = utcnow()
    for _owner, event in pending:
        event.seq, event.at, event.prev_hash = head.seq + 1, now, head.hash
        event.hash = entry_hash(_fields(event))
        head.seq, head.hash = event.seq, event.hash
        session.add(event)
    session.flush()


def _within(transaction: so.SessionTransaction | None, ended: so.SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ended:
            return True
        transaction = transaction.parent
    return False


@sa.event.listens_for(so.Session, "before_commit")
def _chain_before_commit(session: so.Session) -> None:
    # before_commit also runs when a savepoint is released: the events wait for the outermost.
    if not session.in_nested_transaction():
        _append_pending(session)


@sa.event.listens_for(so.Session, "after_soft_rollback")
def _drop_rolled_back(session: so.Session, ended: so.SessionTransaction) -> None:
    pending = session.info.get(_PENDING)
    if not pending:
        return
    # A failed flush ends its own subtransaction, and with it the nearest savepoint (or the
    # whole transaction): that is what was rolled back in the database.
    while not ended.nested and ended.parent is not None:
        ended = ended.parent
    if ended.parent is None:
        session.info.pop(_PENDING, None)
        return
    kept = [(owner, event) for owner, event in pending if not _within(owner, ended)]
    session.info[_PENDING] = kept


@sa.event.listens_for(so.Session, "after_transaction_end")
def _drop_at_end(session: so.Session, transaction: so.SessionTransaction) -> None:
    # The outermost transaction ended without the commit taking its events (closed, or its
    # commit failed): they never happened.
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


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


def verify_audit_trail(
    session: so.Session, batch: int = 5000, tap: Callable[[Mapping[str, Any]], None] | None = None
) -> tuple[int, list[ChainProblem]]:
    """Walk the whole trail in row order; return (entries checked, problems found).

    `tap` sees every entry on the way (the checkpoints take the hashes they anchor)."""
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
            if tap is not None:
                for row in chunk:
                    tap(row)
            yield from chunk
            last_id = chunk[-1]["id"]

    problems = verify_chain(rows(), (head.seq, head.hash) if head is not None else (0, GENESIS))
    return count, problems
