"""Slots and bookings in the database (the rules are in `rules`); callers commit.

Every decision on a slot's places is taken under the slot's row lock (`attest.engine.lock_row`;
on SQLite the write transaction's BEGIN IMMEDIATE): whoever comes second waits, then counts
what the first committed. A slot's capacity is checked against the centre's active kiosks under
the centre's row lock (lock order: centre before slot)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.appointments import rules
from attest.appointments.rules import BookingStatus, SlotInvalid
from attest.assessment.retake import RetakeDecision, RetakeRule, decide_booking, rule_for
from attest.audit import record_event
from attest.engine import lock_key, lock_row
from attest.identity import IdentityError, check_birth_date
from attest.models import Booking, Candidate, Centre, Kiosk, Slot, User
from attest.names import clean_name, search_key
from attest.proctor.retakes import attempt_days

__all__ = ["BookingError", "PersonInput", "SlotInvalid"]

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
MAX_ACCOMMODATION = 1000
HOLDING_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.NO_SHOW, BookingStatus.ATTENDED)


class BookingError(ValueError):
    """A booking cannot be made or changed; `code` says why (translated by the views)."""

    def __init__(
        self,
        code: str,
        *,
        decision: RetakeDecision | None = None,
        rule: RetakeRule | None = None,
        field: str = "",
        detail: str = "",
    ) -> None:
        super().__init__(code)
        self.code = code
        self.decision = decision
        self.rule = rule
        self.field = field
        self.detail = detail


@dataclass(frozen=True)
class PersonInput:
    family_name: str
    given_names: str
    birth_date: date | None
    email: str
    language: str
    accommodation: str = ""


# ------------------------------------------------------------------------------------- slots


def active_kiosks(session: so.Session, centre_id: int) -> int:
    """Count the centre's kiosks that can run a test: enabled and holding a device token."""
    return session.scalar(
        sa.select(sa.func.count(Kiosk.id)).where(
            Kiosk.centre_id == centre_id, Kiosk.is_enabled, Kiosk.token_hash.is_not(None)
        )
    )


def holding_count(session: so.Session, slot_id: int, now: datetime) -> int:
    """Count the bookings that take a place of the slot at `now` (rules.holds_place)."""
    return session.scalar(
        sa.select(sa.func.count(Booking.id)).where(Booking.slot_id == slot_id, _holds(now))
    )


def _holds(now: datetime):
    return sa.or_(
        Booking.status.in_(HOLDING_STATUSES),
        sa.and_(Booking.status == BookingStatus.PENDING, Booking.pending_until > now),
    )


def create_slot(
    session: so.Session,
    centre_id: int,
    actor: User,
    starts_at: datetime,
    duration_minutes: int,
    purpose_code: str,
    capacity: int,
) -> Slot:
    """Create a slot; raise SlotInvalid when its capacity exceeds the centre's active kiosks."""
    lock_row(session, Centre, centre_id)  # a kiosk disabled meanwhile is counted
    rules.check_slot(capacity, duration_minutes, active_kiosks(session, centre_id))
    slot = Slot(
        centre_id=centre_id,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        purpose_code=purpose_code,
        capacity=capacity,
        created_by_id=actor.id,
    )
    session.add(slot)
    session.flush()
    record_event(session, actor, "slot.create", "slot", slot.id, capacity=capacity)
    return slot


def update_slot(
    session: so.Session,
    slot_id: int,
    actor: User,
    starts_at: datetime,
    duration_minutes: int,
    capacity: int,
    now: datetime,
) -> Slot:
    """Change a slot's time, duration or capacity: never above the kiosks, never below the
    places already taken."""
    plain = session.get(Slot, slot_id)
    lock_row(session, Centre, plain.centre_id)
    slot = lock_row(session, Slot, slot_id)
    rules.check_slot(capacity, duration_minutes, active_kiosks(session, slot.centre_id))
    taken = holding_count(session, slot.id, now)
    if capacity < taken:
        raise SlotInvalid("capacity_taken", taken=taken)
    slot.starts_at, slot.duration_minutes, slot.capacity = starts_at, duration_minutes, capacity
    session.flush()
    record_event(session, actor, "slot.update", "slot", slot.id, capacity=capacity)
    return slot


def slot_for(session: so.Session, user: User, slot_id: int) -> Slot | None:
    """Return a slot if the user's centre may see it (admins see every centre)."""
    slot = session.get(Slot, slot_id)
    if slot is None or (user.centre_id is not None and slot.centre_id != user.centre_id):
        return None
    return slot


def booking_for(session: so.Session, user: User, booking_id: int) -> Booking | None:
    """Return a booking if the user's centre may see it."""
    booking = session.get(Booking, booking_id)
    if booking is None or slot_for(session, user, booking.slot_id) is None:
        return None
    return booking


def day_bounds(day: date, zone: tzinfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)


def slots_of_day(
    session: so.Session, centre_id: int, day: date, zone: tzinfo
) -> list[tuple[Slot, list[Booking]]]:
    """Return the centre's slots of a (local) day, each with its bookings."""
    start, end = day_bounds(day, zone)
    slots = session.scalars(
        sa.select(Slot)
        .where(Slot.centre_id == centre_id, Slot.starts_at >= start, Slot.starts_at < end)
        .order_by(Slot.starts_at, Slot.id)
    ).all()
    bookings: dict[int, list[Booking]] = {s.id: [] for s in slots}
    for booking in session.scalars(
        sa.select(Booking).where(Booking.slot_id.in_(list(bookings) or [0])).order_by(Booking.id)
    ):
        bookings[booking.slot_id].append(booking)
    return [(slot, bookings[slot.id]) for slot in slots]


def open_slots(
    session: so.Session, centre_id: int, now: datetime, purpose_code: str | None = None
) -> list[tuple[Slot, int]]:
    """Return the centre's future slots with a place left, and how many are left."""
    held = (
        sa.select(Booking.slot_id, sa.func.count(Booking.id).label("n"))
        .where(_holds(now))
        .group_by(Booking.slot_id)
        .subquery()
    )
    stmt = (
        sa.select(Slot, sa.func.coalesce(held.c.n, 0))
        .outerjoin(held, held.c.slot_id == Slot.id)
        .where(Slot.centre_id == centre_id, Slot.starts_at > now)
        .order_by(Slot.starts_at, Slot.id)
    )
    if purpose_code:
        stmt = stmt.where(Slot.purpose_code == purpose_code)
    return [
        (slot, rules.places_left(slot.capacity, taken))
        for slot, taken in session.execute(stmt)
        if taken < slot.capacity
    ]


# ----------------------------------------------------------------------------------- bookings


def _check_retake(
    session: so.Session,
    slot: Slot,
    now: datetime,
    *,
    candidate: Candidate | None,
    search_name: str,
    birth_date: date,
    exclude_id: int | None = None,
) -> None:
    """Refuse a booking the retake rules forbid on the slot's day (attest.assessment.retake).

    The attempts counted: the tests of the matching candidate record (the one booked, or one of
    the centre with the same name and birth date) and the person's other bookings of the
    purpose that hold a place. Session start checks the rules again under the candidate's lock
    (attest.proctor.retakes). Two bookings of one person made at once (two slots, two tabs, a
    proctor and the person) take turns on a lock named after the person and purpose, so the
    second counts the first."""
    lock_key(session, "retake", slot.centre_id, slot.purpose_code, search_name, birth_date)
    if candidate is None:
        candidate = session.scalar(
            sa.select(Candidate)
            .where(
                Candidate.centre_id == slot.centre_id,
                Candidate.search_name == search_name,
                Candidate.birth_date == birth_date,
            )
            .limit(1)
        )
    days = attempt_days(session, candidate, slot.purpose_code) if candidate else []
    person = sa.and_(Booking.search_name == search_name, Booking.birth_date == birth_date)
    if candidate is not None:
        person = sa.or_(person, Booking.candidate_id == candidate.id)
    others = session.scalars(
        sa.select(Slot.starts_at)
        .join(Booking, Booking.slot_id == Slot.id)
        .where(
            person,
            Slot.centre_id == slot.centre_id,
            Slot.purpose_code == slot.purpose_code,
            Booking.id != (exclude_id or 0),
            Booking.status.in_((BookingStatus.CONFIRMED, BookingStatus.PENDING)),
            _holds(now),
        )
    )
    days += [starts.date() for starts in others]
    rule = rule_for(slot.purpose_code)
    decision = decide_booking(rule, days, slot.starts_at.date())
    if not decision.is_allowed:
        raise BookingError("retake", decision=decision, rule=rule)


def _locked_open_slot(session: so.Session, slot_id: int, now: datetime) -> Slot:
    slot = lock_row(session, Slot, slot_id)
    if slot is None:
        raise BookingError("no_slot")
    if slot.starts_at <= now:
        raise BookingError("past")
    if holding_count(session, slot.id, now) >= slot.capacity:
        raise BookingError("full")
    return slot


def book_candidate(
    session: so.Session, slot_id: int, candidate: Candidate, actor: User, now: datetime
) -> Booking:
    """Book a registered candidate into a slot (by a proctor): confirmed at once."""
    slot = _locked_open_slot(session, slot_id, now)
    if slot.centre_id != candidate.centre_id:
        raise BookingError("no_slot")
    _check_retake(session, slot, now, candidate=candidate, search_name=candidate.search_name,
                  birth_date=candidate.birth_date)  # fmt: skip
    booking = Booking(
        slot_id=slot.id,
        candidate_id=candidate.id,
        family_name=candidate.family_name,
        given_names=candidate.given_names,
        birth_date=candidate.birth_date,
        language="nl",
        accommodation="",
        status=BookingStatus.CONFIRMED,
        booked_by_id=actor.id,
        created_at=now,
        confirmed_at=now,
    )
    session.add(booking)
    session.flush()
    record_event(session, actor, "booking.create", "booking", booking.id, slot=slot.id)
    return booking


def clean_person(person: PersonInput, today: date, languages: tuple[str, ...]) -> PersonInput:
    """Return the person's data checked and normalised; raise BookingError naming the field."""
    try:
        family = clean_name("family_name", person.family_name)
        given = clean_name("given_names", person.given_names, required=False)
        if person.birth_date is None:
            raise IdentityError("birth_date", "required", "required")
        check_birth_date(person.birth_date, today)
    except IdentityError as exc:
        raise BookingError("person", field=exc.field, detail=exc.code) from None
    email = person.email.strip()
    if len(email) > 254 or not _EMAIL.match(email):
        raise BookingError("person", field="email", detail="email")
    language = person.language if person.language in languages else "nl"
    accommodation = " ".join(
        "".join(ch for ch in line if ch.isprintable()).strip()
        for line in person.accommodation.splitlines()
    ).strip()
    if len(accommodation) > MAX_ACCOMMODATION:
        raise BookingError("person", field="accommodation", detail="too_long")
    return PersonInput(family, given, person.birth_date, email, language, accommodation)


def request_booking(
    session: so.Session, centre_id: int, slot_id: int, person: PersonInput, now: datetime
) -> tuple[Booking, str]:
    """Book a place on the public page: pending until the link is followed, holding the place
    for rules.PENDING_MINUTES. Return the booking and its manage token (for the e-mail)."""
    slot = _locked_open_slot(session, slot_id, now)
    if slot.centre_id != centre_id:
        raise BookingError("no_slot")
    key = search_key(f"{person.family_name} {person.given_names}")
    _check_retake(session, slot, now, candidate=None, search_name=key,
                  birth_date=person.birth_date)  # fmt: skip
    token = rules.new_token()
    booking = Booking(
        slot_id=slot.id,
        family_name=person.family_name,
        given_names=person.given_names,
        birth_date=person.birth_date,
        email=person.email,
        language=person.language,
        accommodation=person.accommodation,
        status=BookingStatus.PENDING,
        pending_until=rules.hold_until(now),
        token_hash=rules.token_hash(token),
        created_at=now,
    )
    session.add(booking)
    session.flush()
    return booking, token


def booking_by_token(session: so.Session, token: str) -> Booking | None:
    """Return the booking of a manage token, or None (wrong, replaced or erased token)."""
    if not token or len(token) > 100:
        return None
    return session.scalar(sa.select(Booking).where(Booking.token_hash == rules.token_hash(token)))


def _locked_booking(session: so.Session, token: str) -> tuple[Booking, Slot]:
    found = booking_by_token(session, token)
    if found is None:
        raise BookingError("token")
    slot = lock_row(session, Slot, found.slot_id)  # decisions on the slot's places wait here
    booking = session.get(Booking, found.id)
    if booking.token_hash != rules.token_hash(token):  # replaced while we waited
        raise BookingError("token")
    return booking, slot


def confirm(session: so.Session, token: str, now: datetime) -> Booking:
    """Confirm a pending booking by its link; confirming again changes nothing."""
    booking, slot = _locked_booking(session, token)
    if booking.status is BookingStatus.CONFIRMED:
        return booking  # a double-click, or the link followed twice
    if booking.status is not BookingStatus.PENDING:
        raise BookingError("not_pending")
    if not rules.holds_place(booking.status, booking.pending_until, now):
        raise BookingError("expired")  # its place was freed: the person books again
    booking.status = BookingStatus.CONFIRMED
    booking.confirmed_at = now
    booking.pending_until = None
    session.flush()
    record_event(session, None, "booking.confirm", "booking", booking.id, slot=slot.id)
    return booking


def cancel(session: so.Session, token: str, now: datetime) -> Booking:
    """Cancel a booking by its link: its place is free at once, the link stops working."""
    booking, slot = _locked_booking(session, token)
    if booking.status not in (BookingStatus.PENDING, BookingStatus.CONFIRMED):
        raise BookingError("not_open")
    if slot.starts_at <= now:
        raise BookingError("past")
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    booking.token_hash = None
    session.flush()
    record_event(session, None, "booking.cancel", "booking", booking.id, slot=slot.id)
    return booking


def reschedule(
    session: so.Session, token: str, new_slot_id: int, now: datetime
) -> tuple[Booking, str]:
    """Move a confirmed booking to another slot of the centre and purpose; return it with its
    new manage token (the old link stops working)."""
    found = booking_by_token(session, token)
    if found is None:
        raise BookingError("token")
    for slot_id in sorted({found.slot_id, new_slot_id}):  # both slots, lowest id first
        lock_row(session, Slot, slot_id)
    booking, old_slot = _locked_booking(session, token)
    if booking.status is not BookingStatus.CONFIRMED:
        raise BookingError("not_open")
    if old_slot.starts_at <= now or old_slot.id == new_slot_id:
        raise BookingError("past" if old_slot.starts_at <= now else "same_slot")
    new_slot = _locked_open_slot(session, new_slot_id, now)
    if (new_slot.centre_id, new_slot.purpose_code) != (old_slot.centre_id, old_slot.purpose_code):
        raise BookingError("no_slot")
    _check_retake(session, new_slot, now, candidate=None, search_name=booking.search_name,
                  birth_date=booking.birth_date, exclude_id=booking.id)  # fmt: skip
    new_token = rules.new_token()
    booking.slot_id = new_slot.id
    booking.token_hash = rules.token_hash(new_token)
    booking.reminder_sent_at = None
    session.flush()
    record_event(session, None, "booking.reschedule", "booking", booking.id,
                 slot=new_slot.id, previous_slot=old_slot.id)  # fmt: skip
    return booking, new_token


def mark(
    session: so.Session, user: User, booking_id: int, status: BookingStatus, now: datetime
) -> Booking:
    """Record on the day that a booked person came (attended) or did not (no-show)."""
    booking = booking_for(session, user, booking_id)
    if booking is None:
        raise BookingError("no_booking")
    if status not in rules.MARKS or booking.status not in rules.MARKABLE_FROM:
        raise BookingError("not_markable")
    if booking.slot.starts_at > now + timedelta(hours=1):
        raise BookingError("too_early")
    booking.status = status
    booking.marked_at = now
    session.flush()
    record_event(session, user, f"booking.{status.value}", "booking", booking.id)
    return booking


# ---------------------------------------------------------------------------------- reminders


def reminders_due(session: so.Session, now: datetime, zone: tzinfo) -> list[int]:
    """Return the ids of confirmed bookings with an e-mail whose slot is tomorrow (local time)
    and that got no reminder yet."""
    window = rules.reminder_window(now, zone)
    return list(
        session.scalars(
            sa.select(Booking.id)
            .join(Slot, Slot.id == Booking.slot_id)
            .where(
                Booking.status == BookingStatus.CONFIRMED,
                Booking.email.is_not(None),
                Booking.reminder_sent_at.is_(None),
                Slot.starts_at >= window.start,
                Slot.starts_at < window.end,
            )
            .order_by(Booking.id)
        )
    )


def claim_reminder(session: so.Session, booking_id: int, now: datetime) -> Booking | None:
    """Mark the booking's reminder as sent, unless another run did: a conditional UPDATE that
    waits for a concurrent run's transaction and then finds the column set. Return the booking
    when this run is to send it (commit after sending), else None."""
    claimed = session.execute(
        sa.update(Booking)
        .where(
            Booking.id == booking_id,
            Booking.reminder_sent_at.is_(None),
            Booking.status == BookingStatus.CONFIRMED,
        )
        .values(reminder_sent_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        return None
    session.expire_all()
    return session.get(Booking, booking_id)


def withdraw_unsent(session: so.Session, booking_id: int) -> bool:
    """Delete a just-made pending booking whose confirmation mail could not be sent (after the
    booking was committed): nobody has its link, so nobody could confirm it; its place is free
    at once and the person may book again (the retake rules would count it otherwise)."""
    return (
        session.execute(
            sa.delete(Booking)
            .where(Booking.id == booking_id, Booking.status == BookingStatus.PENDING)
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )


def expire_pending(session: so.Session, now: datetime) -> int:
    """Cancel pending bookings whose hold has passed (their link is refused from then on)."""
    return session.execute(
        sa.update(Booking)
        .where(Booking.status == BookingStatus.PENDING, Booking.pending_until <= now)
        .values(status=BookingStatus.CANCELLED, cancelled_at=now, token_hash=None)
        .execution_options(synchronize_session=False)
    ).rowcount
