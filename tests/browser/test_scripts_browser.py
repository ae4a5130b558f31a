"""Every script readable in the browser: each glyph of the kiosk's language buttons and of the
proctor's candidate names comes from a font the app serves, never from the machine's fonts.

Chromium tells which fonts it really drew a node with (DevTools CSS.getPlatformFontsForNode);
a font the app served with @font-face is a custom font there."""

from __future__ import annotations

import os

import pytest

from attest.assessment.delivery import create_session
from attest.auth.kiosks import create_enrolment_link_token
from attest.kiosk.languages import KIOSK_LANGUAGES
from attest.models import Role
from tests.browser.staff import staff_login
from tests.factories import load_demo_bank, make_candidate, make_centre, make_kiosk, make_user
from tests.hard_names import HARD_NAMES, stored


def _fonts_drawn(page, selector: str) -> list[tuple[str, bool]]:
    """Return (family, is served by the app) of each font Chromium used for the matches."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    used = []
    for node in cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": selector})["nodeIds"]:
        for font in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]:
            used.append((font["familyName"], font["isCustomFont"]))
    cdp.detach()
    return used


def _load_fonts(page, text: str) -> None:
    """Wait until the served fonts for text have loaded (a page may draw before they arrive)."""
    page.evaluate(
        'async t => { await document.fonts.load(\'16px "Attest Sans", "Attest Ethiopic", '
        '"Attest Thai", "Attest Hangul", "Attest CJK"\', t);'
        ' await document.fonts.load(\'bold 16px "Attest Sans", "Attest Ethiopic"\', t);'
        " await document.fonts.ready; }",
        text,
    )


@pytest.fixture
def world(db, now):
    load_demo_bank(db)
    centre = make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    kiosk, _ = make_kiosk(db, centre=centre)
    _ts, code = create_session(
        db, make_candidate(db, centre=centre), "a2-luisteren-lezen", proctor, now
    )
    for _, family, given in HARD_NAMES[:-1]:  # the long name needs no other font
        make_candidate(db, centre=centre, family_name=stored(family), given_names=stored(given))
    enrol = create_enrolment_link_token(kiosk, now)
    db.commit()
    return {"code": code, "enrol": enrol, "proctor": proctor}


def test_the_language_buttons_are_drawn_with_served_fonts_only(page, live_server, world):
    page.goto(f"{live_server}/kiosk/enrol/{world['enrol']}")
    page.fill("#code", world["code"])
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert page.locator("button.language-choice").count() == len(KIOSK_LANGUAGES)
    _load_fonts(page, "ትግርኛ")
    used = _fonts_drawn(page, "button.language-choice *")
    assert used and all(is_served for _, is_served in used), used
    assert any("Ethiopic" in family for family, _ in used)  # ትግርኛ, in its own script


def test_candidate_names_in_every_script_are_drawn_with_served_fonts(page, live_server, world):
    staff_login(page, live_server, world["proctor"].username)
    page.goto(f"{live_server}/proctor/")
    _load_fonts(page, "ገብረመድህን 김 王 ใจดี")
    if os.environ.get("ATTEST_SCREENSHOTS"):
        page.screenshot(path=f"{os.environ['ATTEST_SCREENSHOTS']}/proctor-names.png")
    used = _fonts_drawn(page, "table bdi")
    families = {family for family, _ in used}
    assert all(is_served for _, is_served in used), used
    assert {"Noto Sans Ethiopic", "Attest Hangul", "Noto Sans Thai"} <= families, families
