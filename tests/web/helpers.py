"""Helpers for driving the app through the test client as a person would."""

from __future__ import annotations

import hashlib
import math
import re
import threading
from concurrent.futures import ThreadPoolExecutor

from tests.conftest import csrf_from
from tests.factories import PASSWORD, TOTP_SECRET, totp_code


def login(client, username: str, password: str = PASSWORD, secret: str = TOTP_SECRET):
    """Log in through the login form, and the second step when the account has one; return
    the last response."""
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )
    if response.status_code == 302 and response.headers["Location"].endswith("/login/code"):
        token = csrf_from(client.get("/login/code").get_data(as_text=True))
        code = totp_code(username, secret, lambda: forget_used_step(client.application, username))
        response = client.post("/login/code", data={"code": code, "csrf_token": token})
    return response


def forget_used_step(app, username: str) -> None:
    """Make the app forget the TOTP step the account used last, as if it had not logged in with
    a code yet: a test that logs the same examiner in again and again then waits for no new
    step (tests/factories.py: totp_code)."""
    import sqlalchemy as sa

    from attest.models import User

    with app.extensions["attest_engine"].begin() as conn:
        conn.execute(sa.update(User).where(User.username == username).values(totp_last_step=None))


def csrf(client, url: str = "/login") -> str:
    """Return a CSRF token valid for this client's session (from the page `url` leads to)."""
    return csrf_from(client.get(url, follow_redirects=True).get_data(as_text=True))


def start_at_kiosk(app, kiosk_token: str, start_code: str, language: str = "nl"):
    """Return a browser at a registered kiosk that entered the code and chose a language."""
    from tests.conftest import csrf_from

    client = app.test_client()
    client.set_cookie("attest_kiosk", kiosk_token)
    page = client.get("/kiosk/").get_data(as_text=True)
    client.post("/kiosk/", data={"code": start_code, "csrf_token": csrf_from(page)})
    page = client.get("/kiosk/language").get_data(as_text=True)
    client.post("/kiosk/language", data={"language": language, "csrf_token": csrf_from(page)})
    pass_sound_check(client)
    return client


def verify_typed(client, code: str, birth_date: str, profile: str = "", lease_start: str = ""):
    """Look an attestation up as a third party would: typed code and the holder's birth date."""
    token = csrf(client, "/v")
    data = {"code": code, "birth_date": birth_date, "profile": profile, "csrf_token": token}
    return client.post("/v", data=data | ({"lease_start": lease_start} if lease_start else {}))


def verify_api(client, code: str, birth_date: str, **extra):
    """Ask the JSON API about a typed code and birth date."""
    return client.post("/api/v1/verify", json={"code": code, "birth_date": birth_date, **extra})


def pass_sound_check(client) -> None:
    """Tell the kiosk the sound sample is heard (listening items wait for this)."""
    from tests.conftest import csrf_from

    page = client.get("/kiosk/sound-check").get_data(as_text=True)
    client.post("/kiosk/sound-check", data={"result": "ok", "csrf_token": csrf_from(page)})


UPLOAD_CHUNK = 4096  # the chunk size kiosk.js uses for recordings


def upload_begin_body(
    session_id: int,
    data: bytes,
    upload_id: str = "upload-0123456789abcdef",
    *,
    content_type: str = "audio/webm;codecs=opus",
    duration_ms: int = 3000,
    **extra,
) -> dict:
    """The JSON body with which kiosk.js announces a recording of `data` before its chunks."""
    return {
        "session": session_id,
        "upload_id": upload_id,
        "content_type": content_type,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "chunk_size": UPLOAD_CHUNK,
        "chunk_count": math.ceil(len(data) / UPLOAD_CHUNK),
        "duration_ms": duration_ms,
        **extra,
    }


def together(calls, timeout: float = 120.0) -> list:
    """Run each call in a thread of its own, released at the same moment by a barrier (as a
    double-click or two people at once would); return their results in order. A call that
    raised re-raises here. For the Flask test client, give each call its own client: each
    thread then has its own request context and database session."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait(timeout=timeout)
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        futures = [pool.submit(run, call) for call in calls]
        return [future.result(timeout=timeout) for future in futures]


def slow_down(monkeypatch, module, name: str, seconds: float = 0.3) -> None:
    """Make `module.name` wait before it runs, so that requests sent together are all between
    their read and their write at the same moment, however the threads are scheduled: a race
    then shows every time, and its guard (a lock taken before the read) is what prevents it."""
    import time

    original = getattr(module, name)

    def slow(*args, **kwargs):
        time.sleep(seconds)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, slow)


def twin(app, client):
    """A second test client with the cookies of `client`: the same browser in another thread,
    as a double-click or a second tab sends its requests."""
    other = app.test_client()
    for name in (app.config["SESSION_COOKIE_NAME"], app.config["KIOSK_COOKIE_NAME"]):
        cookie = client.get_cookie(name)
        if cookie is not None:
            other.set_cookie(name, cookie.value)
    return other


SCORE_TOKEN = re.compile(r'/examiner/score/([A-Za-z0-9_-]+)"')


def tokens_of(client) -> list[str]:
    """The scoring tokens in the logged-in examiner's queue."""
    return SCORE_TOKEN.findall(client.get("/examiner/").get_data(as_text=True))


def score_form(app, user, token: str | None = None, band: int = 2, **override):
    """Log in as examiner `user` and open the (first) performance in the queue; return the
    client, the page's URL and the form giving `band` everywhere (`override`: per criterion)."""
    client = app.test_client()
    login(client, user.username)
    token = token or tokens_of(client)[0]
    url = f"/examiner/score/{token}"
    page = client.get(url).get_data(as_text=True)
    codes = re.findall(r'name="band_(\w+)"', page)
    data = {f"band_{c}": str(override.get(c, band)) for c in dict.fromkeys(codes)}
    return client, url, {**data, "csrf_token": csrf_from(page)}
