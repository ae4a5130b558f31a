"""What the hostile-input tests share: malicious values (Hypothesis strategies), a snapshot of
the database, the "clear refusal" property, and visitors kept in their state (cookies).

Used by test_hostile_input.py (forms, raw uploads, path and query values) and
test_hostile_json.py (the JSON endpoints)."""

from __future__ import annotations

import hashlib
import os

import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from attest.engine import Base
from tests.web import test_access as access

# What a refusal may write on purpose (throttles, the audit trail and its chain head, the clock
# of a section that a shown page starts); columns that record that a page was seen.
SIDE_EFFECT_TABLES = {"login_throttle", "audit_event", "audit_chain_head", "section_clock"}
VOLATILE_COLUMNS = {"last_seen_at", "shown_at", "totp_secret", "seen_at", "last_heartbeat_at"}
# Large tables no form writes (the item bank): compared by row count only, to keep it quick.
COUNTED_TABLES = {"item", "item_version"}


def fuzz_settings(max_examples: int):
    """Hypothesis settings of every hostile-input test: few examples, no deadline (a busy
    machine), no example database (the suite must not depend on earlier runs).

    On PostgreSQL (CI's second run) half the examples: the whole count explores the forms and
    their validation on SQLite; the second run is for what only the server enforces (lengths,
    NUL characters, types), which a few examples of each form reach."""
    if os.environ.get("ATTEST_TEST_DATABASE_URL"):
        max_examples = max(3, max_examples // 2)
    return settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )


SQL = [
    "' OR '1'='1",
    "'; DROP TABLE candidate; --",
    '" OR ""="',
    "1; SELECT pg_sleep(5)",
    "admin'--",
    "%' AND 1=0 UNION SELECT password_hash FROM user_account --",
]
TEMPLATE = ["{{ 7*7 }}", "{% for x in range(99999999) %}x{% endfor %}", "${7*7}", "#{7*7}"]
MARKUP = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "javascript:alert(1)"]
BIDI = ["\u202eevil\u202c", "Ali\u2066ce\u2069", "\u200f\u200e", "abc\u202dxyz"]
MIXED = ["Łukasz Żółć", "Nguyễn Thị Minh Khai", "Мария Иванова", "أحمد الحسن", "Раul", "Ａｄｍｉｎ"]
DATES = [
    "2023-02-30",
    "0000-00-00",
    "1990-13-01",
    "31/12/1990",
    "9999-12-31",
    "0001-01-01",
    "-1",
    "1990-1-1T00:00",
    "NaN",
    "",
]
NUMBERS = ["-1", "0", "1e309", "99999999999999999999999", "0x10", "1.5", " 1 "]

hostile_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(categories=("Cc", "Cf", "Zl", "Zp")), max_size=20),
    st.sampled_from(SQL + TEMPLATE + MARKUP + BIDI + MIXED + DATES + NUMBERS),
    st.builds(lambda a, b: a + b, st.sampled_from(MIXED + BIDI), st.sampled_from(SQL + BIDI)),
    st.integers(min_value=200, max_value=20_000).map(lambda n: "A" * n),
    st.just("\x00"),
)
field_value = st.one_of(hostile_text, st.lists(hostile_text, min_size=2, max_size=3))


def _columns(table):
    return [c for c in table.columns if c.name not in VOLATILE_COLUMNS]


def table_digests(engine) -> dict[str, str]:
    """A digest of every table's rows (row counts for COUNTED_TABLES), VOLATILE_COLUMNS left
    out; SIDE_EFFECT_TABLES included, so that a caller can tell which tables changed."""
    if engine.dialect.name == "postgresql":
        return _server_digests(engine)
    digests = {}
    with engine.connect() as conn:
        for name, query in _sqlite_queries(engine.dialect):
            digest = hashlib.sha256()
            # raw driver rows (no type processing): the fuzzing takes thousands of snapshots
            for row in conn.exec_driver_sql(query):
                digest.update(repr(tuple(row)).encode())
            digests[name] = digest.hexdigest()
    return digests


_QUERIES: dict[str, list[tuple[str, str]]] = {}


def _sqlite_queries(dialect) -> list[tuple[str, str]]:
    """(table name, SQL) per table, compiled once."""
    if dialect.name not in _QUERIES:
        queries = []
        for table in Base.metadata.sorted_tables:
            if table.name in COUNTED_TABLES:
                query = sa.select(sa.func.count()).select_from(table)
            else:
                query = sa.select(*_columns(table)).order_by(*table.primary_key.columns)
            compiled = query.compile(dialect=dialect, compile_kwargs={"literal_binds": True})
            queries.append((table.name, str(compiled)))
        _QUERIES[dialect.name] = queries
    return _QUERIES[dialect.name]


def _server_digests(engine) -> dict[str, str]:
    """table_digests() computed by PostgreSQL in one round trip (one query per table and
    request would make the fuzzing slow on a server)."""
    from sqlalchemy.dialects.postgresql import aggregate_order_by

    parts = []
    for table in Base.metadata.sorted_tables:
        if table.name in COUNTED_TABLES:
            value = sa.cast(sa.func.count(), sa.Text)
        else:
            cells = [sa.func.coalesce(sa.cast(c, sa.Text), "\x01") for c in _columns(table)]
            row = sa.func.concat_ws("\x02", *cells)
            rows = sa.func.array_agg(aggregate_order_by(row, *table.primary_key.columns))
            value = sa.func.coalesce(sa.func.md5(sa.func.array_to_string(rows, "\x03")), "")
        parts.append(sa.select(sa.literal(table.name).label("name"), value.label("digest")))
    with engine.connect() as conn:
        return {name: digest for name, digest in conn.execute(sa.union_all(*parts))}


def changed_tables(before: dict[str, str], after: dict[str, str]) -> set[str]:
    """The tables whose digest differs between two table_digests()."""
    return {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}


def snapshot(engine) -> dict[str, str]:
    """The database as table digests, without the tables a refusal may write on purpose."""
    return {k: v for k, v in table_digests(engine).items() if k not in SIDE_EFFECT_TABLES}


def assert_clear_refusal(response, where: str) -> None:
    """Never a server error; a refusal (4xx) carries a message, in the JSON or the page."""
    assert response.status_code < 500, f"{where}: server error {response.status_code}"
    if response.status_code < 400:
        return
    if response.is_json:
        document = response.get_json(silent=True)
        assert isinstance(document, dict), f"{where}: refusal without a JSON object"
        # "status" is the verification API's documented answer ("not_found")
        assert any(document.get(k) for k in ("message", "error", "status")), where
        return
    body = response.get_data().decode("utf-8", "replace")
    assert "could not understand" not in body and "<title>400 Bad Request" not in body, where
    markers = ('class="error', 'class="flash error', 'role="alert"', "<h1")
    assert any(m in body for m in markers), f"{where}: refusal without a message"


class Visitors:
    """Visitors of the access matrix (test_access.py) in their state: each one logs in (or
    starts a test at the kiosk) once; every request then uses a fresh client with its cookies."""

    def __init__(self, app, world) -> None:
        self.app, self.world = app, world
        self.cookies: dict[str, list[tuple[str, str]]] = {}
        self.headers: dict[str, dict[str, str]] = {}

    def visitor_client(self, visitor: str):
        if visitor not in self.cookies:
            if visitor == "partner" and self.world["partner_key"] is None:
                return None, {}
            client, headers = access._visitor_client(self.app, self.world, visitor)
            self.cookies[visitor] = [(c.key, c.value) for c in client._cookies.values()]
            self.headers[visitor] = headers
        client = self.app.test_client()
        for key, value in self.cookies[visitor]:
            client.set_cookie(key, value)
        return client, self.headers[visitor]
