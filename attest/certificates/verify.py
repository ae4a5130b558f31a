"""Look up an attestation by its code for the verification page and API."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.assessment.codes import ALPHABET
from attest.models import Attestation, AttestationStatus

_CODE = re.compile(rf"^ATT-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}$")


@dataclass(frozen=True)
class Verification:
    status: str  # valid | revoked | superseded | not_found
    attestation: Attestation | None

    @property
    def is_valid(self) -> bool:
        """Tell whether the attestation is genuine and in force."""
        return self.status == "valid"

    def as_json(self) -> dict[str, Any]:
        """Return the API document; every failure has the same shape."""
        att = self.attestation
        doc: dict[str, Any] = {"status": self.status, "valid": self.is_valid, "attestation": None}
        if att is not None:
            doc["attestation"] = {
                "code": att.code,
                "issuer": att.issuer_name,
                "centre": att.centre_name,
                "family_name": att.family_name,
                "given_names": att.given_names,
                "birth_date": att.birth_date.isoformat(),
                "test_date": att.test_date.isoformat(),
                "issued_at": att.issued_at.isoformat(),
                "levels": att.levels,
                "profiles": att.profiles,
                "is_demo": att.is_demo,
            }
            if att.status is AttestationStatus.REVOKED:
                doc["revocation"] = {
                    "revoked_at": att.revoked_at.isoformat() if att.revoked_at else None,
                    "reason": att.revocation_reason,
                }
        return doc


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
        return Verification("not_found", None)
    att = session.scalar(sa.select(Attestation).where(Attestation.code == code))
    if att is None:
        return Verification("not_found", None)
    return Verification(att.status.value, att)
