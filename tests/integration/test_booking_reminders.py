"""`attest appointments remind`: the day before, each confirmed booking gets one reminder, read
from a real SMTP server on loopback, however often and however concurrently the command runs."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from attest.appointments import reminders, services
from attest.appointments.rules import BookingStatus
from attest.models import Booking, Role
from tests import smtp_server
from tests.factories import make_centre, make_kiosk, make_user

smtp_inbox = smtp_server.smtp_inbox
ZONE = ZoneInfo("Europe/Brussels")


def _at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZONE).astimezone(UTC)


@pytest.fixture
def booked(db):
    """Two confirmed bookings tomorrow, one the day after, one pending tomorrow."""
    centre = make_centre(db)
    for _ in range(3):
        make_kiosk(db, centre=centre)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    tomorrow = datetime.now(ZONE).date() + timedelta(days=1)
    now = datetime.now(UTC)
    slot = services.create_slot(db, centre.id, proctor, _at(tomorrow, 10), 90, "niveaubepaling", 3)
    later = services.create_slot(
        db, centre.id, proctor, _at(tomorrow + timedelta(days=1), 10), 90, "niveaubepaling", 1
    )
    made = {}
    for name, on, confirm in (("a", slot, True), ("b", slot, True), ("c", later, True),
                              ("d", slot, False)):  # fmt: skip
        person = services.PersonInput(
            f"Persoon {name.upper()}", "", date(1990, 1, 1), f"{name}@example.org", "nl"
        )
        booking, token = services.request_booking(db, centre.id, on.id, person, now)
        if confirm:
            services.confirm(db, token, now)
        made[name] = booking
    db.commit()
    return made


def test_the_reminder_is_sent_once_the_day_before(app, db, booked, smtp_inbox):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["appointments", "remind"])
    assert first.exit_code == 0, first.output
    assert "2 sent" in first.output
    assert sorted(m["To"] for m in smtp_inbox.messages) == ["a@example.org", "b@example.org"]
    [mail] = smtp_inbox.to("a@example.org")
    assert mail["Subject"] == "Herinnering: morgen uw test Nederlands"
    assert "Persoon A" in smtp_inbox.text(mail) and "identiteitsdocument" in smtp_inbox.text(mail)
    again = runner.invoke(args=["appointments", "remind"])
    assert again.exit_code == 0 and "0 sent" in again.output
    assert len(smtp_inbox.messages) == 2


def test_overlapping_runs_send_each_reminder_once(app, db, booked, smtp_inbox, monkeypatch):
    original = reminders.send_booking_mail

    def slow_send(*args, **kwargs):  # the other run reaches its claim meanwhile
        time.sleep(0.3)
        return original(*args, **kwargs)

    monkeypatch.setattr(reminders, "send_booking_mail", slow_send)
    factory = app.extensions["attest_session"].session_factory
    barrier = threading.Barrier(2)
    reports = []

    def run():
        with app.app_context():
            barrier.wait(timeout=30)
            reports.append(reminders.send_reminders(factory, datetime.now(UTC), ZONE))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert sorted(m["To"] for m in smtp_inbox.messages) == ["a@example.org", "b@example.org"]
    assert sorted(i for r in reports for i in r.sent) == sorted([booked["a"].id, booked["b"].id])
    db.expire_all()
    sent = db.scalars(sa.select(Booking).where(Booking.reminder_sent_at.is_not(None))).all()
    assert len(sent) == 2


def test_a_failed_reminder_is_tried_again_by_the_next_run(app, db, booked, smtp_inbox):
    app.config["SMTP_URL"] = "smtp://127.0.0.1:9"  # nothing listens: the mail fails
    failed = app.test_cli_runner().invoke(args=["appointments", "remind"])
    assert failed.exit_code == 1 and "2 failed" in failed.output
    db.expire_all()
    assert (
        db.scalar(sa.select(Booking.reminder_sent_at).where(Booking.id == booked["a"].id)) is None
    )
    app.config["SMTP_URL"] = smtp_inbox.url
    assert "2 sent" in app.test_cli_runner().invoke(args=["appointments", "remind"]).output


def test_the_remind_run_expires_unconfirmed_bookings(app, db, booked, smtp_inbox):
    db.execute(sa.update(Booking).values(pending_until=datetime.now(UTC) - timedelta(minutes=1))
               .where(Booking.id == booked["d"].id))  # fmt: skip
    db.commit()
    output = app.test_cli_runner().invoke(args=["appointments", "remind"]).output
    assert "1 unconfirmed booking(s) expired" in output
    db.expire_all()
    expired = db.get(Booking, booked["d"].id)
    assert expired.status is BookingStatus.CANCELLED and expired.token_hash is None
