"""Kiosk registration: enrolment links, long-lived device tokens and the cookie that holds one."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from attest.auth import cookie_secure
from attest.models import Centre, Kiosk, TestSession


class KioskError(ValueError):
    """A kiosk could not be registered or enrolled."""


def token_hash(token: str) -> str:
    """Hash a device or enrolment token for storage."""
    return hashlib.sha256(token.encode()).hexdigest()


def register_kiosk(session: so.Session, centre: Centre, name: str) -> tuple[Kiosk, str]:
    """Create a kiosk for a centre and return it with a fresh device token."""
    name = name.strip()
    if not name:
        raise KioskError("name: must not be empty")
    exists = session.scalar(
        sa.select(Kiosk.id).where(Kiosk.centre_id == centre.id, Kiosk.name == name)
    )
    if exists is not None:
        raise KioskError(f"name: a kiosk named '{name}' already exists in this centre")
    kiosk = Kiosk(centre=centre, name=name)
    session.add(kiosk)
    token = issue_device_token(kiosk)
    session.flush()
    return kiosk, token


def issue_device_token(kiosk: Kiosk, now: datetime | None = None) -> str:
    """Give the kiosk a new device token (the old one stops working)."""
    token = secrets.token_urlsafe(32)
    kiosk.token_hash = token_hash(token)
    kiosk.registered_at = now or datetime.now().astimezone()
    return token


def create_enrolment_link_token(kiosk: Kiosk, now: datetime, hours: int = 24) -> str:
    """Create a one-time token that lets a browser become this kiosk."""
    token = secrets.token_urlsafe(24)
    kiosk.enrol_token_hash = token_hash(token)
    kiosk.enrol_expires_at = now + timedelta(hours=hours)
    return token


def enrol_with_token(session: so.Session, token: str, now: datetime) -> tuple[Kiosk, str]:
    """Use an enrolment token once; return the kiosk and its new device token."""
    kiosk = session.scalar(sa.select(Kiosk).where(Kiosk.enrol_token_hash == token_hash(token)))
    if kiosk is None or kiosk.enrol_expires_at is None or kiosk.enrol_expires_at < now:
        raise KioskError("enrolment link is unknown, used or expired")
    kiosk.enrol_token_hash = None
    kiosk.enrol_expires_at = None
    device_token = issue_device_token(kiosk, now)
    session.flush()
    return kiosk, device_token


def kiosk_with_session(
    session: so.Session, token: str | None, test_session_id: object
) -> tuple[Kiosk | None, TestSession | None]:
    """Return the enabled kiosk that holds this device token (or None) and, read in the same
    query, the test session `test_session_id` if it is assigned to that kiosk (else None)."""
    if not token or len(token) > 200:
        return None, None
    query = sa.select(Kiosk).where(Kiosk.token_hash == token_hash(token))
    wanted = isinstance(test_session_id, int) and not isinstance(test_session_id, bool)
    if wanted:
        query = query.add_columns(TestSession).outerjoin(
            TestSession,
            sa.and_(TestSession.id == test_session_id, TestSession.kiosk_id == Kiosk.id),
        )
    row = session.execute(query).first()
    if row is None or not row[0].is_enabled:
        return None, None
    return row[0], (row[1] if wanted else None)


def set_kiosk_cookie(response, token: str):
    """Give this browser the kiosk's long-lived device token (admin registration, enrolment)."""
    cfg = current_app.config
    response.set_cookie(
        cfg["KIOSK_COOKIE_NAME"],
        token,
        max_age=cfg["KIOSK_COOKIE_DAYS"] * 86400,
        httponly=True,
        samesite="Strict",
        secure=cookie_secure(current_app),
    )
    return response
