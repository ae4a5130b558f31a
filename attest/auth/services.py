"""Staff accounts: creation, authentication and throttling of failed logins."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.audit import record_event
from attest.auth.passwords import hash_password, password_problem, verify_password
from attest.models import Centre, LoginThrottle, Role, User


class LoginRefused(Exception):
    """Login refused; `locked` tells whether throttling (not the password) refused it."""

    def __init__(self, locked: bool) -> None:
        super().__init__("locked" if locked else "invalid credentials")
        self.locked = locked


class AccountError(ValueError):
    """A staff account could not be created as asked."""


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int = 5
    lock_seconds: int = 300
    window_seconds: int = 900


def _throttle_key(kind: str, value: str) -> str:
    # Hashed so that neither usernames nor addresses sit in clear in this table.
    return kind + ":" + hashlib.sha256(value.lower().encode()).hexdigest()[:40]


def _locked(session: so.Session, keys: list[str], now: datetime) -> bool:
    rows = session.scalars(sa.select(LoginThrottle).where(LoginThrottle.key.in_(keys)))
    return any(r.locked_until is not None and r.locked_until > now for r in rows)


def _register_failure(
    session: so.Session, keys: list[str], now: datetime, policy: ThrottlePolicy
) -> None:
    for key in keys:
        row = session.get(LoginThrottle, key)
        if row is None or (now - row.first_failed_at).total_seconds() > policy.window_seconds:
            if row is None:
                row = LoginThrottle(key=key)
                session.add(row)
            row.failures, row.first_failed_at, row.locked_until = 0, now, None
        row.failures += 1
        if row.failures >= policy.max_failures:
            row.locked_until = now + timedelta(seconds=policy.lock_seconds)
    session.flush()


def authenticate(
    session: so.Session,
    username: str,
    password: str,
    client_addr: str,
    now: datetime,
    policy: ThrottlePolicy = ThrottlePolicy(),
) -> User:
    """Return the user for valid credentials; raise LoginRefused otherwise (and count it)."""
    keys = [_throttle_key("u", username), _throttle_key("ip", client_addr)]
    if _locked(session, keys, now):
        raise LoginRefused(locked=True)
    user = session.scalar(sa.select(User).where(User.username == username.strip().lower()))
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_enabled:
        _register_failure(session, keys, now, policy)
        raise LoginRefused(locked=_locked(session, keys, now))
    session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key == keys[0]))
    return user


def record_login_failure(session: so.Session, username: str, locked: bool) -> None:
    """Audit a refused login: the account's id when the name exists, never the name or password."""
    user_id = session.scalar(sa.select(User.id).where(User.username == username.strip().lower()))
    record_event(
        session,
        None,
        "auth.login_failed",
        "user",
        user_id if user_id is not None else "unknown",
        locked=locked,
    )


def create_user(
    session: so.Session,
    *,
    username: str,
    password: str,
    role: Role,
    display_name: str | None = None,
    centre: Centre | None = None,
    actor: User | None = None,
) -> User:
    """Create a staff account (audited); raise AccountError for a taken name or weak password."""
    username = username.strip().lower()
    if not username:
        raise AccountError("username: must not be empty")
    problem = password_problem(password, username)
    if problem:
        raise AccountError(f"password: {problem}")
    if session.scalar(sa.select(User.id).where(User.username == username)) is not None:
        raise AccountError(f"username: '{username}' already exists")
    if role in (Role.PROCTOR, Role.EXAMINER) and centre is None:
        raise AccountError("centre: proctors and examiners belong to a centre")
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=hash_password(password),
        role=role,
        centre=centre,
    )
    session.add(user)
    session.flush()
    record_event(
        session,
        actor,
        "user.create",
        "user",
        user.id,
        role=role.value,
        centre_id=centre.id if centre is not None else None,
    )
    return user


def change_role(
    session: so.Session,
    user: User,
    role: Role,
    actor: User | None,
    centre: Centre | None = None,
) -> User:
    """Give a staff account another role (and centre); audited, sessions of the account end."""
    if role in (Role.PROCTOR, Role.EXAMINER) and (centre or user.centre) is None:
        raise AccountError("centre: proctors and examiners belong to a centre")
    old_role, old_centre = user.role, user.centre_id
    user.role = role
    if centre is not None:
        user.centre = centre
    user.session_epoch += 1  # a changed role must not ride on an open session
    session.flush()
    record_event(
        session,
        actor,
        "user.role_change",
        "user",
        user.id,
        old_role=old_role.value,
        new_role=role.value,
        old_centre_id=old_centre,
        new_centre_id=user.centre_id,
    )
    return user
