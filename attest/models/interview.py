"""The examiner-led interview: one speaking task held live by an examiner, its one recording of
both voices and the examiner's provisional rating (rating 1 of the double marking)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.engine import Base
from attest.models._types import UTCDateTime, utcnow
from attest.models.org import User
from attest.models.session import Recording, SessionItem


class Interview(Base):
    """One task of an examiner-led speaking section, as the live examiner held it.

    One per task (unique session_item_id); its recording is set once and its provisional bands
    once, each under the row's lock (attest/examiner/interview_service.py)."""

    __tablename__ = "interview"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    session_item_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("session_item.id"), unique=True
    )
    session_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("test_session.id"), index=True)
    examiner_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id"), index=True)
    frame_id: so.Mapped[str] = so.mapped_column(sa.String(64))
    frame_version: so.Mapped[int]
    recording_id: so.Mapped[str | None] = so.mapped_column(sa.ForeignKey("recording.id"))
    provisional_bands: so.Mapped[dict | None] = so.mapped_column(sa.JSON)
    provisional_level: so.Mapped[str | None] = so.mapped_column(sa.String(8))
    started_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    finished_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    session_item: so.Mapped[SessionItem] = so.relationship()
    examiner: so.Mapped[User] = so.relationship()
    recording: so.Mapped[Recording | None] = so.relationship()

    __table_args__ = (
        # A provisional rating only for a recorded interview.
        sa.CheckConstraint(
            "provisional_bands IS NULL OR recording_id IS NOT NULL",
            name="interview_rated_after_recording",
        ),
    )

    def __repr__(self) -> str:
        return f"<Interview #{self.id} item#{self.session_item_id} frame={self.frame_id}>"
