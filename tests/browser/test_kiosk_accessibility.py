"""Every kiosk page passes an axe-core scan (WCAG 2.2 A/AA and best practices) in Dutch and in
Arabic, and with the large-text and high-contrast modes on; every control is a touch target of
at least 44 x 44 px, focus is visible, and right-to-left pages keep the Dutch items left-to-right.
"""

from __future__ import annotations

import os
import re

import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from attest.assessment.delivery import create_session
from attest.assessment.formats import FORMATS, get_format
from attest.auth.kiosks import create_enrolment_link_token
from attest.models import Item, ItemVersion, Role, SessionItem, TestSession
from tests.browser.conftest import wait_until
from tests.browser.test_semidirect_browser import WALK_SECONDS, converse, shorten_turns
from tests.factories import load_demo_bank, make_candidate, make_centre, make_kiosk, make_user
from tests.format_answers import correct_answer

# The scans check pages; the database under them changes nothing: run once (SQLite).
pytestmark = [pytest.mark.browser, pytest.mark.page_only]

AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": [
            "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice",
        ],
    },
    "resultTypes": ["violations"],
}  # fmt: skip
MIN_TARGET = 44  # px, the kiosk's own rule (WCAG 2.5.5 AAA size; 2.5.8 AA asks for 24)

# Controls a candidate can touch; a radio button or checkbox counts with its label.
SMALL_TARGETS_JS = """(min) => {
  const controls = document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, audio[controls], summary');
  const small = [];
  let measured = 0;
  for (const el of controls) {
    const box = (el.closest('label') || el).getBoundingClientRect();
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none' || el.hidden) continue;
    if (box.width === 0 && box.height === 0) continue;
    measured += 1;
    if (box.width < min || box.height < min) {
      small.push(`${el.outerHTML.slice(0, 80)} ${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  return {measured, small};
}"""


@pytest.fixture
def every_format(db, now):
    """A session with one live item of every format, and a kiosk link to take it."""
    load_demo_bank(db)
    centre = make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    kiosk, _ = make_kiosk(db, centre=centre)

    def new_session(**modes):
        ts, code = create_session(
            db, make_candidate(db, centre=centre), "a2-luisteren-lezen", proctor, now
        )
        for item in list(ts.items):
            db.delete(item)
        db.flush()
        for position, fmt in enumerate(sorted(FORMATS), start=1):
            version = db.scalar(
                sa.select(ItemVersion)
                .join(Item)
                .where(Item.format == fmt, Item.status == "live")
                .order_by(Item.id)
                .limit(1)
            )
            if get_format(fmt).turn_count(version.content):
                shorten_turns(db, version, WALK_SECONDS)  # a conversation: short turns will do
            db.add(SessionItem(session=ts, position=position, skill=version.item.skill,
                               item_version=version))  # fmt: skip
        ts.is_large_text = modes.get("large_text", False)
        ts.is_high_contrast = modes.get("high_contrast", False)
        enrol = create_enrolment_link_token(kiosk, now)
        db.commit()
        return ts.id, code, enrol

    return new_session


def check_page(page, what: str) -> None:
    """Scan the page with axe-core and measure its touch targets."""
    page.wait_for_load_state("load")
    if os.environ.get("ATTEST_SCREENSHOTS"):  # a folder: look at the pages a test scans
        name = re.sub(r"\W+", "-", what)
        page.screenshot(path=f"{os.environ['ATTEST_SCREENSHOTS']}/{name}.png", full_page=True)
    results = Axe().run(page, options=AXE_OPTIONS)
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]
    assert problems == [], f"{what}: {problems}"
    targets = page.evaluate(SMALL_TARGETS_JS, MIN_TARGET)
    assert targets["small"] == [], f"{what}: targets under {MIN_TARGET} px"
    assert targets["measured"] > 0 or what.endswith(("not registered", "done")), what


def go(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def answer(page, db, session_id: int, position: int) -> None:
    version = db.scalar(
        sa.select(ItemVersion)
        .join(SessionItem, SessionItem.item_version_id == ItemVersion.id)
        .where(SessionItem.session_id == session_id, SessionItem.position == position)
    )
    if version.format == "audio_response":
        # microphone check first (kiosk.js), then record and wait for the server's ack; the
        # waits use states, not texts, because the page may be in Arabic
        page.click("[data-mic-start]")
        recorder = page.locator("[data-recorder] .recorder-button")
        recorder.wait_for(state="visible", timeout=15_000)
        recorder.click()  # ready: start recording (after the preparation)
        expect(page.locator("[data-recorder]")).to_have_attribute(
            "data-state", "recording", timeout=15_000
        )
        page.wait_for_timeout(1200)
        recorder.click()  # stop
        expect(page.locator("[data-recorder]")).to_have_attribute(
            "data-state", re.compile("saved|flagged"), timeout=20_000
        )
        return
    if version.format == "extended_text":
        page.fill("textarea", "Beste mevrouw, ik schrijf u omdat de verwarming niet werkt.")
        return
    for name, value in correct_answer(version.format, version.content).items():
        values = value if isinstance(value, list) else [value]
        first = page.locator(f"[name='{name}']").first
        kind = first.evaluate("el => el.tagName.toLowerCase() + ':' + (el.type || '')")
        if kind.endswith(("radio", "checkbox")):
            for v in values:
                page.locator(f"[name='{name}'][value='{v}']").check()
        elif kind.startswith("select"):
            first.select_option(values[0])
        else:
            first.fill(values[0])


def walk_the_kiosk(browser, live_server, db, new_session, language: str, **modes) -> None:
    """Take a whole session in ``language``, scanning every kiosk page on the way."""
    session_id, code, enrol = new_session(**modes)
    context = browser.new_context(
        locale="ar" if language == "ar" else "nl-BE", viewport={"width": 1280, "height": 900}
    )
    context.grant_permissions(["microphone"])
    page = context.new_page()
    page.set_default_timeout(10_000)
    rtl = language in ("ar", "fa")
    tag = language + "".join(f" {m}" for m, on in sorted(modes.items()) if on)

    def check(what: str) -> None:
        check_page(page, f"{tag} {what}")

    try:
        page.goto(f"{live_server}/kiosk/")
        assert page.locator("html").get_attribute("lang") == language
        check("not registered")
        page.goto(f"{live_server}/kiosk/enrol/{enrol}")
        check("start")
        page.fill("#code", code)
        go(page, "main button[type=submit]")
        check("language")
        go(page, f"button[value={language}]")
        html = page.locator("html")
        assert html.get_attribute("dir") == ("rtl" if rtl else "ltr")
        assert html.get_attribute("lang") == language
        check("instructions")
        listen_to_the_instructions(page)
        expect_visible_focus(page)
        go(page, "[data-testid=begin]")
        for _step in range(3 * len(FORMATS)):
            if "/kiosk/sound-check" in page.url:  # before the first listening item
                check("sound check")
                go(page, "[data-testid=sound-ok]")
                continue
            match = re.search(r"/kiosk/item/(\d+)", page.url)
            if match is None:
                break
            fmt = page.locator("form.item-form").get_attribute("data-format")
            direction = page.eval_on_selector(".stem", "el => getComputedStyle(el).direction")
            assert direction == "ltr", fmt  # the Dutch item stays left-to-right
            check(f"item {fmt}")
            if page.locator("[data-conversation]").count():
                with page.expect_navigation(timeout=120_000):
                    converse(page)  # the form is sent by itself after the last turn
                continue
            answer(page, db, session_id, int(match.group(1)))
            go(page, "[data-testid=next]")
        assert "/kiosk/finish" in page.url, page.url
        check("finish")
        go(page, "[data-testid=finish]")
        check("done")
        expected_classes = {"large-text", "high-contrast"} if modes else set()
        assert set((html.get_attribute("class") or "").split()) == expected_classes
    finally:
        context.close()
    assert db.get(TestSession, session_id).language == language


def listen_to_the_instructions(page) -> None:
    """The big button plays and pauses the spoken instructions (the small controls are gone)."""
    button = page.locator(".listen-button")
    expect(button).to_be_visible()
    assert page.locator("#instructions-audio").get_attribute("controls") is None
    label = button.inner_text()
    button.click()
    wait_until(page, "!document.getElementById('instructions-audio').paused")
    expect(button).not_to_have_text(label)
    button.click()
    wait_until(page, "document.getElementById('instructions-audio').paused")
    expect(button).to_have_text(label)


def expect_visible_focus(page) -> None:
    """Tabbing reaches the start button and draws a clear focus indicator around it."""
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.testid") == "begin":
            break
    else:
        raise AssertionError("the start button cannot be reached with the keyboard")
    outline = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
    )
    assert outline[0] != "none" and outline[1] >= 3


@pytest.mark.parametrize("language", ["nl", "ar"])
def test_every_kiosk_page_is_accessible(browser, live_server, db, every_format, language):
    walk_the_kiosk(browser, live_server, db, every_format, language)


def test_large_text_and_high_contrast_pages_are_accessible(browser, live_server, db, every_format):
    walk_the_kiosk(browser, live_server, db, every_format, "ar", large_text=True,
                   high_contrast=True)  # fmt: skip


def test_tigrinya_is_drawn_with_the_shipped_ethiopic_font(browser, live_server):
    context = browser.new_context(locale="ti")
    page = context.new_page()
    try:
        page.goto(f"{live_server}/kiosk/")  # the not-registered page, in the browser's language
        assert page.locator("html").get_attribute("lang") == "ti"
        loaded = page.evaluate(
            "async () => (await document.fonts.load('20px \"Attest Ethiopic\"', 'ኮምፒተር'))"
            ".map(f => f.status)"
        )
        assert loaded == ["loaded"]
        if os.environ.get("ATTEST_SCREENSHOTS"):
            page.screenshot(path=f"{os.environ['ATTEST_SCREENSHOTS']}/ti-not-registered.png")
    finally:
        context.close()
