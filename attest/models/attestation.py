"""Signing keys and issued attestations."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.engine import Base
from attest.models._types import UTCDateTime, enum_by_value, utcnow
from attest.models.session import TestSession


class AttestationStatus(enum.Enum):
    VALID = "valid"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"


class RevocationReason(enum.Enum):
    FRAUD = "fraud"  # e.g. an impostor sat the test
    ERROR = "error"  # issued by mistake, or with wrong facts
    WITHDRAWN = "withdrawn"  # withdrawn by the issuer for another reason


class SigningKey(Base):
    __tablename__ = "signing_key"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kid: so.Mapped[str] = so.mapped_column(sa.String(16), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(64))
    subject: so.Mapped[str] = so.mapped_column(sa.String(300))
    certificate_pem: so.Mapped[str] = so.mapped_column(sa.Text)
    root_pem: so.Mapped[str] = so.mapped_column(sa.Text)
    is_demo: so.Mapped[bool] = so.mapped_column(default=False)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    retired_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    compromised_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<SigningKey {self.kid}>"


class Attestation(Base):
    """An issued attestation; the sealed PDF is stored once and served as stored."""

    __tablename__ = "attestation"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True)
    # A session has at most one current attestation (uq_attestation_current_session); earlier
    # ones are kept, superseded (reissue).
    session_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("test_session.id"), index=True)
    # What verification shows, frozen at issue time.
    family_name: so.Mapped[str] = so.mapped_column(sa.String(200))
    given_names: so.Mapped[str] = so.mapped_column(sa.String(200))
    birth_date: so.Mapped[date] = so.mapped_column(sa.Date)
    test_date: so.Mapped[date] = so.mapped_column(sa.Date)
    centre_name: so.Mapped[str] = so.mapped_column(sa.String(200))
    issuer_name: so.Mapped[str] = so.mapped_column(sa.String(200))
    levels: so.Mapped[dict] = so.mapped_column(sa.JSON)
    profiles: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    status: so.Mapped[AttestationStatus] = so.mapped_column(
        enum_by_value(AttestationStatus), default=AttestationStatus.VALID
    )
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    revocation_reason: so.Mapped[str | None] = so.mapped_column(sa.String(300))  # free note
    revocation_reason_code: so.Mapped[RevocationReason | None] = so.mapped_column(
        enum_by_value(RevocationReason)
    )
    signing_key_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("signing_key.id"))
    # Position in the shared signed status list (revocation for offline verifiers).
    status_index: so.Mapped[int | None] = so.mapped_column(unique=True)
    pdf_path: so.Mapped[str] = so.mapped_column(sa.String(300))
    pdf_sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    # SHA-256 of the test-day photo printed on the PDF (attest.admissions), None without one:
    # verification shows the admission's photo only while it still has this hash.
    photo_sha256: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    is_demo: so.Mapped[bool] = so.mapped_column(default=False)
    issued_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))
    issued_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # Reissue: the new attestation points at the one it replaces; the old one records when.
    supersedes_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("attestation.id"), unique=True
    )
    superseded_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # The requirement the candidate came for (a profile code), chosen at issuing and the only
    # one the PDF prints; social housing also needs the start of the lease.
    requirement_code: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    lease_start: so.Mapped[date | None] = so.mapped_column(sa.Date)
    # A result flagged uncertain is issued only after a proctor confirms it, with the reason.
    uncertain_confirmed_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id")
    )
    uncertain_reason: so.Mapped[str | None] = so.mapped_column(sa.String(300))

    session: so.Mapped[TestSession] = so.relationship()
    supersedes: so.Mapped[Attestation | None] = so.relationship(
        remote_side=[id], foreign_keys=[supersedes_id]
    )
    signing_key: so.Mapped[SigningKey] = so.relationship()

    __table_args__ = (
        # At most one current (valid or revoked, not superseded) attestation per test session:
        # two proctors, or one double-click, cannot issue a second one (docs/architecture.md).
        sa.Index(
            "uq_attestation_current_session",
            "session_id",
            unique=True,
            sqlite_where=sa.text("status != 'superseded'"),
            postgresql_where=sa.text("status != 'superseded'"),
        ),
    )

    def __repr__(self) -> str:
        return f"<Attestation {self.code} {self.status.value}>"
