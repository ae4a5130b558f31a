"""A proctor registers candidates: full Unicode names, INSZ check, nothing stored on bad input."""

import json
import logging

import pytest
import sqlalchemy as sa

from attest.models import AuditEvent, Candidate, Role
from tests.factories import make_centre, make_user
from tests.web.helpers import csrf, login

NAMES = [
    ("Żółć", "Łukasz"),
    ("Nguyễn", "Thị Minh Khai"),
    ("Öztürk", "Çağrı"),
    ("Иванова", "Мария"),
    ("الحسن", "أحمد"),
]


@pytest.fixture
def proctor_client(db, client):
    user = make_user(db, role=Role.PROCTOR, centre=make_centre(db))
    db.commit()
    login(client, user.username)
    return client


def _form(client, **overrides):
    data = {
        "family_name": "Öztürk",
        "given_names": "Çağrı",
        "birth_date": "1990-04-12",
        "insz": "",
        "id_document_type": "passport",
        "id_document_number": "EL123456",
        "csrf_token": csrf(client, "/proctor/candidates/new"),
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("family, given", NAMES)
def test_names_are_stored_exactly_as_typed(db, proctor_client, family, given):
    response = proctor_client.post(
        "/proctor/candidates/new", data=_form(proctor_client, family_name=family, given_names=given)
    )
    assert response.status_code == 302
    cand = db.scalar(sa.select(Candidate))
    assert (cand.family_name, cand.given_names) == (family, given)
    page = proctor_client.get(response.headers["Location"]).get_data(as_text=True)
    assert family in page and given in page


def test_valid_insz_is_stored_without_separators(db, proctor_client):
    response = proctor_client.post(
        "/proctor/candidates/new",
        data=_form(proctor_client, birth_date="1985-07-30", insz="85.07.30-033.28"),
    )
    assert response.status_code == 302
    assert db.scalar(sa.select(Candidate.insz)) == "85073003328"


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("insz", "85.07.30-033.29", "controlecijfers kloppen niet"),
        ("insz", "1234", "Verwacht 11 cijfers"),
        ("family_name", "R2D2", "Familienaam bevat een cijfer (2)"),
        ("given_names", "Ahmed\u202e", "leesrichting"),
        ("birth_date", "2031-01-01", "toekomst"),
        ("birth_date", "31-02-1990", "Ongeldige datum"),
        ("id_document_number", "<b>", "minstens de laatste 4 letters of cijfers"),
        ("id_document_number", "A-12", "minstens de laatste 4 letters of cijfers"),
    ],
)
def test_invalid_input_is_refused_on_the_field_and_nothing_is_stored(
    db, proctor_client, field, value, message
):
    response = proctor_client.post(
        "/proctor/candidates/new", data=_form(proctor_client, **{field: value})
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert f'id="{field}-error"' in html  # the message sits on the field concerned
    assert db.scalar(sa.select(sa.func.count()).select_from(Candidate)) == 0


def test_only_the_last_4_characters_of_the_document_number_are_stored(db, proctor_client, caplog):
    """Data minimisation (GDPR art. 5(1)(c)): the whole number is typed, its last 4 letters or
    digits are kept and shown; the number is in no column, page, log line or audit detail."""
    with caplog.at_level(logging.DEBUG):
        response = proctor_client.post(
            "/proctor/candidates/new",
            data=_form(proctor_client, id_document_number="b 0123456 78x"),
        )
    assert response.status_code == 302
    cand = db.scalar(sa.select(Candidate))
    assert cand.id_document_last4 == "678X"
    row = db.execute(sa.select(Candidate.__table__)).one()._asdict()
    assert not any("0123456" in str(value) for value in row.values())
    page = proctor_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "eindigt op 678X" in page and "0123456" not in page
    audit = db.scalars(sa.select(AuditEvent)).all()
    assert "candidate.register" in [e.action for e in audit]
    assert not any(
        text in json.dumps(e.detail) for e in audit for text in ("678X", "Öztürk", "1990")
    )
    logged = caplog.text + " ".join(str(r.args) for r in caplog.records)
    for text in ("0123456", "678X", "Öztürk", "Çağrı", "1990-04-12"):
        assert text not in logged


def test_the_proctor_may_type_only_the_last_4_characters(db, proctor_client):
    response = proctor_client.post(
        "/proctor/candidates/new", data=_form(proctor_client, id_document_number="4b7z")
    )
    assert response.status_code == 302
    assert db.scalar(sa.select(Candidate.id_document_last4)) == "4B7Z"
