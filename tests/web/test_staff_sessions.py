"""A staff session ends on the server: a copy of the cookie taken before logging out opens
nothing afterwards, and a header the client writes itself cannot carry a session to another
address (only ATTEST_TRUSTED_PROXIES make the app believe X-Forwarded-For)."""

from __future__ import annotations

from pathlib import Path

from attest.models import Role
from tests.factories import make_user
from tests.web.helpers import csrf, login

UA = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"}


def _browser(app, address: str):
    client = app.test_client()
    client.environ_base.update(REMOTE_ADDR=address, HTTP_USER_AGENT=UA["User-Agent"])
    return client


def _copy_session(source, target) -> None:
    cookie = source.get_cookie("session")
    target.set_cookie("session", cookie.value)


def test_a_cookie_copied_before_logging_out_opens_nothing_after(app, db):
    user = make_user(db, role=Role.PROCTOR)
    db.commit()
    staff, thief = _browser(app, "10.0.0.1"), _browser(app, "10.0.0.1")
    login(staff, user.username)
    _copy_session(staff, thief)
    assert thief.get("/proctor/").status_code == 200  # the copy works while the session lives
    staff.post("/logout", data={"csrf_token": csrf(staff, "/proctor/")})
    assert staff.get("/proctor/").status_code == 302
    after = thief.get("/proctor/")
    assert after.status_code == 302 and "/login" in after.headers["Location"]


def test_logging_out_on_one_device_keeps_the_other_logged_in(app, db):
    user = make_user(db, role=Role.PROCTOR)
    db.commit()
    desk, laptop = _browser(app, "10.0.0.1"), _browser(app, "10.0.0.2")
    login(desk, user.username)
    login(laptop, user.username)
    desk.post("/logout", data={"csrf_token": csrf(desk, "/proctor/")})
    assert laptop.get("/proctor/").status_code == 200
    login(desk, user.username)  # and logging in again works
    assert desk.get("/proctor/").status_code == 200


def test_a_forged_forwarded_for_header_does_not_carry_a_session_elsewhere(app, db):
    user = make_user(db, role=Role.PROCTOR)
    db.commit()
    staff, thief = _browser(app, "10.0.0.1"), _browser(app, "192.0.2.66")
    login(staff, user.username)
    _copy_session(staff, thief)
    stolen = thief.get("/proctor/", headers={"X-Forwarded-For": "10.0.0.1"})
    assert stolen.status_code == 302 and "/login" in stolen.headers["Location"]
    assert staff.get("/proctor/").status_code == 200


class _Clock:
    """The clock the session limits read, moved by the test instead of waiting."""

    def __init__(self, start: float) -> None:
        self.now = start

    def time(self) -> float:
        return self.now


def test_a_short_idle_limit_ends_only_idle_sessions(app, db, monkeypatch):
    import time as real_time

    import attest.auth

    clock = _Clock(real_time.time())
    monkeypatch.setattr(attest.auth, "time", clock)
    app.config["SESSION_IDLE_MINUTES"] = 1
    user = make_user(db, role=Role.PROCTOR)
    db.commit()
    staff = _browser(app, "10.0.0.1")
    login(staff, user.username)
    for _ in range(6):  # active every 40 s for four minutes: never ended
        clock.now += 40
        assert staff.get("/proctor/").status_code == 200
    clock.now += 61  # then idle for longer than the limit
    assert staff.get("/proctor/").status_code == 302


def test_a_session_limit_in_fractions_of_an_hour_works(app, db, monkeypatch):
    monkeypatch.setenv("ATTEST_SESSION_MAX_HOURS", "0.5")
    from attest.config import load_config

    app.config["SESSION_MAX_HOURS"] = load_config(Path(app.instance_path))["SESSION_MAX_HOURS"]
    user = make_user(db, role=Role.PROCTOR)
    db.commit()
    staff = _browser(app, "10.0.0.1")
    login(staff, user.username)
    assert staff.get("/proctor/").status_code == 200
    with staff.session_transaction() as sess:
        sess["login_at"] -= 31 * 60
    assert staff.get("/proctor/").status_code == 302


def test_behind_a_trusted_proxy_the_session_follows_the_real_client(app, db):
    from attest import create_app

    user = make_user(db, role=Role.PROCTOR)
    db.commit()
    keys = ("DATABASE_URL", "KEYS_DIR", "STORAGE_DIR", "SECRET_KEY", "PUBLIC_URL")
    config = {k: app.config[k] for k in keys} | {
        "TESTING": True,
        "INSTANCE_PATH": app.instance_path,
        "LOG_FORMAT": "none",
        "TRUSTED_PROXIES": 1,
    }
    proxied = create_app(config)
    try:
        staff, thief = _browser(proxied, "10.0.0.254"), _browser(proxied, "10.0.0.254")
        staff.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.5"  # the proxy says who asks
        thief.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.9"
        login(staff, user.username)
        assert staff.get("/proctor/").status_code == 200
        _copy_session(staff, thief)
        assert thief.get("/proctor/").status_code == 302  # another real client, same proxy
    finally:
        proxied.extensions["attest_session"].remove()
        proxied.extensions["attest_engine"].dispose()


def test_simultaneous_logouts_of_one_session_both_succeed(app, db):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    user = make_user(db, role=Role.PROCTOR)
    db.commit()
    staff = _browser(app, "10.0.0.1")
    login(staff, user.username)
    token = csrf(staff, "/proctor/")
    copies = [_browser(app, "10.0.0.1") for _ in range(4)]
    for copy in copies:
        _copy_session(staff, copy)
    barrier = threading.Barrier(len(copies))

    def logout(client):
        barrier.wait()
        try:
            return client.post("/logout", data={"csrf_token": token}).status_code
        except Exception:  # noqa: BLE001 - a server error
            return 500

    with ThreadPoolExecutor(len(copies)) as pool:
        assert set(pool.map(logout, copies)) == {302}
    assert staff.get("/proctor/").status_code == 302
