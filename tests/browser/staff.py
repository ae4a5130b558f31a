"""Staff log in through the real login form in the browser (one place for every browser test)."""

from __future__ import annotations

from tests.factories import PASSWORD, TOTP_SECRET, totp_code


def staff_login(
    page, base_url: str, username: str, password: str = PASSWORD, secret: str = TOTP_SECRET
) -> None:
    """Log a member of staff in on `page`, with the TOTP second step when the account has one
    (factories give admins and examiners the secret TOTP_SECRET)."""
    page.goto(f"{base_url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    if page.url.endswith("/login/code"):
        page.fill("input[name=code]", totp_code(username, secret))
        page.click("button[type=submit]")
        page.wait_for_load_state()
