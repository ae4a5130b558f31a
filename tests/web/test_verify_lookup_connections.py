"""The verification routes read outside the request's ORM session (issue 14, item 2): one
statement in autocommit on the app's LookupConnections (SQLite: a read-only connection kept per
thread; PostgreSQL: the pool). What must still hold: a revocation committed by another process
is seen by the very next scan and API call, the kept connection cannot write, and each thread
reads on a connection of its own."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from attest.certificates.offline_file import payload_from_pdf
from attest.storage import storage_for
from tests.factories import make_attestation
from tests.web.helpers import verify_api

ROOT = Path(__file__).resolve().parents[2]
BIRTH = "1990-04-12"  # make_attestation's default holder

REVOKE = """
import sys
from datetime import UTC, datetime
import sqlalchemy as sa
from attest.engine import make_engine
from attest.models import Attestation, AttestationStatus, RevocationReason

engine = make_engine(sys.argv[1])
with engine.begin() as conn:
    conn.execute(
        sa.update(Attestation)
        .where(Attestation.code == sys.argv[2])
        .values(
            status=AttestationStatus.REVOKED,
            revoked_at=datetime.now(UTC),
            revocation_reason_code=RevocationReason.FRAUD,
        )
    )
engine.dispose()
"""


def _path(app, att) -> str:
    qr = payload_from_pdf(storage_for(app.config).get(att.pdf_path))
    return qr.removeprefix("HTTPS://ATTEST.EXAMPLE")


def _revoke_in_another_process(app, code: str) -> None:
    subprocess.run(
        [sys.executable, "-c", REVOKE, app.config["DATABASE_URL"], code],
        cwd=ROOT,
        check=True,
        timeout=120,
    )


def test_a_revocation_by_another_process_is_seen_at_the_next_scan(app, db, client):
    att = make_attestation(db, app.config, now=datetime.now(UTC) - timedelta(days=2))
    db.commit()
    path = _path(app, att)
    for _ in range(2):  # the lookup connection is open (kept on SQLite) and the page kept
        page = client.get(path)
        assert page.status_code == 200 and "DEMO-attest" in page.get_data(as_text=True)
    assert verify_api(client, att.code, BIRTH).get_json()["status"] == "valid"

    _revoke_in_another_process(app, att.code)

    page = client.get(path).get_data(as_text=True)
    assert "Ingetrokken attest" in page and "DEMO-attest" not in page
    document = verify_api(client, att.code, BIRTH).get_json()
    assert document["status"] == "revoked" and document["valid"] is False


def test_the_lookups_do_not_use_the_request_session(app, db, client):
    att = make_attestation(db, app.config)
    db.commit()
    sessions = app.extensions["attest_session"]
    seen = []

    @app.after_request
    def note(response):
        seen.append(sessions.registry.has())
        return response

    assert client.get(_path(app, att)).status_code == 200
    assert verify_api(client, att.code, BIRTH).status_code == 200
    assert seen == [False, False]  # no ORM session was opened: no checkout, BEGIN, ROLLBACK


def test_the_kept_sqlite_connection_cannot_write(app, db):
    lookups = app.extensions["attest_lookups"]
    if lookups.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL reads through the app's pool, one statement per checkout")
    with pytest.raises(sa.exc.OperationalError, match="readonly|read-only|query_only"):
        lookups.first(sa.text("DELETE FROM attestation"))
    # a failed statement drops the connection; the next lookup opens a fresh one
    assert lookups.first(sa.text("SELECT 1"))[0] == 1


def test_each_thread_reads_on_its_own_connection(app, db):
    lookups = app.extensions["attest_lookups"]
    if lookups.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL reads through the app's pool, one statement per checkout")
    ids = {}

    def read(name: str) -> None:
        for _ in range(2):  # the same connection both times within a thread
            row = lookups.first(sa.text("SELECT 1"))
            assert row[0] == 1
            ids.setdefault(name, set()).add(id(lookups._local.conn))
        lookups.close()

    threads = [threading.Thread(target=read, args=(f"t{k}",)) for k in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(len(v) == 1 for v in ids.values())
    assert len(set().union(*ids.values())) == 3


def test_a_prepared_lookup_gives_the_row_sqlalchemy_gives(app, db):
    """SQLite runs the lookups on the driver's cursor with SQLAlchemy's result processors: the
    row must be the one Connection.execute gives, value for value and type for type (enums,
    dates, times with their zone, JSON), also for a revoked attestation."""
    from attest.certificates import verify as lookups_module
    from attest.models import Attestation, AttestationStatus, RevocationReason

    att = make_attestation(db, app.config)
    db.commit()
    with app.extensions["attest_engine"].begin() as conn:
        conn.execute(
            sa.update(Attestation)
            .where(Attestation.code == att.code)
            .values(
                status=AttestationStatus.REVOKED,
                revoked_at=datetime.now(UTC),
                revocation_reason_code=RevocationReason.FRAUD,
                revocation_reason="een nota",
            )
        )
    lookups = app.extensions["attest_lookups"]
    for statement, params in (
        (lookups_module._LOOKUP, {"code": att.code}),
        (lookups_module._LOOKUP, {"code": "ATT-0000-0000-0000-0000-0000"}),
        (lookups_module._NEWER, {"id": att.id}),
    ):
        fast = lookups.first(statement, params)
        with app.extensions["attest_engine"].connect() as conn:
            plain = conn.execute(statement, params).first()
        if plain is None:
            assert fast is None
            continue
        assert fast._fields == plain._fields
        assert tuple(fast) == tuple(plain)
        assert [type(v) for v in fast] == [type(v) for v in plain]
    row = lookups.first(lookups_module._LOOKUP, {"code": att.code})
    assert row.status is AttestationStatus.REVOKED and row.revoked_at.tzinfo is not None
