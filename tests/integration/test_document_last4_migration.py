"""Migration 0045 keeps only the last 4 letters or digits of each candidate's ID document
number, on SQLite and PostgreSQL (a scratch database of its own: the suite's stays at head)."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from alembic import command

from attest import engine as dbmod
from attest.migrate import alembic_config, upgrade
from tests.conftest import PG_URL_ENV

BEFORE = "0034"  # the revision before 0045 (the lead may re-chain it)
NUMBERS = {  # stored before 0045 -> kept after it
    1: ("B 0123456 78", "5678"),
    2: ("el123456", "3456"),
    3: ("591-0123456-78", "5678"),
    4: ("", ""),  # a candidate anonymised by retention
}


@pytest.fixture
def scratch_url(tmp_path):
    url = os.environ.get(PG_URL_ENV)
    if not url:
        yield f"sqlite:///{tmp_path / 'before-0045.sqlite3'}"
        return
    base = sa.engine.make_url(dbmod.normalise_url(url))
    name = f"{base.database}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_m0045"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.mark.database
def test_the_migration_keeps_the_last_4_characters_and_its_downgrade_restores_them(scratch_url):
    engine = dbmod.make_engine(scratch_url)
    upgrade(engine, BEFORE)
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO centre (id, code, name, created_at) VALUES (1, 'C1', 'C', :t)"),
            {"t": now},
        )
        for cid, (number, _kept) in NUMBERS.items():
            conn.execute(
                sa.text(
                    "INSERT INTO candidate (id, centre_id, family_name, given_names, search_name,"
                    " birth_date, id_document_type, id_document_number, created_at)"
                    " VALUES (:id, 1, 'X', 'Y', 'x y', :b, 'passport', :n, :t)"
                ),
                {"id": cid, "b": date(1990, 1, 1), "n": number, "t": now},
            )
    upgrade(engine, "0045")
    with engine.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("candidate")}
        kept = dict(conn.execute(sa.text("SELECT id, id_document_last4 FROM candidate")).all())
    assert "id_document_number" not in columns
    assert kept == {cid: last4 for cid, (_n, last4) in NUMBERS.items()}
    command.downgrade(alembic_config(engine), BEFORE)
    with engine.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("candidate")}
        back = dict(conn.execute(sa.text("SELECT id, id_document_number FROM candidate")).all())
    assert "id_document_last4" not in columns
    assert back == kept  # the rest of each number is gone for good
    engine.dispose()
