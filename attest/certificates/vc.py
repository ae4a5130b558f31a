"""An attestation as a W3C Verifiable Credential: Open Badges 3.0 `OpenBadgeCredential`,
secured as a VC-JWT (compact JWS, ES256) with the issuing key whose kid is in the JWKS.

Pure module: no Flask, no ORM; keys and times are arguments. Format: docs/payload-format.md."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from attest.names import display_name
from attest.public_urls import ACHIEVEMENT, code_url, status_list_url
from attest.public_urls import base_url as public_base
from attest.vocabulary import RESULT_LEVELS, SKILL_NAMES_NL, SKILLS

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
OB_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
MAX_TOKEN = 64 * 1024


class VcError(ValueError):
    """A VC-JWT that cannot be trusted; `reason` is a stable code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason


@dataclass(frozen=True)
class CredentialFacts:
    code: str
    family_name: str
    given_names: str
    birth_date: date
    test_date: date
    issued_at: datetime
    levels: Mapping[str, str | None]
    profiles_met: tuple[str, ...]  # titles of the profiles met on the test date
    issuer_name: str
    status_index: int | None
    is_demo: bool = False


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_credential(facts: CredentialFacts, base_url: str) -> dict:
    """Return the OpenBadgeCredential (JSON-LD) for an attestation."""
    base = public_base(base_url)
    achievement_id = f"{base}{ACHIEVEMENT}"
    tested = [s for s in SKILLS if facts.levels.get(s) is not None]
    name = "Attest Nederlands als tweede taal (NT2)" + (
        " — DEMO, zonder waarde" if facts.is_demo else ""
    )
    credential: dict = {
        "@context": CONTEXTS,
        "id": code_url(base, facts.code),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": name,
        "issuer": {"id": f"{base}/", "type": ["Profile"], "name": facts.issuer_name},
        "validFrom": _iso(facts.issued_at),
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": display_name(facts.family_name, facts.given_names, sort=False),
                },
                {
                    "type": "IdentityObject",
                    "identityType": "ext:birthDate",
                    "hashed": False,
                    "identityHash": facts.birth_date.isoformat(),
                },
            ],
            "activityEndDate": f"{facts.test_date.isoformat()}T00:00:00Z",
            "achievement": {
                "id": achievement_id,
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": "Nederlands als tweede taal: ERK-niveau per vaardigheid",
                "description": "Niveau per vaardigheid op het Europees Referentiekader (ERK/CEFR), "
                "A1 tot B2, behaald op een NT2-test.",
                "criteria": {
                    "narrative": "Het niveau per getoetste vaardigheid; de vereisten waaraan het "
                    "resultaat voldoet, volgens de regel op de testdatum."
                },
                "inLanguage": "nl",
                "resultDescriptions": [
                    {
                        "id": f"{achievement_id}#{skill}",
                        "type": ["ResultDescription"],
                        "name": SKILL_NAMES_NL[skill],
                        "resultType": "ext:CEFRLevel",
                        "allowedValue": list(RESULT_LEVELS),
                    }
                    for skill in SKILLS
                ],
            },
            "result": [
                {
                    "type": ["Result"],
                    "resultDescription": f"{achievement_id}#{skill}",
                    "value": facts.levels[skill],
                }
                for skill in tested
            ],
            "narrative": "Voldoet aan: " + (", ".join(facts.profiles_met) or "geen"),
        },
    }
    if facts.status_index is not None:
        credential["credentialStatus"] = {
            "id": status_list_url(base, facts.status_index),
            "type": "TokenStatusListEntry",
            "statusListIndex": facts.status_index,
            "statusListCredential": status_list_url(base),
        }
    return credential


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise VcError("bad_encoding", "not base64url") from None


def sign_vc_jwt(
    credential: Mapping, private_key: ec.EllipticCurvePrivateKey, kid: str, now: datetime
) -> str:
    """Return the credential as a VC-JWT (OB 3.0 section 8.2): iss, jti, nbf, iat and vc."""
    header = {"alg": "ES256", "typ": "JWT", "kid": kid}
    valid_from = datetime.fromisoformat(credential["validFrom"].replace("Z", "+00:00"))
    claims = {
        "iss": credential["issuer"]["id"],
        "jti": credential["id"],
        "nbf": int(valid_from.timestamp()),
        "iat": int(now.timestamp()),
        "vc": credential,
    }
    signing_input = (
        _b64(json.dumps(header, separators=(",", ":")).encode())
        + "."
        + _b64(json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode())
    )
    r, s = decode_dss_signature(private_key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    return signing_input + "." + _b64(r.to_bytes(32, "big") + s.to_bytes(32, "big"))


def verify_vc_jwt(token: str, keys: Mapping[str, ec.EllipticCurvePublicKey]) -> tuple[str, dict]:
    """Check a VC-JWT and return (kid, credential); VcError for anything untrustworthy."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN or token.count(".") != 2:
        raise VcError("bad_encoding", "a VC-JWT has three base64url parts")
    head_b64, body_b64, sig_b64 = token.strip().split(".")
    try:
        header = json.loads(_unb64(head_b64))
        claims = json.loads(_unb64(body_b64))
    except (ValueError, UnicodeDecodeError):
        raise VcError("bad_encoding", "header or claims are not JSON") from None
    if not isinstance(header, dict) or header.get("alg") != "ES256":
        raise VcError("unsupported_alg", "only ES256 is accepted")
    key = keys.get(header.get("kid")) if isinstance(header.get("kid"), str) else None
    if key is None:
        raise VcError("unknown_kid", "no trusted key has this kid")
    signature = _unb64(sig_b64)
    if len(signature) != 64:
        raise VcError("bad_signature", "an ES256 signature is 64 bytes")
    der = encode_dss_signature(
        int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    )
    try:
        key.verify(der, f"{head_b64}.{body_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise VcError("bad_signature", "the signature does not match") from None
    vc = claims.get("vc") if isinstance(claims, dict) else None
    if not isinstance(vc, dict) or "OpenBadgeCredential" not in vc.get("type", []):
        raise VcError("bad_claims", "the token holds no OpenBadgeCredential")
    if claims.get("jti") != vc.get("id") or claims.get("iss") != vc.get("issuer", {}).get("id"):
        raise VcError("bad_claims", "jti/iss do not match the credential")
    return header["kid"], vc
