"""In Chromium: the kiosk shows the options in the order stored for the candidate, letters A, B,
C by place; the admins' answers page of the session shows the same order with the answer."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from attest.assessment import shuffle
from attest.assessment.delivery import create_session
from attest.assessment.session_plan import new_session_item
from attest.auth.kiosks import create_enrolment_link_token
from attest.models import Item, ItemVersion, Role
from tests.browser.staff import staff_login
from tests.factories import load_demo_bank, make_candidate, make_centre, make_kiosk, make_user
from tests.format_answers import correct_answer

pytestmark = pytest.mark.browser


@pytest.fixture
def shuffled_form(db, now):
    load_demo_bank(db)
    centre = make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    admin = make_user(db, role=Role.ADMIN)
    kiosk, _ = make_kiosk(db, centre=centre)
    enrol = create_enrolment_link_token(kiosk, now)
    ts, code = create_session(
        db, make_candidate(db, centre=centre), "a2-luisteren-lezen", proctor, now
    )
    planned = []
    for position, fmt in enumerate(("single_choice", "matching"), start=1):
        versions = db.scalars(
            sa.select(ItemVersion)
            .join(Item)
            .where(Item.format == fmt, Item.status == "live", Item.skill == "reading")
            .order_by(Item.id)
            .limit(20)
        ).all()

        # The first item whose seeded order differs from the bank's (the seed depends on the
        # session's id, which differs between databases; any one item may come out unchanged).
        def changed(v):
            seed = shuffle.seed_for(ts.id, v.item_id)
            options = shuffle.display_order(v.format, v.content, seed)["options"]
            return options != sorted(options)

        version = next((v for v in versions if changed(v)), versions[0])
        item = new_session_item(ts, position, "reading", version)
        db.add(item)
        planned.append(item)
    db.commit()
    assert all(i.display_order for i in planned)
    return {"enrol": enrol, "code": code, "session_id": ts.id, "items": planned, "admin": admin}


def shown(page, selector: str) -> list[str]:
    return page.locator(selector).evaluate_all("els => els.map(e => e.value)")


def test_the_kiosk_and_the_answers_page_show_the_stored_order(live_server, page, shuffled_form):
    page.goto(f"{live_server}/kiosk/enrol/{shuffled_form['enrol']}")
    page.fill("#code", shuffled_form["code"])
    with page.expect_navigation():
        page.click("main button[type=submit]")
    with page.expect_navigation():
        page.click("button[value=nl]")
    with page.expect_navigation():
        page.click("[data-testid=begin]")
    single, matching = shuffled_form["items"]
    order = single.display_order["options"]
    assert shown(page, "input[name=answer]") == order
    assert order != sorted(order) or len(order) < 3  # the seed gave another order here
    page.reload()
    assert shown(page, "input[name=answer]") == order  # stable on reload
    key = single.item_version.content["answer"]
    page.locator(f"input[name=answer][value='{key}']").check()
    with page.expect_navigation():
        page.click("[data-testid=next]")
    options = matching.display_order["options"]
    assert shown(page, "input[name=match_1]") == options
    letters = page.locator(".match-option .match-letter").all_inner_texts()
    assert letters == [chr(ord("A") + i) for i in range(len(options))]  # letters by place
    for name, value in correct_answer("matching", matching.item_version.content).items():
        page.locator(f"input[name='{name}'][value='{value}']").check()
    with page.expect_navigation():
        page.click("[data-testid=next]")

    staff = page.context.browser.new_page()
    staff_login(staff, live_server, shuffled_form["admin"].username)
    staff.goto(f"{live_server}/admin/sessions/{shuffled_form['session_id']}/answers")
    first = staff.locator("[data-testid=answer][data-position='1']")
    assert shown(first, "input[name=answer]") == order
    expect(first.locator(f"input[name=answer][value='{key}']")).to_be_checked()
    second = staff.locator("[data-testid=answer][data-position='2']")
    assert shown(second, "input[name=match_1]") == options
    staff.close()
