"""Second factor for staff: TOTP enrolment and checks, recovery codes, throttling of wrong codes."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest import totp
from attest.auth.services import ThrottlePolicy, _locked, _register_failure, _throttle_key
from attest.field_crypto import FieldKeyError, cipher
from attest.models import LoginThrottle, RecoveryCode, User

DEFAULT_REQUIRED_ROLES = ("admin", "examiner")
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


def _keys(user: User) -> list[str]:
    return [_throttle_key("totp", str(user.id))]


def _check_totp(
    session: so.Session, user: User, code: str, now: datetime, policy: ThrottlePolicy
) -> int:
    keys = _keys(user)
    if _locked(session, keys, now):
        raise SecondFactorError("locked")
    secret = _secret(user)
    if secret is None and user.totp_secret_sealed is not None:
        raise SecondFactorError("unavailable")  # not counted as a failure: not the user's fault
    step = totp.matching_step(secret or "", code, now.timestamp(), user.totp_last_step)
    if step is None:
        _register_failure(session, keys, now, policy)
        raise SecondFactorError("locked" if _locked(session, keys, now) else "wrong")
    user.totp_last_step = step
    if cipher().needs_resealing(user.totp_secret_sealed or ""):
        user.totp_secret = secret  # in the clear from before sealing, or under an older key
    session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key.in_(keys)))
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
    keys = _keys(user)
    if _locked(session, keys, now):
        raise SecondFactorError("locked")
    row = session.scalar(
        sa.select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == totp.recovery_hash(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if row is None:
        _register_failure(session, keys, now, policy)
        raise SecondFactorError("locked" if _locked(session, keys, now) else "wrong")
    row.used_at = now
    session.flush()
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
