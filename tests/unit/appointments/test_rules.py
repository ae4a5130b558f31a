"""The rules of appointments: capacity bound by kiosks, pending holds, tokens, reminder day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from attest.appointments import rules
from attest.appointments.rules import BookingStatus, SlotInvalid
from attest.retention_rules import RetentionPolicy, booking_due

NOW = datetime(2026, 12, 7, 13, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "capacity, kiosks, code",
    [(0, 3, "capacity_low"), (4, 3, "capacity_kiosks"), (1, 0, "capacity_kiosks")],
)
def test_a_capacity_beyond_the_active_kiosks_or_below_one_is_refused(capacity, kiosks, code):
    with pytest.raises(SlotInvalid) as exc:
        rules.check_slot(capacity, 60, kiosks)
    assert exc.value.code == code


def test_a_capacity_up_to_the_kiosks_is_accepted_and_the_duration_is_bounded():
    rules.check_slot(3, 60, 3)
    with pytest.raises(SlotInvalid):
        rules.check_slot(1, 0, 3)
    with pytest.raises(SlotInvalid):
        rules.check_slot(1, rules.MAX_DURATION_MINUTES + 1, 3)


def test_a_pending_booking_holds_its_place_for_30_minutes_only():
    until = rules.hold_until(NOW)
    assert until == NOW + timedelta(minutes=30)
    assert rules.holds_place(BookingStatus.PENDING, until, NOW + timedelta(minutes=29))
    assert not rules.holds_place(BookingStatus.PENDING, until, NOW + timedelta(minutes=30))


@pytest.mark.parametrize(
    "status, holds",
    [
        (BookingStatus.CONFIRMED, True),
        (BookingStatus.ATTENDED, True),
        (BookingStatus.NO_SHOW, True),
        (BookingStatus.CANCELLED, False),
    ],
)
def test_what_holds_a_place(status, holds):
    assert rules.holds_place(status, None, NOW) is holds


def test_tokens_are_random_and_only_their_hash_is_kept():
    a, b = rules.new_token(), rules.new_token()
    assert a != b and len(a) >= 32
    assert rules.token_hash(a) == rules.token_hash(a) != rules.token_hash(b)
    assert a not in rules.token_hash(a)


def test_the_reminder_window_is_tomorrow_in_the_centres_time_zone():
    zone = ZoneInfo("Europe/Brussels")
    late = datetime(2026, 12, 7, 23, 30, tzinfo=UTC)  # already 8 December in Brussels
    window = rules.reminder_window(late, zone)
    assert window.start == datetime(2026, 12, 9, 0, 0, tzinfo=zone)
    assert window.end - window.start == timedelta(days=1)


def test_a_bookings_personal_data_is_due_booking_days_after_its_slot():
    policy = RetentionPolicy(booking_days=180)
    assert not booking_due(NOW, policy, NOW + timedelta(days=179))
    assert booking_due(NOW, policy, NOW + timedelta(days=180))
    with pytest.raises(ValueError):
        RetentionPolicy(booking_days=0)
