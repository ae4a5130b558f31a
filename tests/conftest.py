"""Shared fixtures: a migrated database (SQLite, or PostgreSQL via ATTEST_TEST_DATABASE_URL),
the app, a test client, and row cleanup between tests.

Every test that uses the database (the `app`, `db`, `client`, `migrated` or `database_url`
fixture) is marked `database` at collection: CI runs the whole suite on SQLite and then only
`-m database` on PostgreSQL (less the `page_only` tests: what a browser shows, whatever the
database). A test without the mark that opens a database connection fails, so
the selection cannot miss one (a test that makes a database of its own, the same on every run,
says so with `own_database`). Under pytest-xdist each worker has a database of its own."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path
from secrets import token_hex

import pytest
import sqlalchemy as sa
import sqlalchemy.orm as so

import attest.auth.passwords as _passwords
import tests.factories as _factories
from attest import create_app
from attest.engine import SQLITE_BEGIN, Base, make_engine, normalise_url
from attest.migrate import upgrade
from attest.models import BankState

# Real argon2id, with the smallest cost: the suite creates hundreds of accounts, and the production
# cost (64 MiB, 3 passes) would make it slow on a busy machine. Production keeps the defaults.
_passwords._hasher = _passwords.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
_passwords._DUMMY_HASH = _passwords._hasher.hash("attest-timing-equaliser")

# The shipped clips are synthetic (espeak-ng): tests run the live purposes with them, as the
# demo does. Production refuses (the default); tests/web/test_studio.py proves the refusal.
# In the environment, so that apps the suite starts in other processes allow it too.
os.environ.setdefault("ATTEST_SYNTHETIC_AUDIO", "allow")
# Most tests start sessions without a proctor's admission; tests/web/test_admission_required.py
# proves the production default (required).
os.environ.setdefault("ATTEST_ADMISSION", "optional")

PG_URL_ENV = "ATTEST_TEST_DATABASE_URL"
DATABASE_FIXTURES = frozenset({"app", "migrated", "database_url"})  # db and client use app


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.database)
    # A test marked `page_only` checks what a browser shows (an accessibility scan, fonts), which
    # does not depend on the database: it runs once, on SQLite, not again on PostgreSQL.
    if os.environ.get(PG_URL_ENV):
        once = [item for item in items if item.get_closest_marker("page_only")]
        if once:
            config.hook.pytest_deselected(items=once)
            items[:] = [item for item in items if not item.get_closest_marker("page_only")]


_connections: list[str] = []


@sa.event.listens_for(sa.pool.Pool, "connect")
def _note_connection(dbapi_connection, connection_record) -> None:
    _connections.append(type(dbapi_connection).__module__)


@pytest.fixture(autouse=True)
def _database_tests_are_marked(request):
    """Fail a test that opens a database connection without the `database` mark (it would not
    run on PostgreSQL in CI): use the app/db fixtures, or mark it `database`."""
    if request.node.get_closest_marker("database") or request.node.get_closest_marker(
        "own_database"
    ):
        yield
        return
    _connections.clear()
    yield
    assert not _connections, (
        f"{request.node.nodeid} connected to a database ({', '.join(sorted(set(_connections)))})"
        " but is not marked `database`: use the app or db fixture, or mark it `database` (or"
        " `own_database` if it makes a database of its own)"
    )


def worker_database_url(url: str, worker: str | None) -> str:
    """Return the PostgreSQL URL of this xdist worker's own database (`<db>_gw0`), created if
    it is missing; the URL itself without a worker."""
    if not worker:
        return url
    base = sa.engine.make_url(normalise_url(url))
    name = f"{base.database}_{worker}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        query = sa.text("SELECT 1 FROM pg_database WHERE datname = :name")
        if conn.scalar(query, {"name": name}) is None:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get(PG_URL_ENV)
    if not url:  # tmp_path_factory is per xdist worker: one file each
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'attest-test.sqlite3'}"
    # Asked for explicitly: an unreachable server fails the run, it is never skipped.
    url = worker_database_url(url, os.environ.get("PYTEST_XDIST_WORKER"))
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def migrated(database_url: str) -> str:
    engine = make_engine(database_url)
    upgrade(engine)
    engine.dispose()
    return database_url


@pytest.fixture(scope="session")
def keys_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("keys")


@pytest.fixture
def app(migrated: str, tmp_path: Path, keys_dir: Path):
    # The database is emptied after each test, so it remembers no TOTP step used before: codes
    # need not wait for a step this process has not used yet (tests/factories.py: totp_code).
    _factories._last_step.clear()
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": migrated,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "STORAGE_DIR": str(tmp_path / "storage"),
            "KEYS_DIR": str(keys_dir),
            "SECRET_KEY": "test-secret-key",
            "PUBLIC_URL": "https://attest.example",
            "LOG_FORMAT": "none",  # pytest captures the records; tests/web/test_logs.py the lines
        }
    )
    yield app
    engine = app.extensions["attest_engine"]
    app.extensions["attest_session"].remove()
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            # One round trip for the whole cleanup, not one per table; the audit trail refuses
            # deletes unless maintenance is on.
            conn.exec_driver_sql(_pg_cleanup_script(conn.dialect))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
        # The bank's stamp row (migrations 0027, 0048) exists in every migrated database.
        conn.execute(
            BankState.__table__.insert().values(
                id=1, version=0, stamp=token_hex(16), cut_stamp=token_hex(16)
            )
        )
    engine.dispose()


def _pg_cleanup_script(dialect) -> str:
    """Every table's DELETE (children first) in one script (psycopg runs a parameterless
    query of several statements in one round trip)."""
    preparer = dialect.identifier_preparer
    deletes = [
        f"DELETE FROM {preparer.format_table(t)}" for t in reversed(Base.metadata.sorted_tables)
    ]
    return ";\n".join(["SELECT set_config('attest.audit_maintenance', 'on', true)", *deletes])


@pytest.fixture
def db(app):
    """A session of the test's own, for arranging data and asserting on it.

    It is not the app's request session and pushes no app context: requests made by the test
    client must see only what the test committed, as a real browser would. On SQLite it
    begins its transactions as pysqlite does by itself (before the first write; each read sees
    the latest commit, as on PostgreSQL), not with the app's BEGIN IMMEDIATE: a test that
    has read something and then makes a request must not hold the write lock the request
    waits for."""
    engine = app.extensions["attest_engine"].execution_options(**{SQLITE_BEGIN: "legacy"})
    session = so.Session(bind=engine)
    yield session
    session.rollback()
    session.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def now() -> datetime:
    return datetime.now(UTC)


_CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_from(html: str) -> str:
    """Return the CSRF token embedded in a page."""
    match = _CSRF.search(html)
    assert match, "no CSRF token in page"
    return match.group(1) or match.group(2)
