"""Privacy of verification: a typed code reveals nothing without the birth date, every failure
looks and takes the same, lookups are rate limited (429) and logged without personal data."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets
import statistics
import time

import pytest

from attest import create_app
from attest.certificates.cert_code import new_code
from tests.factories import make_attestation, make_candidate, make_centre
from tests.web.helpers import csrf, verify_api, verify_typed

BIRTH = "1990-04-12"
_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="[^"]+"')


def _client_at(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


@contextlib.contextmanager
def _own_apps(config: dict, count: int = 1):
    """Apps of a test's own configuration, their database connections closed afterwards."""
    apps = [create_app(config) for _ in range(count)]
    try:
        yield apps
    finally:
        for app in apps:
            app.extensions["attest_session"].remove()
            app.extensions["attest_engine"].dispose()


def _body(response) -> str:
    return _TOKEN.sub("", response.get_data(as_text=True))


@pytest.fixture
def issued(app, db):
    centre = make_centre(db)
    cand = make_candidate(db, centre=centre, family_name="Wiśniewska", given_names="Zofia")
    att = make_attestation(db, app.config, candidate=cand)
    db.commit()
    return att


def _failures(code: str) -> dict[str, tuple[str, str]]:
    return {
        "unknown code": (new_code(), BIRTH),
        "wrong birth date": (code, "1990-04-13"),
        "malformed code": ("ATT-' OR 1=1 --", BIRTH),
        "malformed birth date": (code, "12/04/1990"),
        "no birth date": (code, ""),
        "legacy-looking code": ("ATT-AAAA-AAAA", BIRTH),
    }


def test_the_short_url_shows_only_a_form_and_the_birth_date_unlocks(app, client, issued):
    page = client.get(f"/v/{issued.code}").get_data(as_text=True)
    assert issued.code in page and "Wiśniewska" not in page and "Geboortedatum" in page
    found = verify_typed(client, issued.code.lower().replace("-", " "), BIRTH)
    assert found.status_code == 200 and "Wiśniewska" in found.get_data(as_text=True)


def test_every_failure_gets_the_same_response(app, client, issued):
    pages, apis = {}, {}
    for name, (code, birth) in _failures(issued.code).items():
        page = verify_typed(client, code, birth)
        api = verify_api(client, code, birth)
        assert page.status_code == api.status_code == 404, name
        pages[name], apis[name] = _body(page), api.get_data()
        assert "Wiśniewska" not in pages[name] and code not in pages[name]
    assert len(set(pages.values())) == 1, "failure pages differ"
    assert len(set(apis.values())) == 1, "failure API answers differ"
    # a call of the wrong form is told what is wrong: that says nothing about any attestation
    wrong_type = verify_api(client, issued.code, 19900412)
    assert (
        wrong_type.status_code == 400 and "birth_date must be given" in wrong_type.json["message"]
    )
    not_json = client.post("/api/v1/verify", data="not json")
    assert not_json.status_code == 400 and not_json.json["error"] == "bad_request"


def _failure_costs(app, client, code: str, rounds: int = 40) -> dict[str, float]:
    """The typical cost of each kind of failed typed lookup, as the CPU time of the thread that
    serves it (the test client calls the app in this thread, SQLite runs in it too): the work
    done, which other jobs on a shared machine do not stretch as they stretch wall time. The
    kinds are interleaved, and the lower quartile of each is compared (a request the machine
    did not disturb)."""
    app.config["VERIFY_LIMIT_CLIENT"] = app.config["VERIFY_LIMIT_CODE"] = "100000 per minute"
    failures = _failures(code)
    token = csrf(client, "/v")
    costs: dict[str, list[float]] = {name: [] for name in failures}
    for _round in range(rounds):
        for name, (typed, birth) in failures.items():
            start = time.thread_time()
            response = client.post(
                "/v", data={"code": typed, "birth_date": birth, "csrf_token": token}
            )
            costs[name].append(time.thread_time() - start)
            assert response.status_code == 404
    return {name: statistics.quantiles(v, n=4)[0] for name, v in costs.items()}


def _same_cost(typical: dict[str, float]) -> bool:
    fastest, slowest = min(typical.values()), max(typical.values())
    return slowest / fastest < 1.5 or slowest - fastest < 0.0005


def test_every_failure_takes_the_same_time(app, client, issued):
    typical = _failure_costs(app, client, issued.code)
    assert _same_cost(typical), typical


def test_the_timing_check_sees_a_failure_that_does_more_work(app, client, issued, monkeypatch):
    """The check above can fail: one kind of failure that does 3 ms more work is caught."""
    import attest.certificates.verify_views as views

    real = views.verify_code

    def slower_when_malformed(session, code, birth):
        if "OR 1=1" in code:
            until = time.thread_time() + 0.003
            while time.thread_time() < until:
                pass
        return real(session, code, birth)

    monkeypatch.setattr(views, "verify_code", slower_when_malformed)
    typical = _failure_costs(app, client, issued.code, rounds=15)
    assert not _same_cost(typical), typical


def test_every_failure_runs_the_same_queries(app, client, issued):
    """The deterministic half of equal timing: each failure does exactly the same database work."""
    import sqlalchemy as sa

    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    # the request's session and the lookups' own connections (the same engine on PostgreSQL)
    lookups = app.extensions["attest_lookups"]
    engines = {app.extensions["attest_engine"], lookups.engine}
    for engine in engines:
        sa.event.listen(engine, "before_cursor_execute", record)
    token = csrf(client, "/v")
    client.post("/v", data={"code": issued.code, "birth_date": "2000-01-01", "csrf_token": token})
    kept = getattr(lookups._local, "conn", None)  # SQLite: statements run on its own cursor
    if kept is not None:
        # sqlite3 traces the statement with its values filled in: compare the statements
        kept.connection.driver_connection.set_trace_callback(
            lambda sql: statements.append(re.sub(r"'[^']*'", "?", sql))
        )
    try:
        seen = {}
        for name, (code, birth) in _failures(issued.code).items():
            statements.clear()
            client.post("/v", data={"code": code, "birth_date": birth, "csrf_token": token})
            seen[name] = tuple(statements)
    finally:
        for engine in engines:
            sa.event.remove(engine, "before_cursor_execute", record)
        if kept is not None:
            kept.connection.driver_connection.set_trace_callback(None)
    assert len(set(seen.values())) == 1, seen
    assert any("FROM attestation" in s for s in next(iter(seen.values())))


def test_too_many_lookups_from_one_client_get_429(app, client, issued):
    app.config["VERIFY_LIMIT_CLIENT"] = "3 per minute"
    for _ in range(3):
        assert verify_typed(client, new_code(), BIRTH).status_code == 404
    refused = verify_typed(client, issued.code, BIRTH)
    assert refused.status_code == 429 and "Te veel controles" in refused.get_data(as_text=True)
    assert "Wiśniewska" not in refused.get_data(as_text=True)
    assert "Retry-After" in refused.headers
    api = verify_api(client, issued.code, BIRTH)
    assert api.status_code == 429 and api.get_json()["error"] == "rate_limited"
    other = _client_at(app, "192.0.2.7")
    assert verify_typed(other, issued.code, BIRTH).status_code == 200  # another client


def test_too_many_failed_lookups_of_one_code_get_429_whoever_asks(app, issued):
    app.config["VERIFY_LIMIT_CODE"] = "4 per hour"
    for n in range(4):
        client = _client_at(app, f"198.51.100.{n}")
        assert verify_api(client, issued.code, f"1990-01-{n + 1:02d}").status_code == 404
    late = _client_at(app, "198.51.100.99")
    compact = issued.code[4:].replace("-", "")
    for spelling in (issued.code.lower(), compact, compact.replace("0", "O").replace("1", "L")):
        refused = verify_api(late, spelling, "1991-02-03")  # same code, spelled anew
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert verify_api(late, new_code(), BIRTH).status_code == 404  # other codes still answer


def test_rate_limits_are_shared_through_redis_when_configured(migrated, tmp_path, keys_dir):
    url = os.environ.get("ATTEST_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no Redis at {url}")
    prefix = f"attest-test-{secrets.token_hex(4)}"
    config = {
        "TESTING": True,
        "DATABASE_URL": migrated,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "KEYS_DIR": str(keys_dir),
        # Rate-limit keys are keyed pseudonyms: a secret of this run keeps its counters apart
        # from earlier runs and other checkouts sharing the Redis database.
        "SECRET_KEY": f"test-{prefix}",
        "REDIS_URL": url,
        "RATELIMIT_KEY_PREFIX": prefix,
        "VERIFY_LIMIT_CLIENT": "2 per minute",
    }
    with _own_apps(config, 2) as (first, second):  # two app processes, one Redis
        assert first.config["RATELIMIT_STORAGE_URI"] == url
        try:
            assert verify_api(first.test_client(), new_code(), BIRTH).status_code == 404
            assert verify_api(second.test_client(), new_code(), BIRTH).status_code == 404
            assert verify_api(first.test_client(), new_code(), BIRTH).status_code == 429
        finally:
            client = redis.Redis.from_url(url)
            for key in client.scan_iter(f"*{prefix}*"):
                client.delete(key)
            client.close()


def test_lookups_are_logged_without_personal_data(app, client, issued, caplog):
    caplog.set_level(logging.INFO, logger="attest")
    verify_typed(client, issued.code, BIRTH)
    verify_typed(client, issued.code, "1990-04-13")
    verify_api(client, "ATT-' OR 1=1", BIRTH)
    lines = [r.getMessage() for r in caplog.records if r.name == "attest.verify"]
    assert len(lines) == 3
    assert "outcome=valid" in lines[0] and "outcome=not_found" in lines[1]
    assert "route=typed" in lines[0] and "route=api" in lines[2]
    text = "\n".join(r.getMessage() for r in caplog.records)
    compact = issued.code[4:].replace("-", "")
    for secret in (
        "Wiśniewska",
        "Zofia",
        "1990-04-12",
        "1990-04-13",
        issued.code,
        compact,
        "127.0.0.1",
    ):
        assert secret not in text, secret


def test_behind_a_trusted_proxy_each_real_client_has_its_own_limit(migrated, tmp_path, keys_dir):
    config = {
        "TESTING": True,
        "DATABASE_URL": migrated,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "KEYS_DIR": str(keys_dir),
        "SECRET_KEY": "test",
        "TRUSTED_PROXIES": 1,
        "VERIFY_LIMIT_CLIENT": "1 per minute",
    }

    def ask(address: str) -> int:
        response = client.post(
            "/api/v1/verify",
            json={"code": new_code(), "birth_date": BIRTH},
            headers={"X-Forwarded-For": address},
        )
        return response.status_code

    with _own_apps(config) as (app,):
        client = app.test_client()
        assert [ask("203.0.113.1"), ask("203.0.113.1"), ask("203.0.113.2")] == [404, 429, 404]
