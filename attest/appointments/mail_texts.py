"""The e-mails of appointments, plain text and HTML, in the booking person's language when
the staff and public catalogue has it (Dutch otherwise); sent by attest.mail, those of a
request only after its transaction committed (send_after_commit)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from email.message import EmailMessage
from functools import partial
from typing import Any

from flask import current_app, g, render_template
from flask_babel import force_locale, format_datetime
from flask_babel import gettext as _

from attest.assessment.purposes import load_purposes
from attest.mail import build_message, send
from attest.models import Booking, Slot
from attest.request_session import after_commit


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
    """Send one of the mails at once (see booking_message); raises attest.mail.MailError."""
    send(current_app.config, booking_message(kind, booking, slot, token))


def send_after_commit(
    kind: str, booking: Booking, slot: Slot, token: str | None = None, failed=None
) -> None:
    """Write one of the mails now (while the booking is loaded) and send it once the request's
    transaction has committed (attest.request_session.after_commit): a mail never tells of a
    booking that was not saved. `failed(exc)` runs when it cannot be sent."""
    message = booking_message(kind, booking, slot, token)
    after_commit(partial(send, current_app.config, message), failed)


def booking_message(
    kind: str, booking: Booking, slot: Slot, token: str | None = None
) -> EmailMessage:
    """Write one of the mails: "confirm" (with the link to confirm), "moved" (a new link after a
    reschedule), "reminder" (the day before), "cancelled" (after a cancel by the link)."""
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
        return build_message(config["MAIL_FROM"], booking.email, subjects[kind], text, html)
