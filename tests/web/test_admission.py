"""Admission (issue [19] item 2): the proctor records the identity document (only the last 4
characters of its number) and a test-day photo, sealed with the field key; admitting twice
makes one admission; the photo is shown at resume and at the next admission, deleted by
retention and included in the subject-access export."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from io import BytesIO

import pytest
import sqlalchemy as sa
from PIL import Image

from attest import admissions
from attest.assessment.delivery import create_session
from attest.models import Admission, AuditEvent, Role
from tests.factories import make_admission, make_candidate, make_centre, make_user
from tests.web.helpers import csrf, login, slow_down, together


def jpeg_bytes(size=(320, 240), color=(200, 120, 90), exif: bool = False) -> bytes:
    img = Image.new("RGB", size, color)
    out = BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCam"  # Make
        data[0x0131] = "GPS-leaking software"  # Software
        img.save(out, format="JPEG", exif=data.tobytes())
    else:
        img.save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
def world(db):
    centre = make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    cand = make_candidate(db, centre=centre)
    ts, _code = create_session(db, cand, "a2-luisteren-lezen", proctor, datetime.now(UTC))
    db.commit()
    return centre, proctor, cand, ts


@pytest.fixture
def proctor_client(world, client):
    login(client, world[1].username)
    return client


def admission_data(client, session_id: int, photo: bytes | None = None, **overrides):
    url = f"/proctor/sessions/{session_id}/admission"
    data = {
        "csrf_token": csrf(client, url),
        "booking": "",
        "document_type": "passport",
        "other_type": "",
        "country": "SY",
        "number_end": "EL1234567",
        "expires_on": (date.today() + timedelta(days=400)).isoformat(),
        "expired_reason": "",
        "photo_source": "camera",
    }
    data.update(overrides)
    if photo is not None or "photo" not in overrides:
        data["photo"] = (BytesIO(photo if photo is not None else jpeg_bytes()), "foto.jpg")
    return url, data


def admit(client, session_id: int, **kwargs):
    url, data = admission_data(client, session_id, **kwargs)
    return client.post(url, data=data, content_type="multipart/form-data")


def test_admission_keeps_only_the_last_4_characters_and_a_sealed_photo(db, world, proctor_client):
    _c, _p, _cand, ts = world
    response = admit(proctor_client, ts.id, number_end="EL-123 4567")

    assert response.status_code == 303
    row = db.scalar(sa.select(Admission))
    assert row.number_last4 == "4567"
    assert row.country == "SY" and row.document_type == "passport"
    # nothing of the whole number anywhere in the row
    assert not any("EL1234567" in str(v) or "1234567" in str(v) for v in vars(row).values())
    raw = db.execute(sa.text("SELECT photo_sealed FROM admission")).scalar_one()
    assert raw.startswith("f1:")
    assert b"\xff\xd8\xff" not in raw.encode() and "JFIF" not in raw  # not a JPEG at rest
    photo = admissions.photo_of(row)
    assert photo.startswith(b"\xff\xd8\xff")
    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "admission.create"))
    assert "4567" not in str(event.detail) and "SY" not in str(event.detail)


def test_the_photo_is_reencoded_without_exif(db, world, proctor_client):
    _c, _p, _cand, ts = world
    original = jpeg_bytes(exif=True)
    assert b"SecretCam" in original
    assert admit(proctor_client, ts.id, photo=original).status_code == 303
    stored = admissions.photo_of(db.scalar(sa.select(Admission)))
    assert b"SecretCam" not in stored and b"Exif" not in stored
    assert Image.open(BytesIO(stored)).format == "JPEG"


def test_an_expired_document_is_refused_without_a_reason(db, world, proctor_client):
    _c, _p, _cand, ts = world
    expired = (date.today() - timedelta(days=3)).isoformat()
    response = admit(proctor_client, ts.id, expires_on=expired)
    assert response.status_code == 400
    assert "Dit document is verlopen" in response.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(Admission)) == 0

    response = admit(
        proctor_client, ts.id, expires_on=expired, expired_reason="Verlengingsattest getoond"
    )
    assert response.status_code == 303
    row = db.scalar(sa.select(Admission))
    assert row.expired_reason == "Verlengingsattest getoond"


@pytest.mark.parametrize(
    "overrides, field_message",
    [
        ({"document_type": "library_card"}, "Kies een type document"),
        ({"document_type": "other", "other_type": ""}, "Beschrijf welk document"),
        ({"country": "EU"}, "Kies het land van uitgifte"),
        ({"booking": "999"}, "Kies een afspraak van deze kandidaat"),
        ({"number_end": "12"}, "laatste 4 letters of cijfers"),
        ({"expires_on": ""}, "Vul de vervaldatum"),
        ({"photo": None}, "Neem een foto met de camera"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(
    db, world, proctor_client, overrides, field_message
):
    _c, _p, _cand, ts = world
    url, data = admission_data(proctor_client, ts.id, **overrides)
    if overrides.get("photo", 1) is None:
        data.pop("photo")
    response = proctor_client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code in (400, 409)  # 409: refused by the service
    assert field_message in response.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(Admission)) == 0


@pytest.mark.parametrize(
    "photo, message",
    [
        (b"GIF89a" + b"\0" * 100, "JPEG- of PNG-bestand"),
        (b"\xff\xd8\xff" + b"not really", "beschadigd of onleesbaar"),
        (None, "te klein"),
    ],
)
def test_a_bad_photo_is_refused_with_a_clear_message(db, world, proctor_client, photo, message):
    _c, _p, _cand, ts = world
    photo = photo if photo is not None else jpeg_bytes(size=(60, 60))
    response = admit(proctor_client, ts.id, photo=photo)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(Admission)) == 0


def test_the_photo_is_served_to_the_centre_only_and_never_cached(app, db, world, proctor_client):
    centre, _p, _cand, ts = world
    admit(proctor_client, ts.id)
    response = proctor_client.get(f"/proctor/sessions/{ts.id}/photo.jpg")
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert response.headers["Cache-Control"] == "no-store"
    page = proctor_client.get(f"/proctor/sessions/{ts.id}").get_data(as_text=True)
    assert f"/proctor/sessions/{ts.id}/photo.jpg" in page  # shown on the session (resume)

    other = make_user(db, role=Role.PROCTOR, centre=make_centre(db))
    db.commit()
    stranger = app.test_client()
    login(stranger, other.username)
    assert stranger.get(f"/proctor/sessions/{ts.id}/photo.jpg").status_code == 404
    assert app.test_client().get(f"/proctor/sessions/{ts.id}/photo.jpg").status_code in (302, 401)


def test_the_next_admission_shows_the_earlier_photo(db, world, proctor_client):
    _centre, proctor, cand, ts = world
    admit(proctor_client, ts.id)
    later, _code = create_session(db, cand, "a2-luisteren-lezen", proctor, datetime.now(UTC))
    db.commit()
    page = proctor_client.get(f"/proctor/sessions/{later.id}/admission").get_data(as_text=True)
    assert 'data-testid="previous-photos"' in page
    assert f"/proctor/sessions/{ts.id}/photo.jpg" in page


def test_a_double_click_admits_once(app, db, world, monkeypatch):
    """Two posts of the admission form at the same moment (each its own browser, thread and
    database session): the session row lock and the unique constraint leave one admission."""
    _c, proctor, _cand, ts = world
    posts = []
    for _ in range(3):
        browser = app.test_client()
        login(browser, proctor.username)
        url, data = admission_data(browser, ts.id)
        posts.append(
            lambda b=browser, url=url, data=data: b.post(
                url, data=data, content_type="multipart/form-data"
            )
        )
    slow_down(monkeypatch, admissions, "admission_of")  # every request between read and write

    answers = together(posts)

    assert [a.status_code for a in answers] == [303, 303, 303]
    db.expire_all()
    assert db.scalar(sa.select(sa.func.count()).select_from(Admission)) == 1
    events = db.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "admission.create")
    )
    assert events == 1


def test_the_database_refuses_a_second_admission_of_a_session(db, world):
    _c, proctor, cand, ts = world
    for _ in range(2):
        make_admission(db, session_id=ts.id, candidate_id=cand.id, flush=False)
    with pytest.raises(sa.exc.IntegrityError):
        db.flush()
    db.rollback()


def test_admitting_a_booked_candidate_records_that_the_person_came(db, world, proctor_client):
    from attest.appointments import services as appointments
    from attest.appointments.rules import BookingStatus
    from attest.models import Booking
    from tests.factories import make_kiosk

    centre, proctor, cand, ts = world
    make_kiosk(db, centre=centre)
    slot = appointments.create_slot(
        db, centre.id, proctor, datetime.now(UTC) + timedelta(hours=2), 90, "niveaubepaling", 1
    )
    booking = appointments.book_candidate(db, slot.id, cand, proctor, datetime.now(UTC))
    db.commit()

    assert admit(proctor_client, ts.id, booking=str(booking.id)).status_code in (302, 303)

    db.expire_all()
    assert db.get(Booking, booking.id).status is BookingStatus.ATTENDED
    assert db.scalar(sa.select(Admission.booking_id)) == booking.id
