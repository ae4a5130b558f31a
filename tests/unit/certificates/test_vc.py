"""An attestation as an Open Badges 3.0 credential in a VC-JWT (ES256, the issuing key)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from attest.certificates.vc import (
    CredentialFacts,
    VcError,
    build_credential,
    sign_vc_jwt,
    verify_vc_jwt,
)

KEY = ec.generate_private_key(ec.SECP256R1())
KID = "0011223344556677"
NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
FACTS = CredentialFacts(
    code="ATT-K7QD-MX4T-9ABC-DEFG-HJKM",
    family_name="Nguyễn",
    given_names="Thị Minh Khai",
    birth_date=date(1988, 2, 29),
    test_date=date(2026, 5, 2),
    issued_at=datetime(2026, 5, 3, 9, 30, tzinfo=UTC),
    levels={"listening": "A2", "reading": "B1", "speaking": None, "writing": None},
    profiles_met=("Inburgering (NT2)",),
    issuer_name="Huis van het Nederlands",
    status_index=4242,
)


def _token() -> str:
    return sign_vc_jwt(build_credential(FACTS, "https://attest.example"), KEY, KID, NOW)


def test_credential_is_an_open_badge_with_a_result_per_tested_skill():
    vc = build_credential(FACTS, "https://attest.example/")
    assert vc["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert "ob/v3p0" in vc["@context"][1]
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert vc["issuer"]["type"] == ["Profile"] and vc["validFrom"] == "2026-05-03T09:30:00Z"
    subject = vc["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["achievement"]["type"] == ["Achievement"]
    assert [(r["resultDescription"].rsplit("#")[1], r["value"]) for r in subject["result"]] == [
        ("listening", "A2"),
        ("reading", "B1"),
    ]
    assert vc["credentialStatus"]["statusListIndex"] == 4242


def test_vc_jwt_round_trip_and_header():
    token = _token()
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header == {"alg": "ES256", "typ": "JWT", "kid": KID}
    kid, vc = verify_vc_jwt(token, {KID: KEY.public_key()})
    assert kid == KID and vc["credentialSubject"]["identifier"][0]["identityHash"] == (
        "Thị Minh Khai Nguyễn"
    )
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert claims["jti"] == vc["id"] and claims["nbf"] == int(FACTS.issued_at.timestamp())


def _forge(token: str, change) -> str:
    head, body, sig = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=="))
    change(claims)
    raw = json.dumps(claims, separators=(",", ":")).encode()
    return f"{head}.{base64.urlsafe_b64encode(raw).rstrip(b'=').decode()}.{sig}"


def test_forged_unknown_key_and_wrong_algorithm_are_rejected():
    token = _token()

    def upgrade(claims):
        claims["vc"]["credentialSubject"]["result"][0]["value"] = "B2"

    with pytest.raises(VcError, match="bad_signature"):
        verify_vc_jwt(_forge(token, upgrade), {KID: KEY.public_key()})
    with pytest.raises(VcError, match="unknown_kid"):
        verify_vc_jwt(token, {"ffffffffffffffff": KEY.public_key()})
    other = ec.generate_private_key(ec.SECP256R1()).public_key()
    with pytest.raises(VcError, match="bad_signature"):
        verify_vc_jwt(token, {KID: other})
    none_alg = base64.urlsafe_b64encode(b'{"alg":"none","kid":"x"}').rstrip(b"=").decode()
    with pytest.raises(VcError, match="unsupported_alg"):
        verify_vc_jwt(none_alg + "." + token.split(".", 1)[1], {KID: KEY.public_key()})
    with pytest.raises(VcError, match="bad_encoding"):
        verify_vc_jwt(token[: len(token) // 2], {KID: KEY.public_key()})
