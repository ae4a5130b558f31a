"""`attest appointments remind`: the day-before reminders, for cron (see docs/operations.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext


@click.group("appointments", help="Appointments (test slots and bookings).")
def appointments_group() -> None:
    pass


@appointments_group.command(
    "remind",
    help="E-mail tomorrow's booked people a reminder (once per booking, even when runs "
    "overlap) and expire unconfirmed bookings. Exits 1 when a mail failed.",
)
@with_appcontext
def remind_command() -> None:
    from attest.appointments.reminders import send_reminders

    factory = current_app.extensions["attest_session"].session_factory
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    report = send_reminders(factory, datetime.now(UTC), zone)
    click.echo(report.summary())
    if report.failed:
        raise SystemExit(1)
