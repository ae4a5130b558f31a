"""The proctor takes the test-day photo with the webcam in Chromium (a fake camera): the
admission page's script (no inline script: the CSP allows only files) puts the picture in the
form, and the server stores it sealed, re-encoded (issue [19] item 2)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from io import BytesIO

import pytest
import sqlalchemy as sa
from PIL import Image
from playwright.sync_api import expect

from attest import admissions
from attest.assessment.delivery import create_session
from attest.models import Admission, Role
from tests.browser.conftest import wait_until
from tests.browser.staff import staff_login
from tests.factories import make_candidate, make_centre, make_user

pytestmark = pytest.mark.browser


def test_the_proctor_takes_the_photo_with_the_webcam(live_server, browser, db):
    centre = make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    cand = make_candidate(db, centre=centre)
    ts, _code = create_session(db, cand, "a2-luisteren-lezen", proctor, datetime.now(UTC))
    db.commit()

    context = browser.new_context(locale="nl-BE", viewport={"width": 1280, "height": 900})
    context.grant_permissions(["camera"])
    page = context.new_page()
    page.set_default_timeout(10_000)
    refused = []
    page.on(
        "console",
        lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    staff_login(page, live_server, proctor.username)
    page.goto(f"{live_server}/proctor/sessions/{ts.id}")
    with page.expect_navigation():
        page.click("[data-testid=admit-link]")

    wait_until(page, "document.querySelector('[data-camera]').dataset.ready === '1'")
    wait_until(page, "document.querySelector('[data-camera-video]').videoWidth > 0")
    page.select_option("select[name=document_type]", "residence_card")
    page.select_option("select[name=country]", "AF")
    page.fill("input[name=number_end]", "B0123456789")
    page.fill("input[name=expires_on]", (date.today() + timedelta(days=300)).isoformat())
    page.click("[data-camera-take]")
    wait_until(page, "document.querySelector('[data-camera]').dataset.taken === '1'")
    expect(page.locator("[data-camera-preview]")).to_be_visible()
    wait_until(page, "document.querySelector('[data-camera-preview]').naturalWidth > 0")
    assert page.evaluate("document.querySelector('input[name=photo]').files.length") == 1
    with page.expect_navigation():
        page.click("[data-testid=admit]")

    expect(page.locator("[data-testid=admission-photo]")).to_be_visible()
    assert (
        page.evaluate("document.querySelector('[data-testid=admission-photo]').naturalWidth") > 0
    )  # the no-store photo route answered with a picture
    db.expire_all()
    row = db.scalar(sa.select(Admission))
    assert row.photo_source == "camera" and row.number_last4 == "6789" and row.country == "AF"
    img = Image.open(BytesIO(admissions.photo_of(row)))
    assert img.format == "JPEG" and img.width >= 160
    assert refused == [], refused
    context.close()
