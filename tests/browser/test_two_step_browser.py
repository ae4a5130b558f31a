"""Two-step login in a real browser: the QR code shows under the CSP, enrolment and the code
step work, and staff_login (used by every browser test) passes the second step."""

from __future__ import annotations

import time

import pytest

from attest import totp
from attest.models import Role, User
from tests.browser.staff import staff_login
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.browser


def test_admin_logs_in_with_the_second_step(db, live_server, page):
    admin = make_user(db, role=Role.ADMIN)
    db.commit()
    staff_login(page, live_server, admin.username)
    assert page.url.endswith("/admin/")


def test_enrolment_shows_the_qr_code_and_confirms(db, live_server, page):
    examiner = make_user(db, role=Role.EXAMINER, totp_secret=None)
    db.commit()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", examiner.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith("/login/enrol")
    width = page.eval_on_selector("img.qr", "img => img.naturalWidth")
    assert width > 0  # the data: SVG is allowed by the CSP and decodes
    secret = page.inner_text("code.secret")
    db.expire_all()
    assert db.get(User, examiner.id).totp_secret == secret
    page.fill("input[name=code]", totp.code_at(secret, totp.step_at(time.time())))
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("ul.recovery-codes li").count() == totp.RECOVERY_COUNT
    assert not [e for e in errors if "Content Security Policy" in e]
