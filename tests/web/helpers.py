"""Helpers for driving the app through the test client as a person would."""

from __future__ import annotations

from tests.conftest import csrf_from
from tests.factories import PASSWORD


def login(client, username: str, password: str = PASSWORD):
    """Log in through the login form; return the response."""
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


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


def pass_sound_check(client) -> None:
    """Tell the kiosk the sound sample is heard (listening items wait for this)."""
    from tests.conftest import csrf_from

    page = client.get("/kiosk/sound-check").get_data(as_text=True)
    client.post("/kiosk/sound-check", data={"result": "ok", "csrf_token": csrf_from(page)})
