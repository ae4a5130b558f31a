"""Shared fixtures for the pure certificate modules: one demo PKI and attestation factory."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from attest.certificates import keys
from attest.certificates.facts import AttestationFacts
from attest.certificates.pdf import AttestationData, Framing

NOW = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
VERIFY_URL = "https://attest.example.be/v/ATT-7KQ2-M9XP"


def make_attestation_data(**overrides) -> AttestationData:
    """Build attestation data with sensible defaults; an override names a field of the data or
    of its facts."""
    facts = dict(
        code="ATT-7KQ2-M9XP",
        family_name="Janssens",
        given_names="Marie Anne",
        birth_date=date(1990, 3, 4),
        test_date=date(2025, 3, 1),
        issued_at=NOW,
        levels={"listening": "A2", "reading": "B1", "speaking": "A2", "writing": None},
        status_index=None,
    )
    facts.update({k: overrides.pop(k) for k in list(overrides) if k in facts})
    fields = dict(
        centre_name="Huis van het Nederlands Brussel",
        issuer_name="Huis van het Nederlands Brussel",
        requirement=None,
        framing=Framing(
            issuer_address="Voorbeeldstraat 1, 1000 Brussel",
            company_number="0123.456.789",
            contact="attesten@example.be",
            test_form="A2 mondeling (luisteren en spreken)",
            ceiling="A2",
            skills_tested=("listening", "speaking"),
        ),
    )
    fields.update(overrides)
    return AttestationData(AttestationFacts(**facts), **fields)


@pytest.fixture(scope="session")
def now() -> datetime:
    return NOW


@pytest.fixture(scope="session")
def make_data():
    """Return the attestation data factory (fixtures cannot be imported across test folders)."""
    return make_attestation_data


@pytest.fixture(scope="session")
def demo_root() -> keys.KeyPair:
    return keys.create_demo_root(NOW)


@pytest.fixture(scope="session")
def signing_key(demo_root: keys.KeyPair) -> keys.KeyPair:
    return keys.create_signing_certificate(demo_root, NOW, crl_url="https://attest.example.be/crl")
