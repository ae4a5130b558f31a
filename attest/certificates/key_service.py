"""Manage issuing keys: offline root, document-signing certificates, rotation, retirement,
compromise and the CRL. Private keys live in PKCS#12 files whose passphrases come from the
environment; the database holds certificates and dates only. Every operation is audited."""

from __future__ import annotations

import hashlib
import os
from datetime import datetime
from pathlib import Path
from typing import Mapping

import sqlalchemy as sa
import sqlalchemy.orm as so
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from attest.audit import record_event
from attest.certificates import keys as keymod
from attest.models import SigningKey, User

ROOT_PASSPHRASE_ENV = "ATTEST_ROOT_PASSPHRASE"
KEY_PASSPHRASE_ENV = "ATTEST_KEY_PASSPHRASE"
CRL_FILE = "issuing.crl"
CRL_PATH = "/crl/issuing.crl"


class KeyOperationError(Exception):
    """A key operation cannot be done; the message says why and what to do."""


def _passphrase(env_name: str, environ: Mapping[str, str] | None = None) -> str:
    value = (os.environ if environ is None else environ).get(env_name, "")
    if not value:
        raise KeyOperationError(f"set the passphrase in the environment variable {env_name}")
    return value


def _fingerprint(cert: x509.Certificate) -> str:
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()[:16]


def signer_for(
    key_row: SigningKey, keys_dir: Path, environ: Mapping[str, str] | None = None
) -> keymod.KeyPair:
    """Load the private key of a signing key: its PKCS#12 file, or the PEM of a demo key."""
    p12 = Path(keys_dir) / f"{key_row.name}.p12"
    if p12.exists():
        pair, _chain = keymod.load_pkcs12(p12, _passphrase(KEY_PASSPHRASE_ENV, environ))
    elif key_row.is_demo:
        pair = keymod.load_keypair(Path(keys_dir), key_row.name)
    else:
        raise keymod.KeyStoreError(f"key store file not found: {p12}", p12)
    if keymod.kid(pair.certificate) != key_row.kid:
        raise keymod.KeyStoreError(f"{p12} does not hold the key {key_row.kid}", p12)
    return pair


def _key_row(
    signer: keymod.KeyPair, root: keymod.KeyPair, name: str, now: datetime, *, is_demo: bool
) -> SigningKey:
    """The database row of a signing key: its certificate and its root's, never the key."""
    pem = serialization.Encoding.PEM
    return SigningKey(
        kid=keymod.kid(signer.certificate),
        name=name,
        subject=signer.certificate.subject.rfc4514_string(),
        certificate_pem=signer.certificate.public_bytes(pem).decode(),
        root_pem=root.certificate.public_bytes(pem).decode(),
        is_demo=is_demo,
        created_at=now,
    )


def active_signing_key(session: so.Session) -> SigningKey | None:
    """Return the newest key that is neither retired nor compromised."""
    return session.scalar(
        sa.select(SigningKey)
        .where(SigningKey.retired_at.is_(None), SigningKey.compromised_at.is_(None))
        .order_by(SigningKey.id.desc())
        .limit(1)
    )


def init_keys(
    session: so.Session, keys_dir: Path, now: datetime, *, demo: bool, public_url: str
) -> tuple[SigningKey, bool]:
    """Create a root CA and an issuing key when none is active; return (key, created)."""
    existing = active_signing_key(session)
    if existing is not None and any(
        (keys_dir / f"{existing.name}{ext}").exists() for ext in (".key.pem", ".p12")
    ):
        return existing, False
    prefix = "Attest DEMO" if demo else "Attest"
    root = keymod.create_demo_root(now, common_name=f"{prefix} Root CA")
    signer = keymod.create_signing_certificate(
        root,
        now,
        common_name=f"{prefix} issuing key {now:%Y-%m-%d}",
        crl_url=f"{public_url.rstrip('/')}{CRL_PATH}",
    )
    kid = keymod.kid(signer.certificate)
    name = f"issuing-{kid}"
    keymod.save_keypair(root, keys_dir, "root")
    keymod.save_keypair(signer, keys_dir, name)
    row = _key_row(signer, root, name, now, is_demo=demo)
    if existing is not None:
        existing.retired_at = now
        record_event(session, None, "key.retire", "signing_key", existing.id, kid=existing.kid)
    session.add(row)
    session.flush()
    record_event(session, None, "key.create", "signing_key", row.id, kid=kid, demo=demo)
    return row, True


def create_root(
    session: so.Session,
    out_dir: Path,
    now: datetime,
    actor: User | None,
    common_name: str = "Attest Root CA",
    environ: Mapping[str, str] | None = None,
) -> keymod.KeyPair:
    """Create the offline root CA: `root.p12` (passphrase from the environment), `root.crt.pem`."""
    passphrase = _passphrase(ROOT_PASSPHRASE_ENV, environ)
    out_dir = Path(out_dir)
    if (out_dir / "root.p12").exists():
        raise KeyOperationError(f"{out_dir / 'root.p12'} exists; a root is created once")
    root = keymod.create_demo_root(now, common_name=common_name)
    keymod.save_pkcs12(root, out_dir / "root.p12", passphrase, friendly_name="attest-root")
    (out_dir / "root.crt.pem").write_bytes(
        root.certificate.public_bytes(serialization.Encoding.PEM)
    )
    record_event(session, actor, "key.root_create", "root_ca", _fingerprint(root.certificate))
    return root


def load_root(root_file: Path, environ: Mapping[str, str] | None = None) -> keymod.KeyPair:
    """Load the offline root from its PKCS#12 file."""
    pair, _chain = keymod.load_pkcs12(Path(root_file), _passphrase(ROOT_PASSPHRASE_ENV, environ))
    return pair


def issue_signing_key(
    session: so.Session,
    root: keymod.KeyPair,
    keys_dir: Path,
    now: datetime,
    actor: User | None,
    *,
    public_url: str,
    common_name: str | None = None,
    environ: Mapping[str, str] | None = None,
    action: str = "key.issue",
) -> SigningKey:
    """Certify a new document-signing key with the root and store it as a PKCS#12 file."""
    passphrase = _passphrase(KEY_PASSPHRASE_ENV, environ)
    signer = keymod.create_signing_certificate(
        root,
        now,
        common_name=common_name or f"Attest issuing key {now:%Y-%m-%d}",
        crl_url=f"{public_url.rstrip('/')}{CRL_PATH}",
    )
    kid = keymod.kid(signer.certificate)
    name = f"issuing-{kid}"
    keymod.save_pkcs12(
        signer, Path(keys_dir) / f"{name}.p12", passphrase, chain=(root.certificate,)
    )
    row = _key_row(signer, root, name, now, is_demo=False)
    session.add(row)
    session.flush()
    record_event(session, actor, action, "signing_key", kid, root=_fingerprint(root.certificate))
    return row


def rotate_signing_key(
    session: so.Session,
    root: keymod.KeyPair,
    keys_dir: Path,
    now: datetime,
    actor: User | None,
    *,
    public_url: str,
    environ: Mapping[str, str] | None = None,
) -> tuple[SigningKey, list[SigningKey]]:
    """Issue a new signing key and retire every key that was active; return (new, retired)."""
    active = list(
        session.scalars(
            sa.select(SigningKey).where(
                SigningKey.retired_at.is_(None), SigningKey.compromised_at.is_(None)
            )
        )
    )
    new = issue_signing_key(
        session,
        root,
        keys_dir,
        now,
        actor,
        public_url=public_url,
        environ=environ,
        action="key.rotate",
    )
    for row in active:
        retire_key(session, row.kid, now, actor, now)
    return new, active


def key_by_kid(session: so.Session, kid: str) -> SigningKey:
    """Return the signing key with this kid, or raise KeyOperationError."""
    row = session.scalar(sa.select(SigningKey).where(SigningKey.kid == (kid or "").lower()))
    if row is None:
        raise KeyOperationError(f"no signing key with kid {kid!r} (see `attest keys list`)")
    return row


def retire_key(
    session: so.Session, kid: str, at: datetime, actor: User | None, now: datetime
) -> SigningKey:
    """Stop signing with a key from `at` on; what it signed before stays valid."""
    row = key_by_kid(session, kid)
    if row.retired_at is not None:
        raise KeyOperationError(
            f"key {row.kid} was already retired on {row.retired_at:%Y-%m-%d %H:%M}"
        )
    if at > now:
        raise KeyOperationError("a key cannot be retired in the future")
    if at < row.created_at:
        raise KeyOperationError("a key cannot be retired before it was created")
    row.retired_at = at
    session.flush()
    record_event(session, actor, "key.retire", "signing_key", row.kid, at=at.isoformat())
    return row


def mark_compromised(
    session: so.Session, kid: str, since: datetime, actor: User | None, now: datetime
) -> SigningKey:
    """Distrust everything a key signed from `since` on (online, status list, JWKS, CRL)."""
    row = key_by_kid(session, kid)
    if since > now:
        raise KeyOperationError("the compromise date cannot be in the future")
    if row.compromised_at is not None and row.compromised_at <= since:
        raise KeyOperationError(
            f"key {row.kid} is already marked compromised since {row.compromised_at}"
        )
    row.compromised_at = since  # an earlier date than known before only widens the distrust
    if row.retired_at is None:
        row.retired_at = now
    session.flush()
    record_event(session, actor, "key.compromise", "signing_key", row.kid, since=since.isoformat())
    return row


def build_and_store_crl(
    session: so.Session,
    root: keymod.KeyPair,
    out_file: Path,
    now: datetime,
    actor: User | None,
) -> x509.CertificateRevocationList:
    """Write the root's CRL (DER) listing the compromised keys it certified."""
    entries = []
    rows = session.scalars(
        sa.select(SigningKey).where(SigningKey.compromised_at.is_not(None)).order_by(SigningKey.id)
    )
    for row in rows:
        cert = x509.load_pem_x509_certificate(row.certificate_pem.encode())
        if cert.issuer != root.certificate.subject:
            continue
        entries.append(
            keymod.CrlEntry(
                serial_number=cert.serial_number,
                revoked_at=now,
                reason=x509.ReasonFlags.key_compromise,
                invalidity_date=row.compromised_at,
            )
        )
    crl = keymod.build_crl(root, entries, now, number=int(now.timestamp()))
    out_file = Path(out_file)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_file.with_name(out_file.name + ".tmp")
    tmp.write_bytes(crl.public_bytes(serialization.Encoding.DER))
    os.replace(tmp, out_file)
    record_event(
        session,
        actor,
        "key.crl_publish",
        "root_ca",
        _fingerprint(root.certificate),
        entries=len(entries),
    )
    return crl


def list_keys(session: so.Session) -> list[SigningKey]:
    """Return all signing keys, oldest first."""
    return list(session.scalars(sa.select(SigningKey).order_by(SigningKey.id)))
