"""The public booking page of a centre: a booking is made by e-mail confirmation (read from a
real SMTP server on loopback), holds its place 30 minutes unconfirmed, is cancelled or moved by
its link; the last place is taken once however many book at the same moment."""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from attest.appointments import services
from attest.appointments.rules import BookingStatus
from attest.models import Booking, Role, SessionStatus, TestSession
from tests import smtp_server
from tests.factories import make_candidate, make_centre, make_kiosk, make_user
from tests.web.helpers import csrf, slow_down, together

PURPOSE = "niveaubepaling"  # no waiting time between attempts (retake_rules.yaml)
smtp_inbox = smtp_server.smtp_inbox  # the fixture: a loopback SMTP server and what it received
LINK = re.compile(r"https://attest\.example/book/manage/[A-Za-z0-9_\-]+")


@pytest.fixture
def world(db):
    centre = make_centre(db, code="GENT")
    for _ in range(3):
        make_kiosk(db, centre=centre)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    slot = services.create_slot(db, centre.id, proctor, starts, 120, PURPOSE, 1)
    other = services.create_slot(db, centre.id, proctor, starts + timedelta(days=1), 120,
                                 PURPOSE, 2)  # fmt: skip
    db.commit()
    return {"centre": centre, "slot": slot, "other": other, "proctor": proctor}


def _book(client, slot, *, email="amina@example.org", family="Haddad", given="Amina",
          language="nl", **extra):  # fmt: skip
    data = {
        "slot": slot.id,
        "family_name": family,
        "given_names": given,
        "birth_date": "1991-05-03",
        "email": email,
        "language": language,
        "accommodation": "Rolstoel",
        "csrf_token": csrf(client, "/book/GENT"),
    } | extra
    return client.post("/book/GENT", data=data)


def _link(inbox, email: str, n: int = -1) -> str:
    url = LINK.search(inbox.text(inbox.to(email)[n])).group(0)
    return url.replace("https://attest.example", "")


def _act(client, link: str, action: str, **extra):
    token = csrf(client, "/book/GENT")  # the link's page may have no form left
    return client.post(link, data={"action": action, "csrf_token": token} | extra)


def _bookings(db, slot=None) -> list[Booking]:
    db.expire_all()
    stmt = sa.select(Booking).order_by(Booking.id)
    if slot is not None:
        stmt = stmt.where(Booking.slot_id == slot.id)
    return list(db.scalars(stmt))


def test_a_booking_is_confirmed_by_the_link_in_the_email(db, client, world, smtp_inbox):
    page = client.get("/book/GENT").get_data(as_text=True)
    assert "Niveaubepaling" in page and "nog 1 plaatsen" in page
    assert _book(client, world["slot"]).status_code == 201
    [mail] = smtp_inbox.to("amina@example.org")
    assert mail["Subject"] == "Bevestig uw afspraak voor een test Nederlands"
    assert "Haddad, Amina" in smtp_inbox.text(mail) and "binnen 30 minuten" in smtp_inbox.text(mail)
    link = _link(smtp_inbox, "amina@example.org")
    assert link in smtp_inbox.html(mail)
    [booking] = _bookings(db)
    assert booking.status is BookingStatus.PENDING and booking.accommodation == "Rolstoel"
    assert link.rsplit("/", 1)[1] not in (booking.token_hash or "")  # only the hash is kept

    assert "Afspraak bevestigen" in client.get(link).get_data(as_text=True)  # GET changes nothing
    assert _bookings(db)[0].status is BookingStatus.PENDING
    assert _act(client, link, "confirm").status_code == 303
    assert _bookings(db)[0].status is BookingStatus.CONFIRMED
    assert "bevestigd" in client.get(link).get_data(as_text=True)


def test_a_double_click_on_confirm_makes_one_confirmed_booking(app, db, client, world, smtp_inbox):
    _book(client, world["slot"])
    link = _link(smtp_inbox, "amina@example.org")
    clicks = []
    for _ in range(2):
        browser = app.test_client()
        data = {"action": "confirm", "csrf_token": csrf(browser, link)}
        clicks.append(lambda browser=browser, data=data: browser.post(link, data=data))
    assert [r.status_code for r in together(clicks)] == [303, 303]
    [booking] = _bookings(db)
    assert booking.status is BookingStatus.CONFIRMED


def test_an_unconfirmed_booking_expires_and_frees_its_place(app, db, world, smtp_inbox):
    first, second = app.test_client(), app.test_client()
    assert _book(first, world["slot"]).status_code == 201
    full = _book(second, world["slot"], email="li@example.org", family="Li", given="Wei")
    assert full.status_code == 400 and "volzet" in full.get_data(as_text=True)

    db.execute(sa.update(Booking).values(pending_until=datetime.now(UTC) - timedelta(seconds=1)))
    db.commit()  # 30 minutes later, unconfirmed
    again = _book(second, world["slot"], email="li@example.org", family="Li", given="Wei")
    assert again.status_code == 201
    link = _link(smtp_inbox, "amina@example.org")
    assert "vervallen" in first.get(link).get_data(as_text=True)
    late = _act(first, link, "confirm")
    assert late.status_code == 409 and "vervallen" in late.get_data(as_text=True)
    assert [b.status for b in _bookings(db)] == [BookingStatus.PENDING, BookingStatus.PENDING]
    assert services.holding_count(db, world["slot"].id, datetime.now(UTC)) == 1


def test_the_last_place_is_taken_once_when_many_book_at_the_same_moment(
    app, db, world, smtp_inbox, monkeypatch
):
    """Five people post for the last place at once (each a browser, a thread and a database
    session): the slot's row lock makes each count what the others committed."""
    posts = []
    for i in range(5):
        person = app.test_client()
        data = {
            "slot": world["slot"].id, "family_name": "Haddad", "given_names": f"Amina {'I' * i}",
            "birth_date": "1991-05-03", "email": f"p{i}@example.org", "language": "nl",
            "csrf_token": csrf(person, "/book/GENT"),
        }  # fmt: skip
        posts.append(lambda person=person, data=data: person.post("/book/GENT", data=data))
    # each request waits between its count and its insert: without the lock all would pass
    slow_down(monkeypatch, services, "_check_retake")

    answers = together(posts)

    assert sorted(a.status_code for a in answers) == [201] + [400] * 4
    assert len(_bookings(db, world["slot"])) == 1 and len(smtp_inbox.messages) == 1


def test_a_cancel_frees_the_place_and_ends_the_link(app, db, client, world, smtp_inbox):
    _book(client, world["slot"])
    link = _link(smtp_inbox, "amina@example.org")
    _act(client, link, "confirm")
    other = app.test_client()
    assert _book(other, world["slot"], email="li@example.org").status_code == 400  # full
    page = _act(client, link, "cancel")
    assert page.status_code == 200 and "geannuleerd" in page.get_data(as_text=True)
    assert _bookings(db)[0].status is BookingStatus.CANCELLED
    assert _book(other, world["slot"], email="li@example.org").status_code == 201
    assert client.get(link).status_code == 404


def test_a_cancel_by_the_link_is_confirmed_by_mail_in_the_persons_language(
    client, world, smtp_inbox
):
    for email, language in (("amina@example.org", "nl"), ("li@example.org", "en")):
        _book(client, world["other"], email=email, language=language)
        link = _link(smtp_inbox, email)
        _act(client, link, "confirm")
        assert _act(client, link, "cancel").status_code == 200
    confirm, cancelled = smtp_inbox.to("amina@example.org")
    assert cancelled["Subject"] == "Uw afspraak voor een test Nederlands is geannuleerd"
    text = smtp_inbox.text(cancelled)
    assert "Haddad, Amina" in text and "Maak dan een nieuwe afspraak" in text
    assert "Niveaubepaling" in text and not LINK.search(text)  # no link: it ended
    assert "Maak dan een nieuwe afspraak" in smtp_inbox.html(cancelled)
    english = smtp_inbox.to("li@example.org")[-1]
    assert english["Subject"] == "Your appointment for a Dutch test has been cancelled"


def test_a_cancel_stands_when_its_mail_cannot_be_sent(app, db, client, world, smtp_inbox):
    _book(client, world["slot"])
    link = _link(smtp_inbox, "amina@example.org")
    _act(client, link, "confirm")
    app.config["SMTP_URL"] = "smtp://127.0.0.1:1"  # nothing listens there
    page = _act(client, link, "cancel")
    assert page.status_code == 200 and "geannuleerd" in page.get_data(as_text=True)
    assert _bookings(db)[0].status is BookingStatus.CANCELLED


def test_a_wrong_or_replaced_manage_token_is_refused(app, db, client, world, smtp_inbox):
    assert client.get("/book/manage/not-a-real-token").status_code == 404
    _book(client, world["slot"])
    link = _link(smtp_inbox, "amina@example.org")
    _act(client, link, "confirm")
    moved = _act(client, link, "reschedule", slot=world["other"].id)
    assert moved.status_code == 200 and "verplaatst" in moved.get_data(as_text=True)
    [booking] = _bookings(db)
    assert booking.slot_id == world["other"].id
    new_link = _link(smtp_inbox, "amina@example.org")
    assert new_link != link and "verplaatst" in smtp_inbox.to("amina@example.org")[-1]["Subject"]
    assert client.get(link).status_code == 404  # the old link is refused
    assert _act(client, link, "cancel").status_code == 404
    assert client.get(new_link).status_code == 200
    # the first slot is free again
    assert services.holding_count(db, world["slot"].id, datetime.now(UTC)) == 0


def test_the_booking_page_is_rate_limited(app, client, world, smtp_inbox):
    app.config["BOOKING_LIMIT"] = "2 per hour"
    assert _book(client, world["other"]).status_code == 201
    assert _book(client, world["other"], email="b@example.org").status_code == 201
    refused = _book(client, world["other"], email="c@example.org")
    assert refused.status_code == 429
    assert len(smtp_inbox.messages) == 2


def test_a_retake_the_rules_forbid_is_refused_with_the_rule_but_no_dates(
    app, db, client, world, smtp_inbox
):
    """Anyone may type a person's name and birth date: the public page states the purpose's
    rule, never when that person may book again (staff see it: test_appointments.py)."""
    centre = world["centre"]
    cand = make_candidate(db, centre=centre, family_name="Haddad", given_names="Amina",
                          birth_date=date(1991, 5, 3))  # fmt: skip
    started = datetime.now(UTC) - timedelta(days=10)
    db.add(TestSession(candidate_id=cand.id, centre_id=centre.id, purpose_code="a2-mondeling",
                       status=SessionStatus.COMPLETED, started_at=started))  # fmt: skip
    slot = services.create_slot(
        db,
        centre.id,
        world["proctor"],
        datetime.now(UTC) + timedelta(days=5),
        60,
        "a2-mondeling",
        1,
    )
    db.commit()  # fmt: skip
    refused = _book(client, slot, family="HADDAD")
    text = refused.get_data(as_text=True)
    with app.test_request_context():
        from flask_babel import format_date

        allowed = format_date(started.date() + timedelta(days=90))
    assert refused.status_code == 400 and "herkansingsregels vragen minstens 90 dagen" in text
    assert "hoogstens 3 pogingen per 12 maanden" in text
    assert allowed not in text and "opnieuw een afspraak maken vanaf" not in text
    assert _bookings(db, slot) == [] and smtp_inbox.messages == []


def test_a_public_refusal_does_not_tell_that_the_person_holds_a_booking(
    app, db, client, world, smtp_inbox
):
    """A second booking of the same name and birth date too close to a first one is refused
    without the first one's date (the person has it in their mail)."""
    proctor = world["proctor"]
    first = datetime.now(UTC).replace(microsecond=0) + timedelta(days=40)
    early = services.create_slot(db, world["centre"].id, proctor, first, 60, "a2-mondeling", 1)
    late = services.create_slot(
        db, world["centre"].id, proctor, first + timedelta(days=30), 60, "a2-mondeling", 1
    )
    db.commit()
    assert _book(client, late).status_code == 201
    refused = _book(client, early, email="someone@example.org")
    text = refused.get_data(as_text=True)
    with app.test_request_context():
        from flask_babel import format_date

        dates = {format_date(late.starts_at.date()), format_date(first.date())}
    assert refused.status_code == 400 and "herkansingsregels" in text
    assert not any(day in text for day in dates) and "Er staat al een afspraak" not in text
    assert len(_bookings(db)) == 1 and len(smtp_inbox.messages) == 1


def test_without_smtp_the_page_is_closed_except_in_the_demo_where_mail_goes_to_the_log(
    app, db, client, world, caplog
):
    assert client.get("/book/GENT").status_code == 503
    app.config["MAIL_TO_LOG"] = True
    with caplog.at_level(logging.INFO, logger="attest.mail"):
        assert _book(client, world["slot"]).status_code == 201
    assert "/book/manage/" in caplog.text and "amina@example.org" in caplog.text


def test_an_english_speaker_gets_the_mail_in_english(client, world, smtp_inbox):
    _book(client, world["slot"], language="en")
    [mail] = smtp_inbox.to("amina@example.org")
    assert mail["Subject"] == "Confirm your appointment for a Dutch test"
    assert "within 30 minutes" in smtp_inbox.text(mail)


def test_a_move_the_rules_forbid_is_refused_without_the_other_bookings_date(
    app, db, client, world, smtp_inbox
):
    proctor, centre = world["proctor"], world["centre"].id
    day0 = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10)
    first = services.create_slot(db, centre, proctor, day0, 60, "a2-mondeling", 1)
    second = services.create_slot(db, centre, proctor, day0 + timedelta(days=100), 60,
                                  "a2-mondeling", 1)  # fmt: skip
    between = services.create_slot(db, centre, proctor, day0 + timedelta(days=50), 60,
                                   "a2-mondeling", 1)  # fmt: skip
    db.commit()
    for slot in (first, second):
        _book(client, slot)
        _act(client, _link(smtp_inbox, "amina@example.org"), "confirm")
    link = _link(smtp_inbox, "amina@example.org", 0)  # the first booking's
    refused = _act(client, link, "reschedule", slot=between.id)
    text = refused.get_data(as_text=True)
    with app.test_request_context():
        from flask_babel import format_date

        other = format_date(second.starts_at.date())
    assert refused.status_code == 409 and "herkansingsregels vragen minstens 90 dagen" in text
    assert other not in text and "Er staat al een afspraak" not in text
    assert [b.slot_id for b in _bookings(db)] == [first.id, second.id]
