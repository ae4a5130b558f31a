"""The rules of appointments as plain functions (no Flask, no ORM; the clock is an argument).

- A slot's capacity is at least 1 and never more than the centre's active kiosks.
- A booking made on the public page is *pending* until its confirmation link is followed; it
  holds its place for `PENDING_MINUTES`, then it has expired: it holds nothing and its link is
  refused. Confirmed bookings hold their place until cancelled (a no-show or an attended one
  keeps it: the slot took place).
- The manage link carries a random token; only its SHA-256 is stored.
- The reminder goes out the day before the slot (in the centre's time zone), once.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

PENDING_MINUTES = 30
MAX_DURATION_MINUTES = 8 * 60


class BookingStatus(enum.Enum):
    PENDING = "pending"  # waiting for the confirmation link to be followed
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"
    ATTENDED = "attended"


# What a proctor may record on the day, from which status.
MARKS = {BookingStatus.NO_SHOW, BookingStatus.ATTENDED}
MARKABLE_FROM = {BookingStatus.CONFIRMED, BookingStatus.NO_SHOW, BookingStatus.ATTENDED}


class SlotInvalid(ValueError):
    """A slot's figures break a rule; `code` names which."""

    def __init__(self, code: str, **detail: object) -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


def check_slot(capacity: int, duration_minutes: int, active_kiosks: int) -> None:
    """Raise SlotInvalid unless the capacity fits the centre's kiosks and the duration is sane."""
    if not 1 <= duration_minutes <= MAX_DURATION_MINUTES:
        raise SlotInvalid("duration", most=MAX_DURATION_MINUTES)
    if capacity < 1:
        raise SlotInvalid("capacity_low")
    if capacity > active_kiosks:
        raise SlotInvalid("capacity_kiosks", kiosks=active_kiosks)


def hold_until(created_at: datetime) -> datetime:
    """Return until when a new pending booking holds its place."""
    return created_at + timedelta(minutes=PENDING_MINUTES)


def holds_place(status: BookingStatus, pending_until: datetime | None, now: datetime) -> bool:
    """Tell whether a booking takes one of its slot's places at `now`."""
    if status is BookingStatus.PENDING:
        return pending_until is not None and now < pending_until
    return status is not BookingStatus.CANCELLED


def places_left(capacity: int, holding: int) -> int:
    return max(0, capacity - holding)


def new_token() -> str:
    """Return a fresh manage token (for the link; store only `token_hash` of it)."""
    return secrets.token_urlsafe(24)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ReminderWindow:
    """The slot start times (UTC) whose reminders are due on a day: the whole next day."""

    start: datetime
    end: datetime


def reminder_window(now: datetime, zone: tzinfo) -> ReminderWindow:
    """Return the window of slot starts whose reminder is due at `now`: tomorrow, local time."""
    local_today = now.astimezone(zone).date()
    tomorrow = local_today + timedelta(days=1)
    start = datetime.combine(tomorrow, datetime.min.time(), tzinfo=zone)
    end = datetime.combine(tomorrow + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    return ReminderWindow(start, end)


def local_day(moment: datetime, zone: tzinfo) -> date:
    return moment.astimezone(zone).date()
