"""Staff accounts: creation, authentication and throttling of failed logins."""

from __future__ import annotations

import unicodedata
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.audit import record_event
from attest.auth.passwords import hash_password, password_problem, verify_password
from attest.auth.throttle import ThrottlePolicy, clear, is_locked, take_attempt, throttle_key
from attest.models import Centre, Role, User


class LoginRefused(Exception):
    """Login refused; `locked` tells whether throttling (not the password) refused it."""

    def __init__(self, locked: bool) -> None:
        super().__init__("locked" if locked else "invalid credentials")
        self.locked = locked


class AccountError(ValueError):
    """A staff account could not be created as asked."""


DEFAULT_POLICY = ThrottlePolicy()


def normalise_username(text: str) -> str:
    """Return the one spelling of a username used to store, look up and throttle it: NFKC
    (full-width letters, a non-breaking space become plain ones), without the whitespace or
    invisible format characters around it, in lower case (as accounts are stored)."""
    name = unicodedata.normalize("NFKC", text or "")
    return name.strip("".join(_EDGE_CHARS)).strip().lower()


# Zero-width characters that str.strip() keeps (they are not whitespace) but people never mean.
_EDGE_CHARS = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff")


def address_policy(policy: ThrottlePolicy, max_failures: int) -> ThrottlePolicy:
    """The policy of a client address: the same lock, a higher limit (a shared NAT holds many
    staff, and wrong names from it must not lock them all out)."""
    return ThrottlePolicy(max_failures, policy.lock_seconds, policy.window_seconds)


def authenticate(
    session: so.Session,
    username: str,
    password: str,
    client_addr: str,
    now: datetime,
    policy: ThrottlePolicy = DEFAULT_POLICY,
    per_address: ThrottlePolicy | None = None,
) -> User:
    """Return the user for valid credentials; raise LoginRefused otherwise.

    Each attempt is counted for the username before the password is checked, so concurrent
    attempts cannot exceed its limit; a right password clears that count. Failures are also
    counted for the client address, with its own, higher limit (checked by a plain read, so
    that the logins of a whole NAT do not queue on one row while passwords are hashed)."""
    name = normalise_username(username)
    per_address = per_address or address_policy(policy, policy.max_failures * 10)
    address_key, name_key = throttle_key("ip", client_addr), throttle_key("u", name)
    if is_locked(session, address_key, now):
        raise LoginRefused(locked=True)
    attempt = take_attempt(session, name_key, now, policy)
    if attempt <= policy.max_failures:
        user = session.scalar(sa.select(User).where(User.username == name))
        ok = verify_password(user.password_hash if user else None, password)
        if ok and user is not None and user.is_enabled:
            clear(session, [name_key])
            return user
    from_address = take_attempt(session, address_key, now, per_address)
    raise LoginRefused(
        locked=attempt >= policy.max_failures or from_address >= per_address.max_failures
    )


def record_login_failure(session: so.Session, username: str, locked: bool) -> None:
    """Audit a refused login: the account's id when the name exists, never the name or password."""
    name = normalise_username(username)
    user_id = session.scalar(sa.select(User.id).where(User.username == name))
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
    username = normalise_username(username)
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
