"""Kiosk behaviour (issue [3] item 9) in a real browser: the first touch asks for full screen,
links out of the test and the back button go nowhere, a reload shows the same question with
nothing lost, and leaving full screen or the window is recorded for the proctor."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from attest.models import Response, SessionEvent
from tests.browser.conftest import wait_until
from tests.browser.test_kiosk_browser import answer_something
from tests.browser.test_kiosk_resilience import make_world, position_of, start

pytestmark = pytest.mark.browser


def _focus_events(db, session_id) -> list[str]:
    db.expire_all()
    return [
        event.detail.get("how")
        for event in db.scalars(
            sa.select(SessionEvent)
            .where(SessionEvent.session_id == session_id, SessionEvent.kind == "focus_lost")
            .order_by(SessionEvent.id)
        )
    ]


def test_the_kiosk_keeps_the_candidate_inside_the_test(live_server, page, db, now):
    world = make_world(db, now, "a2-luisteren-lezen")
    start(page, live_server, world)
    first = page.url
    assert position_of(page) == 1

    # The first touch asks for full screen (browsers allow it only after a gesture).
    page.locator("main").click(position={"x": 5, "y": 5})
    wait_until(page, "document.fullscreenElement !== null")

    # A link out of the test (here: one planted in the page) goes nowhere. The outside site
    # answers at once if asked, so a missing guard shows within the wait below on any network.
    asked: list[str] = []

    def outside(route):
        asked.append(route.request.url)
        route.fulfill(status=200, body="outside")

    page.route("https://example.org/**", outside)
    page.evaluate(
        """() => {
            const a = document.createElement("a");
            a.href = "https://example.org/"; a.textContent = "weg"; a.id = "out";
            document.querySelector("main").prepend(a);
        }"""
    )
    page.click("#out")
    page.wait_for_timeout(300)
    assert page.url == first and asked == []

    # The back button stays on the question, however often it is pressed (the page's own
    # history entry is the first step back; the sound check before it must not be reached).
    for _ in range(3):
        page.go_back()
        page.wait_for_timeout(300)
        assert page.url == first and position_of(page) == 1

    # Answer, then reload the next question: the same question, the answer kept once.
    answer_something(page, page.locator("form.item-form").get_attribute("data-format"))
    with page.expect_navigation():
        page.click("[data-testid=next]")
    assert position_of(page) == 2
    page.reload()
    expect(page.locator("form.item-form")).to_have_attribute("data-position", "2")
    for _ in range(3):
        page.go_back()
        page.wait_for_timeout(300)
        assert position_of(page) == 2
    db.expire_all()
    assert db.scalar(sa.select(sa.func.count()).select_from(Response)) == 1

    # Leaving full screen and the window are recorded for the proctor.
    page.locator("main").click(position={"x": 5, "y": 5})
    wait_until(page, "document.fullscreenElement !== null")
    page.evaluate("document.exitFullscreen()")
    wait_until(page, "document.fullscreenElement === null")
    page.evaluate("window.dispatchEvent(new Event('blur'))")
    deadline = time.monotonic() + 10  # the reports are sent in the background (keepalive)
    while not {"fullscreen_exit", "blur"} <= set(events := _focus_events(db, world["session_id"])):
        assert time.monotonic() < deadline, f"focus reports recorded: {events}"
        time.sleep(0.1)
    # Going to the next question and reloading unloaded the page: the candidate never left,
    # so no "hidden" was reported (reports arrive in order; these came before the ones above).
    assert "hidden" not in events, events
