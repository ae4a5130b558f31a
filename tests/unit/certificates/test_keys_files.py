"""PKCS#12 key files, the document-signing certificate profile and the CRL (pure keys module)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509

from attest.certificates import keys

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def root():
    return keys.create_demo_root(NOW, common_name="Test Root")


@pytest.fixture(scope="module")
def signer(root):
    return keys.create_signing_certificate(root, NOW, crl_url="https://a.example/crl/issuing.crl")


def test_pkcs12_round_trip_needs_the_passphrase(tmp_path, root, signer):
    path = tmp_path / "issuing.p12"
    keys.save_pkcs12(signer, path, "s3cret passphrase", chain=(root.certificate,))
    assert path.stat().st_mode & 0o777 == 0o600
    pair, chain = keys.load_pkcs12(path, "s3cret passphrase")
    assert pair.certificate == signer.certificate and chain == (root.certificate,)
    assert pair.private_key.public_key() == signer.certificate.public_key()
    with pytest.raises(keys.KeyStoreError, match="wrong passphrase"):
        keys.load_pkcs12(path, "guess")
    with pytest.raises(keys.KeyStoreError, match="no passphrase"):
        keys.load_pkcs12(path, "")
    with pytest.raises(keys.KeyStoreError, match="needs a passphrase"):
        keys.save_pkcs12(signer, tmp_path / "open.p12", "")
    assert b"PRIVATE KEY" not in path.read_bytes()  # encrypted, not a PEM in disguise


def test_document_signing_certificate_profile(root, signer):
    usage = keys.key_usage_of(signer.certificate)
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    assert keys.crl_urls(signer.certificate) == ["https://a.example/crl/issuing.crl"]
    assert len(keys.kid(signer.certificate)) == 16  # 8 bytes of SHA-256 over the DER, in hex
    signer.certificate.verify_directly_issued_by(root.certificate)


def test_crl_lists_a_compromised_certificate_with_its_invalidity_date(root, signer):
    since = NOW - timedelta(days=3)
    entry = keys.CrlEntry(
        signer.certificate.serial_number, NOW, x509.ReasonFlags.key_compromise, since
    )
    crl = keys.build_crl(root, [entry], NOW)
    assert crl.is_signature_valid(root.certificate.public_key())
    revoked = crl.get_revoked_certificate_by_serial_number(signer.certificate.serial_number)
    assert revoked.extensions.get_extension_for_class(x509.CRLReason).value.reason is (
        x509.ReasonFlags.key_compromise
    )
    invalid = revoked.extensions.get_extension_for_class(x509.InvalidityDate).value
    assert invalid.invalidity_date_utc == since
    other_root = keys.create_demo_root(NOW)
    assert not crl.is_signature_valid(other_root.certificate.public_key())
