"""Issuing keys: kid, certificate profile, PEM storage, key lifecycle."""

from __future__ import annotations

import hashlib
import stat
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from attest.certificates import keys


def test_kid_is_first_8_bytes_of_sha256_over_der(signing_key):
    der = signing_key.certificate.public_bytes(serialization.Encoding.DER)
    kid = keys.kid(signing_key.certificate)
    assert len(kid) == 16 and int(kid, 16) >= 0
    assert kid == hashlib.sha256(der).digest()[:8].hex()


def test_root_is_a_ten_year_ca(demo_root, now):
    cert = demo_root.certificate
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.key_cert_sign and usage.crl_sign and not usage.digital_signature
    assert cert.not_valid_after_utc - now >= timedelta(days=3650)
    assert isinstance(cert.public_key(), ec.EllipticCurvePublicKey)
    assert cert.public_key().curve.name == "secp256r1"


def test_signing_certificate_profile(signing_key, demo_root):
    cert = signing_key.certificate
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and usage.value.content_commitment
    assert not usage.value.key_cert_sign
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    crl = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert crl[0].full_name[0].value == "https://attest.example.be/crl"
    aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    ski = demo_root.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    assert aki.key_identifier == ski.value.digest


def test_signing_certificate_chains_to_root(signing_key, demo_root):
    cert = signing_key.certificate
    assert cert.issuer == demo_root.certificate.subject
    cert.verify_directly_issued_by(demo_root.certificate)  # raises if not


def test_signing_certificate_without_crl_url(demo_root, now):
    kp = keys.create_signing_certificate(demo_root, now)
    with pytest.raises(x509.ExtensionNotFound):
        kp.certificate.extensions.get_extension_for_class(x509.CRLDistributionPoints)


def test_save_load_round_trip(tmp_path, signing_key):
    keys.save_keypair(signing_key, tmp_path, "issuing")
    key_file = tmp_path / "issuing.key.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")  # PKCS#8
    loaded = keys.load_keypair(tmp_path, "issuing")
    assert loaded.certificate == signing_key.certificate
    assert loaded.private_key.private_numbers() == signing_key.private_key.private_numbers()
    assert keys.load_certificate(tmp_path / "issuing.crt.pem") == signing_key.certificate


@pytest.mark.parametrize("missing", ["issuing.key.pem", "issuing.crt.pem"])
def test_missing_file_names_the_file(tmp_path, signing_key, missing):
    keys.save_keypair(signing_key, tmp_path, "issuing")
    (tmp_path / missing).unlink()
    with pytest.raises(keys.KeyStoreError, match=missing) as info:
        keys.load_keypair(tmp_path, "issuing")
    assert info.value.path == tmp_path / missing


def test_garbage_or_mismatched_files_are_key_store_errors(tmp_path, signing_key, demo_root):
    keys.save_keypair(signing_key, tmp_path, "a")
    (tmp_path / "a.crt.pem").write_text("not a certificate")
    with pytest.raises(keys.KeyStoreError, match="a.crt.pem"):
        keys.load_keypair(tmp_path, "a")
    keys.save_keypair(signing_key, tmp_path, "b")
    (tmp_path / "b.crt.pem").write_bytes(
        demo_root.certificate.public_bytes(serialization.Encoding.PEM)
    )
    with pytest.raises(keys.KeyStoreError, match="does not match"):
        keys.load_keypair(tmp_path, "b")


D = datetime(2025, 1, 1, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.mark.parametrize(
    "retired, compromised, signed_at, ok, reason",
    [
        (None, None, D + 10 * DAY, True, "active"),
        (D + 30 * DAY, None, D + 10 * DAY, True, "active"),  # retired key still verifies
        (D + 30 * DAY, None, D + 31 * DAY, False, "retired"),
        (None, D + 20 * DAY, D + 10 * DAY, True, "active"),  # signed before the compromise
        (None, D + 20 * DAY, D + 20 * DAY, False, "compromised"),
        (D + 5 * DAY, D + 20 * DAY, D + 25 * DAY, False, "compromised"),
        (None, None, D - DAY, False, "validity"),
        (None, None, D + 900 * DAY, False, "validity"),
        (None, None, (D + 10 * DAY).replace(tzinfo=None), True, "active"),  # naive means UTC
    ],
)
def test_key_usable_for(retired, compromised, signed_at, ok, reason):
    info = keys.SigningKeyInfo(
        kid="0123456789abcdef",
        subject="CN=Attest",
        not_before=D,
        not_after=D + 825 * DAY,
        created_at=D,
        retired_at=retired,
        compromised_at=compromised,
        is_demo=True,
    )
    verdict = keys.key_usable_for(info, signed_at)
    assert bool(verdict) is ok and verdict.ok is ok
    assert reason in verdict.reason
