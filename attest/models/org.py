"""Centres, staff users and kiosks."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.engine import Base
from attest.field_crypto import cipher
from attest.models._types import UTCDateTime, enum_by_value, utcnow


class Role(enum.Enum):
    ADMIN = "admin"
    AUTHOR = "author"  # item writer and reviewer (the review workflow, issue 16)
    PROCTOR = "proctor"
    EXAMINER = "examiner"
    PANELLIST = "panellist"  # a member of standard-setting panels (attest/standard_setting)


class Centre(Base):
    __tablename__ = "centre"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Centre {self.code}>"


class User(Base):
    """A staff account. Flask-Login's protocol (`get_id`, `is_authenticated`, ...) is given by
    the auth layer (`attest.auth.login_protocol`): the ORM imports no Flask."""

    __tablename__ = "user_account"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    username: so.Mapped[str] = so.mapped_column(sa.String(120), unique=True)
    display_name: so.Mapped[str] = so.mapped_column(sa.String(200))
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(255))
    role: so.Mapped[Role] = so.mapped_column(enum_by_value(Role))
    centre_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("centre.id"))
    is_enabled: so.Mapped[bool] = so.mapped_column(default=True)
    # Raised by "log out everywhere": sessions that carry an older epoch end.
    session_epoch: so.Mapped[int] = so.mapped_column(default=0)
    # Senior examiners give the deciding third rating when two ratings differ too much.
    is_senior_examiner: so.Mapped[bool] = so.mapped_column(default=False)
    # Second factor (TOTP, RFC 6238): the Base32 secret, when the user confirmed it, and the
    # last time step accepted (a code of that step or an earlier one is refused: no replay).
    # Stored sealed (attest.field_crypto): read and write it through `totp_secret`.
    totp_secret_sealed: so.Mapped[str | None] = so.mapped_column("totp_secret", sa.String(255))
    totp_confirmed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    totp_last_step: so.Mapped[int | None] = so.mapped_column(sa.BigInteger)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    centre: so.Mapped[Centre | None] = so.relationship()

    @property
    def totp_secret(self) -> str | None:
        stored = self.totp_secret_sealed
        return None if stored is None else cipher().open(stored)

    @totp_secret.setter
    def totp_secret(self, value: str | None) -> None:
        self.totp_secret_sealed = None if value is None else cipher().seal(value)

    @property
    def has_totp(self) -> bool:
        return self.totp_secret_sealed is not None and self.totp_confirmed_at is not None

    @property
    def is_active(self) -> bool:  # Flask-Login: disabled accounts cannot log in
        return self.is_enabled

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role.value}>"


class RecoveryCode(Base):
    """A one-time code that replaces a TOTP code when the phone is lost (stored hashed)."""

    __tablename__ = "recovery_code"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    code_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<RecoveryCode user={self.user_id} used={self.used_at is not None}>"


class LoginThrottle(Base):
    """Failed login counter per key (a username or a client address)."""

    __tablename__ = "login_throttle"

    key: so.Mapped[str] = so.mapped_column(sa.String(200), primary_key=True)
    failures: so.Mapped[int] = so.mapped_column(default=0)
    first_failed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    locked_until: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<LoginThrottle {self.key} {self.failures}>"


class EndedSession(Base):
    """A staff session ended by logging out: a copy of its cookie is refused until the session
    would have expired anyway (then the row can go)."""

    __tablename__ = "ended_session"

    sid_hash: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, index=True)

    def __repr__(self) -> str:
        return f"<EndedSession {self.sid_hash[:8]}>"


class Kiosk(Base):
    """A registered test computer: its browser holds a long-lived device token."""

    __tablename__ = "kiosk"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    centre_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("centre.id"))
    name: so.Mapped[str] = so.mapped_column(sa.String(100))
    token_hash: so.Mapped[str | None] = so.mapped_column(sa.String(64), unique=True)
    enrol_token_hash: so.Mapped[str | None] = so.mapped_column(sa.String(64), unique=True)
    enrol_expires_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    is_enabled: so.Mapped[bool] = so.mapped_column(default=True)
    registered_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    last_seen_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    centre: so.Mapped[Centre] = so.relationship()

    __table_args__ = (sa.UniqueConstraint("centre_id", "name", name="uq_kiosk_centre_name"),)

    def __repr__(self) -> str:
        return f"<Kiosk {self.name}>"


class AuditEvent(Base):
    """Who did what to which object; never personal data in detail.

    Append-only and hash-chained (attest/audit_chain.py): `seq` numbers the entries without
    gaps, `prev_hash` is the hash of entry seq-1 and `hash` covers this entry and prev_hash.
    On PostgreSQL a trigger refuses UPDATE and DELETE (migration 0014)."""

    __tablename__ = "audit_event"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    seq: so.Mapped[int] = so.mapped_column(unique=True)
    prev_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))
    action: so.Mapped[str] = so.mapped_column(sa.String(64))
    object_type: so.Mapped[str] = so.mapped_column(sa.String(64))
    object_id: so.Mapped[str] = so.mapped_column(sa.String(64))
    detail: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)

    def __repr__(self) -> str:
        return f"<AuditEvent {self.action} {self.object_type}:{self.object_id}>"


class AuditChainHead(Base):
    """The single row (id 1) holding the last entry of the audit chain.

    Writers lock it (SELECT ... FOR UPDATE) before appending, so concurrent transactions extend
    the chain one after the other; `attest audit verify` compares it with the last entry, which
    catches entries cut off the end."""

    __tablename__ = "audit_chain_head"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    seq: so.Mapped[int] = so.mapped_column(default=0)
    hash: so.Mapped[str] = so.mapped_column(sa.String(64))

    def __repr__(self) -> str:
        return f"<AuditChainHead seq={self.seq}>"
