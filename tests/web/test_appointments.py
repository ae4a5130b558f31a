"""Proctor pages of appointments: slots bound by the centre's kiosks, a day's slots with their
bookings, booking a registered candidate (once for the last place), no-shows recorded; roles,
centres and CSRF."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from attest.appointments import services
from attest.appointments.rules import BookingStatus
from attest.models import AuditEvent, Booking, Role, Slot
from tests.factories import make_candidate, make_centre, make_kiosk, make_user
from tests.web.helpers import csrf, login, slow_down, together

ZONE = ZoneInfo("Europe/Brussels")
DAY_URL = "/proctor/appointments/"


@pytest.fixture
def centre(db):
    centre = make_centre(db)
    for _ in range(2):
        make_kiosk(db, centre=centre)
    db.commit()
    return centre


def _proctor(client, db, centre, role=Role.PROCTOR):
    user = make_user(db, role=role, centre=centre)
    db.commit()
    login(client, user.username)
    return user


def _slot_form(client, day, capacity, **extra):
    return {
        "day": day.isoformat(), "time": "09:30", "duration_minutes": "120",
        "purpose": "niveaubepaling", "capacity": str(capacity),
        "csrf_token": csrf(client, DAY_URL),
    } | extra  # fmt: skip


def _slots(db) -> list[Slot]:
    db.expire_all()
    return list(db.scalars(sa.select(Slot).order_by(Slot.id)))


def test_a_slot_cannot_have_more_places_than_the_centres_active_kiosks(db, client, centre):
    _proctor(client, db, centre)
    day = datetime.now(ZONE).date() + timedelta(days=7)
    refused = client.post("/proctor/appointments/slots", data=_slot_form(client, day, 3))
    assert refused.status_code == 400
    assert "actieve kiosken in het centrum (2)" in refused.get_data(as_text=True)
    assert _slots(db) == []
    made = client.post("/proctor/appointments/slots", data=_slot_form(client, day, 2))
    assert made.status_code == 302
    [slot] = _slots(db)
    assert slot.starts_at == datetime(day.year, day.month, day.day, 9, 30, tzinfo=ZONE)
    edit = f"/proctor/appointments/slots/{slot.id}/edit"
    too_many = client.post(edit, data=_slot_form(client, day, 5))
    assert too_many.status_code == 400 and _slots(db)[0].capacity == 2
    assert client.post(edit, data=_slot_form(client, day, 1, time="10:00")).status_code == 302
    assert _slots(db)[0].capacity == 1


def test_a_proctor_books_a_candidate_and_records_a_no_show(db, client, centre):
    proctor = _proctor(client, db, centre)
    cand = make_candidate(db, centre=centre)
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=30)
    slot = services.create_slot(db, centre.id, proctor, starts, 90, "niveaubepaling", 2)
    db.commit()
    day = starts.astimezone(ZONE).date().isoformat()
    booked = client.post(
        f"/proctor/appointments/slots/{slot.id}/bookings",
        data={"candidate": cand.id, "csrf_token": csrf(client, DAY_URL)},
    )
    assert booked.status_code == 302
    page = client.get(f"{DAY_URL}?day={day}").get_data(as_text=True)
    assert "Öztürk, Çağrı" in page and "1 van 2 plaatsen bezet" in page
    [booking] = db.scalars(sa.select(Booking)).all()
    assert booking.status is BookingStatus.CONFIRMED and booking.candidate_id == cand.id

    marked = client.post(
        f"/proctor/appointments/bookings/{booking.id}/mark",
        data={"status": "no_show", "csrf_token": csrf(client, DAY_URL)},
    )
    assert marked.status_code == 302
    db.expire_all()
    assert db.get(Booking, booking.id).status is BookingStatus.NO_SHOW
    assert "niet opgedaagd" in client.get(f"{DAY_URL}?day={day}").get_data(as_text=True)
    assert db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "booking.no_show"))


def test_appointments_need_a_proctor_of_the_centre_and_a_csrf_token(app, db, client, centre):
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    starts = datetime.now(UTC) + timedelta(days=2)
    slot = services.create_slot(db, centre.id, proctor, starts, 90, "niveaubepaling", 1)
    db.commit()
    assert client.get(DAY_URL).status_code == 302  # to the login page
    _proctor(client, db, make_centre(db), role=Role.EXAMINER)
    assert client.get(DAY_URL).status_code == 403
    stranger = app.test_client()
    _proctor(stranger, db, make_centre(db))
    assert stranger.get(f"/proctor/appointments/slots/{slot.id}/edit").status_code == 404
    own = app.test_client()
    login(own, proctor.username)
    no_token = own.post("/proctor/appointments/slots", data={"capacity": "1"})
    assert no_token.status_code == 400 and len(_slots(db)) == 1


def test_proctors_booking_the_last_place_at_once_book_it_once(app, db, centre, monkeypatch):
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    slot = services.create_slot(db, centre.id, proctor, datetime.now(UTC) + timedelta(days=1),
                                90, "niveaubepaling", 1)  # fmt: skip
    posts = []
    for i in range(3):
        cand = make_candidate(db, centre=centre, family_name=f"Kandidaat {'I' * (i + 1)}")
        db.commit()
        browser = app.test_client()
        _proctor(browser, db, centre)
        data = {"candidate": cand.id, "csrf_token": csrf(browser, DAY_URL)}
        url = f"/proctor/appointments/slots/{slot.id}/bookings"
        posts.append(lambda b=browser, data=data, url=url: b.post(url, data=data))
    slow_down(monkeypatch, services, "_check_retake")

    answers = together(posts)

    assert sorted(a.status_code for a in answers) == [302, 303, 303]
    db.expire_all()
    assert db.scalar(sa.select(sa.func.count(Booking.id))) == 1


def test_one_person_booked_into_two_slots_at_once_gets_one_booking(app, db, centre, monkeypatch):
    """a2-volledig allows one attempt per 90 days: two bookings of one candidate into two slots
    a week apart, sent together (two proctors, two tabs), must not both pass the retake check."""
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    cand = make_candidate(db, centre=centre, family_name="Dubbelboeker")
    start = datetime.now(UTC) + timedelta(days=3)
    slots = [
        services.create_slot(
            db, centre.id, proctor, start + timedelta(days=7 * i), 90, "a2-volledig", 2
        )  # fmt: skip
        for i in range(2)
    ]
    db.commit()
    posts = []
    for slot in slots:
        browser = app.test_client()
        _proctor(browser, db, centre)
        data = {"candidate": cand.id, "csrf_token": csrf(browser, DAY_URL)}
        url = f"/proctor/appointments/slots/{slot.id}/bookings"
        posts.append(lambda b=browser, data=data, url=url: b.post(url, data=data))
    # Both requests are between reading the person's attempts and writing a booking at once.
    slow_down(monkeypatch, services, "attempt_days")

    answers = together(posts)

    assert sorted(a.status_code for a in answers) == [302, 303]  # booked; refused (flash)
    db.expire_all()
    assert db.scalar(sa.select(sa.func.count(Booking.id))) == 1


def test_staff_see_from_when_a_candidate_may_book_again(app, db, client, centre):
    """Unlike the public page (test_booking.py), a proctor is told the date."""
    from flask_babel import format_date

    from attest.models import SessionStatus, TestSession

    proctor = _proctor(client, db, centre)
    cand = make_candidate(db, centre=centre)
    started = datetime.now(UTC) - timedelta(days=10)
    db.add(TestSession(candidate_id=cand.id, centre_id=centre.id, purpose_code="a2-mondeling",
                       status=SessionStatus.COMPLETED, started_at=started))  # fmt: skip
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=5)
    slot = services.create_slot(db, centre.id, proctor, starts, 60, "a2-mondeling", 1)
    db.commit()
    refused = client.post(
        f"/proctor/appointments/slots/{slot.id}/bookings",
        data={"candidate": cand.id, "csrf_token": csrf(client, DAY_URL)},
        follow_redirects=True,
    )
    with app.test_request_context():
        allowed = format_date(started.date() + timedelta(days=90))
    assert f"pas opnieuw een afspraak maken vanaf {allowed}" in refused.get_data(as_text=True)
    assert db.scalars(sa.select(Booking)).all() == []
