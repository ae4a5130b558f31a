"""Staff log in through the real login form in the browser (one place for every browser test)."""

from __future__ import annotations

from tests.factories import PASSWORD


def staff_login(page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Log a member of staff in on `page`; any further login step (e.g. 2FA) belongs here."""
    page.goto(f"{base_url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
