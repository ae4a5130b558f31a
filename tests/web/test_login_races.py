"""Simultaneous logins (threads released together by a barrier, each its own browser): no
server error, no more checked attempts than the policy allows, one TOTP or recovery code logs
in once. Runs on SQLite and, with ATTEST_TEST_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from attest import totp
from attest.models import Role
from tests.conftest import csrf_from
from tests.factories import PASSWORD, TOTP_SECRET, make_user

WRONG_CODES = ("000000", "111111", "222222", "333333", "444444", "555555", "666666", "777777")


def _together(calls) -> list:
    """Run the calls at the same moment, one thread each; return their status codes (an
    exception escaping the app counts as 500)."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        try:
            return call().status_code
        except Exception:  # noqa: BLE001 - what a browser would see as a server error
            return 500

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def _password_post(client, username: str, password: str):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return lambda: client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


def _pending_code_post(app, username: str, code: str):
    """A browser that passed the password step; return the post of its code, ready to fire."""
    client = app.test_client()
    _password_post(client, username, PASSWORD)()
    token = csrf_from(client.get("/login/code").get_data(as_text=True))
    return lambda: client.post("/login/code", data={"code": code, "csrf_token": token})


def test_simultaneous_first_failures_are_all_counted_without_a_server_error(app, db):
    user = make_user(db, role=Role.PROCTOR)
    db.commit()
    limit = app.config["LOGIN_MAX_FAILURES"]
    calls = [_password_post(app.test_client(), user.username, "wrong!") for _ in range(8)]
    statuses = _together(calls)
    assert 500 not in statuses
    # only `limit` passwords were checked: the last of them locks, the rest are refused unseen
    assert Counter(statuses) == {401: limit - 1, 429: 8 - limit + 1}
    assert _password_post(app.test_client(), user.username, PASSWORD)().status_code == 429


def test_simultaneous_wrong_codes_get_no_more_tries_than_the_policy(app, db):
    user = make_user(db, role=Role.ADMIN)
    db.commit()
    limit = app.config["TOTP_MAX_FAILURES"]
    calls = [_pending_code_post(app, user.username, code) for code in WRONG_CODES]
    statuses = _together(calls)
    assert 500 not in statuses
    assert Counter(statuses) == {400: limit - 1, 429: len(WRONG_CODES) - limit + 1}
    right = totp.code_at(TOTP_SECRET, totp.step_at(time.time()))
    assert _pending_code_post(app, user.username, right)().status_code == 429  # locked now


def test_one_totp_code_logs_in_once_however_many_try_it_at_once(app, db):
    user = make_user(db, role=Role.ADMIN)
    db.commit()
    code = totp.code_at(TOTP_SECRET, totp.step_at(time.time()))
    calls = [_pending_code_post(app, user.username, code) for _ in range(4)]
    statuses = _together(calls)
    assert 500 not in statuses
    assert Counter(statuses) == {302: 1, 400: 3}


def test_one_recovery_code_logs_in_once_however_many_try_it_at_once(app, db):
    from attest.auth.second_factor import replace_recovery_codes

    user = make_user(db, role=Role.EXAMINER)
    recovery = replace_recovery_codes(db, user, user.created_at)[0]
    db.commit()
    calls = [_pending_code_post(app, user.username, recovery) for _ in range(4)]
    statuses = _together(calls)
    assert 500 not in statuses
    assert Counter(statuses) == {302: 1, 400: 3}
