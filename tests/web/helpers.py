"""Helpers for driving the app through the test client as a person would."""

from __future__ import annotations

import hashlib
import math

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
        response = client.post(
            "/login/code", data={"code": totp_code(username, secret), "csrf_token": token}
        )
    return response


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
