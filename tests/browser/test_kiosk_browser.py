"""A candidate takes the test in headless Chromium: code, language, every item, finish."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from attest.assessment.delivery import create_session
from attest.auth.kiosks import create_enrolment_link_token
from attest.models import Response, Role, SessionStatus, TestSession
from tests.factories import load_demo_bank, make_candidate, make_centre, make_kiosk, make_user

pytestmark = pytest.mark.browser


def answer_something(page, fmt: str) -> None:
    """Give a well-formed answer the way a candidate would, for every kiosk format."""
    if fmt in ("single_choice", "multiple_response"):
        page.locator(".option").first.click()
    elif fmt == "text_entry":
        for box in page.locator(".gap input").all():
            box.fill("test")
    elif fmt == "ordering":  # every fragment gets its own position
        for n, select in enumerate(page.locator("select.order-select").all(), start=1):
            select.select_option(str(n))
    elif fmt == "inline_choice":
        for select in page.locator("select.inline-select").all():
            select.select_option(index=1)
    elif fmt == "matching":  # a different letter for each sentence
        for n, prompt in enumerate(page.locator("fieldset.match-prompt").all()):
            prompt.locator(".match-choice").nth(n).click()
    else:
        raise AssertionError(f"the browser test cannot answer {fmt}")


def submit(page, selector: str) -> None:
    """Click a submit button and wait for the page it leads to."""
    with page.expect_navigation():
        page.click(selector)


@pytest.fixture
def kiosk_world(db, now):
    load_demo_bank(db)
    centre = make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    kiosk, _token = make_kiosk(db, centre=centre)
    enrol = create_enrolment_link_token(kiosk, now)
    ts, code = create_session(
        db,
        make_candidate(db, centre=centre, family_name="Иванова", given_names="Мария"),
        "a2-luisteren-lezen",
        proctor,
        now,
    )
    db.commit()
    return {"enrol": enrol, "code": code, "session_id": ts.id}


def test_candidate_takes_the_whole_test_at_a_kiosk(live_server, page, db, kiosk_world):
    page.goto(f"{live_server}/kiosk/")
    assert "geen geregistreerde kiosk" in page.content()

    page.goto(f"{live_server}/kiosk/enrol/{kiosk_world['enrol']}")
    page.fill("#code", "WRNG-CODE")
    submit(page, "main button[type=submit]")
    expect(page.locator("#code-error")).to_be_visible()

    page.fill("#code", kiosk_world["code"].lower())
    submit(page, "main button[type=submit]")
    submit(page, "button[value=en]")
    expect(page.locator("h1")).to_have_text("Instructions for the test")
    submit(page, "[data-testid=begin]")

    submit(page, "[data-testid=sound-ok]")  # the sound check comes before the first clip

    answered = 0
    while "/kiosk/item/" in page.url:
        form = page.locator("form.item-form")
        label = page.locator(".progress-label").inner_text()
        assert f"Question {answered + 1} of" in label
        fmt = form.get_attribute("data-format")
        answer_something(page, fmt)
        submit(page, "[data-testid=next]")
        answered += 1
        assert answered < 100
    if os.environ.get("ATTEST_SCREENSHOTS"):  # for people looking, not a check
        page.screenshot(path=f"{os.environ['ATTEST_SCREENSHOTS']}/kiosk-finish.png")
    submit(page, "[data-testid=finish]")
    expect(page.locator("[data-testid=done]")).to_be_visible()

    db.expire_all()
    ts = db.get(TestSession, kiosk_world["session_id"])
    assert ts.status is SessionStatus.COMPLETED and ts.language == "en"
    assert db.scalar(sa.select(sa.func.count()).select_from(Response)) == answered == len(ts.items)
    assert {r.skill for r in ts.results} == {"listening", "reading"}
