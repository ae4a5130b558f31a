"""Candidates registered by a proctor."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.engine import Base
from attest.models._types import UTCDateTime, utcnow
from attest.names import display_name, search_key


class Candidate(Base):
    __tablename__ = "candidate"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    centre_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("centre.id"), index=True)
    family_name: so.Mapped[str] = so.mapped_column(sa.String(200))
    given_names: so.Mapped[str] = so.mapped_column(sa.String(200))  # "" for a mononym
    # Both names folded by attest.names.search_key, kept up to date on every write: searching
    # in any script, case- and accent-insensitively, is then a plain LIKE on every database.
    search_name: so.Mapped[str] = so.mapped_column(sa.String(800), default="", server_default="")
    birth_date: so.Mapped[date] = so.mapped_column(sa.Date)
    insz: so.Mapped[str | None] = so.mapped_column(sa.String(11), index=True)
    id_document_type: so.Mapped[str] = so.mapped_column(sa.String(32))
    # Only the last 4 letters or digits of the document's number (attest.identity): enough to
    # compare with the document at admission; the whole number is never stored.
    id_document_last4: so.Mapped[str] = so.mapped_column(sa.String(4))
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # Set by `attest retention run` when names, INSZ and document were erased.
    anonymised_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    def __repr__(self) -> str:  # no names: reprs end up in logs
        return f"<Candidate #{self.id}>"

    @property
    def display_name(self) -> str:
        """Return "Family, Given", or the single name of a mononym."""
        return display_name(self.family_name, self.given_names)


@sa.event.listens_for(Candidate, "before_insert")
@sa.event.listens_for(Candidate, "before_update")
def _fold_names(_mapper: object, _connection: object, candidate: Candidate) -> None:
    candidate.search_name = search_key(f"{candidate.family_name} {candidate.given_names}")
