"""Second factor for staff: TOTP enrolment and checks, recovery codes, throttling of wrong codes."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest import totp
from attest.auth.throttle import ThrottlePolicy, clear, release, take_attempt, throttle_key
from attest.field_crypto import FieldKeyError, cipher
from attest.models import RecoveryCode, User

DEFAULT_REQUIRED_ROLES = ("admin", "examiner", "panellist")
DEFAULT_POLICY = ThrottlePolicy()
log = logging.getLogger(__name__)


class SecondFactorError(Exception):
    """A code was refused; `reason` is one of: wrong, locked, not_enrolled, unavailable (the
    stored secret does not open with the server's keys: a configuration fault, not the user's)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def totp_required(user: User, required_roles: Iterable[str] = DEFAULT_REQUIRED_ROLES) -> bool:
    """Tell whether this account must pass a second step at login."""
    return user.role.value in set(required_roles) or user.has_totp


def enrolment_secret(session: so.Session, user: User) -> str:
    """Return the secret to enrol (made once and kept until confirmed; never after confirming)."""
    if user.has_totp:
        raise SecondFactorError("already_enrolled")
    if user.totp_secret_sealed is None or _secret(user) is None:
        # none yet, or an unconfirmed one sealed under keys the server no longer has: a new one
        user.totp_secret = totp.new_secret()
        session.flush()
    return user.totp_secret


def _secret(user: User) -> str | None:
    """The user's TOTP secret, or None when it is stored under keys this server does not have."""
    try:
        return user.totp_secret
    except FieldKeyError:
        log.error(
            "the TOTP secret of user id=%s does not open with the configured keys "
            "(ATTEST_FIELD_KEY or SECRET_KEY changed?); recovery codes still work",
            user.id,
        )
        return None


def _key(user: User) -> str:
    return throttle_key("totp", str(user.id))


def _take_attempt(session: so.Session, user: User, now: datetime, policy: ThrottlePolicy) -> int:
    """Count a code before checking it (at most `max_failures` are checked, however many
    arrive at once); raise when the user's second step is locked."""
    attempt = take_attempt(session, _key(user), now, policy)
    if attempt > policy.max_failures:
        raise SecondFactorError("locked")
    return attempt


def _refuse(attempt: int, policy: ThrottlePolicy) -> SecondFactorError:
    return SecondFactorError("locked" if attempt >= policy.max_failures else "wrong")


def _claim_step(session: so.Session, user: User, step: int) -> bool:
    """Record `step` as the user's last used one, unless it (or a later one) already is: one
    conditional UPDATE, so that of simultaneous logins with the same code only one wins."""
    claimed = session.execute(
        sa.update(User)
        .where(
            User.id == user.id,
            sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return False
    so.attributes.set_committed_value(user, "totp_last_step", step)
    return True


def _check_totp(
    session: so.Session, user: User, code: str, now: datetime, policy: ThrottlePolicy
) -> int:
    attempt = _take_attempt(session, user, now, policy)
    secret = _secret(user)
    if secret is None and user.totp_secret_sealed is not None:
        release(session, _key(user), policy)  # not counted: a configuration fault, not the user's
        raise SecondFactorError("unavailable")
    step = totp.matching_step(secret or "", code, now.timestamp(), user.totp_last_step)
    if step is None or not _claim_step(session, user, step):
        raise _refuse(attempt, policy)
    if cipher().needs_resealing(user.totp_secret_sealed or ""):
        user.totp_secret = secret  # in the clear from before sealing, or under an older key
    clear(session, [_key(user)])
    return step


def confirm_enrolment(
    session: so.Session,
    user: User,
    code: str,
    now: datetime,
    policy: ThrottlePolicy = DEFAULT_POLICY,
) -> list[str]:
    """Confirm the enrolment with a first code; return fresh recovery codes (shown once)."""
    if user.has_totp:
        raise SecondFactorError("already_enrolled")
    if user.totp_secret_sealed is None:
        raise SecondFactorError("not_enrolled")
    _check_totp(session, user, code, now, policy)
    user.totp_confirmed_at = now
    return replace_recovery_codes(session, user, now)


def replace_recovery_codes(session: so.Session, user: User, now: datetime) -> list[str]:
    """Make a new set of recovery codes; earlier ones stop working."""
    session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = totp.new_recovery_codes()
    for code in codes:
        row = RecoveryCode(user_id=user.id, code_hash=totp.recovery_hash(code), created_at=now)
        session.add(row)
    session.flush()
    return codes


def check_second_factor(
    session: so.Session,
    user: User,
    code: str,
    now: datetime,
    policy: ThrottlePolicy = DEFAULT_POLICY,
) -> str:
    """Check a TOTP or recovery code at login; return which kind passed, or raise."""
    if not user.has_totp:
        raise SecondFactorError("not_enrolled")
    if not totp.looks_like_recovery_code(code):
        _check_totp(session, user, code, now, policy)
        return "totp"
    attempt = _take_attempt(session, user, now, policy)
    used = session.execute(
        sa.update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == totp.recovery_hash(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:  # unknown, or already used (also by a simultaneous login)
        raise _refuse(attempt, policy)
    clear(session, [_key(user)])
    return "recovery"


def unused_recovery_codes(session: so.Session, user: User) -> int:
    """Count the recovery codes the user still has."""
    query = sa.select(sa.func.count()).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
    )
    return session.scalar(query) or 0


def reset_second_factor(session: so.Session, user: User) -> None:
    """Forget the user's TOTP secret and recovery codes (lost phone): they enrol again."""
    user.totp_secret_sealed = None
    user.totp_confirmed_at = None
    user.totp_last_step = None
    user.session_epoch += 1  # sessions opened with the old factor end
    session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.flush()
