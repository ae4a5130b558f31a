"""The facts an attestation states, whatever its form: the sealed PDF (`pdf.AttestationData`),
the signed QR payload (`payload`, which carries exactly these facts), the Verifiable Credential
(`vc.CredentialData`) and the database row (`models.Attestation`, read by `facts_of`).

Each form adds only what is its own (the PDF its centre, issuer and framing; the credential its
issuer, the requirement profiles met and the demo mark). Pure module: no Flask, no ORM."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class AttestationFacts:
    code: str  # "ATT-K7QD-MX4T"
    family_name: str
    given_names: str
    birth_date: date
    # skill -> "below_A1" | "A1".."B2"; a skill not tested is None or absent
    levels: Mapping[str, str | None]
    test_date: date
    issued_at: datetime  # timezone-aware; the QR payload keeps whole seconds
    status_index: int | None  # the attestation's bit in the signed status list

    def tested_levels(self) -> dict[str, str]:
        """Return the level of every skill tested (those not tested left out)."""
        return {skill: level for skill, level in self.levels.items() if level is not None}

    def row_values(self) -> dict[str, Any]:
        """Return the facts as the columns of the attestation's row (same names)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


class _AttestationRow(Protocol):
    code: str
    family_name: str
    given_names: str
    birth_date: date
    levels: Mapping[str, str | None]
    test_date: date
    issued_at: datetime
    status_index: int | None


def facts_of(row: _AttestationRow) -> AttestationFacts:
    """Return the facts an issued attestation states (its database row, `models.Attestation`)."""
    return AttestationFacts(**{f.name: getattr(row, f.name) for f in fields(AttestationFacts)})
