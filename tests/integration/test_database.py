"""The schema comes from migrations and matches the models; SQLite runs with WAL and FKs."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from attest.db import Base
from attest.migrate import current_revision
from attest.models import Candidate


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
            id_document_number="123",
        )
    )
    with pytest.raises(sa.exc.IntegrityError):
        db.flush()
    db.rollback()
