"""Hostile input over every form and every route with parameters (Hypothesis).

The forms are found, not listed: every page of the URL map is fetched as a visitor allowed to
see it (tests/web/test_access.py: ACCESS), and every <form> on it is recorded with its fields.
Every POST, PUT, PATCH or DELETE route must be reached that way, or be declared in
DECLARED_FORMS, RAW_BODY or (JSON bodies) test_hostile_json.JSON_ENDPOINTS; a new form is fuzzed
without touching this file. Values are random and malicious: very long strings, control
characters, bidirectional overrides and mixed scripts, SQL and template syntax, invalid dates.

The property: never a server error; a refusal (4xx) says what is wrong (a message in the page
or the JSON), and leaves the database exactly as it was (a snapshot of every row). Only the
counters that a refusal is meant to write (login throttling, the audit log) may change."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.exceptions import MethodNotAllowed, NotFound

from tests.conftest import csrf_from
from tests.factories import PASSWORD
from tests.web import test_access as access
from tests.web.helpers import csrf
from tests.web.hostile import (
    Visitors,
    assert_clear_refusal,
    field_value,
    fuzz_settings,
    hostile_text,
    snapshot,
)
from tests.web.test_hostile_json import JSON_ENDPOINTS

# Routes whose body is not a form (raw uploads), fuzzed with raw bytes; the JSON endpoints are
# declared and fuzzed in test_hostile_json.py (JSON_ENDPOINTS).
RAW_BODY = {"kiosk.recording"}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Forms the crawl cannot see in the test world: endpoint -> (access class, fields).
DECLARED_FORMS = {
    "proctor.issue": (access.STAFF, {"csrf_token"}),  # shown once a test is finished
    "proctor.new_code": (access.STAFF, {"csrf_token"}),  # shown until the test starts
    # scoring forms need a recorded performance, which this world does not hold (they answer
    # 404 here; the examiner tests drive them with real performances)
    "examiner.score": (access.EXAMINER, {"csrf_token", "band_task", "band_language"}),
    "examiner_admin.benchmark": (access.ADMIN, {"csrf_token", "band_task", "is_calibration"}),
    "examiner_admin.remark": (access.ADMIN, {"csrf_token", "reason"}),
    # the examiner-led interview: this world's test is not examiner-led (409 here; its own
    # tests are test_interview and test_interview_browser)
    "examiner.interview_page": (access.EXAMINER, {"csrf_token"}),
    "examiner.interview_rate": (access.EXAMINER, {"csrf_token", "band_interaction"}),
    "proctor.speaking_mode": (access.STAFF, {"csrf_token", "examiner_led"}),
    # the old URLs of the admin pages about examiners: a 308 to /admin/examiners/..., no change
    "examiner.old_admin_url": (access.PUBLIC, {"csrf_token"}),
    # forms that only appear with objects this world lacks: a paused session, a call from the
    # kiosk, an issued attestation (they answer 404 or a flash here; their own tests are in
    # test_kiosk_timing and test_revocation)
    "proctor.resume": (access.STAFF, {"csrf_token"}),
    # admission: shown while the test waits for its start code (the world's test has started);
    # its photo is a file, which a refusal without one names (test_admission drives the rest)
    "proctor.admit": (
        access.STAFF,
        {
            "csrf_token",
            "booking",
            "document_type",
            "other_type",
            "country",
            "number_end",
            "expires_on",
            "expired_reason",
            "photo_source",
        },
    ),
    "proctor.resolve_call": (access.STAFF, {"csrf_token"}),
    "admin.trust.attestation": (access.ADMIN, {"csrf_token", "reason", "revoked_on", "note"}),
    # the audio studio: this world holds no listening item and no recording (404 here; their
    # own tests are test_studio)
    "admin.studio.upload": (
        access.ADMIN,
        {"csrf_token", "audio", "start", "end", "speaker", "region"},
    ),
    "admin.studio.approve": (access.ADMIN, {"csrf_token"}),
    # spoken instructions of a kiosk language: the world's "code" is no kiosk language (404
    # here; their own tests are test_studio_instructions)
    "admin.studio.upload_instructions": (
        access.ADMIN,
        {"csrf_token", "audio", "start", "end", "speaker", "region"},
    ),
    # appointments: this world has no slot or booking (they answer 404 here; their own tests
    # are test_appointments and test_booking); the world's centre code is not a centre's
    "appointments.book_candidate": (access.STAFF, {"csrf_token", "candidate"}),
    "appointments.edit_slot": (
        access.STAFF,
        {"csrf_token", "day", "time", "duration_minutes", "purpose", "capacity"},
    ),
    "appointments.mark_booking": (access.STAFF, {"csrf_token", "status"}),
    "booking.book": (
        access.PUBLIC,
        {
            "csrf_token",
            "slot",
            "family_name",
            "given_names",
            "birth_date",
            "email",
            "language",
            "accommodation",
        },
    ),
    "booking.manage": (access.PUBLIC, {"csrf_token", "action", "slot"}),
    # standard-setting panels: this world has no panel (they answer 404 here; their own tests
    # are test_standard_setting and tests/integration/test_standard_setting_panel)
    "panels_admin.add_member": (access.ADMIN, {"csrf_token", "user_id", "role_label"}),
    "panels_admin.next_round": (access.ADMIN, {"csrf_token", "current"}),
    "panels_admin.adopt": (access.ADMIN, {"csrf_token"}),
    "panels.familiarisation": (access.PANELLIST, {"csrf_token", "d-re-01"}),
    "panels.judge": (access.PANELLIST, {"csrf_token", "bookmark-A1", "bookmark-A2"}),
}
EXAMPLES_PER_FORM = 12
EXAMPLES_PER_ROUTE = 4


class _Forms(HTMLParser):
    """Collect forms: method, action and the names of their fields."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(
                {
                    "method": (attrs.get("method") or "get").upper(),
                    "action": attrs.get("action") or "",
                    "fields": set(),
                }
            )
        elif tag in ("input", "select", "textarea", "button") and self.forms and attrs.get("name"):
            self.forms[-1]["fields"].add(attrs["name"])


CRAWLERS = (
    "anonymous",
    "kiosk",
    "candidate",
    "proctor",
    "admin",
    "examiner",
    "partner",
    "panellist",
)


def _visitors_for(who: str) -> list[str]:
    """The visitors the access matrix lets through for this class of route."""
    return [v for v in CRAWLERS if access.EXPECTED[who][v] in (access.OK, access.OWN)]


def _visitor_for(who: str) -> str | None:
    allowed = _visitors_for(who)
    return allowed[0] if allowed else None


class Site(Visitors):
    """Visitors in their state (cookies) and the forms each one can see."""

    def __init__(self, app, world) -> None:
        super().__init__(app, world)
        self.forms: dict[str, tuple[str, str, set[str]]] = {}  # endpoint -> visitor, url, fields

    def crawl(self) -> None:
        adapter = self.app.url_map.bind("attest.example")
        pages = [
            (endpoint, who)
            for endpoint, (method, who) in access.ACCESS.items()
            if method == "GET" and endpoint not in access.RUN_LAST
        ]
        visits = [(e, v) for e, who in pages for v in _visitors_for(who)]
        visits += [("auth.second_factor", "pending"), ("auth.enrol_totp", "pending_enrol")]
        for endpoint, visitor in visits:
            if visitor.startswith("pending"):
                client, headers = self.pending_client(visitor)
            else:
                client, headers = self.visitor_client(visitor)
            if client is None:
                continue
            url = access._url(self.app, endpoint, self.world)
            response = client.get(url, headers=headers)
            if "text/html" not in response.content_type:
                response.close()
                continue
            parser = _Forms()
            parser.feed(response.get_data(as_text=True))
            for form in parser.forms:
                target = urlsplit(urljoin(url, form["action"] or url)).path
                try:
                    form_endpoint, _args = adapter.match(target, method=form["method"])
                except (NotFound, MethodNotAllowed):
                    continue
                if form["method"] == "POST" and form_endpoint not in self.forms:
                    self.forms[form_endpoint] = (visitor, target, form["fields"])
        for endpoint, (who, fields) in DECLARED_FORMS.items():
            url = access._url(self.app, endpoint, self.world)
            self.forms.setdefault(endpoint, (_visitor_for(who), url, fields))

    def pending_client(self, kind: str):
        """A browser between the password and the second step (or the TOTP enrolment)."""
        if kind in self.cookies:
            return self.visitor_client(kind)
        user = self.world["pending_users"][kind]
        client = self.app.test_client()
        token = csrf_from(client.get("/login").get_data(as_text=True))
        client.post("/login", data={"username": user, "password": PASSWORD, "csrf_token": token})
        self.cookies[kind] = [(c.key, c.value) for c in client._cookies.values()]
        self.headers[kind] = {}
        return client, {}


@pytest.fixture
def site(app, db, world, keys_dir, now):
    from attest.certificates.key_service import init_keys
    from attest.models import Role
    from tests.factories import make_user

    init_keys(db, keys_dir, now, demo=True, public_url=app.config["PUBLIC_URL"])
    world["pending_users"] = {
        "pending": make_user(db, role=Role.ADMIN).username,
        "pending_enrol": make_user(db, role=Role.EXAMINER, totp_secret=None).username,
    }
    db.commit()
    app.config["MAIL_TO_LOG"] = True  # the public booking page is open (no SMTP server here)
    site = Site(app, world)
    site.crawl()
    return site


world = access.world  # the same world as the access matrix (centres, staff, kiosk, a test)


def test_every_post_route_is_reached_by_a_form_or_declared(app, site):
    writes = {r.endpoint for r in app.url_map.iter_rules() if r.methods & WRITE_METHODS}
    missing = writes - set(site.forms) - RAW_BODY - set(JSON_ENDPOINTS)
    assert not missing, f"POST/PUT routes without a form on any page: {sorted(missing)}"


def _fuzz_form(site, engine, endpoint: str) -> None:
    visitor, url, fields = site.forms[endpoint]
    kept: list[dict[str, str]] = []  # the state after the last refusal (nothing changed)

    @fuzz_settings(EXAMPLES_PER_FORM)
    @given(
        values=st.fixed_dictionaries(
            {},
            optional={name: field_value for name in sorted(fields - {"csrf_token"})},
        ),
        extra=st.dictionaries(hostile_text, hostile_text, max_size=2),
        keep_csrf=st.integers(min_value=0, max_value=9),
        bad_csrf=hostile_text,
    )
    def run(values, extra, keep_csrf, bad_csrf):
        client, headers = site.visitor_client(visitor)
        token = csrf(client)
        data = {**{k: v for k, v in extra.items() if k != "csrf_token"}, **values}
        data["csrf_token"] = token if keep_csrf else bad_csrf
        before = kept.pop() if kept else snapshot(engine)
        response = client.post(url, data=data, headers=headers)
        assert_clear_refusal(response, f"{endpoint} {data!r}"[:2000])
        if response.status_code >= 400:
            after = snapshot(engine)
            assert after == before, f"{endpoint}: refused but changed the database"
            kept.append(after)

    run()


def test_hostile_values_in_every_form(app, site):
    engine = app.extensions["attest_engine"]
    assert len(site.forms) >= 10  # the crawl found the forms (a broken crawl finds none)
    # logging out ends the visitor's session on the server: those forms go last
    last = access.RUN_LAST
    for endpoint in sorted(site.forms, key=lambda e: (last.index(e) + 1 if e in last else 0, e)):
        _fuzz_form(site, engine, endpoint)


@fuzz_settings(EXAMPLES_PER_FORM)
@given(
    body=st.one_of(
        st.binary(max_size=2048),
        st.sampled_from([b"OggS", b"\x1a\x45\xdf\xa3", b"\x00" * 10, b"{{7*7}}"]),
        st.builds(
            lambda head, tail: head + tail,
            st.sampled_from([b"OggS", b"RIFF"]),
            st.binary(max_size=512),
        ),
    ),
    checksum=st.one_of(st.none(), hostile_text),
    content_type=st.sampled_from(["audio/webm", "text/html", "application/json", "", "x/../y"]),
    position=st.sampled_from([1, 2, 0, 10**9]),
)
def test_hostile_raw_uploads(site, app, body, checksum, content_type, position):
    engine = app.extensions["attest_engine"]
    client, headers = site.visitor_client("candidate")
    token = csrf_from(client.get("/kiosk/item/1").get_data(as_text=True))
    headers = {**headers, "X-CSRFToken": token, "Content-Type": content_type}
    if checksum is not None:
        # A header value cannot carry a line break on the wire (the HTTP server refuses the
        # request before the app sees it), so the hostile checksum is sent without them.
        value = checksum.encode("utf-8", "replace").decode("latin-1")
        headers["X-Content-SHA256"] = value.replace("\r", " ").replace("\n", " ")
    before = snapshot(engine)
    response = client.post(f"/kiosk/item/{position}/recording", data=body, headers=headers)
    assert_clear_refusal(response, f"recording {body[:40]!r}")
    if response.status_code >= 400:
        assert snapshot(engine) == before


def _routes_with_parameters(app):
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint not in access.RUN_LAST:
            yield rule


def test_hostile_path_and_query_values_on_every_page(site, app):
    """Every GET route: hostile values in its path arguments and in the query string. A GET
    changes nothing, refused or not (beyond what VOLATILE_COLUMNS record)."""
    engine = app.extensions["attest_engine"]
    before = snapshot(engine)
    routes = list(_routes_with_parameters(app))

    @fuzz_settings(EXAMPLES_PER_ROUTE)
    @given(data=st.data())
    def run(data):
        for rule in routes:
            _get_with_hostile_values(site, rule, data)

    run()
    assert snapshot(engine) == before, "a GET request changed the database"


def _get_with_hostile_values(site, rule, data) -> None:
    visitor = _visitor_for(access.ACCESS[rule.endpoint][1])
    client, headers = site.visitor_client(visitor) if visitor else (None, {})
    if client is None:
        return
    path = rule.rule
    for name in rule.arguments:
        value = data.draw(hostile_text, label=f"{rule.endpoint}:{name}")
        quoted = urlencode({"v": value or "x"})[2:]
        path = path.replace(f"<{name}>", quoted)
        for converter in ("int", "path", "string"):
            path = path.replace(f"<{converter}:{name}>", quoted)
    query = data.draw(
        st.dictionaries(
            st.sampled_from(["profile", "lang", "next", "skill", "level", "q", "page", "x"]),
            hostile_text,
            max_size=3,
        ),
        label=f"{rule.endpoint}:query",
    )
    response = client.get(f"{path}?{urlencode(query)}", headers=headers)
    assert_clear_refusal(response, f"GET {path} {query!r}"[:2000])
    response.close()
