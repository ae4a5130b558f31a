"""Partner organisations that ask, through the partner API, whether a requirement is met."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.engine import Base
from attest.models._types import UTCDateTime, utcnow


class PartnerOrganisation(Base):
    """A housing company, municipality or agency with an API key and the profiles it may ask."""

    __tablename__ = "partner_organisation"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200), unique=True)
    # SHA-256 of the whole key (256 random bits: a slow hash adds nothing); the prefix names
    # the key on screens and in logs without revealing it.
    key_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    key_prefix: so.Mapped[str] = so.mapped_column(sa.String(16))
    profiles: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    is_enabled: so.Mapped[bool] = so.mapped_column(default=True)
    # Whether the agreement with this partner lets the API return the holder's test-day photo
    # (off unless an admin switches it on; every lookup that returns a photo is audited).
    may_see_photo: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<PartnerOrganisation {self.id} {self.key_prefix}>"
