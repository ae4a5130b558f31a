"""The e-mails of appointments, plain text and HTML, in the booking person's language when
the staff and public catalogue has it (Dutch otherwise); sent by attest.mail."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from flask import current_app, g, render_template
from flask_babel import force_locale, format_datetime
from flask_babel import gettext as _

from attest.assessment.purposes import load_purposes
from attest.mail import build_message, send
from attest.models import Booking, Slot


def mail_language(booking: Booking, config: Mapping[str, Any]) -> str:
    return booking.language if booking.language in config["LANGUAGES"] else "nl"


@contextmanager
def in_language(language: str) -> Iterator[None]:
    """Translate (templates too) in `language`, then go back to the request's language."""
    saved = g.pop("_attest_translations", None)  # the templates' cached catalogue
    try:
        with force_locale(language):
            yield
    finally:
        g.pop("_attest_translations", None)
        if saved is not None:
            g._attest_translations = saved


def manage_url(config: Mapping[str, Any], token: str) -> str:
    return f"{config['PUBLIC_URL'].rstrip('/')}/book/manage/{token}"


def send_booking_mail(kind: str, booking: Booking, slot: Slot, token: str | None = None) -> None:
    """Send one of the mails: "confirm" (with the link to confirm), "moved" (a new link after a
    reschedule), "reminder" (the day before), "cancelled" (after a cancel by the link). Raises
    attest.mail.MailError."""
    config = current_app.config
    purposes = load_purposes()
    purpose = purposes[slot.purpose_code].title if slot.purpose_code in purposes else ""
    with in_language(mail_language(booking, config)):
        subjects = {
            "confirm": _("Bevestig uw afspraak voor een test Nederlands"),
            "moved": _("Uw afspraak voor een test Nederlands is verplaatst"),
            "reminder": _("Herinnering: morgen uw test Nederlands"),
            "cancelled": _("Uw afspraak voor een test Nederlands is geannuleerd"),
        }
        context = {
            "kind": kind,
            "booking": booking,
            "slot": slot,
            "purpose": purpose,
            "when": format_datetime(slot.starts_at, "EEEE d MMMM y, HH:mm"),
            "link": manage_url(config, token) if token else None,
        }
        text = render_template("appointments/mail.txt", **context)
        html = render_template("appointments/mail.html", **context)
        msg = build_message(config["MAIL_FROM"], booking.email, subjects[kind], text, html)
    send(config, msg)
