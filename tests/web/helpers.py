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
