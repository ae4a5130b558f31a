"""Look up attestations for the verification pages and API: by typed code or by QR payload."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from cryptography import x509

from attest.assessment.codes import ALPHABET
from attest.certificates.offline import KeyState, jwks_from_certificates, verify_offline
from attest.certificates.requirements import (
    Judgement,
    judge,
    profile_codes,
    profile_in_force,
)
from attest.models import Attestation, AttestationStatus, SigningKey

_CODE = re.compile(rf"^ATT-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}$")
SKILLS = ("listening", "reading", "speaking", "writing")


@dataclass(frozen=True)
class Verification:
    """The outcome of a lookup and what the page may show (`facts`, None on failure)."""

    status: str  # valid | revoked | superseded | not_found
    attestation: Attestation | None
    facts: dict[str, Any] | None = field(default=None)

    @property
    def is_valid(self) -> bool:
        """Tell whether the attestation is genuine and in force."""
        return self.status == "valid"

    def as_json(self) -> dict[str, Any]:
        """Return the API document; every failure has the same shape."""
        doc: dict[str, Any] = {"status": self.status, "valid": self.is_valid, "attestation": None}
        if self.facts is not None:
            doc["attestation"] = {
                k: v.isoformat() if hasattr(v, "isoformat") else v
                for k, v in self.facts.items()
                if k != "revocation"
            }
            if self.facts.get("revocation"):
                doc["revocation"] = {
                    k: v.isoformat() if hasattr(v, "isoformat") else v
                    for k, v in self.facts["revocation"].items()
                }
        return doc


NOT_FOUND = Verification("not_found", None)


def _facts(att: Attestation) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "code": att.code,
        "issuer": att.issuer_name,
        "centre": att.centre_name,
        "family_name": att.family_name,
        "given_names": att.given_names,
        "birth_date": att.birth_date,
        "test_date": att.test_date,
        "issued_at": att.issued_at,
        "levels": {skill: att.levels.get(skill) for skill in SKILLS},
        "profiles": att.profiles,
        "is_demo": att.is_demo,
    }
    if att.status is AttestationStatus.REVOKED:
        facts["revocation"] = {"revoked_at": att.revoked_at, "reason": att.revocation_reason}
    return facts


def normalise(code: str) -> str:
    """Uppercase a typed code and restore its dashes ('att k7qdmx4t' -> 'ATT-K7QD-MX4T')."""
    raw = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    if raw.startswith("ATT") and len(raw) == 11:
        return f"ATT-{raw[3:7]}-{raw[7:]}"
    return code or ""


def verify_code(session: so.Session, code: str) -> Verification:
    """Find an attestation by code; malformed and unknown codes are both 'not_found'."""
    code = normalise(code)
    if not _CODE.fullmatch(code):
        return NOT_FOUND
    att = session.scalar(sa.select(Attestation).where(Attestation.code == code))
    if att is None:
        return NOT_FOUND
    return Verification(att.status.value, att, _facts(att))


def published_jwks(session: so.Session) -> dict:
    """Return the JWKS of every issuing key, with retired and compromised dates."""
    rows = session.execute(
        sa.select(
            SigningKey.certificate_pem,
            SigningKey.root_pem,
            SigningKey.kid,
            SigningKey.retired_at,
            SigningKey.compromised_at,
        ).order_by(SigningKey.id)
    ).all()
    return _jwks(tuple(tuple(r) for r in rows))


@lru_cache(maxsize=8)
def _jwks(rows: tuple[tuple, ...]) -> dict:
    chains = [
        (
            x509.load_pem_x509_certificate(cert.encode()),
            x509.load_pem_x509_certificate(root.encode()),
        )
        for cert, root, *_ in rows
    ]
    states = {kid: KeyState(retired, compromised) for _c, _r, kid, retired, compromised in rows}
    return jwks_from_certificates(chains, states=states)


def verify_payload(session: so.Session, text: str, now: datetime) -> Verification:
    """Verify a scanned QR payload, then take its status from the database.

    The page shows only what the signed payload holds (plus the issuer), so a scan reveals
    nothing the paper does not already say. Any failure is 'not_found', like an unknown code."""
    result = verify_offline(text, published_jwks(session), None, now)
    if result.claims is None or not result.is_authentic:
        return NOT_FOUND
    claims = result.claims.claims
    att = session.scalar(sa.select(Attestation).where(Attestation.code == claims.code))
    if att is None or att.status_index != claims.status_index:
        return NOT_FOUND
    family, given = result.claims.display_names()
    facts = _facts(att) | {
        "family_name": family,
        "given_names": given,
        "birth_date": claims.birth_date,
        "test_date": claims.test_date,
        "levels": {skill: claims.levels.get(skill) for skill in SKILLS},
    }
    return Verification(att.status.value, att, facts)


def judge_requirement(result: Verification, profile_code: str) -> Judgement | None:
    """Judge a verified attestation against one profile under the rule of its test date.

    Returns None when no rule of that profile was in force on the test date (or nothing was
    verified); raises KeyError for a profile that does not exist at all."""
    if profile_code not in dict(profile_codes()):
        raise KeyError(profile_code)
    if result.facts is None:
        return None
    try:
        profile = profile_in_force(profile_code, result.facts["test_date"])
    except KeyError:
        return None
    return judge(profile, result.facts["levels"])
