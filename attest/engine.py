"""SQLAlchemy engine, scoped session and declarative Base; SQLite pragmas (WAL, foreign keys) and
transactions that take the write lock at their start; row locks."""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
import time
from collections import namedtuple
from collections.abc import Callable

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
    # pysqlite's own transaction control is off: it would begin a transaction only before an
    # INSERT/UPDATE/DELETE, so that the reads of a request ran outside it (see _sqlite_do_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets the kiosk keep writing answers while a proctor reads; FKs are off by default.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


# How a transaction begins on SQLite (execution option SQLITE_BEGIN of an engine or connection):
# "immediate" takes the write lock at once, "read" begins a read-only transaction, "legacy"
# leaves it to pysqlite (which begins before the first write only; for tests' own sessions).
SQLITE_BEGIN = "attest_sqlite_begin"
_MODE, _QUERY_ONLY = "attest_begin_mode", "attest_query_only"
BUSY_TIMEOUT_MS = 5000  # SQLite's own wait for the write lock, per attempt
BUSY_ATTEMPTS = 3  # attempts to take the write lock before the request is answered with 503


def _sqlite_begin_event(read_only: Callable[[], bool] | None):
    """The engine's `begin` event: decide how this transaction begins (see _sqlite_do_begin)."""

    def begin(conn: sa.Connection) -> None:
        options = conn.get_execution_options()
        if options.get("isolation_level") == "AUTOCOMMIT":
            mode = "autocommit"
        else:
            mode = options.get(SQLITE_BEGIN) or (
                "read" if read_only is not None and read_only() else "immediate"
            )
        record = conn.connection  # the pooled DBAPI connection, whose info outlives this checkout
        record.driver_connection.isolation_level = "" if mode == "legacy" else None
        record.info[_MODE] = mode

    return begin


def _sqlite_do_begin(dbapi_connection) -> None:
    """Begin a transaction on SQLite: SQLAlchemy's recipe for pysqlite (its own BEGIN, driver
    autocommit off), with BEGIN IMMEDIATE so that a transaction that may write holds SQLite's
    write lock from its first statement on.

    With a deferred BEGIN two transactions can both read (the audit chain head, whether an
    attestation exists) and then both write what each decided alone: the second writer fails
    with "database is locked" or a unique constraint. IMMEDIATE makes writers take turns for
    their whole transaction, as a row lock does on PostgreSQL; readers are not held up (WAL).
    A transaction that is known to only read (`read_only()` of make_engine, e.g. the public
    verification pages) begins deferred, and SQLite refuses any write in it (query_only).
    A writer that waited BUSY_TIMEOUT_MS for the lock tries again, BUSY_ATTEMPTS times in all;
    then "database is locked" reaches the app, which answers 503 (nothing was done)."""
    info = dbapi_connection.info
    mode = info.pop(_MODE, "immediate")
    if mode == "autocommit":
        return
    driver = dbapi_connection.driver_connection
    query_only = mode == "read"
    if info.get(_QUERY_ONLY, False) != query_only:
        driver.execute(f"PRAGMA query_only={int(query_only)}")
        info[_QUERY_ONLY] = query_only
    if mode == "legacy":
        return
    statement = "BEGIN DEFERRED" if query_only else "BEGIN IMMEDIATE"
    for attempt in range(1, BUSY_ATTEMPTS + 1):
        try:
            driver.execute(statement)
            return
        except sqlite3.OperationalError as exc:
            if not is_busy(exc) or attempt == BUSY_ATTEMPTS:
                raise
            logging.getLogger("attest").warning(
                "database busy: write lock not free after %d ms (attempt %d of %d)",
                BUSY_TIMEOUT_MS,
                attempt,
                BUSY_ATTEMPTS,
            )
            time.sleep(0.05 * attempt)


def is_busy(exc: BaseException) -> bool:
    """Tell whether an error is SQLite's SQLITE_BUSY ("database is locked")."""
    orig = getattr(exc, "orig", exc)
    name = getattr(orig, "sqlite_errorname", "") or ""
    return name.startswith("SQLITE_BUSY") or "database is locked" in str(orig)


def make_engine(url: str, read_only: Callable[[], bool] | None = None) -> Engine:
    """Create the engine for a database URL, with SQLite pragmas and transactions when needed.

    `read_only`, asked as each transaction begins, tells (on SQLite) that it will only read:
    it then takes no write lock, and SQLite refuses a write in it. PostgreSQL ignores it."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"check_same_thread": False})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "begin", _sqlite_begin_event(read_only))
        engine.dialect.do_begin = _sqlite_do_begin  # type: ignore[method-assign]
    else:
        engine = sa.create_engine(url, pool_pre_ping=True)
    return engine


class LookupConnections:
    """Connections for one-statement lookups that only read (the public verification routes),
    outside the request's ORM session: no session, no checkout of a pooled connection with
    BEGIN and ROLLBACK per request, yet every statement sees what any process committed before
    it (each runs in autocommit: on its own, with a fresh snapshot).

    SQLite: one read-only sqlite3 connection per thread (`query_only`, the app's pragmas),
    opened once and kept outside the app's pool. PostgreSQL: the app's pool, one statement per
    checkout in autocommit (a connection kept aside would hold a server slot per thread)."""

    def __init__(self, engine: Engine) -> None:
        self.url = str(engine.url)
        self._keep = engine.dialect.name == "sqlite"
        if self._keep and not is_file_database(engine):
            raise ValueError("an in-memory SQLite database has no second connection to read it")
        if self._keep:
            own = sa.create_engine(
                engine.url,
                poolclass=sa.pool.NullPool,  # the kept connection is this class's own
                connect_args={"check_same_thread": False},
            )
            sa.event.listen(own, "connect", _sqlite_pragmas)
            sa.event.listen(own, "connect", _sqlite_query_only)
            sa.event.listen(own, "begin", _sqlite_begin_event(None))
            own.dialect.do_begin = _sqlite_do_begin  # type: ignore[method-assign]
            engine = own
        self.engine = engine  # where the statements run (e.g. to listen to them)
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._local = threading.local()
        self._plans: dict[sa.Executable, _Plan | bool] = {}

    def first(self, statement: sa.Executable, params: dict | None = None) -> sa.Row | None:
        """Run one statement and return its first row (None without rows)."""
        if self._keep:
            plan = self._plans.get(statement)
            if plan is None:
                plan = _Plan.of(statement, self.engine.dialect)
                if len(self._plans) < PLANS_KEPT:  # prebuilt statements; not one per call
                    self._plans[statement] = plan
            if plan:
                return self._run(lambda conn: plan.first(conn, params or {}))
        return self._run(lambda conn: conn.execute(statement, params).first())

    def all(self, statement: sa.Executable, params: dict | None = None) -> list[sa.Row]:
        """Run one statement and return all its rows."""
        return self._run(lambda conn: conn.execute(statement, params).all())

    def _run(self, work):
        if not self._keep:
            with self._engine.connect() as conn:
                return work(conn)
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._engine.connect()
        try:
            return work(conn)
        except (sa.exc.DBAPIError, sqlite3.Error):
            self._local.conn = None  # a broken connection is not used again
            conn.invalidate()
            raise

    def close(self) -> None:
        """Close this thread's kept connection (others close when their thread's local goes)."""
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            conn.close()


PLANS_KEPT = 64


class _Plan:
    """A select compiled once for SQLite and run on the driver's cursor, its values converted
    by SQLAlchemy's own result processors of each column's type: the same row as
    `Connection.execute(...).first()` gives (a named tuple with the same fields), without the
    per-execution work (statement cache key, execution context, result object) that is most
    of what a one-row lookup costs. Only for statements whose parameters need no conversion."""

    def __init__(self, compiled, columns, dialect) -> None:
        self.sql = compiled.string
        self.names = tuple(compiled.positiontup or ())
        self.row = namedtuple("LookupRow", [c.key for c in columns])  # type: ignore[misc]
        self.processors = tuple(
            c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns
        )

    @classmethod
    def of(cls, statement: sa.Executable, dialect) -> _Plan | bool:
        """The plan of a statement, or False when it must go through SQLAlchemy."""
        if not isinstance(statement, sa.Select):
            return False
        compiled = statement.compile(dialect=dialect)
        columns = list(statement.selected_columns)
        if any(
            bind.value is not None  # a value built into the statement (one per call)
            or bind.type.dialect_impl(dialect).bind_processor(dialect) is not None
            for bind in compiled.binds.values()
        ) or len({c.key for c in columns}) != len(columns):
            return False
        return cls(compiled, columns, dialect)

    def first(self, conn: sa.Connection, params: dict):
        cursor = conn.connection.driver_connection.execute(
            self.sql, [params[name] for name in self.names]
        )
        try:
            raw = cursor.fetchone()
        finally:
            cursor.close()
        if raw is None:
            return None
        return self.row._make(
            value if process is None else process(value)
            for process, value in zip(self.processors, raw, strict=True)
        )


def is_file_database(engine: Engine) -> bool:
    """Tell whether a second connection sees the same database (not SQLite's :memory:)."""
    url = engine.url
    if engine.dialect.name != "sqlite":
        return True
    database = url.database or ""
    return database not in ("", ":memory:") and url.query.get("mode") != "memory"


def _sqlite_query_only(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA query_only=1")


def lock_row(session: so.Session, model: type, row_id: int):
    """Lock one row for the rest of the transaction and return it freshly read.

    PostgreSQL: SELECT ... FOR NO KEY UPDATE, which waits for a transaction holding the row and
    does not block inserts of rows that refer to it. SQLite has no row locks: its transactions
    that may write already hold the database's write lock (BEGIN IMMEDIATE). Everything the
    session had loaded is expired, so that what the caller reads next is what the lock guards,
    not what an earlier statement of the request saw before another transaction committed."""
    session.flush()
    session.expire_all()
    return session.scalar(
        sa.select(model).where(model.id == row_id).with_for_update(key_share=True)
    )


def lock_key(session: so.Session, *parts: object) -> None:
    """Hold a lock named by `parts` for the rest of the transaction: for a decision about
    something that has no row to lock yet (e.g. a person's bookings of one purpose, whose rows
    are what the decision may add).

    PostgreSQL: a transaction-level advisory lock on a 64-bit hash of the parts (released at
    commit or rollback; a hash collision only makes two unrelated decisions take turns). SQLite:
    nothing to do, since a transaction that may write holds the database's write lock from its
    first statement on (BEGIN IMMEDIATE). Everything loaded before is expired, as in lock_row."""
    session.flush()
    if session.get_bind().dialect.name == "postgresql":
        name = "\x1f".join(str(part) for part in parts).encode()
        key = int.from_bytes(hashlib.blake2b(name, digest_size=8).digest(), "big", signed=True)
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(key)))
    session.expire_all()


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


_URL_TEXT: dict[int, tuple[object, str]] = {}


def bind_key(session: so.Session) -> str:
    """Return the text of the database URL this session is bound to, the part of a per-process
    cache key that tells databases apart; made once per URL object (rendering it each time cost
    more than the primary-key read it keys)."""
    url = session.get_bind().url
    kept = _URL_TEXT.get(id(url))
    if kept is None or kept[0] is not url:
        if len(_URL_TEXT) > 64:
            _URL_TEXT.clear()
        kept = _URL_TEXT[id(url)] = (url, str(url))
    return kept[1]


def transaction_cache(session: so.Session, name: str) -> dict:
    """Return a dict in which a service may keep what this transaction already read (a test
    session's clocks, its items by position), so that one request reads each row once.

    It is forgotten when the transaction ends or a savepoint rolls back, so it never outlives
    the rows it describes; what is kept must be ORM objects of this session, whose changes in
    the transaction it then sees, or plain keys to them."""
    return session.info.setdefault(_CACHE, {}).setdefault(name, {})


def transaction_cache_has(session: so.Session, name: str) -> bool:
    """Tell whether this transaction keeps anything under `name` (without making the dict)."""
    return bool(session.info.get(_CACHE, {}).get(name))


@sa.event.listens_for(so.Session, "after_soft_rollback")
def _forget_after_rollback(session: so.Session, _previous) -> None:
    session.info.pop(_CACHE, None)


@sa.event.listens_for(so.Session, "after_transaction_end")
def _forget_at_end(session: so.Session, transaction) -> None:
    # Only the outermost transaction: a flush runs in a subtransaction of its own, and what a
    # released savepoint read stays valid (a rolled back one is handled above).
    if transaction.parent is None:
        session.info.pop(_CACHE, None)
