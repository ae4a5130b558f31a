"""A pg_dump of a live database restores into an empty one, and the attestations issued before
the dump verify afterwards (docs/operations.md, "Backups"). PostgreSQL only."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from attest import create_app
from attest.certificates.issuing import issue_attestation, issuer_of
from attest.certificates.key_service import init_keys
from attest.certificates.verify import verify_code
from attest.engine import make_engine
from attest.models import Role
from tests.factories import load_demo_bank, make_centre, make_kiosk, make_user
from tests.integration.test_retention import finished_test

pytestmark = pytest.mark.postgres


@pytest.fixture
def world(app, db, keys_dir, now):
    load_demo_bank(db)
    centre = make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    kiosk, _token = make_kiosk(db, centre=centre)
    init_keys(db, keys_dir, now, demo=True, public_url=app.config["PUBLIC_URL"])
    _cand, ts = finished_test(app, db, centre, proctor, kiosk, family_name="Öztürk", at=now)
    att = issue_attestation(db, ts, proctor, now, issuer_of(app))
    db.commit()
    return {"att": att}


def _pg_env(url) -> tuple[list[str], dict[str, str]]:
    args = ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username]
    return args, {"PGPASSWORD": url.password or ""}


def test_dump_restore_into_an_empty_database_keeps_attestations_verifiable(
    app,
    db,
    world,
    database_url,
    tmp_path,
    keys_dir,  # noqa: F811
):
    if not database_url.startswith("postgresql"):
        pytest.skip("pg_dump/pg_restore need PostgreSQL (ATTEST_TEST_DATABASE_URL)")
    if not shutil.which("pg_dump") or not shutil.which("pg_restore"):
        pytest.fail("pg_dump and pg_restore are needed (Debian: postgresql-client)")
    source = make_url(database_url)
    target = source.set(database=f"{source.database}_restore")
    args, env = _pg_env(source)
    env = os.environ | env
    code = world["att"].code
    assert app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0

    dump = tmp_path / "attest.dump"
    subprocess.run(
        ["pg_dump", *args, "--format=custom", "--no-owner", "-f", str(dump), source.database],
        check=True, env=env, capture_output=True,
    )  # fmt: skip
    admin = make_engine(database_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{target.database}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    try:
        subprocess.run(
            ["pg_restore", *args, "--no-owner", "--exit-on-error", "-d", target.database,
             str(dump)],
            check=True, env=env, capture_output=True,
        )  # fmt: skip
        restored = create_app(
            {
                "TESTING": True,
                "DATABASE_URL": target.render_as_string(hide_password=False),
                "INSTANCE_PATH": str(tmp_path / "restored"),
                # the files are backed up beside the dump (docs/operations.md): same directory
                "STORAGE_DIR": app.config["STORAGE_DIR"],
                "KEYS_DIR": str(keys_dir),
                "SECRET_KEY": "restored",
                "PUBLIC_URL": app.config["PUBLIC_URL"],
                "LOG_FORMAT": "none",
            }
        )
        with restored.app_context():
            session = restored.extensions["attest_session"]()
            result = verify_code(session, code, "1990-04-12")
            assert result.status == "valid" and result.facts["family_name"] == "Öztürk"
            restored.extensions["attest_session"].remove()
        client = restored.test_client()
        api = client.post("/api/v1/verify", json={"code": code, "birth_date": "1990-04-12"})
        assert api.status_code == 200 and api.get_json()["valid"] is True
        jwks = tmp_path / "jwks.json"
        jwks.write_text(json.dumps(client.get("/.well-known/jwks.json").get_json()))
        pdf = tmp_path / "attest.pdf"
        pdf.write_bytes(_stored_pdf(app, code))
        runner = restored.test_cli_runner()
        status = tmp_path / "status.cwt"
        status.write_bytes(client.get("/status/attestations").data)
        offline = runner.invoke(
            args=["verify", str(pdf), "--jwks", str(jwks), "--status-list", str(status)]
        )
        assert offline.exit_code == 0, offline.output
        assert "status: valid" in offline.output
        audit = runner.invoke(args=["audit", "verify"])
        assert audit.exit_code == 0, audit.output  # the trail's chain survived the round trip
        restored.extensions["attest_engine"].dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        admin.dispose()


def _stored_pdf(app, code: str) -> bytes:
    from attest.models import Attestation
    from attest.storage import storage_for

    engine = app.extensions["attest_engine"]
    with engine.connect() as conn:
        path = conn.scalar(sa.select(Attestation.pdf_path).where(Attestation.code == code))
    return storage_for(app.config).get(path)
