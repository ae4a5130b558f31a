"""Staff download a valid attestation as an Open Badges 3.0 VC-JWT signed with the issuing key."""

from __future__ import annotations

import sqlalchemy as sa

from attest.certificates.offline import keys_from_jwks
from attest.certificates.vc import verify_vc_jwt
from attest.models import Role
from tests.factories import make_attestation, make_candidate, make_centre, make_user
from tests.web.helpers import login


def test_proctor_of_the_centre_downloads_a_credential_that_verifies_with_the_jwks(app, db, client):
    centre = make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    other = make_user(db, role=Role.PROCTOR)
    att = make_attestation(
        db, app.config, candidate=make_candidate(db, centre=centre), actor=proctor
    )
    db.commit()
    login(client, proctor.username)
    page = client.get(f"/proctor/sessions/{att.session_id}").get_data(as_text=True)
    assert f"/proctor/attestations/{att.id}/credential.jwt" in page
    response = client.get(f"/proctor/attestations/{att.id}/credential.jwt")
    assert response.status_code == 200 and response.mimetype == "application/jwt"
    jwks = app.test_client().get("/.well-known/jwks.json").get_json()
    keys = {kid: key.public_key for kid, key in keys_from_jwks(jwks).items()}
    kid, vc = verify_vc_jwt(response.get_data(as_text=True), keys)
    assert kid == att.signing_key.kid
    assert vc["id"].endswith(att.code) and "DEMO" in vc["name"]
    assert {r["value"] for r in vc["credentialSubject"]["result"]} == {"A2"}

    stranger = app.test_client()
    login(stranger, other.username)  # another centre: the attestation does not exist for them
    assert stranger.get(f"/proctor/attestations/{att.id}/credential.jwt").status_code == 404

    from datetime import UTC, datetime

    from attest.certificates.revocation import revoke_attestation

    revoke_attestation(db, att, None, "error", datetime.now(UTC), datetime.now(UTC))
    db.commit()
    assert client.get(f"/proctor/attestations/{att.id}/credential.jwt").status_code == 409
    assert db.scalar(sa.select(sa.func.count()).select_from(type(att))) == 1
