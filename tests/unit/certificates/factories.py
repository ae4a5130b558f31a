"""Plain factories for the payload tests: one demo PKI per test run and claims with defaults."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from cryptography.hazmat.primitives.asymmetric import ec

from attest.certificates import keys
from attest.certificates.payload import AttestationClaims

NOW = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
BASE_URL = "https://attest.huisvanhetnederlands.be/q"  # 40 characters, a realistic worst case
assert len(BASE_URL) == 40

ROOT = keys.create_demo_root(NOW - timedelta(days=400))
SIGNER = keys.create_signing_certificate(ROOT, NOW - timedelta(days=365))
OTHER = keys.create_signing_certificate(ROOT, NOW - timedelta(days=365))
KID = keys.kid(SIGNER.certificate)
OTHER_KID = keys.kid(OTHER.certificate)
TRUSTED = {KID: SIGNER.private_key.public_key()}
STRANGER = ec.generate_private_key(ec.SECP256R1())  # a key nobody trusts

NAMES = [  # (family name, given names)
    ("Żółć", "Łukasz"),
    ("Nguyễn", "Thị Minh Khai"),
    ("Иванова", "Мария"),
    ("الحسن", "أحمد"),
    ("Janssens", "Marie Anne"),
]
# 60 characters each: longer than any QR version 14-Q payload can carry in full.
LONG_VIETNAMESE = ("Nguyễn Thị Minh Khai Trần Lê Hoàng Phạm Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý")[:60]
LONG_ARABIC = ("عبد الرحمن بن محمد بن عبد الله بن أحمد الحسن الهاشمي القرشي المكي")[:60]
assert len(LONG_VIETNAMESE) == 60 and len(LONG_ARABIC) == 60


def make_claims(**overrides) -> AttestationClaims:
    """Build attestation claims with sensible defaults."""
    fields = {
        "code": "ATT-K7QD-MX4T",
        "family_name": "Janssens",
        "given_names": "Marie Anne",
        "birth_date": date(1990, 3, 4),
        "levels": {"listening": "A2", "reading": "B1", "speaking": "A1", "writing": "below_A1"},
        "test_date": date(2025, 3, 1),
        "issued_at": NOW,
        "status_index": 4711,
    }
    fields.update(overrides)
    return AttestationClaims(**fields)
