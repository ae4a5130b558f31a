"""Revocation with reason and date (admin pages and CLI); the pages and the status list follow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from attest.certificates.offline import verify_offline
from attest.certificates.offline_file import payload_from_pdf
from attest.models import Attestation, AttestationStatus, AuditEvent, Role
from attest.storage import storage_for
from tests.conftest import csrf_from
from tests.factories import make_attestation, make_user
from tests.web.helpers import login, verify_api, verify_typed

BIRTH = "1990-04-12"


def _admin_revoke(client, att_id: int, **data):
    url = f"/admin/attestations/{att_id}"
    token = csrf_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def test_admin_revokes_for_fraud_and_every_verifier_sees_it(app, db, client):
    att = make_attestation(db, app.config, now=datetime.now(UTC) - timedelta(days=10))
    admin = make_user(db, role=Role.ADMIN)
    db.commit()
    qr = payload_from_pdf(storage_for(app.config).get(att.pdf_path))
    login(client, admin.username)
    found = client.post(
        "/admin/attestations",
        data={
            "code": att.code.lower(),
            "csrf_token": csrf_from(client.get("/admin/attestations").get_data(as_text=True)),
        },
    )
    assert found.headers["Location"].endswith(f"/admin/attestations/{att.id}")
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date()
    response = _admin_revoke(
        client, att.id, reason="fraud", revoked_on=yesterday.isoformat(), note="Dossier 2026/17"
    )
    assert response.status_code == 302
    db.expire_all()
    att = db.get(Attestation, att.id)
    assert att.status is AttestationStatus.REVOKED and att.revocation_reason_code.value == "fraud"
    assert att.revoked_at.date() == yesterday

    visitor = app.test_client()
    page = verify_typed(visitor, att.code, BIRTH).get_data(as_text=True)
    assert f"Ingetrokken op {yesterday:%d-%m-%Y}" in page and "Reden: fraude." in page
    assert "Geldig attest" not in page and "DEMO-attest" not in page
    asked = verify_typed(visitor, att.code, BIRTH, "inburgering").get_data(as_text=True)
    assert "Voldoet aan:" not in asked and "niet geldig" in asked
    scanned = visitor.get(qr.removeprefix("HTTPS://ATTEST.EXAMPLE")).get_data(as_text=True)
    assert "Ingetrokken op" in scanned and "Geldig attest" not in scanned
    api = verify_api(visitor, att.code, BIRTH).get_json()
    assert api["valid"] is False and api["status"] == "revoked"
    assert api["revocation"]["reason"] == "fraud"
    jwks = visitor.get("/.well-known/jwks.json").get_json()
    status = visitor.get("/status/attestations").data
    assert verify_offline(qr, jwks, status, datetime.now(UTC)).status == "revoked"
    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "attestation.revoke"))
    assert event.actor_id == admin.id and event.detail["reason"] == "fraud"

    again = _admin_revoke(client, att.id, reason="error", revoked_on="")
    assert again.status_code == 400 or again.status_code == 422


def test_bad_revocation_input_is_refused_and_changes_nothing(app, db, client):
    att = make_attestation(db, app.config)
    admin = make_user(db, role=Role.ADMIN)
    db.commit()
    login(client, admin.username)
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    cases = [
        ({"reason": "fraud", "revoked_on": tomorrow}, "toekomst"),
        ({"reason": "fraud", "revoked_on": "2001-01-01"}, "vóór de uitreiking"),
        ({"reason": "fraud", "revoked_on": "31/12/2026"}, "geldige datum"),
        ({"reason": "whim", "revoked_on": ""}, None),
    ]
    for data, message in cases:
        response = _admin_revoke(client, att.id, **data)
        assert response.status_code in (400, 422)
        if message:
            assert message in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(Attestation, att.id).status is AttestationStatus.VALID
    assert db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "attestation.revoke")) is None


def test_cli_revokes_with_reason_and_date(app, db):
    att = make_attestation(db, app.config)
    make_user(db, role=Role.ADMIN, username="chief")
    db.commit()
    runner = app.test_cli_runner()
    bad = runner.invoke(args=["attestations", "revoke", att.code, "--reason", "whim"])
    assert bad.exit_code == 2
    unknown = runner.invoke(args=["attestations", "revoke", "ATT-AAAA-AAAA", "--reason", "error"])
    assert unknown.exit_code == 2 and "no attestation" in unknown.output
    ok = runner.invoke(
        args=[
            "attestations",
            "revoke",
            att.code,
            "--reason",
            "withdrawn",
            "--by",
            "chief",
            "--date",
            datetime.now(UTC).date().isoformat(),
        ]
    )
    assert ok.exit_code == 0, ok.output
    db.expire_all()
    att = db.get(Attestation, att.id)
    assert (
        att.status is AttestationStatus.REVOKED and att.revocation_reason_code.value == "withdrawn"
    )
    twice = runner.invoke(args=["attestations", "revoke", att.code, "--reason", "error"])
    assert twice.exit_code == 1 and "already revoked" in twice.output


def test_superseded_page_links_the_newer_attestation_only_when_it_reveals_nothing_new(
    app, db, client
):
    from attest.certificates.issuing import issuer_of, reissue_attestation
    from attest.models import SkillResult

    old = make_attestation(db, app.config)
    proctor = make_user(db, role=Role.PROCTOR)
    same = reissue_attestation(
        db, old, proctor, "nieuwe sleutel", datetime.now(UTC), issuer_of(app)
    )
    db.commit()
    page = verify_typed(client, old.code, BIRTH).get_data(as_text=True)
    assert "Vervangen door een nieuwer attest" in page and same.code in page
    assert "Geldig attest" not in page

    # a re-mark changes a level: the newer attestation says more, so no link
    result = db.scalar(
        sa.select(SkillResult).where(
            SkillResult.session_id == same.session_id, SkillResult.skill == "writing"
        )
    )
    result.level = "B1"
    db.flush()
    db.expire(same.session)
    changed = reissue_attestation(
        db, same, proctor, "herbeoordeling", datetime.now(UTC), issuer_of(app)
    )
    db.commit()
    page = verify_typed(client, same.code, BIRTH).get_data(as_text=True)
    assert "Vervangen" in page and changed.code not in page
    assert "Vraag de houder om het nieuwe attest" in page
    api = verify_api(client, same.code, BIRTH).get_json()
    assert api["status"] == "superseded" and api["superseded_by"] is None
