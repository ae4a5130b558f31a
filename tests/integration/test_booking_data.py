"""Bookings hold personal data (e-mail, accommodation request): retention erases it after its
period and the subject-access export includes it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from attest.appointments import services
from attest.models import Booking
from attest.retention import run_retention
from attest.retention_rules import RetentionPolicy
from attest.subject_access import candidate_document
from tests.factories import make_candidate, make_centre, make_kiosk, make_user

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
SLOT_AT = T0 + timedelta(days=10)


def _booking(db, centre, *, family_name="Öztürk", given_names="Çağrı"):
    proctor = make_user(db, centre=centre)
    make_kiosk(db, centre=centre)
    slot = services.create_slot(db, centre.id, proctor, SLOT_AT, 90, "niveaubepaling", 1)
    person = services.PersonInput(
        family_name, given_names, date(1990, 4, 12), "cagri@example.org", "tr", "Rolstoel"
    )
    booking, _token = services.request_booking(db, centre.id, slot.id, person, T0)
    services.confirm(db, _token, T0 + timedelta(minutes=5))
    db.commit()
    return booking


def test_retention_erases_a_bookings_personal_data_after_its_period(db):
    booking = _booking(db, make_centre(db))
    policy = RetentionPolicy(booking_days=180)
    assert run_retention(db, policy, SLOT_AT + timedelta(days=179)).bookings_erased == []
    report = run_retention(db, policy, SLOT_AT + timedelta(days=180))
    db.commit()
    assert report.bookings_erased == [booking.id]
    db.expire_all()
    erased = db.get(Booking, booking.id)
    assert (erased.email, erased.accommodation, erased.family_name) == (None, "", "")
    assert erased.birth_date == date(1990, 1, 1) and erased.token_hash is None
    assert "1 booking(s)" in report.summary()


def test_the_subject_access_export_includes_bookings_of_the_same_person(db):
    centre = make_centre(db)
    booking = _booking(db, centre)
    _booking(db, centre, family_name="Nguyễn", given_names="Thị")  # someone else
    cand = make_candidate(db, centre=centre, family_name="ÖZTÜRK", given_names="Çağrı")
    doc, _files = candidate_document(db, cand)
    assert [b["id"] for b in doc["bookings"]] == [booking.id]
    exported = doc["bookings"][0]
    assert exported["email"] == "cagri@example.org" and exported["accommodation"] == "Rolstoel"
    assert exported["status"] == "confirmed" and exported["slot"]["purpose_code"]
