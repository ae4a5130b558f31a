"""Centre isolation on every staff route, generated from the URL map.

A proctor of centre A asks for centre B's candidate, session, kiosk, attestation...: every
route answers 403 or 404 and the page never carries B's data; forms change nothing of B's.
Lists (routes without an object in the URL) show none of B's data either. Admins see all.
A new route with an object in its URL must get a value in OBJECT_ARGS below (the test fails
otherwise), so it is checked from the day it ships."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import sqlalchemy as sa

from attest.appointments import services as appointments
from attest.assessment.delivery import create_session
from attest.assessment.session_events import log_session_event
from attest.models import (
    Attestation,
    AuditEvent,
    Role,
    SigningKey,
    TestSession,
)
from attest.storage import storage_for
from tests.factories import (
    make_candidate,
    make_centre,
    make_kiosk,
    make_speaking_performance,
    make_user,
)
from tests.web.helpers import csrf, login
from tests.web.test_access import ACCESS, ADMIN, ANY_LOGGED, EXAMINER, STAFF

MARKER_NAME = "Zwanenburgh"
MARKER_PDF = b"%PDF-1.7 centre B only"


@pytest.fixture
def two_centres(app, db, now):
    a, b = make_centre(db, code="CENTRE-A"), make_centre(db, code="CENTRE-B")
    proctor_a = make_user(db, role=Role.PROCTOR, centre=a)
    proctor_b = make_user(db, role=Role.PROCTOR, centre=b)
    admin = make_user(db, role=Role.ADMIN)
    cand_b = make_candidate(db, centre=b, family_name=MARKER_NAME, given_names="Berthe")
    ts_b, _code = create_session(db, cand_b, "a2-luisteren-lezen", proctor_b, now)
    kiosk_b, _token = make_kiosk(db, centre=b)
    key = SigningKey(kid="isol", name="isol", subject="s", certificate_pem="", root_pem="")
    db.add(key)
    db.flush()
    storage_for(app.config).put("attestations/isolation-b.pdf", MARKER_PDF)
    att = Attestation(code="ATT-BBBB-BBBB", session_id=ts_b.id, family_name=MARKER_NAME,
                      given_names="Berthe", birth_date=cand_b.birth_date, test_date=now.date(),
                      centre_name="B", issuer_name="i", levels={}, signing_key_id=key.id,
                      pdf_path="attestations/isolation-b.pdf",
                      pdf_sha256=hashlib.sha256(MARKER_PDF).hexdigest())  # fmt: skip
    db.add(att)
    # a speaking performance of centre B waiting for examiners
    perf = make_speaking_performance(db, ts_b, position=1)
    examiner_a = make_user(db, role=Role.EXAMINER, centre=a)
    call_b = log_session_event(db, ts_b, "sound_problem")  # a call for centre B's proctor
    slot_b = appointments.create_slot(db, b.id, proctor_b, now + timedelta(days=2), 60,
                                      "niveaubepaling", 1)  # fmt: skip
    booking_b = appointments.book_candidate(db, slot_b.id, cand_b, proctor_b, now)
    db.commit()
    return {
        "proctor_a": proctor_a,
        "examiner_a": examiner_a,
        "admin": admin,
        "values": {
            "candidate_id": cand_b.id,
            "session_id": ts_b.id,
            "kiosk_id": kiosk_b.id,
            "attestation_id": att.id,
            "performance_id": perf.id,
            "user_id": proctor_b.id,
            "event_id": call_b.id,
            "slot_id": slot_b.id,
            "booking_id": booking_b.id,
        },
        "start_code_hash": ts_b.start_code_hash,
    }


# URL arguments that name an object of a centre -> key in two_centres["values"].
OBJECT_ARGS = {
    "candidate_id": "candidate_id",
    "session_id": "session_id",
    "kiosk_id": "kiosk_id",
    "attestation_id": "attestation_id",
    "performance_id": "performance_id",
    "user_id": "user_id",
    "event_id": "event_id",
    "slot_id": "slot_id",
    "booking_id": "booking_id",
}
# URL arguments that name nothing of a centre (files, public codes, report names).
NEUTRAL_ARGS = {
    "item_id": "nl-lz-a1-0001",
    "filename": "attest.css",
    "relpath": "x.ogg",
    "name": "tests",
    "position": 1,
    "code": "ATT-BBBB-BBBB",
    "token": "no-such-token",
    "payload": "AAAA",
    "org_id": 999_999,  # partner organisations are region-wide (admin pages)
    "panel_id": 999_999,  # standard-setting panels are region-wide (admin pages)
    "clip_id": 999_999,  # audio studio recordings belong to the bank, region-wide (admin pages)
    "turn": 1,  # a turn of a conversation: the performance's token names its centre
    "upload_id": "u" * 20,  # an interview's upload: the session in the URL names its centre
    "index": 0,
}
STAFF_ENDPOINTS = [
    e for e, (_m, who) in ACCESS.items() if who in (STAFF, ADMIN, ANY_LOGGED, EXAMINER)
]


def _rule(app, endpoint):
    return next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)


def _url(app, endpoint, values):
    rule = _rule(app, endpoint)
    unknown = set(rule.arguments) - set(OBJECT_ARGS) - set(NEUTRAL_ARGS)
    assert not unknown, f"{endpoint}: add {unknown} to OBJECT_ARGS or NEUTRAL_ARGS"
    args = {k: values[OBJECT_ARGS[k]] if k in OBJECT_ARGS else NEUTRAL_ARGS[k]
            for k in rule.arguments}  # fmt: skip
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **args)


@pytest.mark.parametrize("endpoint", STAFF_ENDPOINTS)
@pytest.mark.parametrize("visitor", ["proctor_a", "examiner_a"])
def test_staff_of_centre_a_never_see_centre_b(app, db, client, two_centres, endpoint, visitor):
    """Proctors see only their centre; examiners score blind (no names, whichever centre)."""
    method, who = ACCESS[endpoint]
    user = two_centres[visitor]
    login(client, user.username)
    url = _url(app, endpoint, two_centres["values"])
    data = {"csrf_token": csrf(client)} if method in ("POST", "PUT") else None
    response = client.open(url, method=method, data=data)
    body = response.get_data()
    assert MARKER_NAME.encode() not in body and MARKER_PDF not in body
    assert b"ATT-BBBB-BBBB" not in body
    names_object = any(arg in OBJECT_ARGS for arg in _rule(app, endpoint).arguments)
    allowed = {STAFF: "proctor_a", EXAMINER: "examiner_a", ANY_LOGGED: visitor}.get(who)
    if visitor != allowed or names_object:
        assert response.status_code in (403, 404), (endpoint, response.status_code)
    # nothing of B's changed: no new code, no new attestation, no audit entry on B's objects
    db.expire_all()
    ts = db.get(TestSession, two_centres["values"]["session_id"])
    assert ts.start_code_hash == two_centres["start_code_hash"]
    assert db.scalar(sa.select(sa.func.count()).select_from(Attestation)) == 1
    touched = db.scalars(
        sa.select(AuditEvent.action).where(
            AuditEvent.actor_id == user.id,
            AuditEvent.object_type != "user",  # their own login, logout
        )
    ).all()
    assert touched == []


@pytest.mark.parametrize(
    "endpoint", ["proctor.candidate", "proctor.test_session", "proctor.attestation_pdf"]
)
def test_admins_see_every_centre(app, client, two_centres, endpoint):
    login(client, two_centres["admin"].username)
    response = client.get(_url(app, endpoint, two_centres["values"]))
    assert response.status_code == 200
    body = response.get_data()
    assert MARKER_NAME.encode() in body or MARKER_PDF in body


def test_the_dashboard_lists_only_the_own_centre(app, client, db, two_centres):
    a = db.scalar(sa.select(TestSession.centre_id))  # any centre id exists
    assert a is not None
    login(client, two_centres["proctor_a"].username)
    assert MARKER_NAME not in client.get("/proctor/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf(client, "/proctor/")})
    login(client, two_centres["admin"].username)
    assert MARKER_NAME in client.get("/proctor/").get_data(as_text=True)
