"""Human recordings made in the admin audio studio, waiting for or carrying a second admin's
approval. An approved clip replaces the bank's clip of the same media path for delivery."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.engine import Base
from attest.models._types import UTCDateTime, utcnow


class StudioClip(Base):
    """One normalised human recording for one media path of the bank.

    Approval is one compare-and-set (`UPDATE ... WHERE approved_at IS NULL`): a double-click
    or two admins at once make one approval. The approver is never the admin who recorded it
    (four eyes; also a check constraint)."""

    __tablename__ = "studio_clip"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    media_path: so.Mapped[str] = so.mapped_column(sa.String(300), index=True)
    storage_key: so.Mapped[str] = so.mapped_column(sa.String(200), unique=True)
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    speaker: so.Mapped[str] = so.mapped_column(sa.String(16))  # a pseudonym such as spk-7
    region: so.Mapped[str] = so.mapped_column(sa.String(16))  # flemish or netherlands
    duration_s: so.Mapped[float]
    loudness_lufs: so.Mapped[float]
    uploaded_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id"))
    uploaded_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    approved_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))
    approved_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    uploaded_by = so.relationship("User", foreign_keys=[uploaded_by_id])
    approved_by = so.relationship("User", foreign_keys=[approved_by_id])

    __table_args__ = (
        sa.CheckConstraint(
            "approved_by_id IS NULL OR approved_by_id <> uploaded_by_id",
            name="four_eyes",
        ),
    )

    def __repr__(self) -> str:
        return f"<StudioClip {self.id} {self.media_path}>"
