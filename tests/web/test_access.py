"""Authorisation matrix: every route of the URL map, requested by every kind of visitor.

Two declared tables make the matrix:
- ACCESS says, per endpoint, which method the matrix uses and which access class it has;
- EXPECTED says, per access class and visitor, what the visitor must get.
A route that is not in ACCESS fails test_every_route_is_in_the_table, so a new view cannot ship
without a decision about who may use it; an access class without a full row of EXPECTED fails
test_every_class_declares_every_visitor.

Each visitor logs in (or registers as a kiosk, or starts a test at the kiosk) once; every route is
then requested by a fresh client carrying that visitor's cookies, so that a route that changes
the client's cookies (logging out, registering the browser as a kiosk) cannot disturb the next."""

from __future__ import annotations

import pytest

from attest.assessment.delivery import create_session
from attest.models import Role
from tests import factories
from tests.factories import (
    load_demo_bank,
    make_candidate,
    make_centre,
    make_kiosk,
    make_user,
)
from tests.web.helpers import csrf, login, start_at_kiosk

# Access classes
PUBLIC = "public"  # anyone
KIOSK = "kiosk"  # a registered kiosk (device token cookie)
CANDIDATE = "candidate"  # a registered kiosk with a test in progress
STAFF = "staff"  # proctors and admins; proctors only for their own centre's objects
ADMIN = "admin"  # admins
EXAMINER = "examiner"  # scoring pages: examiners only (not proctors, not admins)
ANY_LOGGED = "any"  # any member of staff
PARTNER = "partner"  # a partner organisation's API key
ITEMS = "items"  # the item browser and its review workflow: admins and authors
PANELLIST = "panellist"  # standard-setting pages of a panellist (not admins, not examiners)

# endpoint -> (method, access class)
ACCESS = {
    "static": ("GET", PUBLIC),
    "web.home": ("GET", PUBLIC),
    "web.healthz": ("GET", PUBLIC),
    "web.readyz": ("GET", PUBLIC),
    "web.security_txt": ("GET", PUBLIC),
    "auth.logout_everywhere": ("POST", ANY_LOGGED),
    "auth.login": ("GET", PUBLIC),
    "auth.second_factor": ("GET", PUBLIC),
    "auth.enrol_totp": ("GET", PUBLIC),
    "auth.logout": ("POST", PUBLIC),
    "verify.page": ("GET", PUBLIC),
    "verify.lookup": ("GET", PUBLIC),
    "verify.api": ("POST", PUBLIC),
    "verify.payload_page": ("GET", PUBLIC),
    "verify.profiles": ("GET", PUBLIC),
    "verify.openapi": ("GET", PUBLIC),
    "verify.jwks": ("GET", PUBLIC),
    "verify.status_list": ("GET", PUBLIC),
    "verify.crl": ("GET", PUBLIC),
    "partner.check": ("POST", PARTNER),
    "admin.trust.attestations": ("GET", ADMIN),
    "admin.trust.attestation": ("GET", ADMIN),
    "admin.trust.partners": ("GET", ADMIN),
    "admin.trust.renew_partner_key": ("POST", ADMIN),
    "admin.trust.toggle_partner": ("POST", ADMIN),
    "admin.trust.toggle_partner_photo": ("POST", ADMIN),
    "proctor.credential": ("GET", STAFF),
    "admin.index": ("GET", ADMIN),
    "admin.kiosk_languages": ("GET", ADMIN),
    "admin.register_this_browser": ("POST", ADMIN),
    "admin.enrolment_link": ("POST", ADMIN),
    "admin.candidate_export": ("GET", ADMIN),
    "admin.items.index": ("GET", ITEMS),
    "admin.items.detail": ("GET", ITEMS),
    "admin.items.media": ("GET", ITEMS),
    "admin.items.queue": ("GET", ITEMS),
    "admin.items.step": ("POST", ITEMS),
    "admin.items.report": ("GET", ADMIN),
    "admin.items.calibration": ("GET", ADMIN),
    "admin.items.adopt_calibration": ("POST", ADMIN),
    "admin.studio.index": ("GET", ADMIN),
    "admin.studio.item": ("GET", ADMIN),
    "admin.studio.upload": ("POST", ADMIN),
    "admin.studio.approve": ("POST", ADMIN),
    "admin.studio.clip_audio": ("GET", ADMIN),
    "admin.studio.instructions": ("GET", ADMIN),
    "admin.studio.upload_instructions": ("POST", ADMIN),
    "admin.answers.shown": ("GET", ADMIN),
    "admin.reports.index": ("GET", ADMIN),
    "admin.reports.csv_download": ("GET", ADMIN),
    "proctor.dashboard": ("GET", STAFF),
    "proctor.new_candidate": ("GET", STAFF),
    "proctor.candidate": ("GET", STAFF),
    "proctor.start_session": ("POST", STAFF),
    "proctor.test_session": ("GET", STAFF),
    "proctor.new_code": ("POST", STAFF),
    "proctor.issue": ("POST", STAFF),
    "proctor.attestation_pdf": ("GET", STAFF),
    "proctor.display_modes": ("POST", STAFF),
    "proctor.speaking_mode": ("POST", STAFF),
    "proctor.admit": ("GET", STAFF),
    "proctor.session_photo": ("GET", STAFF),
    "proctor.console_page": ("GET", STAFF),
    "proctor.console_json": ("GET", STAFF),
    "proctor.pause": ("POST", STAFF),
    "proctor.resume": ("POST", STAFF),
    "proctor.extra_time": ("POST", STAFF),
    "proctor.end": ("POST", STAFF),
    "proctor.resolve_call": ("POST", STAFF),
    "appointments.day_view": ("GET", STAFF),
    "appointments.create_slot": ("POST", STAFF),
    "appointments.edit_slot": ("GET", STAFF),
    "appointments.book_candidate": ("POST", STAFF),
    "appointments.mark_booking": ("POST", STAFF),
    "booking.book": ("GET", PUBLIC),
    "booking.manage": ("GET", PUBLIC),
    "kiosk.enrol": ("GET", PUBLIC),
    "kiosk.home": ("GET", KIOSK),
    "kiosk.instructions": ("GET", CANDIDATE),
    "kiosk.done": ("GET", KIOSK),
    "kiosk.language": ("GET", CANDIDATE),
    "kiosk.resume": ("GET", CANDIDATE),
    "kiosk.item": ("GET", CANDIDATE),
    "kiosk.finish": ("GET", CANDIDATE),
    "kiosk.recording": ("POST", CANDIDATE),
    "kiosk.media": ("GET", CANDIDATE),
    "kiosk.answer": ("POST", CANDIDATE),
    "kiosk.draft": ("POST", CANDIDATE),
    "kiosk.microphone_check": ("POST", CANDIDATE),
    "kiosk.upload_begin": ("POST", CANDIDATE),
    "kiosk.upload_status": ("GET", CANDIDATE),
    "kiosk.upload_chunk": ("PUT", CANDIDATE),
    "kiosk.upload_complete": ("POST", CANDIDATE),
    "examiner.queue_page": ("GET", EXAMINER),
    "examiner.queue_json": ("GET", EXAMINER),
    "examiner.score": ("GET", EXAMINER),
    "examiner.media": ("GET", EXAMINER),
    "examiner.turn_media": ("GET", EXAMINER),
    "examiner.turn_clip": ("GET", EXAMINER),
    "examiner.calibration": ("GET", EXAMINER),
    "examiner.interviews_page": ("GET", EXAMINER),
    "examiner.interview_page": ("GET", EXAMINER),
    "examiner.interview_status": ("GET", EXAMINER),
    "examiner.interview_rate": ("POST", EXAMINER),
    "examiner.interview_upload_begin": ("POST", EXAMINER),
    "examiner.interview_upload_chunk": ("PUT", EXAMINER),
    "examiner.interview_upload_complete": ("POST", EXAMINER),
    "examiner.stats": ("GET", EXAMINER),
    "examiner.stats_json": ("GET", EXAMINER),
    "examiner_admin.index": ("GET", ADMIN),
    "examiner_admin.examiner": ("GET", ADMIN),
    "examiner_admin.exempt": ("POST", ADMIN),
    "examiner_admin.toggle_senior": ("POST", ADMIN),
    "examiner_admin.turnaround": ("GET", ADMIN),
    "examiner_admin.performances": ("GET", ADMIN),
    "examiner_admin.benchmark": ("GET", ADMIN),
    "examiner_admin.remark": ("POST", ADMIN),
    "examiner.old_admin_url": ("GET", PUBLIC),  # 308 to /admin/examiners/...
    "web.old_credential_url": ("GET", PUBLIC),  # 308 to /proctor/attestations/<id>/...
    "kiosk.heartbeat": ("POST", KIOSK),
    "kiosk.focus": ("POST", CANDIDATE),
    "kiosk.play": ("POST", CANDIDATE),
    "kiosk.sound_check": ("GET", CANDIDATE),
    "kiosk.paused": ("GET", CANDIDATE),
    "panels_admin.index": ("GET", ADMIN),
    "panels_admin.create": ("POST", ADMIN),
    "panels_admin.detail": ("GET", ADMIN),
    "panels_admin.add_member": ("POST", ADMIN),
    "panels_admin.next_round": ("POST", ADMIN),
    "panels_admin.adopt": ("POST", ADMIN),
    "panels.mine": ("GET", PANELLIST),
    "panels.panel_page": ("GET", PANELLIST),
    "panels.familiarisation": ("POST", PANELLIST),
    "panels.judge": ("POST", PANELLIST),
}

# Outcomes
OK = "ok"  # served: whatever the status (a 404 for a missing object), never a refusal
LOGIN = "login"  # 302 to the login page
DENIED = "denied"  # 403
NOT_KIOSK = "not_kiosk"  # 403 with the "not a registered kiosk" page
NO_TEST = "no_test"  # a kiosk without a test in progress: back to the start page (or 409)
OWN = "own"  # served for objects of the visitor's centre; another centre's object is a 404
UNAUTHORISED = "unauthorised"  # 401 (an API without a valid key)

VISITORS = (
    "anonymous",
    "kiosk",
    "candidate",
    "proctor",
    "examiner",
    "admin",
    "other_centre_proctor",
    "other_centre_examiner",
    "other_centre_admin",
    "author",
    "partner",
    "panellist",
)

# access class -> visitor -> outcome. "other_centre_*" staff belong to another centre than
# the objects of the world below; admins see every centre.
_BROWSER_ANON = {"anonymous": LOGIN, "kiosk": LOGIN, "candidate": LOGIN, "partner": LOGIN}
_STAFF_VISITORS = (
    "proctor",
    "examiner",
    "admin",
    "other_centre_proctor",
    "other_centre_examiner",
    "other_centre_admin",
)
EXPECTED: dict[str, dict[str, str]] = {
    PUBLIC: dict.fromkeys(VISITORS, OK),
    KIOSK: {
        **dict.fromkeys(VISITORS, NOT_KIOSK),
        "kiosk": OK,
        "candidate": OK,
    },
    CANDIDATE: {
        **dict.fromkeys(VISITORS, NOT_KIOSK),
        "kiosk": NO_TEST,
        "candidate": OK,
    },
    STAFF: {
        **_BROWSER_ANON,
        "proctor": OWN,
        "examiner": DENIED,
        "admin": OK,
        "other_centre_proctor": OWN,
        "other_centre_examiner": DENIED,
        "other_centre_admin": OK,
        "author": DENIED,
        "panellist": DENIED,
    },
    ADMIN: {
        **_BROWSER_ANON,
        "proctor": DENIED,
        "examiner": DENIED,
        "admin": OK,
        "other_centre_proctor": DENIED,
        "other_centre_examiner": DENIED,
        "other_centre_admin": OK,
        "author": DENIED,
        "panellist": DENIED,
    },
    ITEMS: {
        **_BROWSER_ANON,
        "proctor": DENIED,
        "examiner": DENIED,
        "admin": OK,
        "other_centre_proctor": DENIED,
        "other_centre_examiner": DENIED,
        "other_centre_admin": OK,
        "author": OK,
        "panellist": DENIED,
    },
    EXAMINER: {
        **_BROWSER_ANON,
        "proctor": DENIED,
        "examiner": OWN,
        "admin": DENIED,
        "other_centre_proctor": DENIED,
        "other_centre_examiner": OWN,
        "other_centre_admin": DENIED,
        "author": DENIED,
        "panellist": DENIED,
    },
    ANY_LOGGED: {
        **_BROWSER_ANON,
        **dict.fromkeys(
            (
                "proctor",
                "examiner",
                "admin",
                "other_centre_proctor",
                "other_centre_examiner",
                "other_centre_admin",
                "author",
                "panellist",
            ),
            OK,
        ),
    },
    PANELLIST: {
        **_BROWSER_ANON,
        **dict.fromkeys(_STAFF_VISITORS, DENIED),
        "author": DENIED,
        "panellist": OK,
    },
    PARTNER: {**dict.fromkeys(VISITORS, UNAUTHORISED), "partner": OK},
}

# Routes that end the visitor's server-side session state run last.
# In this order: logging out ends the session on the server, so it goes last of all.
RUN_LAST = ("auth.logout_everywhere", "auth.logout")


def test_every_route_is_in_the_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(ACCESS) == set(), "add the new routes to ACCESS"
    assert set(ACCESS) - endpoints == set(), "remove routes that no longer exist"


def test_every_class_declares_every_visitor():
    for who in {who for _m, who in ACCESS.values()} | set(EXPECTED):
        assert set(EXPECTED[who]) == set(VISITORS), who


def test_the_table_uses_a_method_each_route_accepts(app):
    for rule in app.url_map.iter_rules():
        assert ACCESS[rule.endpoint][0] in rule.methods, rule.endpoint


def partner_headers(api_key: str) -> dict[str, str]:
    """How a partner presents its API key (the partner API's documented scheme)."""
    return {"Authorization": f"Bearer {api_key}"}


@pytest.fixture
def world(app, db, now):
    load_demo_bank(db)  # a test in progress needs items
    centre, other = make_centre(db), make_centre(db)
    users = {
        "proctor": make_user(db, role=Role.PROCTOR, centre=centre),
        "examiner": make_user(db, role=Role.EXAMINER, centre=centre),
        "admin": make_user(db, role=Role.ADMIN),
        "other_centre_proctor": make_user(db, role=Role.PROCTOR, centre=other),
        "other_centre_examiner": make_user(db, role=Role.EXAMINER, centre=other),
        "other_centre_admin": make_user(db, role=Role.ADMIN, centre=other),
        "author": make_user(db, role=Role.AUTHOR, centre=centre),
        "panellist": make_user(db, role=Role.PANELLIST),
    }
    cand = make_candidate(db, centre=centre)
    ts, code = create_session(db, cand, "a2-luisteren-lezen", users["proctor"], now)
    kiosk, token = make_kiosk(db, centre=centre)
    _org, partner_key = factories.make_partner(db)
    db.commit()
    return {
        "users": users,
        "candidate_id": cand.id,
        "session_id": ts.id,
        "kiosk_id": kiosk.id,
        "kiosk_token": token,
        "start_code": code,
        "partner_key": partner_key,
        "user_id": users["examiner"].id,
    }


def _url(app, endpoint: str, world) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    values = {
        "candidate_id": world["candidate_id"],
        "session_id": world["session_id"],
        "kiosk_id": world["kiosk_id"],
        "position": 1,
        "turn": 1,
        "event_id": 1,
        "code": "ATT-AAAA-AAAA",
        "token": "no-such-token",
        "payload": "AAAA",
        "item_id": "nl-lz-a1-0001",
        "filename": "attest.css",
        "relpath": "x.ogg",
        "user_id": world["user_id"],
        "performance_id": 999,
        "clip_id": 999,
        "name": "tests",
        "attestation_id": world.get("attestation_id", 1),
        "org_id": 1,
        "upload_id": "u" * 20,
        "index": 0,
        "page": "examiners",
        "rest": "1",
        "slot_id": 999,
        "booking_id": 999,
        "panel_id": 999,
        "round_no": 1,
    }
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **{k: values[k] for k in rule.arguments})


def _visitor_client(app, world, visitor: str):
    """Return a client in the visitor's state, and the headers it sends."""
    if visitor == "kiosk":
        client = app.test_client()
        client.set_cookie(app.config["KIOSK_COOKIE_NAME"], world["kiosk_token"])
    elif visitor == "candidate":
        client = start_at_kiosk(app, world["kiosk_token"], world["start_code"])
    else:
        client = app.test_client()
    if visitor in world["users"]:
        assert login(client, world["users"][visitor].username).status_code == 302
    headers = {}
    if visitor == "partner":
        headers = partner_headers(world["partner_key"])
    return client, headers


def _outcome(response, endpoint: str, rule_has_object: bool) -> str:
    status, location = response.status_code, response.headers.get("Location", "")
    body = response.get_data().decode("utf-8", "replace")  # downloads may be binary
    if status == 302 and "/login?next=" in location:
        return LOGIN  # sent to log in (a plain redirect to /login, e.g. after logout, is not)
    if status == 401:
        return UNAUTHORISED
    if status == 403 and "Deze registratielink werkt niet" in body:
        return OK  # the (unknown) enrolment link is refused, not the visitor
    if status == 403:
        return NOT_KIOSK if "geen geregistreerde kiosk" in body else DENIED
    if endpoint.startswith("kiosk.") and (
        status == 409 or (status == 302 and location.rstrip("/").endswith("/kiosk"))
    ):
        return NO_TEST
    if status == 404:
        return "not_found"
    return OK


# Endpoints whose object the world below does not hold (a 404 is then the right answer).
ABSENT = {
    "admin.trust.renew_partner_key",  # the organisation id need not exist (PostgreSQL sequences)
    "admin.trust.toggle_partner",
    "admin.trust.toggle_partner_photo",
    "proctor.session_photo",  # the world's test has no admission (no photo)
    "verify.crl",  # no CRL published yet (`attest keys crl`)
    "web.security_txt",  # no security contact configured
    "proctor.resolve_call",  # no call to resolve
    "admin.trust.attestation",  # nothing issued
    "proctor.credential",  # nothing issued
    "proctor.attestation_pdf",  # nothing issued
    "verify.page",
    "verify.api",
    "verify.payload_page",
    "admin.items.media",
    "admin.studio.item",  # the world holds no bank: no listening item
    "admin.studio.upload",
    "admin.studio.approve",  # no recording 999
    "admin.studio.clip_audio",
    "admin.studio.instructions",  # "code" is no kiosk language
    "admin.studio.upload_instructions",
    "kiosk.media",
    "kiosk.enrol",
    "examiner.score",  # no performance 999
    "examiner.media",
    "examiner.turn_media",  # no such token
    "examiner.turn_clip",
    "examiner_admin.benchmark",
    "examiner_admin.remark",
    "kiosk.upload_status",  # no upload under that id
    "kiosk.upload_chunk",
    "kiosk.upload_complete",
    "appointments.edit_slot",  # no slot or booking 999
    "appointments.book_candidate",
    "appointments.mark_booking",
    "booking.book",  # no centre of that code
    "booking.manage",  # no booking of that token
    "panels_admin.detail",  # no panel 999
    "panels_admin.add_member",
    "panels_admin.next_round",
    "panels_admin.adopt",
    "panels.panel_page",
    "panels.familiarisation",
    "panels.judge",
}


def _expected(endpoint: str, who: str, visitor: str, rule_has_object: bool) -> set[str]:
    outcome = EXPECTED[who][visitor]
    if outcome == OWN and visitor.startswith("other_centre") and rule_has_object:
        return {"not_found"}  # another centre's object does not exist for them
    if outcome in (OK, OWN):
        return {OK, "not_found"} if endpoint in ABSENT else {OK}
    return {outcome}


@pytest.mark.parametrize("visitor", VISITORS)
def test_matrix(app, world, visitor):
    """Request every route as this visitor; report every pair whose outcome differs."""
    template, headers = _visitor_client(app, world, visitor)
    cookies = [(c.key, c.value) for c in template._cookies.values()]
    endpoints = sorted(ACCESS, key=lambda e: (RUN_LAST.index(e) + 1 if e in RUN_LAST else 0, e))
    wrong = []
    for endpoint in endpoints:
        method, who = ACCESS[endpoint]
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        has_object = any(a.endswith("_id") for a in rule.arguments)
        client = app.test_client()
        for key, value in cookies:
            client.set_cookie(key, value)
        data = {"csrf_token": csrf(client)} if method in ("POST", "PUT") else None
        url = _url(app, endpoint, world)
        response = client.open(url, method=method, data=data, headers=headers)
        got = _outcome(response, endpoint, has_object)
        response.close()  # static files and media are streamed
        if got not in _expected(endpoint, who, visitor, has_object):
            wrong.append(
                f"{endpoint} ({who}): expected {EXPECTED[who][visitor]}, got {got} "
                f"({response.status_code} {response.headers.get('Location', '')})"
            )
    assert not wrong, f"{visitor}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("endpoint", [e for e, (_m, who) in ACCESS.items() if who == KIOSK])
@pytest.mark.parametrize("visitor", ["anonymous", "proctor", "admin"])
def test_kiosk_routes_refuse_browsers_that_are_not_registered_kiosks(
    app, client, world, endpoint, visitor
):
    if visitor != "anonymous":
        login(client, world["users"][visitor].username)
    method = ACCESS[endpoint][0]
    data = {"csrf_token": csrf(client)} if method in ("POST", "PUT") else None
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
        "examiner_admin.remark",
        "examiner_admin.exempt",
        "examiner_admin.toggle_senior",
        "proctor.display_modes",
        "proctor.speaking_mode",
        "appointments.create_slot",
        "proctor.admit",
        "admin.trust.toggle_partner_photo",
    ],
)
def test_staff_forms_without_csrf_token_are_refused(app, client, world, endpoint):
    login(client, world["users"]["admin"].username)
    response = client.post(_url(app, endpoint, world), data={})
    assert response.status_code == 400
