"""The audio studio records with the browser's microphone (Chromium's fake device: a tone),
shows the level, and the server keeps the take normalised to -23 LUFS."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from attest.models import Item, Role, StudioClip
from tests.browser.conftest import wait_until
from tests.browser.staff import staff_login
from tests.factories import load_demo_bank, make_user

pytestmark = pytest.mark.browser


def test_an_admin_records_a_clip_in_the_browser(app, db, live_server, page):
    load_demo_bank(db)
    admin = make_user(db, role=Role.ADMIN)
    item_id = db.scalar(
        sa.select(Item.id)
        .where(Item.skill == "listening", Item.level == "A2", Item.testlet_id.is_(None))
        .order_by(Item.id)
        .limit(1)
    )
    db.commit()
    staff_login(page, live_server, admin.username)
    page.goto(f"{live_server}/admin/studio/{item_id}")
    recorder = page.locator("[data-studio-recorder]")
    expect(recorder).to_be_visible()
    page.click("[data-record]")
    # The level meter moves with the microphone, and two seconds of audio come in.
    wait_until(page, "Number(document.querySelector('[data-level]').dataset.peak || 0) > 0")
    wait_until(
        page, "Number(document.querySelector('[data-studio-recorder]').dataset.chunks || 0) >= 8"
    )
    page.click("[data-stop]")
    wait_until(
        page, "document.querySelector('[data-studio-recorder]').dataset.state === 'recorded'"
    )
    assert page.evaluate("document.querySelector('input[type=file]').files.length") == 1
    page.fill("input[name=speaker]", "spk-12")
    with page.expect_navigation():
        page.click("[data-testid=studio-upload] button[type=submit]")
    expect(page.locator(".flash.success")).to_be_visible()
    clip = db.scalars(sa.select(StudioClip)).one()
    assert clip.speaker == "spk-12" and abs(clip.loudness_lufs + 23) <= 1
    expect(page.locator("[data-testid=recordings] tr[data-clip]")).to_have_count(1)
