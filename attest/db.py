"""SQLAlchemy engine, scoped session and declarative Base; SQLite pragmas (WAL, foreign keys)."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.engine import Engine

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(so.DeclarativeBase):
    """Base class of all ORM models."""

    metadata = sa.MetaData(naming_convention=NAMING)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # pragma: no cover - trivial
    cursor = dbapi_connection.cursor()
    # WAL lets the kiosk keep writing answers while a proctor reads; FKs are off by default.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """Create the engine for a database URL, with SQLite pragmas when needed."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"check_same_thread": False})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = sa.create_engine(url, pool_pre_ping=True)
    return engine


def normalise_url(url: str) -> str:
    """Map postgres:// and postgresql:// to the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_session_factory(engine: Engine) -> so.scoped_session[so.Session]:
    """Create the request-scoped session registry bound to an engine."""
    return so.scoped_session(so.sessionmaker(bind=engine, expire_on_commit=False))


_CACHE = "attest_transaction_cache"


def transaction_cache(session: so.Session, name: str) -> dict:
    """Return a dict in which a service may keep what this transaction already read (a test
    session's clocks, its items by position), so that one request reads each row once.

    It is forgotten when the transaction ends or a savepoint rolls back, so it never outlives
    the rows it describes; what is kept must be ORM objects of this session, whose changes in
    the transaction it then sees, or plain keys to them."""
    return session.info.setdefault(_CACHE, {}).setdefault(name, {})


@sa.event.listens_for(so.Session, "after_soft_rollback")
def _forget_after_rollback(session: so.Session, _previous) -> None:
    session.info.pop(_CACHE, None)


@sa.event.listens_for(so.Session, "after_transaction_end")
def _forget_at_end(session: so.Session, transaction) -> None:
    # Only the outermost transaction: a flush runs in a subtransaction of its own, and what a
    # released savepoint read stays valid (a rolled back one is handled above).
    if transaction.parent is None:
        session.info.pop(_CACHE, None)
