"""The partner API returns the holder's test-day photo only to an organisation whose agreement
allows it (off by default, switched by an admin, audited), and each lookup that returns a photo
is audited (issue [19] item 3)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import sqlalchemy as sa

from attest import admissions
from attest.models import Admission, AuditEvent, PartnerOrganisation, Role
from attest.photos import photo_hash
from tests.conftest import csrf_from
from tests.factories import (
    make_admission,
    make_attestation,
    make_candidate,
    make_centre,
    make_partner,
    make_user,
)
from tests.web.helpers import login
from tests.web.test_admission import jpeg_bytes
from tests.web.test_partner_api import INSZ, _ask


def _attested_with_photo(app, db):
    """An attestation whose session had an admission with a photo (hash on the row)."""
    centre = make_centre(db)
    cand = make_candidate(db, centre=centre, insz=INSZ)
    att = make_attestation(db, app.config, candidate=cand, levels={
        "listening": "B1", "reading": "B1", "speaking": "B1", "writing": "B1"})  # fmt: skip
    photo = jpeg_bytes(color=(20, 40, 220))
    make_admission(db, session_id=att.session_id, candidate_id=cand.id, photo=photo)
    att.photo_sha256 = photo_hash(photo)
    db.commit()
    return att, photo


def _photo_events(db):
    return db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "partner.photo")).all()


def test_a_partner_gets_the_photo_only_when_its_agreement_allows_it(app, db, client):
    att, photo = _attested_with_photo(app, db)
    org, key = make_partner(db, profiles=("sociale-huur",))
    admin = make_user(db, role=Role.ADMIN)
    db.commit()
    assert org.may_see_photo is False  # off by default

    answer = _ask(app.test_client(), key, insz=INSZ, profile="sociale-huur", purpose="dossier 7")
    doc = answer.get_json()
    assert doc["meets"] is True and doc["attestation"]["code"] == att.code
    assert "photo" not in doc["attestation"]
    assert _photo_events(db) == []

    # an admin switches it on (audited)
    login(client, admin.username)
    page = client.get("/admin/partners").get_data(as_text=True)
    assert f'data-testid="photo-{org.id}">nee<' in page
    response = client.post(f"/admin/partners/{org.id}/photo", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    db.expire_all()
    assert db.get(PartnerOrganisation, org.id).may_see_photo is True
    assert db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "partner.photo_allowed"))

    answer = _ask(app.test_client(), key, insz=INSZ, profile="sociale-huur", purpose="dossier 8")
    assert answer.headers["Cache-Control"] == "no-store"
    got = answer.get_json()["attestation"]["photo"]
    assert got["content_type"] == "image/jpeg" and base64.b64decode(got["data"]) == photo
    [event] = _photo_events(db)
    assert event.object_id == str(att.id) and event.detail["organisation_id"] == org.id
    assert INSZ not in str(event.detail) and got["data"][:20] not in str(event.detail)


def test_no_photo_once_retention_erased_it(app, db):
    att, _photo = _attested_with_photo(app, db)
    org, key = make_partner(db, profiles=("sociale-huur",))
    org.may_see_photo = True
    admissions.erase_admission(db.scalar(sa.select(Admission)), datetime.now(UTC))
    db.commit()
    doc = _ask(app.test_client(), key, insz=INSZ, profile="sociale-huur", purpose="x").get_json()
    assert doc["meets"] is True and "photo" not in doc["attestation"]
    assert _photo_events(db) == []


def test_the_cli_sets_the_photo_flag(app, db):
    org, _key = make_partner(db)
    db.commit()
    runner = app.test_cli_runner()
    out = runner.invoke(args=["partners", "photo", str(org.id), "--allow"])
    assert out.exit_code == 0, out.output
    db.expire_all()
    assert db.get(PartnerOrganisation, org.id).may_see_photo is True
    assert runner.invoke(args=["partners", "photo", str(org.id), "--deny"]).exit_code == 0
    db.expire_all()
    assert db.get(PartnerOrganisation, org.id).may_see_photo is False
    assert runner.invoke(args=["partners", "photo", "9999", "--allow"]).exit_code == 2
