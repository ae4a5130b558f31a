"""Issuing keys: a root CA, document-signing certificates, key ids, PEM storage and lifecycle."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

ROOT_YEARS = 10
# RFC 9336 id-kp-documentSigning: says what the key is for; validators ignore unknown EKUs.
DOCUMENT_SIGNING = getattr(
    ExtendedKeyUsageOID, "DOCUMENT_SIGNING", ObjectIdentifier("1.3.6.1.5.5.7.3.36")
)
# Certificates start a little in the past so a verifier whose clock lags still accepts them.
CLOCK_SKEW = timedelta(hours=1)


class KeyStoreError(LookupError):
    """A key or certificate file is missing, unreadable or inconsistent."""

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(message)
        self.path = path


@dataclass(frozen=True)
class KeyPair:
    private_key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate


def _name(common_name: str, organisation: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organisation:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    attrs.append(x509.NameAttribute(NameOID.COUNTRY_NAME, "BE"))
    return x509.Name(attrs)


def _key_usage(*, signing: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signing,
        content_commitment=signing,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not signing,
        crl_sign=not signing,
        encipher_only=False,
        decipher_only=False,
    )


def create_demo_root(now: datetime, common_name: str = "Attest DEMO Root CA") -> KeyPair:
    """Create a self-signed EC P-256 root CA valid for ten years."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(common_name, "Attest")
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(now + timedelta(days=365 * ROOT_YEARS + 3))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signing=False), critical=True)
        .add_extension(ski, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    return KeyPair(key, cert)


def create_signing_certificate(
    root: KeyPair,
    now: datetime,
    common_name: str = "Attest DEMO issuing key",
    organisation: str = "Attest",
    crl_url: str | None = None,
    days: int = 825,
) -> KeyPair:
    """Create an end-entity document-signing key certified by the root."""
    key = ec.generate_private_key(ec.SECP256R1())
    root_ski = root.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, organisation))
        .issuer_name(root.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(min(now + timedelta(days=days), root.certificate.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(signing=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([DOCUMENT_SIGNING]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(root_ski.value),
            critical=False,
        )
    )
    if crl_url:
        point = x509.DistributionPoint([x509.UniformResourceIdentifier(crl_url)], None, None, None)
        builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
    return KeyPair(key, builder.sign(root.private_key, hashes.SHA256()))


def kid(cert: x509.Certificate) -> str:
    """Return the key id: the first 8 bytes of SHA-256 over the DER certificate, in hex."""
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).digest()[:8].hex()


def save_keypair(kp: KeyPair, directory: Path, name: str) -> None:
    """Write `name.key.pem` (PKCS#8, mode 0600) and `name.crt.pem` into a directory."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    key_pem = kp.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    _write_private(directory / f"{name}.key.pem", key_pem)
    (directory / f"{name}.crt.pem").write_bytes(
        kp.certificate.public_bytes(serialization.Encoding.PEM)
    )


def _write_private(path: Path, data: bytes) -> None:
    # Create with 0600 from the start (no window where the key is world-readable), then swap in.
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(tmp, 0o600)  # the umask may have narrowed, never widened; make it exact
    os.replace(tmp, path)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise KeyStoreError(f"key store file not found: {path}", path) from None
    except OSError as exc:
        raise KeyStoreError(f"key store file unreadable: {path} ({exc.strerror})", path) from exc


def load_certificate(path: Path) -> x509.Certificate:
    """Load a PEM certificate; KeyStoreError if it is missing or not a certificate."""
    path = Path(path)
    try:
        return x509.load_pem_x509_certificate(_read(path))
    except ValueError as exc:
        raise KeyStoreError(f"not a PEM certificate: {path}", path) from exc


def load_keypair(directory: Path, name: str) -> KeyPair:
    """Load `name.key.pem` and `name.crt.pem`; KeyStoreError naming any bad file."""
    key_path = Path(directory) / f"{name}.key.pem"
    cert = load_certificate(Path(directory) / f"{name}.crt.pem")
    try:
        key = serialization.load_pem_private_key(_read(key_path), password=None)
    except (ValueError, TypeError) as exc:
        raise KeyStoreError(f"not an unencrypted PEM private key: {key_path}", key_path) from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise KeyStoreError(f"not an EC private key: {key_path}", key_path)
    if key.public_key() != cert.public_key():
        raise KeyStoreError(f"private key does not match certificate: {key_path}", key_path)
    return KeyPair(key, cert)


@dataclass(frozen=True)
class SigningKeyInfo:
    kid: str
    subject: str
    not_before: datetime
    not_after: datetime
    created_at: datetime
    retired_at: datetime | None = None
    compromised_at: datetime | None = None
    is_demo: bool = False


@dataclass(frozen=True)
class KeyUsability:
    ok: bool
    reason: str

    def __bool__(self) -> bool:
        return self.ok


def _utc(moment: datetime) -> datetime:
    # The database stores naive UTC; certificates give aware UTC. Compare them as aware UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def key_usable_for(info: SigningKeyInfo, signed_at: datetime) -> KeyUsability:
    """Tell whether a signature made at `signed_at` by this key is to be trusted, and why."""
    at = _utc(signed_at)
    if info.compromised_at is not None and at >= _utc(info.compromised_at):
        return KeyUsability(False, "signed after the key was compromised")
    if not _utc(info.not_before) <= at <= _utc(info.not_after):
        return KeyUsability(False, "signed outside the certificate's validity period")
    if at < _utc(info.created_at):
        return KeyUsability(False, "signed before the key was created")
    if info.retired_at is not None and at > _utc(info.retired_at):
        return KeyUsability(False, "signed after the key was retired")
    return KeyUsability(True, "signed while the key was active")


# ---------------------------------------------------------------- PKCS#12 and CRL


def save_pkcs12(
    kp: KeyPair,
    path: Path,
    passphrase: str,
    chain: tuple[x509.Certificate, ...] = (),
    friendly_name: str = "attest",
) -> None:
    """Write the key, its certificate and chain as a passphrase-protected PKCS#12 (mode 0600)."""
    if not passphrase:
        raise KeyStoreError("a PKCS#12 file needs a passphrase", Path(path))
    from cryptography.hazmat.primitives.serialization import pkcs12

    data = pkcs12.serialize_key_and_certificates(
        friendly_name.encode(),
        kp.private_key,
        kp.certificate,
        list(chain) or None,
        serialization.BestAvailableEncryption(passphrase.encode()),
    )
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    _write_private(Path(path), data)


def load_pkcs12(path: Path, passphrase: str | None) -> tuple[KeyPair, tuple[x509.Certificate, ...]]:
    """Load (key pair, chain) from a PKCS#12 file; KeyStoreError for a wrong or no passphrase."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    path = Path(path)
    data = _read(path)
    if not passphrase:
        raise KeyStoreError(f"no passphrase given for {path}", path)
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, passphrase.encode())
    except ValueError as exc:
        raise KeyStoreError(f"wrong passphrase or not a PKCS#12 file: {path}", path) from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or cert is None:
        raise KeyStoreError(f"no EC key with its certificate in {path}", path)
    if key.public_key() != cert.public_key():
        raise KeyStoreError(f"private key does not match certificate: {path}", path)
    return KeyPair(key, cert), tuple(extra)


def key_usage_of(cert: x509.Certificate) -> x509.KeyUsage:
    """Return the certificate's key usage extension."""
    return cert.extensions.get_extension_for_class(x509.KeyUsage).value


def crl_urls(cert: x509.Certificate) -> list[str]:
    """Return the CRL distribution point URLs named in a certificate."""
    try:
        points = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    except x509.ExtensionNotFound:
        return []
    return [name.value for p in points for name in (p.full_name or ()) if hasattr(name, "value")]


@dataclass(frozen=True)
class CrlEntry:
    serial_number: int
    revoked_at: datetime
    reason: x509.ReasonFlags
    invalidity_date: datetime | None = None  # compromise: from when signatures are not trusted


def build_crl(
    root: KeyPair,
    entries: list[CrlEntry],
    now: datetime,
    next_update: timedelta = timedelta(days=30),
    number: int = 1,
) -> x509.CertificateRevocationList:
    """Build the root's CRL listing retired and compromised document-signing certificates."""
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(root.certificate.subject)
        .last_update(now - CLOCK_SKEW)
        .next_update(now + next_update)
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root.private_key.public_key()),
            critical=False,
        )
    )
    for entry in entries:
        revoked = (
            x509.RevokedCertificateBuilder()
            .serial_number(entry.serial_number)
            .revocation_date(entry.revoked_at)
            .add_extension(x509.CRLReason(entry.reason), critical=False)
        )
        if entry.invalidity_date is not None:
            revoked = revoked.add_extension(
                x509.InvalidityDate(entry.invalidity_date.replace(tzinfo=None)), critical=False
            )
        builder = builder.add_revoked_certificate(revoked.build())
    return builder.sign(root.private_key, hashes.SHA256())
