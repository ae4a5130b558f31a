"""Access control as one table: every route, every kind of visitor.

A route that is not in ACCESS fails test_every_route_is_in_the_table, so a new view cannot ship
without a decision about who may use it."""

from __future__ import annotations

import pytest

from attest.assessment.delivery import create_session
from attest.models import Role
from tests.factories import make_candidate, make_centre, make_kiosk, make_user
from tests.web.helpers import csrf, login

PUBLIC, KIOSK, STAFF, ADMIN, ANY_LOGGED = "public", "kiosk", "staff", "admin", "any"
EXAMINER = "examiner"  # scoring pages: examiners only (not proctors, not admins)

# endpoint -> (method, who may use it)
ACCESS = {
    "static": ("GET", PUBLIC),
    "web.home": ("GET", PUBLIC),
    "web.healthz": ("GET", PUBLIC),
    "web.readyz": ("GET", PUBLIC),
    "auth.logout_everywhere": ("POST", ANY_LOGGED),
    "auth.login": ("GET", PUBLIC),
    "auth.logout": ("POST", PUBLIC),
    "verify.page": ("GET", PUBLIC),
    "verify.api": ("GET", PUBLIC),
    "verify.payload_page": ("GET", PUBLIC),
    "verify.jwks": ("GET", PUBLIC),
    "verify.status_list": ("GET", PUBLIC),
    "admin.index": ("GET", ADMIN),
    "admin.register_this_browser": ("POST", ADMIN),
    "admin.enrolment_link": ("POST", ADMIN),
    "admin.candidate_export": ("GET", ADMIN),
    "items.index": ("GET", ADMIN),
    "items.detail": ("GET", ADMIN),
    "items.media": ("GET", ADMIN),
    "items.report": ("GET", ADMIN),
    "reports.index": ("GET", ADMIN),
    "reports.csv_download": ("GET", ADMIN),
    "proctor.dashboard": ("GET", STAFF),
    "proctor.new_candidate": ("GET", STAFF),
    "proctor.candidate": ("GET", STAFF),
    "proctor.start_session": ("POST", STAFF),
    "proctor.test_session": ("GET", STAFF),
    "proctor.new_code": ("POST", STAFF),
    "proctor.issue": ("POST", STAFF),
    "proctor.attestation_pdf": ("GET", STAFF),
    "proctor.console_page": ("GET", STAFF),
    "proctor.console_json": ("GET", STAFF),
    "proctor.pause": ("POST", STAFF),
    "proctor.resume": ("POST", STAFF),
    "proctor.extra_time": ("POST", STAFF),
    "proctor.end": ("POST", STAFF),
    "proctor.resolve_call": ("POST", STAFF),
    "kiosk.enrol": ("GET", PUBLIC),
    "kiosk.home": ("GET", KIOSK),
    "kiosk.language": ("GET", KIOSK),
    "kiosk.resume": ("GET", KIOSK),
    "kiosk.item": ("GET", KIOSK),
    "kiosk.finish": ("GET", KIOSK),
    "kiosk.done": ("GET", KIOSK),
    "kiosk.recording": ("POST", KIOSK),
    "kiosk.media": ("GET", KIOSK),
    "examiner.queue_page": ("GET", EXAMINER),
    "examiner.queue_json": ("GET", EXAMINER),
    "examiner.score": ("GET", EXAMINER),
    "examiner.media": ("GET", EXAMINER),
    "examiner.calibration": ("GET", EXAMINER),
    "examiner.stats": ("GET", EXAMINER),
    "examiner.stats_json": ("GET", EXAMINER),
    "examiner.admin_examiners": ("GET", ADMIN),
    "examiner.admin_examiner": ("GET", ADMIN),
    "examiner.exempt": ("POST", ADMIN),
    "examiner.toggle_senior": ("POST", ADMIN),
    "examiner.turnaround": ("GET", ADMIN),
    "examiner.performances": ("GET", ADMIN),
    "examiner.benchmark": ("GET", ADMIN),
    "examiner.remark": ("POST", ADMIN),
    "kiosk.heartbeat": ("POST", KIOSK),
    "kiosk.focus": ("POST", KIOSK),
    "kiosk.play": ("POST", KIOSK),
    "kiosk.sound_check": ("GET", KIOSK),
    "kiosk.paused": ("GET", KIOSK),
}
VISITORS = ("anonymous", "proctor", "examiner", "admin", "other_centre_proctor")


def test_every_route_is_in_the_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(ACCESS) == set(), "add the new routes to ACCESS"
    assert set(ACCESS) - endpoints == set(), "remove routes that no longer exist"


@pytest.fixture
def world(db, now):
    centre, other = make_centre(db), make_centre(db)
    users = {
        "proctor": make_user(db, role=Role.PROCTOR, centre=centre),
        "examiner": make_user(db, role=Role.EXAMINER, centre=centre),
        "admin": make_user(db, role=Role.ADMIN),
        "other_centre_proctor": make_user(db, role=Role.PROCTOR, centre=other),
    }
    cand = make_candidate(db, centre=centre)
    ts, _code = create_session(db, cand, "a2-luisteren-lezen", users["proctor"], now)
    kiosk, _token = make_kiosk(db, centre=centre)
    db.commit()
    return {
        "users": users,
        "candidate_id": cand.id,
        "session_id": ts.id,
        "kiosk_id": kiosk.id,
        "user_id": users["examiner"].id,
    }


def _url(app, endpoint: str, world) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    values = {
        "candidate_id": world["candidate_id"],
        "session_id": world["session_id"],
        "kiosk_id": world["kiosk_id"],
        "position": 1,
        "event_id": 1,
        "code": "ATT-AAAA-AAAA",
        "token": "no-such-token",
        "payload": "AAAA",
        "item_id": "nl-lz-a1-0001",
        "filename": "attest.css",
        "relpath": "x.ogg",
        "user_id": world["user_id"],
        "performance_id": 999,
        "name": "tests",
    }
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **{k: values[k] for k in rule.arguments})


@pytest.mark.parametrize(
    "endpoint",
    [e for e, (_m, who) in ACCESS.items() if who in (STAFF, ADMIN, ANY_LOGGED, EXAMINER)],
)
@pytest.mark.parametrize("visitor", VISITORS)
def test_staff_routes_by_role(app, client, world, endpoint, visitor):
    method, who = ACCESS[endpoint]
    if visitor != "anonymous":
        login(client, world["users"][visitor].username)
    url = _url(app, endpoint, world)
    data = {"csrf_token": csrf(client)} if method == "POST" else None
    response = client.open(url, method=method, data=data)
    allowed = {
        STAFF: ("proctor", "admin", "other_centre_proctor"),
        ADMIN: ("admin",),
        ANY_LOGGED: ("proctor", "examiner", "admin", "other_centre_proctor"),
        EXAMINER: ("examiner",),
    }[who]
    if visitor == "anonymous":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    elif visitor not in allowed:
        assert response.status_code == 403
    elif visitor == "other_centre_proctor" and "<int:" in str(
        next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    ):
        assert response.status_code == 404  # another centre's candidate does not exist for them
    else:  # allowed: whatever the outcome (a 404 for a missing object), it is not a refusal
        assert response.status_code not in (401, 403), response.status_code
        assert "next=" not in response.headers.get("Location", "")  # not sent to log in


@pytest.mark.parametrize("endpoint", [e for e, (_m, who) in ACCESS.items() if who == KIOSK])
@pytest.mark.parametrize("visitor", ["anonymous", "proctor", "admin"])
def test_kiosk_routes_refuse_browsers_that_are_not_registered_kiosks(
    app, client, world, endpoint, visitor
):
    if visitor != "anonymous":
        login(client, world["users"][visitor].username)
    method = ACCESS[endpoint][0]
    data = {"csrf_token": csrf(client)} if method == "POST" else None
    response = client.open(_url(app, endpoint, world), method=method, data=data)
    assert response.status_code == 403
    assert "geen geregistreerde kiosk" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "endpoint",
    [
        "admin.register_this_browser",
        "proctor.start_session",
        "proctor.issue",
        "proctor.new_code",
        "examiner.remark",
        "examiner.exempt",
        "examiner.toggle_senior",
    ],
)
def test_staff_forms_without_csrf_token_are_refused(app, client, world, endpoint):
    login(client, world["users"]["admin"].username)
    response = client.post(_url(app, endpoint, world), data={})
    assert response.status_code == 400
