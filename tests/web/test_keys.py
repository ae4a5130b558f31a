"""`attest keys`: offline root, document-signing keys in PKCS#12, rotation, retirement,
compromise with a date (online and offline), the CRL at its distribution point, the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography import x509

from attest.certificates import keys as keymod
from attest.certificates.offline import verify_offline
from attest.certificates.offline_file import payload_from_pdf
from attest.models import AuditEvent, SigningKey
from attest.storage import storage_for
from tests.factories import make_attestation, make_candidate, make_centre
from tests.web.helpers import verify_typed

ROOT_PASS, KEY_PASS = "root passphrase for tests", "signing passphrase for tests"
BIRTH = "1990-04-12"  # make_candidate's default


@pytest.fixture
def offline(tmp_path, monkeypatch):
    monkeypatch.setenv("ATTEST_ROOT_PASSPHRASE", ROOT_PASS)
    monkeypatch.setenv("ATTEST_KEY_PASSPHRASE", KEY_PASS)
    return tmp_path / "offline-root"


def run(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    return result


def _qr(app, att) -> str:
    return payload_from_pdf(storage_for(app.config).get(att.pdf_path))


def _keys(db) -> list[SigningKey]:
    db.expire_all()
    return list(db.scalars(sa.select(SigningKey).order_by(SigningKey.id)))


def test_key_lifecycle_from_root_to_compromise(app, db, client, offline):
    out = run(app, "keys", "root", "--out", str(offline))
    assert out.exit_code == 0, out.output
    root_file = offline / "root.p12"
    assert root_file.exists() and (offline / "root.crt.pem").exists()
    assert run(app, "keys", "root", "--out", str(offline)).exit_code != 0  # created once

    out = run(app, "keys", "issue", "--root", str(root_file))
    assert out.exit_code == 0, out.output
    [key1] = _keys(db)
    cert = x509.load_pem_x509_certificate(key1.certificate_pem.encode())
    assert key1.kid == keymod.kid(cert) and not key1.is_demo
    usage = keymod.key_usage_of(cert)
    assert usage.digital_signature and usage.content_commitment
    assert keymod.crl_urls(cert) == ["https://attest.example/crl/issuing.crl"]
    p12 = Path(app.config["KEYS_DIR"]) / f"{key1.name}.p12"
    assert p12.exists() and not (Path(app.config["KEYS_DIR"]) / f"{key1.name}.key.pem").exists()
    with pytest.raises(keymod.KeyStoreError):
        keymod.load_pkcs12(p12, "wrong")
    # the database holds certificates only: no private key, no passphrase
    row_text = " ".join(str(v) for v in vars(key1).values())
    assert "PRIVATE KEY" not in row_text and KEY_PASS not in row_text

    centre = make_centre(db)
    first = make_attestation(db, app.config, candidate=make_candidate(db, centre=centre))
    db.commit()
    assert first.signing_key_id == key1.id and not first.is_demo

    out = run(app, "keys", "rotate", "--root", str(root_file))
    assert out.exit_code == 0, out.output
    key1, key2 = _keys(db)
    assert key1.retired_at is not None and key2.retired_at is None
    second = make_attestation(db, app.config, candidate=make_candidate(db, centre=centre))
    db.commit()
    assert second.signing_key_id == key2.id

    # a retired key still verifies what it signed while active, online and offline
    assert verify_typed(client, first.code, BIRTH).status_code == 200
    assert "Geldig attest" in verify_typed(client, first.code, BIRTH).get_data(as_text=True)
    jwks = client.get("/.well-known/jwks.json").get_json()
    now = datetime.now(UTC)
    assert verify_offline(_qr(app, first), jwks, None, now).is_authentic

    since = (second.issued_at - timedelta(seconds=1)).isoformat()
    out = run(app, "keys", "compromised", key2.kid, "--since", since)
    assert out.exit_code == 0, out.output
    out = run(app, "keys", "issue", "--root", str(root_file))  # a fresh key to carry on
    assert out.exit_code == 0, out.output

    # what key 2 signed after the compromise is invalid: page, QR page, offline, status list
    page = verify_typed(client, second.code, BIRTH).get_data(as_text=True)
    assert "Niet geldig" in page and "Geldig attest" not in page
    scanned = client.get(_qr(app, second).removeprefix("HTTPS://ATTEST.EXAMPLE"))
    assert "Niet geldig" in scanned.get_data(as_text=True)
    jwks = client.get("/.well-known/jwks.json").get_json()
    status = client.get("/status/attestations").data
    offline_second = verify_offline(_qr(app, second), jwks, status, now)
    assert offline_second.status == "invalid" and offline_second.reason == "key_compromised"
    assert verify_offline(_qr(app, first), jwks, status, now).status == "valid"

    # the CRL at the distribution point lists key 2 as compromised, signed by the root
    assert client.get("/crl/issuing.crl").status_code == 404  # not published yet
    out = run(app, "keys", "crl", "--root", str(root_file))
    assert out.exit_code == 0, out.output
    served = client.get("/crl/issuing.crl")
    assert served.status_code == 200 and served.mimetype == "application/pkix-crl"
    crl = x509.load_der_x509_crl(served.data)
    root_cert = keymod.load_certificate(offline / "root.crt.pem")
    assert crl.is_signature_valid(root_cert.public_key())
    cert2 = x509.load_pem_x509_certificate(_keys(db)[1].certificate_pem.encode())
    assert crl.get_revoked_certificate_by_serial_number(cert2.serial_number) is not None
    assert len(list(crl)) == 1  # a retired key is not revoked

    actions = db.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    for action in (
        "key.root_create",
        "key.issue",
        "key.rotate",
        "key.retire",
        "key.compromise",
        "key.crl_publish",
    ):
        assert action in actions, action
    listing = run(app, "keys", "list").output
    assert "compromised" in listing and "retired" in listing and "active" in listing


def test_key_commands_refuse_bad_input_and_change_nothing(app, db, offline, monkeypatch):
    assert run(app, "keys", "root", "--out", str(offline)).exit_code == 0
    root_file = str(offline / "root.p12")
    monkeypatch.setenv("ATTEST_ROOT_PASSPHRASE", "wrong")
    out = run(app, "keys", "issue", "--root", root_file)
    assert out.exit_code == 1 and "wrong passphrase" in out.output
    monkeypatch.delenv("ATTEST_ROOT_PASSPHRASE")
    out = run(app, "keys", "issue", "--root", root_file)
    assert out.exit_code == 1 and "ATTEST_ROOT_PASSPHRASE" in out.output
    monkeypatch.setenv("ATTEST_ROOT_PASSPHRASE", ROOT_PASS)
    assert run(app, "keys", "issue", "--root", root_file).exit_code == 0
    [key] = _keys(db)
    out = run(app, "keys", "retire", "ffffffffffffffff")
    assert out.exit_code == 1 and "no signing key" in out.output
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    out = run(app, "keys", "compromised", key.kid, "--since", future)
    assert out.exit_code == 1 and "future" in out.output
    out = run(app, "keys", "compromised", key.kid, "--since", "yesterday")
    assert out.exit_code == 2 and "YYYY-MM-DD" in out.output
    [key] = _keys(db)
    assert key.compromised_at is None and key.retired_at is None
    assert run(app, "keys", "retire", key.kid).exit_code == 0
    out = run(app, "keys", "retire", key.kid)
    assert out.exit_code == 1 and "already retired" in out.output


def test_issuing_without_the_key_passphrase_fails_clearly(app, db, offline, monkeypatch):
    from attest.certificates.issuing import IssueError

    assert run(app, "keys", "root", "--out", str(offline)).exit_code == 0
    assert run(app, "keys", "issue", "--root", str(offline / "root.p12")).exit_code == 0
    monkeypatch.delenv("ATTEST_KEY_PASSPHRASE")
    with pytest.raises(IssueError, match="ATTEST_KEY_PASSPHRASE"):
        make_attestation(db, app.config)
