"""Limits of public verification as a holder, a verifier and an attacker meet them: one count of
failures per code across the form and the API, the holder's right lookup never refused by it,
no server error when Redis is down, no code or address in clear in Redis, no cached result."""

from __future__ import annotations

import contextlib
import logging
import os

import pytest

from attest import create_app
from attest.certificates.cert_code import new_code
from attest.extensions import limiter
from tests.factories import make_attestation, make_candidate, make_centre, make_partner
from tests.web.helpers import verify_api, verify_typed

BIRTH = "1990-04-12"
REDIS_URL = os.environ.get("ATTEST_TEST_REDIS_URL_SESSIONS", "redis://127.0.0.1:6379/9")
DEAD_REDIS = "redis://127.0.0.1:1/9"  # nothing listens on port 1: refused at once


@pytest.fixture
def issued(app, db):
    centre = make_centre(db)
    cand = make_candidate(db, centre=centre, family_name="Wiśniewska", given_names="Zofia")
    att = make_attestation(db, app.config, candidate=cand)
    db.commit()
    return att


@contextlib.contextmanager
def _own_app(app, **settings):
    """An app of the test's own configuration over the test database."""
    config = {k: app.config[k] for k in ("DATABASE_URL", "KEYS_DIR", "STORAGE_DIR", "PUBLIC_URL")}
    own = create_app(
        config
        | {
            "TESTING": True,
            "SECRET_KEY": app.config["SECRET_KEY"],
            "INSTANCE_PATH": app.instance_path,
            "LOG_FORMAT": "none",
        }
        | settings
    )
    try:
        yield own
    finally:
        own.extensions["attest_session"].remove()
        own.extensions["attest_engine"].dispose()
        # One Limiter serves every app of the process: forget that this app's storage was dead.
        limiter._storage_dead = False


def test_failures_of_one_code_count_once_across_the_form_and_the_api(app, client, issued):
    app.config["VERIFY_LIMIT_CODE"] = "4 per hour"
    assert verify_api(client, issued.code, "1990-01-01").status_code == 404
    assert verify_typed(client, issued.code, "1990-01-02").status_code == 404
    assert verify_api(client, issued.code, "1990-01-03").status_code == 404
    assert verify_typed(client, issued.code, "1990-01-04").status_code == 404
    for refused in (
        verify_typed(client, issued.code, "1990-01-05"),
        verify_api(client, issued.code, "1990-01-06"),
    ):
        assert refused.status_code == 429
        assert refused.headers["Cache-Control"] == "no-store"  # no cache keeps a refusal


def test_the_holder_is_let_through_after_others_used_up_the_limit(app, client, issued):
    app.config["VERIFY_LIMIT_CODE"] = "3 per hour"
    for day in range(1, 4):
        assert verify_api(client, issued.code, f"1990-01-{day:02d}").status_code == 404
    assert verify_api(client, issued.code, "1990-01-09").status_code == 429
    page = verify_typed(client, issued.code, BIRTH)
    assert page.status_code == 200 and "Wiśniewska" in page.get_data(as_text=True)
    assert verify_api(client, issued.code, BIRTH).get_json()["status"] == "valid"


def test_right_lookups_consume_nothing_of_the_per_code_limit(app, client, issued):
    app.config["VERIFY_LIMIT_CODE"] = "2 per hour"
    for _ in range(5):
        assert verify_api(client, issued.code, BIRTH).status_code == 200
    assert verify_api(client, issued.code, "1990-01-01").status_code == 404
    assert verify_api(client, issued.code, "1990-01-02").status_code == 404
    assert verify_api(client, issued.code, "1990-01-03").status_code == 429


def test_result_pages_are_not_kept_in_any_cache(client, issued):
    assert verify_typed(client, issued.code, BIRTH).headers["Cache-Control"] == "no-store"
    assert verify_typed(client, new_code(), BIRTH).headers["Cache-Control"] == "no-store"
    assert client.get("/V/NOTAPAYLOAD").headers["Cache-Control"] == "no-store"


def test_lookups_and_partner_checks_answer_when_redis_is_down(app, db, issued, caplog):
    _org, key = make_partner(db, profiles=["sociale-huur"])
    db.commit()
    caplog.set_level(logging.WARNING)
    with _own_app(app, REDIS_URL=DEAD_REDIS, VERIFY_LIMIT_CODE="2 per hour") as dead:
        client = dead.test_client()
        assert client.get("/V/NOTAPAYLOAD").status_code == 404
        assert verify_api(client, issued.code, BIRTH).status_code == 200
        assert verify_api(client, issued.code, "1990-01-01").status_code == 404
        assert verify_api(client, issued.code, "1990-01-02").status_code == 404
        assert verify_api(client, issued.code, "1990-01-03").status_code == 429  # still limited
        check = client.post(
            "/api/v1/partner/checks",
            json={
                "insz": "90041200105",
                "profile": "sociale-huur",
                "purpose": "housing",
                "lease_start": "2024-01-01",
            },
            headers={"Authorization": f"Bearer {key}"},
        )
        assert check.status_code < 500
    assert any("unreachable" in r.getMessage() for r in caplog.records)


def test_redis_keys_name_neither_codes_nor_addresses(app, issued):
    import redis

    store = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        store.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no Redis at {REDIS_URL}")
    store.flushdb()  # database 9 is this test's own
    try:
        with _own_app(app, REDIS_URL=REDIS_URL) as shared:
            client = shared.test_client()
            client.environ_base["REMOTE_ADDR"] = "198.51.100.23"
            assert verify_api(client, issued.code, "1990-01-01").status_code == 404
            assert verify_typed(client, issued.code, "1990-01-02").status_code == 404
            keys = [k.decode() for k in store.scan_iter("*")]
        assert any("verify-client" in k for k in keys) and any("verify-code" in k for k in keys)
        compact = issued.code[4:].replace("-", "")
        for key in keys:
            for clear in (issued.code, compact, "198.51.100.23", "127.0.0.1"):
                assert clear not in key, key
    finally:
        store.flushdb()
        store.close()
