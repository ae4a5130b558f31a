"""Atomic counters of login attempts (a username, a client address, a user's second step).

Each attempt is counted *before* it is checked, in one statement
(INSERT ... ON CONFLICT DO UPDATE ... RETURNING, SQLite >= 3.35 and PostgreSQL): concurrent
requests can neither lose an increment nor both insert the first row, and no more attempts are
checked than the policy allows, however many arrive at once. A passed check gives its attempt
back (`release`) or clears the counter (`clear`)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects import postgresql, sqlite

from attest.models import LoginThrottle
from attest.models._types import UTCDateTime


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int = 5
    lock_seconds: int = 300
    window_seconds: int = 900


def throttle_key(kind: str, value: str) -> str:
    """Key of a counter: hashed, so that neither usernames nor addresses sit in clear."""
    return kind + ":" + hashlib.sha256(value.lower().encode()).hexdigest()[:40]


def _insert(session: so.Session):
    dialect = session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(LoginThrottle)


def take_attempt(session: so.Session, key: str, now: datetime, policy: ThrottlePolicy) -> int:
    """Count one attempt under `key`; return its number in the window.

    Up to `max_failures` it may be checked; past that the key is locked. A counter starts again
    when its window has passed or its lock has run out; the attempt that reaches `max_failures`
    is still checked but sets the lock, so that a concurrent attempt already finds it."""
    table = LoginThrottle.__table__
    now_ = sa.literal(now, UTCDateTime)
    restart = sa.or_(
        table.c.first_failed_at < now - timedelta(seconds=policy.window_seconds),
        sa.and_(table.c.locked_until.is_not(None), table.c.locked_until <= now_),
    )
    count = sa.case((restart, 1), else_=table.c.failures + 1)
    lock_at = now + timedelta(seconds=policy.lock_seconds)
    first_locks = policy.max_failures <= 1
    stmt = _insert(session).values(
        key=key, failures=1, first_failed_at=now, locked_until=lock_at if first_locks else None
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={
            "failures": count,
            "first_failed_at": sa.case((restart, now_), else_=table.c.first_failed_at),
            "locked_until": sa.case(
                (
                    count >= policy.max_failures,
                    sa.func.coalesce(
                        sa.case((restart, sa.null()), else_=table.c.locked_until),
                        sa.literal(lock_at, UTCDateTime),
                    ),
                ),
                else_=sa.null(),
            ),
        },
    ).returning(table.c.failures)
    return session.execute(stmt).scalar_one()


def is_locked(session: so.Session, key: str, now: datetime) -> bool:
    """Whether `key` is locked now (a plain read: for a limit that may be passed by the few
    attempts already in flight, such as a client address's)."""
    until = session.scalar(sa.select(LoginThrottle.locked_until).where(LoginThrottle.key == key))
    return until is not None and until > now


def release(session: so.Session, key: str, policy: ThrottlePolicy) -> None:
    """Give back the attempt of a check that passed (the counter of a shared address)."""
    table = LoginThrottle.__table__
    left = table.c.failures - 1
    still_locked = sa.case((left >= policy.max_failures, table.c.locked_until), else_=sa.null())
    session.execute(
        sa.update(table)
        .where(table.c.key == key, table.c.failures > 0)
        .values(
            failures=left,
            locked_until=still_locked,
        )
    )


def clear(session: so.Session, keys: list[str]) -> None:
    """Forget the counters (a passed check of the account's own credentials)."""
    session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key.in_(keys)))
