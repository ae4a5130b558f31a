"""Booking mails go out only after the request's transaction committed: a failed commit sends
no mail (whose link would say the booking is unknown), a successful one exactly one; a mail
that cannot be sent after the commit withdraws the new booking, or gives the moved booking's
new link on the page."""

from __future__ import annotations

import sqlalchemy as sa
from flask import has_request_context, request

from attest.appointments import mail_texts
from attest.appointments.rules import BookingStatus
from attest.models import Booking
from tests import smtp_server
from tests.web import test_booking
from tests.web.test_booking import LINK, _act, _book, _bookings, _link

smtp_inbox = smtp_server.smtp_inbox
world = test_booking.world  # the fixture: a centre with two slots


def _failing_commit(monkeypatch):
    """The commit of every POST fails (the pages fetched for their CSRF token still work)."""
    commit = sa.orm.Session.commit

    def broken(self, *args, **kwargs):
        if has_request_context() and request.method == "POST":
            raise sa.exc.OperationalError("COMMIT", {}, Exception("server closed the connection"))
        return commit(self, *args, **kwargs)

    monkeypatch.setattr(sa.orm.Session, "commit", broken)


def test_a_booking_whose_commit_fails_sends_no_mail(db, client, world, smtp_inbox, monkeypatch):
    _failing_commit(monkeypatch)
    response = _book(client, world["slot"])
    monkeypatch.undo()
    assert response.status_code == 503  # the client keeps its data and tries again
    assert smtp_inbox.messages == [] and _bookings(db) == []


def test_a_committed_booking_sends_exactly_one_mail_after_its_commit(
    app, db, client, world, smtp_inbox, monkeypatch
):
    """At the moment the mail is handed to SMTP, the booking is visible to another connection:
    the commit came first."""
    seen = []
    send = mail_texts.send

    def send_and_look(config, msg):
        with app.extensions["attest_engine"].connect() as conn:
            seen.append(conn.scalar(sa.select(sa.func.count()).select_from(Booking)))
        send(config, msg)

    monkeypatch.setattr(mail_texts, "send", send_and_look)
    assert _book(client, world["slot"]).status_code == 201
    assert seen == [1]
    assert len(smtp_inbox.to("amina@example.org")) == len(smtp_inbox.messages) == 1


def test_a_reschedule_whose_commit_fails_sends_no_mail_and_moves_nothing(
    db, client, world, smtp_inbox, monkeypatch
):
    _book(client, world["slot"])
    link = _link(smtp_inbox, "amina@example.org")
    _act(client, link, "confirm")
    _failing_commit(monkeypatch)
    response = _act(client, link, "reschedule", slot=world["other"].id)
    monkeypatch.undo()
    assert response.status_code == 503
    assert len(smtp_inbox.messages) == 1  # the confirmation mail only
    assert _bookings(db)[0].slot_id == world["slot"].id
    assert client.get(link).status_code == 200  # the link still works


def test_a_confirmation_mail_that_fails_after_the_commit_withdraws_the_booking(
    app, db, client, world, smtp_inbox
):
    smtp = app.config["SMTP_URL"]
    app.config["SMTP_URL"] = "smtp://127.0.0.1:1"  # nothing listens there
    response = _book(client, world["slot"])
    assert response.status_code == 503
    assert "Er is niets bewaard" in response.get_data(as_text=True)
    assert _bookings(db) == []  # withdrawn: the place (the slot's only one) is free again
    app.config["SMTP_URL"] = smtp
    assert _book(client, world["slot"]).status_code == 201  # and the person may book again
    assert len(smtp_inbox.to("amina@example.org")) == 1


def test_a_moved_mail_that_fails_gives_the_new_link_on_the_page(app, db, client, world, smtp_inbox):
    _book(client, world["slot"])
    link = _link(smtp_inbox, "amina@example.org")
    _act(client, link, "confirm")
    smtp = app.config["SMTP_URL"]
    app.config["SMTP_URL"] = "smtp://127.0.0.1:1"
    page = _act(client, link, "reschedule", slot=world["other"].id)
    app.config["SMTP_URL"] = smtp
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "kon niet verstuurd worden" in html
    [booking] = _bookings(db)
    assert booking.slot_id == world["other"].id and booking.status is BookingStatus.CONFIRMED
    new_link = _link_in(html)
    assert new_link != link and client.get(link).status_code == 404
    assert client.get(new_link).status_code == 200
    assert len(smtp_inbox.messages) == 1  # no mail about the move


def _link_in(html: str) -> str:
    return LINK.search(html).group(0).replace("https://attest.example", "")
