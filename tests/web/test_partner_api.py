"""Partner API: an admin creates an organisation with an API key (stored hashed) and allowed
profiles; the partner asks by INSZ and profile; every lookup is audited with organisation and
purpose. The OpenAPI document is checked by Schemathesis without a server error."""

from __future__ import annotations

import hashlib
import itertools
from datetime import UTC, datetime, timedelta

import hypothesis
import pytest
import schemathesis
import sqlalchemy as sa
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from attest.models import AuditEvent, PartnerOrganisation, Role
from tests.conftest import csrf_from
from tests.factories import (
    make_attestation,
    make_candidate,
    make_centre,
    make_partner,
    make_user,
)
from tests.web.helpers import login

INSZ = "90041200105"  # born 1990-04-12; mod-97 check digits hold
INSZ_OTHER = "85073003328"


def test_insz_fixtures_are_valid():
    from attest.identity import check_insz

    assert check_insz(INSZ, None) == INSZ and check_insz(INSZ_OTHER, None) == INSZ_OTHER


def _ask(client, key, **body):
    if body.get("profile") == "sociale-huur":
        body.setdefault("lease_start", "2024-01-01")  # social housing is decided by the lease
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return client.post("/api/v1/partner/checks", json=body, headers=headers)


def test_admin_creates_an_organisation_and_sees_its_key_once(app, db, client):
    admin = make_user(db, role=Role.ADMIN)
    db.commit()
    login(client, admin.username)
    page = client.get("/admin/partners").get_data(as_text=True)
    response = client.post(
        "/admin/partners",
        data={
            "name": "Woonmaatschappij Gent",
            "profiles": ["sociale-huur", "inburgering"],
            "csrf_token": csrf_from(page),
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    key = html.split('data-testid="api-key">')[1].split("<")[0]
    assert key.startswith("atp_") and len(key) > 40
    org = db.scalar(sa.select(PartnerOrganisation))
    assert org.profiles == ["inburgering", "sociale-huur"]
    assert org.key_hash == hashlib.sha256(key.encode()).hexdigest() and key not in org.key_hash
    assert key not in client.get("/admin/partners").get_data(as_text=True)  # shown once
    assert (
        _ask(app.test_client(), key, insz=INSZ, profile="sociale-huur", purpose="x").status_code
        == 200
    )

    # bad input: specific error, nothing created
    bad = client.post(
        "/admin/partners",
        data={
            "name": "Woonmaatschappij Gent",
            "profiles": ["sociale-huur"],
            "csrf_token": csrf_from(page),
        },
    )
    assert bad.status_code == 422 and "bestaat al" in bad.get_data(as_text=True)
    none = client.post(
        "/admin/partners",
        data={"name": "Gemeente Aalst", "profiles": [], "csrf_token": csrf_from(page)},
    )
    assert none.status_code == 422
    assert db.scalar(sa.select(sa.func.count()).select_from(PartnerOrganisation)) == 1

    # a new key replaces the old one at once; disabling shuts the door
    token = csrf_from(client.get("/admin/partners").get_data(as_text=True))
    renewed = client.post(f"/admin/partners/{org.id}/key", data={"csrf_token": token})
    new_key = renewed.get_data(as_text=True).split('data-testid="api-key">')[1].split("<")[0]
    assert (
        _ask(app.test_client(), key, insz=INSZ, profile="sociale-huur", purpose="x").status_code
        == 401
    )
    assert (
        _ask(app.test_client(), new_key, insz=INSZ, profile="sociale-huur", purpose="x").status_code
        == 200
    )
    client.post(f"/admin/partners/{org.id}/enabled", data={"csrf_token": token})
    assert (
        _ask(app.test_client(), new_key, insz=INSZ, profile="sociale-huur", purpose="x").status_code
        == 401
    )
    actions = set(db.scalars(sa.select(AuditEvent.action)))
    assert {"partner.create", "partner.renew_key", "partner.disable"} <= actions


def test_partner_gets_yes_or_no_with_code_and_test_date_and_every_lookup_is_logged(
    app, db, client, caplog
):
    centre = make_centre(db)
    cand = make_candidate(db, centre=centre, insz=INSZ)
    weak = make_candidate(db, centre=centre, insz=INSZ_OTHER)
    test_day = datetime.now(UTC) - timedelta(days=3)
    att = make_attestation(db, app.config, candidate=cand, now=test_day)  # A2 in all four skills
    make_attestation(
        db,
        app.config,
        candidate=weak,
        levels={"listening": "A2", "reading": "A2", "speaking": "A1", "writing": "A1"},
    )
    org, key = make_partner(db, profiles=["sociale-huur", "inburgering"], name="Gemeente Gent")
    db.commit()

    yes = _ask(
        client, key, insz="90.04.12-001.05", profile="sociale-huur", purpose="toewijzing woning"
    )
    assert yes.status_code == 200
    assert yes.get_json() == {
        "meets": True,
        "profile": "sociale-huur",
        "attestation": {"code": att.code, "test_date": test_day.date().isoformat(), "demo": True},
    }
    no = _ask(client, key, insz=INSZ_OTHER, profile="inburgering", purpose="inburgeringsattest")
    assert no.get_json() == {"meets": False, "profile": "inburgering", "attestation": None}
    unknown = _ask(client, key, insz="00010100105", profile="inburgering", purpose="controle")
    assert unknown.status_code == 200 and unknown.get_json()["meets"] is False

    events = db.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "partner.lookup").order_by(AuditEvent.id)
    ).all()
    assert [e.detail["purpose"] for e in events] == [
        "toewijzing woning",
        "inburgeringsattest",
        "controle",
    ]
    assert all(e.detail["organisation"] == "Gemeente Gent" for e in events)
    assert events[0].detail["meets"] is True and events[0].object_id == str(org.id)
    stored = " ".join(str(e.detail) for e in events) + " ".join(
        r.getMessage() for r in caplog.records
    )
    assert INSZ not in stored and INSZ_OTHER not in stored and "90.04.12" not in stored

    # a revoked attestation no longer counts
    from attest.certificates.revocation import revoke_attestation

    revoke_attestation(db, att, None, "error", datetime.now(UTC), datetime.now(UTC))
    db.commit()
    after = _ask(client, key, insz=INSZ, profile="sociale-huur", purpose="toewijzing woning")
    assert after.get_json()["meets"] is False


@pytest.mark.parametrize(
    "headers, body, status, error",
    [
        ({}, {"insz": INSZ, "profile": "sociale-huur", "purpose": "x"}, 401, "unauthorized"),
        (
            {"Authorization": "Bearer atp_nope_nope"},
            {"insz": INSZ, "profile": "sociale-huur", "purpose": "x"},
            401,
            "unauthorized",
        ),
        (
            "key",
            {"insz": "12345678901", "profile": "sociale-huur", "purpose": "x"},
            400,
            "bad_insz",
        ),
        ("key", {"insz": INSZ, "profile": "taxi", "purpose": "x"}, 403, "profile_not_allowed"),
        ("key", {"insz": INSZ, "profile": "no-such", "purpose": "x"}, 400, "unknown_profile"),
        ("key", {"insz": INSZ, "profile": "sociale-huur"}, 400, "bad_purpose"),
        (
            "key",
            {"insz": INSZ, "profile": "sociale-huur", "purpose": "x" * 201},
            400,
            "bad_purpose",
        ),
        ("key", ["not", "an", "object"], 400, "bad_request"),
    ],
)
def test_bad_partner_requests_get_a_specific_error_and_log_nothing(
    app, db, client, headers, body, status, error
):
    _org, key = make_partner(db, profiles=["sociale-huur"])
    db.commit()
    if headers == "key":
        headers = {"Authorization": f"Bearer {key}"}
    response = client.post("/api/v1/partner/checks", json=body, headers=headers)
    assert response.status_code == status and response.get_json()["error"] == error
    assert response.get_json()["message"]
    assert db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "partner.lookup")) is None


def test_partner_calls_are_rate_limited_per_key(app, db):
    app.config["PARTNER_LIMIT"] = "2 per minute"
    _org, key = make_partner(db)
    _other_org, other_key = make_partner(db)
    db.commit()
    body = {"insz": INSZ, "profile": "sociale-huur", "purpose": "x"}
    client = app.test_client()
    assert [_ask(client, key, **body).status_code for _ in range(3)] == [200, 200, 429]
    assert _ask(client, other_key, **body).status_code == 200


# ---------------------------------------------------------------- OpenAPI + Schemathesis


@pytest.fixture
def api_world(app, db):
    app.config["VERIFY_LIMIT_CLIENT"] = app.config["VERIFY_LIMIT_CODE"] = "100000 per minute"
    app.config["PARTNER_LIMIT"] = "100000 per minute"
    centre = make_centre(db)
    make_attestation(db, app.config, candidate=make_candidate(db, centre=centre, insz=INSZ))
    _org, key = make_partner(db, profiles=["sociale-huur", "inburgering", "taxi"])
    db.commit()
    return {"key": key}


def test_openapi_document_describes_the_public_and_partner_api(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    assert {"/api/v1/verify", "/api/v1/partner/checks", "/.well-known/jwks.json"} <= set(
        doc["paths"]
    )
    assert doc["components"]["securitySchemes"]["partnerKey"]["scheme"] == "bearer"


def _insz_strategy():
    """Valid INSZ numbers (both centuries), some written with the usual separators."""
    from hypothesis import strategies as st

    def build(body: int, born_2000: bool, dotted: bool) -> str:
        digits = f"{body:09d}"
        check = 97 - int(("2" if born_2000 else "") + digits) % 97
        insz = f"{digits}{check:02d}"
        return f"{insz[:2]}.{insz[2:4]}.{insz[4:6]}-{insz[6:9]}.{insz[9:]}" if dotted else insz

    return st.builds(
        build, st.integers(0, 999_999_999), st.booleans(), st.booleans()
    ) | st.sampled_from([INSZ, INSZ_OTHER])


def test_api_follows_its_openapi_document_without_server_errors(app, api_world):
    """Every operation of /api/v1/openapi.json, with generated valid and invalid input."""
    schemathesis.openapi.format("insz", _insz_strategy())
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {api_world['key']}"}
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 5

    calls = []
    for operation, mode in itertools.product(operations, GenerationMode):
        if mode is GenerationMode.NEGATIVE and operation.method.upper() != "POST":
            continue  # nothing to make invalid in a GET without parameters

        @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
        @hypothesis.settings(
            max_examples=25,
            deadline=None,
            suppress_health_check=list(hypothesis.HealthCheck),
            derandomize=True,
            database=None,
        )
        def check(case):
            calls.append(case.call_and_validate(headers=headers, checks=checks).status_code)

        check()
    assert 200 in calls and 400 in calls  # both accepted and rejected requests were made


def test_social_housing_needs_the_lease_start_and_indications_are_never_met(app, db, client):
    org, key = make_partner(db, profiles=["sociale-huur", "nationaliteit"], name="Gemeente Gent")
    db.commit()
    body = {"insz": INSZ, "profile": "sociale-huur", "purpose": "toewijzing woning"}
    missing = client.post(
        "/api/v1/partner/checks", json=body, headers={"Authorization": f"Bearer {key}"}
    )
    assert missing.status_code == 400 and missing.get_json()["error"] == "bad_lease_start"
