"""Hostile input over every JSON endpoint (Hypothesis).

JSON_ENDPOINTS declares, per endpoint, who may call it (a visitor of the access matrix), the
path arguments of its URL in the test world below, and the shape of a valid body as the view
reads it (field names, types, which are required, which must be refused when of another type),
with the tables an accepted call may write. A guard fails when a route that reads JSON has no
declaration. Hypothesis then sends valid shapes with hostile values (long strings, control
characters, bidi overrides, SQL and template syntax, invalid dates, huge, negative, float and
boolean numbers, lone surrogates), wrong types for every field (lists, objects, null, deep
nesting), missing and extra fields, bodies that are not JSON (invalid UTF-8, an array or a scalar
at the top, nesting deeper than the parser goes), wrong Content-Types and missing or wrong CSRF
tokens.

The property: never a server error; a refusal (4xx) carries a message and leaves the database
as it was (only SIDE_EFFECT_TABLES may change); a body with a wrong type, a missing field or no
JSON object is refused, never silently accepted; an accepted call writes only the tables it
declares."""

from __future__ import annotations

import hashlib
import inspect
import json
import re
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from attest.kiosk.control import FOCUS_KINDS
from attest.models import Item, ItemVersion, SessionEvent, SessionItem
from tests.conftest import csrf_from
from tests.factories import make_attestation
from tests.web import test_access as access
from tests.web.helpers import UPLOAD_CHUNK, upload_begin_body
from tests.web.hostile import (
    SIDE_EFFECT_TABLES,
    Visitors,
    assert_clear_refusal,
    changed_tables,
    fuzz_settings,
    hostile_text,
    table_digests,
)

EXAMPLES_PER_ENDPOINT = 20
UPLOAD_ID = "upload-0123456789abcdef"  # begun by the fixture: completing it misses chunks
CHUNK = UPLOAD_CHUNK
# The session items of the test in progress: what each kiosk endpoint works on.
POSITIONS = {"speaking": 1, "writing": 2, "choice": 3, "listening": 4}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
JSON_READERS = ("get_json", "_json_body", "request.json", "is_json")


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _is_answer_fields(v) -> bool:
    return isinstance(v, dict) and all(
        isinstance(x, list) and all(isinstance(s, str) for s in x) for x in v.values()
    )


TYPES = {
    "str": lambda v: isinstance(v, str),
    "int": _is_int,
    "number": _is_number,
    "bool": lambda v: isinstance(v, bool),
    "fields": _is_answer_fields,
}

# Text as JSON may carry it: hostile text, and lone surrogates (JSON escapes them; they are no
# characters and no database stores them).
json_text = st.one_of(
    hostile_text,
    st.builds(lambda a, s: a + s, st.text(max_size=5), st.characters(categories=("Cs",))),
)
hostile_ints = st.one_of(
    st.integers(),
    st.sampled_from([0, -1, 2**31, 2**63, -(2**63) - 1, 10**30, -(10**30), 2**64 + 1]),
)
hostile_numbers = st.one_of(hostile_ints, st.floats(), st.sampled_from([1e308, -1e308, 5e-324]))
json_scalars = st.one_of(st.none(), st.booleans(), hostile_ints, st.floats(), json_text)
json_values = st.deferred(
    lambda: st.one_of(
        json_scalars,
        st.lists(json_values, max_size=3),
        st.dictionaries(json_text, json_values, max_size=3),
    )
)
HOSTILE = {
    "str": json_text,
    "int": hostile_ints,
    "number": hostile_numbers,
    "bool": st.booleans(),
    "fields": st.dictionaries(json_text, st.lists(json_text, max_size=3), max_size=3),
}


@dataclass(frozen=True)
class Field:
    """One field of a JSON body: its type (a key of TYPES), a strategy of valid values, whether
    it must be there, and whether null is the same as leaving it out."""

    kind: str
    valid: st.SearchStrategy
    required: bool = False
    nullable: bool = False

    def well_typed(self, value) -> bool:
        return (self.nullable and value is None) or TYPES[self.kind](value)

    def wrong(self) -> st.SearchStrategy:
        return json_values.filter(lambda v: not self.well_typed(v))


@dataclass(frozen=True)
class JsonEndpoint:
    """Who calls the endpoint, its path arguments, its body, and what an accepted call writes.
    `reads_body` is False for an endpoint that takes no body (anything sent is ignored).
    `refused_here` names why no call can be accepted in the test's world (else at least one of
    the calls must be, so that a broken set-up cannot make every check pass by refusal)."""

    visitor: str
    path: dict = field(default_factory=dict)
    body: dict[str, Field] = field(default_factory=dict)
    writes: frozenset[str] = frozenset()
    reads_body: bool = True
    method: str = "POST"
    refused_here: str | None = None


def _session_field() -> Field:
    """Every kiosk call names its session (a queue of an earlier candidate must not write into
    this one); leaving it out is allowed, another session or type is refused."""
    return Field("int", st.just("<session>"), nullable=True)


_KEYS = st.from_regex(r"\A[A-Za-z0-9_-]{16,64}\Z")
_SHA = st.sampled_from(["0" * 64, hashlib.sha256(b"x").hexdigest()])
_INSZ = st.sampled_from(["85073003328", "85.07.30-033.28", "00000000000", "12345678901"])

JSON_ENDPOINTS: dict[str, JsonEndpoint] = {
    "kiosk.answer": JsonEndpoint(
        "candidate",
        {"position": POSITIONS["choice"]},
        {
            "session": _session_field(),
            "key": Field("str", _KEYS, nullable=True),
            "fields": Field("fields", st.just("<choice>"), required=True),
        },
        frozenset({"response", "answer_receipt", "response_draft", "session_item"}),
    ),
    "kiosk.draft": JsonEndpoint(
        "candidate",
        {"position": POSITIONS["writing"]},
        {
            "session": _session_field(),
            "text": Field("str", st.text(max_size=50), required=True),
            "seq": Field("int", st.integers(1, 2**40), required=True),
        },
        frozenset({"response_draft"}),
    ),
    "kiosk.focus": JsonEndpoint(
        "candidate",
        body={
            "how": Field("str", st.sampled_from(FOCUS_KINDS), required=True),
            "position": Field("int", st.integers(1, 9), nullable=True),
        },
        writes=frozenset({"session_event"}),
    ),
    "kiosk.heartbeat": JsonEndpoint(
        "candidate",
        body={"skill": Field("str", st.sampled_from(["listening", "reading"]), nullable=True)},
    ),
    "kiosk.microphone_check": JsonEndpoint(
        "candidate",
        {"position": POSITIONS["speaking"]},
        {
            "session": _session_field(),
            "ok": Field("bool", st.booleans(), required=True),
            "reason": Field("str", st.sampled_from(["no_microphone", "silent", "denied"])),
            "level_dbfs": Field("number", st.floats(-100, 0), nullable=True),
        },
        frozenset({"session_event"}),
    ),
    "kiosk.play": JsonEndpoint(
        "candidate",
        {"position": POSITIONS["listening"]},
        writes=frozenset({"session_item"}),
        reads_body=False,
    ),
    "kiosk.upload_begin": JsonEndpoint(
        "candidate",
        {"position": POSITIONS["speaking"]},
        {
            "session": _session_field(),
            "upload_id": Field("str", _KEYS.map(lambda k: k[:40]), required=True),
            "content_type": Field(
                "str", st.sampled_from(["audio/webm;codecs=opus", "audio/ogg"]), required=True
            ),
            "size": Field("int", st.integers(1, 8 * CHUNK), required=True),
            "sha256": Field("str", _SHA, required=True),
            "chunk_size": Field("int", st.just(CHUNK), required=True),
            "chunk_count": Field("int", st.integers(1, 8), required=True),
            "duration_ms": Field("int", st.integers(0, 60_000), required=True),
        },
        frozenset({"recording_upload"}),
    ),
    # a raw chunk; it names its session in a header, or in the body when that is JSON
    "kiosk.upload_chunk": JsonEndpoint(
        "candidate",
        {"position": POSITIONS["speaking"], "upload_id": UPLOAD_ID, "index": 0},
        {"session": _session_field()},
        frozenset({"recording_chunk"}),
        reads_body=False,
        method="PUT",
        refused_here="a chunk is accepted only with its checksum header and its exact bytes "
        "(tests/web/test_kiosk_capture.py stores chunks)",
    ),
    "kiosk.upload_complete": JsonEndpoint(
        "candidate",
        {"position": POSITIONS["speaking"], "upload_id": UPLOAD_ID},
        {"session": _session_field()},
        frozenset({"recording", "recording_upload", "response"}),
        refused_here="the begun upload has no chunks, so completing it is always refused "
        "(tests/web/test_kiosk_capture.py completes uploads)",
    ),
    # the examiner's tablet in an interview: this world's test is not examiner-led
    "examiner.interview_upload_begin": JsonEndpoint(
        "examiner",
        {"session_id": 999_999},
        {
            "upload_id": Field("str", _KEYS.map(lambda k: k[:40]), required=True),
            "content_type": Field("str", st.just("audio/webm"), required=True),
            "size": Field("int", st.integers(1, 8 * CHUNK), required=True),
            "sha256": Field("str", _SHA, required=True),
            "chunk_size": Field("int", st.just(CHUNK), required=True),
            "chunk_count": Field("int", st.integers(1, 8), required=True),
            "duration_ms": Field("int", st.integers(0, 60_000), required=True),
        },
        frozenset({"recording_upload"}),
        refused_here="no interview is open in this world (tests/web/test_interview.py uploads)",
    ),
    "examiner.interview_upload_chunk": JsonEndpoint(
        "examiner",
        {"session_id": 999_999, "upload_id": UPLOAD_ID, "index": 0},
        writes=frozenset({"recording_chunk"}),
        reads_body=False,
        method="PUT",
        refused_here="no interview is open in this world (tests/web/test_interview.py uploads)",
    ),
    "examiner.interview_upload_complete": JsonEndpoint(
        "examiner",
        {"session_id": 999_999, "upload_id": UPLOAD_ID},
        writes=frozenset({"recording", "recording_upload", "interview"}),
        reads_body=False,
        refused_here="no interview is open in this world (tests/web/test_interview.py uploads)",
    ),
    "partner.check": JsonEndpoint(
        "partner",
        body={
            "insz": Field("str", _INSZ, required=True),
            "profile": Field("str", st.sampled_from(["sociale-huur", "taxi"]), required=True),
            "purpose": Field("str", st.sampled_from(["huurcontract", "dossier 12"]), required=True),
            "lease_start": Field("str", st.sampled_from(["2023-01-01", "2017-11-01"])),
        },
    ),
    "verify.api": JsonEndpoint(
        "anonymous",
        body={
            # "<code>" and "<birth>": the world's issued attestation, which an API call finds
            "code": Field(
                "str", st.sampled_from(["<code>", "ATT-AAAA-AAAA", "att aaaa aaaa"]), required=True
            ),
            "birth_date": Field(
                "str", st.sampled_from(["<birth>", "1990-04-12", "2023-02-30"]), required=True
            ),
            "profile": Field("str", st.sampled_from(["sociale-huur", "taxi"]), nullable=True),
            "lease_start": Field("str", st.sampled_from(["2023-01-01", "2017-11-01"])),
        },
    ),
}


# --- the guard -----------------------------------------------------------------------------


def _reads_json(function, seen: set | None = None) -> bool:
    """Whether a view reads a JSON body, itself or through a helper of the app it calls."""
    seen = set() if seen is None else seen
    if function in seen or not inspect.isfunction(function):
        return False
    seen.add(function)
    source = inspect.getsource(function)
    if any(reader in source for reader in JSON_READERS):
        return True
    names = function.__code__.co_names
    helpers = (function.__globals__.get(name) for name in names)
    return any(
        _reads_json(helper, seen)
        for helper in helpers
        if inspect.isfunction(helper) and helper.__module__.startswith("attest.")
    )


def test_every_json_route_is_declared(app):
    """A route that takes a JSON body cannot ship without a fuzz declaration (and no
    declaration outlives its route)."""
    writes = {r.endpoint for r in app.url_map.iter_rules() if r.methods & WRITE_METHODS}
    readers = {e for e in writes if _reads_json(app.view_functions[e])}
    assert readers - set(JSON_ENDPOINTS) == set(), "declare these routes in JSON_ENDPOINTS"
    assert set(JSON_ENDPOINTS) - writes == set(), "JSON_ENDPOINTS names routes that are gone"
    assert {"kiosk.answer", "partner.check", "verify.api"} <= readers  # the guard sees JSON


def test_every_declared_visitor_may_call_its_endpoint():
    for endpoint, spec in JSON_ENDPOINTS.items():
        who = access.ACCESS[endpoint][1]
        assert access.EXPECTED[who][spec.visitor] in (access.OK, access.OWN), endpoint


# --- the world -----------------------------------------------------------------------------


world = access.world  # centres, staff, a kiosk, a test in progress, a partner key


def _version(db, fmt: str, skill: str | None = None, audio: bool = False) -> ItemVersion:
    query = sa.select(ItemVersion).join(Item).where(Item.format == fmt, Item.status == "live")
    if skill:
        query = query.where(Item.skill == skill)
    for version in db.scalars(query.order_by(Item.id)):
        if not audio or version.media.get("audio"):
            return version
    raise LookupError(fmt)


@pytest.fixture
def json_site(app, db, world):
    """The access world's test with a speaking, a writing, a choice and a listening item; the
    candidate has begun an upload (UPLOAD_ID); lookups are not rate limited here."""
    app.config["VERIFY_LIMIT_CLIENT"] = app.config["VERIFY_LIMIT_CODE"] = "100000 per minute"
    versions = {
        "speaking": _version(db, "audio_response"),
        "writing": _version(db, "extended_text"),
        "choice": _version(db, "single_choice", "reading"),
        "listening": _version(db, "single_choice", "listening", audio=True),
    }
    for name, position in POSITIONS.items():
        version = versions[name]
        db.add(
            SessionItem(
                session_id=world["session_id"],
                position=position,
                skill=version.item.skill,
                item_version=version,
            )
        )
    db.commit()
    site = Visitors(app, world)
    client, _headers = site.visitor_client("candidate")
    page = client.get(f"/kiosk/item/{POSITIONS['choice']}").get_data(as_text=True)
    site.csrf = csrf_from(page)
    site.choice = _choice_field(page)
    data = b"\x1a\x45\xdf\xa3" * 3000
    begun = client.post(
        f"/kiosk/item/{POSITIONS['speaking']}/uploads",
        json=upload_begin_body(world["session_id"], data, UPLOAD_ID, content_type="audio/webm"),
        headers={"X-CSRFToken": site.csrf},
    )
    assert begun.status_code == 200, begun.get_json()
    issued = make_attestation(db, app.config)
    site.attestation = (issued.code, issued.birth_date.isoformat())
    db.commit()
    return site


def _choice_field(page: str) -> tuple[str, str]:
    """The name and first value of the choice question's radio buttons."""
    match = re.search(r'type="radio"[^>]*name="([^"]+)"[^>]*value="([^"]+)"', page)
    match = match or re.search(r'name="([^"]+)"[^>]*type="radio"[^>]*value="([^"]+)"', page)
    assert match, "no choice on the page"
    return match.group(1), match.group(2)


# --- the fuzzing ---------------------------------------------------------------------------

NOT_JSON = [
    b"",
    b"not json",
    b"\xff\xfe\xfd",
    b'{"text": "\xff\xfe"}',
    b"[]",
    b"[1, 2]",
    b'"text"',
    b"42",
    b"null",
    b"true",
    b"{",
    b'{"seq": 1' + b"0" * 5000 + b"}",
    b"[" * 50_000 + b"]" * 50_000,
    b'{"a":' * 30_000 + b"1" + b"}" * 30_000,
    b'{"text": NaN, "seq": Infinity, "level_dbfs": -Infinity}',
]
CONTENT_TYPES = [
    "application/json",
    "application/json; charset=utf-8",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "",
    "application/json\x7f",
]


def _problems(spec: JsonEndpoint, body) -> list[str]:
    """Why a body must be refused: no JSON object, a required field missing, a wrong type."""
    if not spec.body:
        return []
    if not isinstance(body, dict):
        return ["not a JSON object"]
    problems = [f"{n}: missing" for n, f in spec.body.items() if f.required and n not in body]
    return problems + [
        f"{name}: {body[name]!r:.40}"
        for name, f in spec.body.items()
        if name in body and body[name] not in MARKERS and not f.well_typed(body[name])
    ]


@st.composite
def bodies(draw, spec: JsonEndpoint):
    """A valid JSON body of the endpoint's shape in which up to three fields get a hostile
    value of their type, a value of another type or go missing, with extra fields; or no JSON
    object at all (raw bytes)."""
    if not spec.body or draw(st.integers(0, 9)) == 0:
        return draw(st.one_of(st.sampled_from(NOT_JSON), json_values.map(_dumps)))
    body = draw(st.fixed_dictionaries({name: f.valid for name, f in spec.body.items()}))
    for name in draw(st.lists(st.sampled_from(sorted(spec.body)), max_size=3, unique=True)):
        how = draw(st.sampled_from(["hostile", "wrong", "missing"]))
        if how == "missing":
            del body[name]
        else:
            f = spec.body[name]
            body[name] = draw(HOSTILE[f.kind] if how == "hostile" else f.wrong())
    extra = draw(st.dictionaries(json_text, json_values, max_size=2))
    return {**{k: v for k, v in extra.items() if k not in spec.body}, **body}


MARKERS = ("<session>", "<choice>")  # valid values the world fills in (_encode)


def _dumps(value) -> bytes:
    return json.dumps(value).encode()


def _encode(body, site) -> bytes:
    """Put the world's values where the strategies left markers, and encode."""
    if isinstance(body, bytes):
        return body.replace(b'"<session>"', str(site.world["session_id"]).encode())
    name, value = site.choice
    replace = {
        "<session>": site.world["session_id"],
        "<choice>": {name: [value]},
        "<code>": site.attestation[0],
        "<birth>": site.attestation[1],
    }
    return _dumps({k: replace.get(v, v) if isinstance(v, str) else v for k, v in body.items()})


def _parsed(raw: bytes):
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return None


def _url(app, endpoint: str, spec: JsonEndpoint) -> str:
    from flask import url_for

    with app.test_request_context():
        return url_for(endpoint, **spec.path)


def _needs_csrf(app, endpoint: str) -> bool:
    csrf = app.extensions["csrf"]
    view = app.view_functions[endpoint]
    return f"{view.__module__}.{view.__name__}" not in csrf._exempt_views


class Caller:
    """Sends one body to one endpoint as its visitor and checks the property."""

    def __init__(self, app, site, endpoint: str) -> None:
        self.site, self.endpoint = site, endpoint
        self.spec = JSON_ENDPOINTS[endpoint]
        self.engine = app.extensions["attest_engine"]
        self.url = _url(app, endpoint, self.spec)
        self.csrf_needed = _needs_csrf(app, endpoint)
        self.state = None  # the database after the last call (nothing else writes between)
        self.accepted = 0

    def send(self, body, content_type: str = "application/json", token: str | None = "valid"):
        spec = self.spec
        client, headers = self.site.visitor_client(spec.visitor)
        headers = {**headers, "Content-Type": content_type}
        if token is not None:
            value = self.site.csrf if token == "valid" else token
            # a header cannot carry a line break (the HTTP server refuses it before the app)
            value = value.encode("utf-8", "replace").decode("latin-1")
            headers["X-CSRFToken"] = value.replace("\r", " ").replace("\n", " ")
        raw = _encode(body, self.site)
        before = self.state or table_digests(self.engine)
        response = client.open(self.url, method=spec.method, data=raw, headers=headers)
        where = f"{self.endpoint} {content_type!r} csrf={token!r:.20} {raw[:300]!r}"
        assert_clear_refusal(response, where)
        self.state = table_digests(self.engine)
        changed = changed_tables(before, self.state)
        if response.status_code >= 400:
            assert changed <= SIDE_EFFECT_TABLES, f"{where}: refused but wrote {changed}"
            return response
        assert changed <= spec.writes | SIDE_EFFECT_TABLES, f"{where}: wrote {changed}"
        self.accepted += 1
        if spec.reads_body:
            problems = _problems(spec, _parsed(raw))
            json_sent = content_type.startswith("application/json")
            assert json_sent and not problems, f"{where}: accepted despite {problems}"
        if self.csrf_needed:
            assert token == "valid", f"{where}: accepted without a valid CSRF token"
        return response


# Bodies that broke an endpoint once (server errors or silent acceptance): sent to every
# endpoint before the random ones, since a random search need not draw them again.
KNOWN_HOSTILE = [
    b"[1, 2]",  # a list where an object belongs (AttributeError: 'list' has no .get)
    b"",
    b"[" * 50_000 + b"]" * 50_000,  # deeper than the parser goes (RecursionError)
    b'{"session": "<session>", "text": "\\ud800", "seq": 7, "how": "blur", "skill": "\\udfff"}',
    b'{"session": true, "skill": "reading", "how": "blur", "fields": {}, "text": "", "seq": 1}',
    b'{"session": "<session>", "ok": false, "reason": "silent", "level_dbfs": 1'
    + b"0" * 400
    + b"}",  # an integer too large for a float (OverflowError)
    b'{"session": "<session>", "upload_id": "upload-0123456789abcdee", "content_type": '
    b'"audio/webm", "size": 4096, "chunk_size": 4096, "chunk_count": 1, "duration_ms": 1, '
    b'"sha256": 1' + b"1" * 63 + b"}",  # 64 digits are a SHA-256 only as text
]


def _fuzz(app, site, endpoint: str) -> Caller:
    caller = Caller(app, site, endpoint)
    for raw in KNOWN_HOSTILE:
        caller.send(raw)

    @fuzz_settings(EXAMPLES_PER_ENDPOINT)
    @given(
        body=bodies(caller.spec),
        content_type=st.one_of(
            st.just("application/json"), st.just("application/json"), st.sampled_from(CONTENT_TYPES)
        ),
        token=st.one_of(st.just("valid"), st.just("valid"), st.just(None), hostile_text),
    )
    def run(body, content_type, token):
        caller.send(body, content_type, token)

    run()
    return caller


def _microphone_levels_are_numbers(db) -> None:
    events = db.scalars(sa.select(SessionEvent).where(SessionEvent.kind.like("microphone%"))).all()
    assert events, "no microphone check was stored: the check below would prove nothing"
    for event in events:
        level = (event.detail or {}).get("level_dbfs")
        assert level is None or _is_number(level), event.detail


# What an accepted call stored must have its declared type (no text where a number belongs).
STORED_CHECKS = {"kiosk.microphone_check": _microphone_levels_are_numbers}


def test_hostile_json_bodies(app, json_site, db):
    """Every declared endpoint in turn, in one world (setting it up is the slow part)."""
    never_accepted = []
    for endpoint in sorted(JSON_ENDPOINTS):
        caller = _fuzz(app, json_site, endpoint)
        STORED_CHECKS.get(endpoint, lambda _db: None)(db)
        if caller.accepted == 0 and JSON_ENDPOINTS[endpoint].refused_here is None:
            never_accepted.append(endpoint)
    assert never_accepted == [], f"no call accepted (is the world still right?): {never_accepted}"
