"""Test slots per centre and the bookings into them (attest.appointments)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.appointments.rules import BookingStatus
from attest.engine import Base
from attest.models._types import UTCDateTime, enum_by_value, utcnow
from attest.models.org import Centre
from attest.names import display_name, search_key


class Slot(Base):
    """A time at a centre when `capacity` people can sit a test of one purpose."""

    __tablename__ = "slot"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    centre_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("centre.id"), index=True)
    starts_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, index=True)
    duration_minutes: so.Mapped[int] = so.mapped_column()
    purpose_code: so.Mapped[str] = so.mapped_column(sa.String(64))
    capacity: so.Mapped[int] = so.mapped_column()
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    centre: so.Mapped[Centre] = so.relationship()

    __table_args__ = (sa.CheckConstraint("capacity >= 1", name="ck_slot_capacity"),)

    def __repr__(self) -> str:
        return f"<Slot #{self.id} {self.purpose_code} {self.starts_at:%Y-%m-%d %H:%M}>"


class Booking(Base):
    """A place in a slot: for a registered candidate (booked by a proctor) or for a person who
    booked on the public page (names, birth date, e-mail, language, accommodation request).

    E-mail and the accommodation request are personal data: erased by `attest retention run`
    (attest.retention_rules.booking_due) and included in the subject-access export."""

    __tablename__ = "booking"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    slot_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("slot.id"), index=True)
    candidate_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("candidate.id"), index=True
    )
    family_name: so.Mapped[str] = so.mapped_column(sa.String(200))
    given_names: so.Mapped[str] = so.mapped_column(sa.String(200))  # "" for a mononym
    search_name: so.Mapped[str] = so.mapped_column(sa.String(800), default="")
    birth_date: so.Mapped[date] = so.mapped_column(sa.Date)
    email: so.Mapped[str | None] = so.mapped_column(sa.String(254))
    language: so.Mapped[str] = so.mapped_column(sa.String(16), default="nl")
    accommodation: so.Mapped[str] = so.mapped_column(sa.String(1000), default="")
    status: so.Mapped[BookingStatus] = so.mapped_column(enum_by_value(BookingStatus), index=True)
    pending_until: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    token_hash: so.Mapped[str | None] = so.mapped_column(sa.String(64), unique=True)
    booked_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    cancelled_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    marked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # Set once by `attest appointments remind` (a conditional UPDATE: one reminder per booking).
    reminder_sent_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    anonymised_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    slot: so.Mapped[Slot] = so.relationship()

    def __repr__(self) -> str:  # no names: reprs end up in logs
        return f"<Booking #{self.id} {self.status.value}>"

    @property
    def display_name(self) -> str:
        return display_name(self.family_name, self.given_names)


@sa.event.listens_for(Booking, "before_insert")
@sa.event.listens_for(Booking, "before_update")
def _fold_names(_mapper: object, _connection: object, booking: Booking) -> None:
    booking.search_name = search_key(f"{booking.family_name} {booking.given_names}")
