"""Candidates registered by a proctor."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.db import Base
from attest.models._types import UTCDateTime, utcnow


class Candidate(Base):
    __tablename__ = "candidate"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    centre_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("centre.id"), index=True)
    family_name: so.Mapped[str] = so.mapped_column(sa.String(200))
    given_names: so.Mapped[str] = so.mapped_column(sa.String(200))
    birth_date: so.Mapped[date] = so.mapped_column(sa.Date)
    insz: so.Mapped[str | None] = so.mapped_column(sa.String(11), index=True)
    id_document_type: so.Mapped[str] = so.mapped_column(sa.String(32))
    id_document_number: so.Mapped[str] = so.mapped_column(sa.String(64))
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # Set by `attest retention run` when names, INSZ and document number were erased.
    anonymised_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    def __repr__(self) -> str:  # no names: reprs end up in logs
        return f"<Candidate #{self.id}>"
