"""The schema comes from migrations and matches the models; SQLite runs with WAL and FKs."""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa
import sqlalchemy.orm as so
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from attest import engine as dbmod
from attest.engine import Base
from attest.migrate import current_revision, upgrade
from attest.models import Attestation, AttestationStatus, AuditEvent, Candidate
from tests.factories import copy_attestation, make_attestation, make_partner


def test_migrations_are_at_head_and_match_the_models(app):
    engine = app.extensions["attest_engine"]
    assert current_revision(engine) is not None
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    assert diff == [], f"models and migrations differ; add an Alembic migration: {diff}"


def test_sqlite_pragmas(app):
    engine = app.extensions["attest_engine"]
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_foreign_keys_are_enforced(db):
    db.add(
        Candidate(
            centre_id=999999,
            family_name="X",
            given_names="Y",
            birth_date=sa.func.current_date(),
            id_document_type="passport",
            id_document_last4="0123",
        )
    )
    with pytest.raises(sa.exc.IntegrityError):
        db.flush()
    db.rollback()


def _sqlite_file(app) -> str:
    engine = app.extensions["attest_engine"]
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    return engine.url.database


def test_a_sqlite_transaction_holds_the_write_lock_from_its_first_statement(app):
    """BEGIN IMMEDIATE: a transaction that has only read so far already excludes other
    writers, so that what it read still holds when it writes (the audit chain head)."""
    engine = app.extensions["attest_engine"]
    path = _sqlite_file(app)
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    with so.Session(engine) as session:
        session.execute(sa.text("SELECT 1"))
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        # a savepoint inside it rolls back on its own, as on PostgreSQL
        session.execute(sa.text("CREATE TEMP TABLE t (x int)"))
        session.execute(sa.text("INSERT INTO t VALUES (1)"))
        with session.begin_nested() as savepoint:
            session.execute(sa.text("INSERT INTO t VALUES (2)"))
            savepoint.rollback()
        assert session.scalars(sa.text("SELECT x FROM t")).all() == [1]
    other.execute("BEGIN IMMEDIATE")  # free again after the transaction ended
    other.execute("ROLLBACK")
    other.close()


def test_a_busy_database_is_tried_again_then_answered_503_while_reads_go_on(
    app, db, monkeypatch, caplog
):
    """A write that cannot get SQLite's write lock waits BUSY_TIMEOUT_MS, BUSY_ATTEMPTS times,
    then answers 503 with Retry-After (nothing done); read-only pages do not wait at all."""
    path = _sqlite_file(app)
    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_MS", 50)  # the app's connections are opened later
    _org, api_key = make_partner(db)
    db.commit()
    body = {"insz": "85073003328", "profile": "sociale-huur", "purpose": "busy test"}
    body["lease_start"] = "2024-01-01"  # social housing is decided by the lease
    headers = {"Authorization": f"Bearer {api_key}"}
    client = app.test_client()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process writing for a long time
    try:
        busy = client.post("/api/v1/partner/checks", json=body, headers=headers)
        assert busy.status_code == 503 and busy.headers["Retry-After"]
        assert busy.get_json()["error"] == "database"
        retries = [r for r in caplog.records if "database busy" in r.getMessage()]
        assert len(retries) == dbmod.BUSY_ATTEMPTS - 1
        assert client.get("/readyz").status_code == 200  # read-only: no write lock needed
        lookup = client.post("/api/v1/verify", json={"code": "ATT-AAAA-AAAA", "birth_date": "x"})
        assert lookup.status_code in (400, 404)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert client.post("/api/v1/partner/checks", json=body, headers=headers).status_code == 200
    lookups = sa.select(sa.func.count()).where(AuditEvent.action == "partner.lookup")
    assert db.scalar(lookups) == 1  # the refused call left nothing behind


def test_a_read_only_transaction_cannot_write(app):
    """A view marked read_only runs in a transaction SQLite refuses to write in."""
    path = _sqlite_file(app)
    engine = dbmod.make_engine(f"sqlite:///{path}", read_only=lambda: True)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM centre")).scalar() == 0
        with pytest.raises(sa.exc.OperationalError, match="readonly"):
            conn.execute(sa.text("INSERT INTO centre (code, name) VALUES ('RO', 'x')"))
    engine.dispose()


def test_the_migration_to_one_current_attestation_resolves_duplicates(app, tmp_path):
    """Migration 0019 keeps one current attestation per session before its unique index:
    the newest revoked one (a revocation keeps its effect), else the newest; the others are
    superseded.

    The duplicates are written with today's models (a database at 0018 lacks the columns later
    migrations add), on a database at head whose index is dropped; the database is then marked as
    being at 0018 and 0019 alone runs again."""
    from alembic import command

    from attest.migrate import alembic_config

    engine = dbmod.make_engine(f"sqlite:///{tmp_path / 'before-0019.sqlite3'}")
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP INDEX uq_attestation_current_session"))
    with so.Session(engine) as session:
        first = make_attestation(session, app.config)
        twice = [copy_attestation(session, first, k) for k in range(2)]
        other = make_attestation(session, app.config)
        revoked = copy_attestation(session, other, 9)
        revoked.status = AttestationStatus.REVOKED
        copy_attestation(session, other, 10)
        session.commit()
        head = current_revision(engine)
        command.stamp(alembic_config(engine), "0018", purge=True)
        upgrade(engine, "0019")
        command.stamp(alembic_config(engine), head, purge=True)
        session.expire_all()
        current = {
            (row.session_id, row.id)
            for row in session.scalars(
                sa.select(Attestation).where(Attestation.status != AttestationStatus.SUPERSEDED)
            )
        }
        assert current == {(first.session_id, twice[-1].id), (other.session_id, revoked.id)}
        with pytest.raises(sa.exc.IntegrityError):
            copy_attestation(session, first, 20)
    engine.dispose()
