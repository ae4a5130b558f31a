"""A formula in an item (MathML, attest.assessment.mathml) is drawn by the kiosk in Chromium:
a fraction stands as two lines (numerator over denominator), not flattened to "1 4"."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from attest.assessment.delivery import create_session
from attest.auth.kiosks import create_enrolment_link_token
from attest.models import Item, ItemVersion, Role, SessionItem
from tests.factories import load_demo_bank, make_candidate, make_centre, make_kiosk, make_user

pytestmark = pytest.mark.browser

FRACTION = "<math><mfrac><mn>1</mn><mn>4</mn></mfrac></math>"


@pytest.fixture
def math_form(db, now):
    load_demo_bank(db)
    centre = make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    kiosk, _ = make_kiosk(db, centre=centre)
    enrol = create_enrolment_link_token(kiosk, now)
    ts, code = create_session(
        db, make_candidate(db, centre=centre), "a2-luisteren-lezen", proctor, now
    )
    version = db.scalar(
        sa.select(ItemVersion)
        .join(Item)
        .where(Item.format == "single_choice", Item.skill == "reading", Item.status == "live")
        .order_by(Item.id)
        .limit(1)
    )
    content = dict(version.content)
    content["stem"] = f"Hoeveel is {FRACTION} van 8?"
    content["options"] = [{"text": "2"}, {"text": FRACTION}, {"text": "<b>4</b>"}]
    version.content = content
    db.add(SessionItem(session=ts, position=1, skill=version.item.skill, item_version=version))
    db.commit()
    return {"enrol": enrol, "code": code}


def test_the_kiosk_draws_a_fraction_as_two_lines(live_server, page, math_form):
    page.goto(f"{live_server}/kiosk/enrol/{math_form['enrol']}")
    page.fill("#code", math_form["code"])
    with page.expect_navigation():
        page.click("main button[type=submit]")
    with page.expect_navigation():
        page.click("button[value=nl]")
    with page.expect_navigation():
        page.click("[data-testid=begin]")
    stem = page.locator("legend.stem")
    expect(stem).to_contain_text("Hoeveel is")
    fraction = stem.locator("math mfrac")
    expect(fraction).to_have_count(1)
    # MathML elements are in the MathML namespace, so Chromium lays them out as MathML Core
    assert fraction.evaluate("e => e.namespaceURI") == "http://www.w3.org/1998/Math/MathML"
    box = fraction.bounding_box()
    numerator = stem.locator("math mfrac mn").first.bounding_box()
    denominator = stem.locator("math mfrac mn").last.bounding_box()
    # a flattened "1 4" would stand on one line: here the denominator is under the numerator
    # and the fraction is as high as both (two lines of its digits)
    assert denominator["y"] >= numerator["y"] + numerator["height"] * 0.8, (numerator, denominator)
    assert box["height"] >= 1.8 * numerator["height"], (box, numerator)
    assert abs(numerator["x"] - denominator["x"]) < numerator["width"]  # one over the other
    # the formula in an option is drawn too (options may be shuffled: found by content);
    # markup that is not a formula stays text
    options = page.locator(".options .option")
    expect(options.locator("math mfrac")).to_have_count(1)
    expect(options.filter(has_text="<b>4</b>")).to_have_count(1)
    expect(options.locator("b")).to_have_count(0)
