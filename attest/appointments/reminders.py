"""The reminder the day before: one e-mail per confirmed booking, even when runs overlap.

Each booking is its own transaction: a conditional UPDATE claims the reminder
(`reminder_sent_at IS NULL`), the mail is sent, then the claim is committed. A second run at
the same moment waits on the row (PostgreSQL) or the write lock (SQLite) and then finds it
claimed; a mail that fails is rolled back and tried again by the next run."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

import sqlalchemy.orm as so

from attest.appointments import services
from attest.appointments.mail_texts import send_booking_mail
from attest.mail import MailError

log = logging.getLogger(__name__)


@dataclass
class ReminderReport:
    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    expired: int = 0

    def summary(self) -> str:
        return (
            f"reminders: {len(self.sent)} sent, {len(self.failed)} failed (tried again next "
            f"run); {self.expired} unconfirmed booking(s) expired"
        )


def send_reminders(
    new_session: Callable[[], so.Session], now: datetime, zone: tzinfo
) -> ReminderReport:
    """Expire unconfirmed bookings, then send tomorrow's reminders (call in an app context)."""
    report = ReminderReport()
    session = new_session()
    try:
        report.expired = services.expire_pending(session, now)
        due = services.reminders_due(session, now, zone)
        session.commit()
    finally:
        session.close()
    for booking_id in due:
        session = new_session()
        try:
            booking = services.claim_reminder(session, booking_id, now)
            if booking is None:  # another run sent it
                session.rollback()
                continue
            send_booking_mail("reminder", booking, booking.slot)
            session.commit()
            report.sent.append(booking_id)
        except MailError:
            session.rollback()
            report.failed.append(booking_id)
            log.warning("reminder of booking %s not sent: tried again next run", booking_id)
        finally:
            session.close()
    return report
