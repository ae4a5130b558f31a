"""Admission: the proctor checked the candidate's identity document and took the test-day photo
before a test session started (attest.admissions)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.engine import Base
from attest.models._types import UTCDateTime, utcnow
from attest.models.candidate import Candidate
from attest.models.session import TestSession


class Admission(Base):
    """One per test session (`uq_admission_session`: a double-click admits once).

    Of the document only its type, issuing country, the last 4 characters of its number and
    its expiry are kept. The photo is a JPEG sealed with the field key (attest.field_crypto):
    `photo_sealed` is "f1:" + a Fernet token, never the image itself. Erased by
    `attest retention run` (attest.retention_rules.photo_due)."""

    __tablename__ = "admission"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    session_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("test_session.id"))
    candidate_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("candidate.id"), index=True)
    booking_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("booking.id"))
    document_type: so.Mapped[str] = so.mapped_column(sa.String(32))
    other_type: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    country: so.Mapped[str] = so.mapped_column(sa.String(2))
    number_last4: so.Mapped[str] = so.mapped_column(sa.String(4))
    expires_on: so.Mapped[date | None] = so.mapped_column(sa.Date)
    # An expired document is accepted only with the proctor's reason.
    expired_reason: so.Mapped[str | None] = so.mapped_column(sa.String(300))
    photo_sealed: so.Mapped[str | None] = so.mapped_column(sa.Text)
    photo_sha256: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    photo_source: so.Mapped[str] = so.mapped_column(sa.String(8), default="camera")
    admitted_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))
    admitted_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # Set by `attest retention run` when the photo (and the document facts) were erased.
    erased_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    session: so.Mapped[TestSession] = so.relationship()
    candidate: so.Mapped[Candidate] = so.relationship()

    __table_args__ = (
        sa.UniqueConstraint("session_id", name="uq_admission_session"),
        sa.CheckConstraint(
            "photo_sealed IS NULL OR photo_sealed LIKE 'f1:%'", name="ck_admission_photo_sealed"
        ),
    )

    def __repr__(self) -> str:  # nothing personal: reprs end up in logs
        return f"<Admission #{self.id} session {self.session_id}>"

    @property
    def has_photo(self) -> bool:
        return self.photo_sealed is not None
