"""Two app processes over one PostgreSQL and one Redis behave as one system (issue 8, item 1).

Runs on PostgreSQL only (CI's second pass): SQLite is a file of one machine, not a server."""

from __future__ import annotations

import json
import os

import pytest
import sqlalchemy as sa

from attest.assessment.delivery import create_session
from attest.models import Response, Role, SessionStatus, TestSession
from tests.factories import (
    PASSWORD,
    load_demo_bank,
    make_candidate,
    make_centre,
    make_kiosk,
    make_user,
)
from tests.format_answers import correct_answer
from tests.live import Browser, gunicorn_processes

REDIS_URL = os.environ.get("ATTEST_TEST_REDIS_URL", "redis://127.0.0.1:6379/6")
pytestmark = pytest.mark.postgres


def _server_env(database_url, tmp_path, keys_dir, **extra) -> dict[str, str]:
    """The environment both app processes share: one database, one Redis, one instance."""
    return {
        "DATABASE_URL": database_url,
        "ATTEST_REDIS_URL": REDIS_URL,
        "SECRET_KEY": "two-process-secret",
        "ATTEST_INSTANCE_PATH": str(tmp_path / "instance"),
        "ATTEST_STORAGE_DIR": str(tmp_path / "storage"),
        "ATTEST_KEYS_DIR": str(keys_dir),
        **extra,
    }


@pytest.fixture
def two_servers(app, database_url, tmp_path, keys_dir):
    if not database_url.startswith("postgresql"):
        pytest.skip("two app processes need a database server (ATTEST_TEST_DATABASE_URL)")
    env = _server_env(database_url, tmp_path, keys_dir, ATTEST_LOG_FORMAT="json")
    with gunicorn_processes(2, env, log_dir=tmp_path) as urls:
        yield urls, tmp_path


def test_a_kiosk_session_started_on_one_process_continues_on_the_other(two_servers, db, now):
    (a, b), logs = two_servers
    load_demo_bank(db)
    centre = make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    ts, code = create_session(db, make_candidate(db, centre=centre), "a2-luisteren-lezen",
                              proctor, now)  # fmt: skip
    _kiosk, token = make_kiosk(db, centre=centre)
    db.commit()

    kiosk = Browser()
    kiosk.set_cookie("attest_kiosk", token)
    assert kiosk.get(a + "/kiosk/")[0] == 200
    status, _, headers = kiosk.post(a + "/kiosk/", {"code": code})
    assert status == 302 and headers["Location"].endswith("/kiosk/language")
    assert kiosk.get(b + "/kiosk/language")[0] == 200  # the other process knows the session
    assert kiosk.post(b + "/kiosk/language", {"language": "nl"})[0] == 302
    assert kiosk.get(a + "/kiosk/sound-check")[0] == 200  # before the first listening clip
    assert kiosk.post(a + "/kiosk/sound-check", {"result": "ok"})[0] == 302

    items = db.get(TestSession, ts.id).items
    for position, server in ((1, a), (2, b), (3, a)):
        version = items[position - 1].item_version
        assert kiosk.get(f"{server}/kiosk/item/{position}")[0] == 200
        answer = correct_answer(version.format, version.content)
        status, _, _ = kiosk.post(f"{server}/kiosk/item/{position}", answer)
        assert status == 302, (server, position)
    # the same answer again through the other process is stored once, not twice
    again = correct_answer(items[2].item_version.format, items[2].item_version.content)
    kiosk.get(f"{b}/kiosk/item/3")
    kiosk.post(f"{b}/kiosk/item/3", again)

    db.expire_all()
    stored = db.scalars(
        sa.select(Response.session_item_id).join(Response.session_item)
        .where(sa.text("session_item.session_id = :sid")).params(sid=ts.id)
    ).all()  # fmt: skip
    assert len(stored) == 3 == len(set(stored))
    assert db.get(TestSession, ts.id).status is SessionStatus.IN_PROGRESS

    # both processes wrote JSON log lines with the request id they echoed
    status, _, headers = kiosk.get(b + "/healthz", headers={"X-Request-ID": "trace-0123456789"})
    assert headers["X-Request-ID"] == "trace-0123456789"
    lines = []
    for k in (0, 1):
        lines += [json.loads(x) for x in (logs / f"gunicorn-{k}.log").read_text().splitlines()]
    access = [x for x in lines if x.get("logger") == "attest.access"]
    assert {x["endpoint"] for x in access} >= {"kiosk.home", "kiosk.language", "kiosk.item"}
    assert all(len(x["request_id"]) >= 8 for x in access)
    text = "\n".join(map(json.dumps, lines))
    assert "Öztürk" not in text and "Çağrı" not in text and code not in text


def test_failed_logins_count_across_both_processes(two_servers, db, app):
    (a, b), _logs = two_servers
    user = make_user(db, role=Role.PROCTOR, centre=make_centre(db))
    db.commit()
    browser = Browser()
    limit = app.config["LOGIN_MAX_FAILURES"]
    for k in range(limit):
        server = (a, b)[k % 2]
        browser.get(server + "/login")
        status, _, _ = browser.post(server + "/login", {"username": user.username,
                                                         "password": "wrong password"})  # fmt: skip
        assert status in (401, 429)
    for server in (a, b):  # locked everywhere, even with the right password
        browser.get(server + "/login")
        status, _, _ = browser.post(
            server + "/login", {"username": user.username, "password": PASSWORD}
        )
        assert status == 429, server


def test_a_verification_rate_limit_counts_across_both_processes(app, database_url, tmp_path,
                                                                 keys_dir):  # fmt: skip
    """Flask-Limiter keeps its counters in the shared Redis: 4 lookups a minute in total."""
    if not database_url.startswith("postgresql"):
        pytest.skip("two app processes need a database server (ATTEST_TEST_DATABASE_URL)")
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter("*attest-limits*"):  # only our own counters, in our own db
        client.delete(key)
    env = _server_env(database_url, tmp_path, keys_dir, ATTEST_VERIFY_LIMIT_CLIENT="4 per minute")
    with gunicorn_processes(2, env) as (a, b):
        browser = Browser()
        statuses = [browser.get(f"{(a, b)[k % 2]}/V/NOTAPAYLOAD{k}")[0] for k in range(6)]
    assert statuses[:4] == [404] * 4  # unknown payloads: counted, answered alike
    assert statuses[4:] == [429, 429], statuses  # the fifth, whichever process serves it
    assert any(client.scan_iter("*attest-limits*"))
