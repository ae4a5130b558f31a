"""Sending e-mail through SMTP, configured by ATTEST_SMTP_URL.

`smtp://user:password@host:587?starttls=1` (STARTTLS on a submission port), `smtps://host:465`
(TLS from the start), `smtp://127.0.0.1:1025` (no TLS, no login: a local relay or a test
server). User and password are percent-decoded. Without a URL, a mail is written to the log,
but only when MAIL_TO_LOG is on (the demo): the logs of a production app carry no personal
data, so there `mail_available` is False and the features that need mail stay closed."""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 15


class MailError(RuntimeError):
    """The mail could not be handed to the SMTP server (or no way to send mail is set)."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    implicit_tls: bool = False
    starttls: bool = False
    user: str | None = None
    password: str | None = None


def parse_smtp_url(url: str) -> SmtpSettings:
    """Read an smtp:// or smtps:// URL; raise ValueError when it is not one."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("expected smtp://host:port or smtps://host:port")
    implicit = parts.scheme == "smtps"
    query = parse_qs(parts.query)
    starttls = (query.get("starttls") or ["0"])[0].lower() in ("1", "true", "yes", "on")
    return SmtpSettings(
        host=parts.hostname,
        port=parts.port or (465 if implicit else 587 if starttls else 25),
        implicit_tls=implicit,
        starttls=starttls and not implicit,
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def mail_available(config: Mapping[str, Any]) -> bool:
    """Tell whether mail can go out: an SMTP server, or the log of a demo."""
    return bool(config.get("SMTP_URL") or config.get("MAIL_TO_LOG"))


def build_message(
    sender: str, to: str, subject: str, text: str, html: str | None = None
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    return msg


def send(config: Mapping[str, Any], msg: EmailMessage) -> None:
    """Hand a message to the SMTP server (or, in the demo, to the log); raise MailError."""
    url = config.get("SMTP_URL")
    if not url:
        if not config.get("MAIL_TO_LOG"):
            raise MailError("no SMTP server configured (ATTEST_SMTP_URL)")
        body = msg.get_body(("plain",))
        text = body.get_content() if body is not None else ""
        log.info("demo mail (no ATTEST_SMTP_URL) to %s: %s\n%s", msg["To"], msg["Subject"], text)
        return
    settings = parse_smtp_url(url)
    try:
        if settings.implicit_tls:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host,
                settings.port,
                timeout=TIMEOUT_SECONDS,
                context=ssl.create_default_context(),
            )
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_SECONDS)
        with smtp:
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.user:
                smtp.login(settings.user, settings.password or "")
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        # the recipient's address stays out of the log
        log.warning("mail not sent: %s", type(exc).__name__)
        raise MailError(type(exc).__name__) from exc
