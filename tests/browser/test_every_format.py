"""One item of every format answered at the kiosk in Chromium, and scored as expected:
machine-scored answers get full marks, a written text and a recorded answer are kept for the
examiners (a real recording from a fake microphone, stored with its checksum)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from attest.assessment.delivery import create_session
from attest.assessment.formats import FORMATS, get_format
from attest.auth.kiosks import create_enrolment_link_token
from attest.models import Item, ItemVersion, Recording, Response, Role, SessionItem, TestSession
from tests.browser.test_semidirect_browser import WALK_SECONDS, converse, shorten_turns
from tests.factories import load_demo_bank, make_candidate, make_centre, make_kiosk, make_user
from tests.format_answers import correct_answer

pytestmark = pytest.mark.browser


@pytest.fixture
def fixed_form(db, now):
    load_demo_bank(db)
    centre = make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    kiosk, _ = make_kiosk(db, centre=centre)
    enrol = create_enrolment_link_token(kiosk, now)
    ts, code = create_session(
        db, make_candidate(db, centre=centre), "a2-luisteren-lezen", proctor, now
    )
    for position, fmt in enumerate(sorted(FORMATS), start=1):
        version = db.scalar(
            sa.select(ItemVersion)
            .join(Item)
            .where(Item.format == fmt, Item.status == "live")
            .order_by(Item.id)
            .limit(1)
        )
        assert version is not None, f"the bank has no live {fmt} item"
        if get_format(fmt).turn_count(version.content):
            shorten_turns(db, version, WALK_SECONDS)  # a conversation: the shortest turns will do
        db.add(
            SessionItem(
                session=ts, position=position, skill=version.item.skill, item_version=version
            )
        )
    db.commit()
    return {"enrol": enrol, "code": code, "session_id": ts.id}


def record_answer(page, seconds: float = 3.0) -> None:
    """Pass the microphone check, skip the preparation, speak, stop; wait for the server's ack."""
    page.click("[data-mic-start]")
    expect(page.locator("[data-mic-status]")).to_contain_text("De microfoon werkt", timeout=15_000)
    recorder = page.locator("[data-recorder] .recorder-button")
    recorder.click()  # "Ik ben klaar: start de opname"
    expect(page.locator("[data-recorder]")).to_have_attribute("data-state", "recording")
    page.wait_for_timeout(int(seconds * 1000))
    recorder.click()  # stop
    expect(page.locator(".recorder-status")).to_contain_text("opgenomen en bewaard", timeout=20_000)


def fill_form(page, fields: dict) -> None:
    """Set form fields by name the way a candidate would: click, choose or type."""
    for name, value in fields.items():
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


def test_every_format_is_answered_and_scored(app, live_server, page, db, fixed_form):
    page.goto(f"{live_server}/kiosk/enrol/{fixed_form['enrol']}")
    page.fill("#code", fixed_form["code"])
    with page.expect_navigation():
        page.click("main button[type=submit]")
    with page.expect_navigation():
        page.click("button[value=nl]")
    with page.expect_navigation():
        page.click("[data-testid=begin]")

    items = db.scalars(
        sa.select(SessionItem)
        .where(SessionItem.session_id == fixed_form["session_id"])
        .order_by(SessionItem.position)
    ).all()
    for item in items:
        version = item.item_version
        if "/kiosk/sound-check" in page.url:  # before the first listening clip
            with page.expect_navigation():
                page.click("[data-testid=sound-ok]")
        assert page.locator("form.item-form").get_attribute("data-format") == version.format
        if get_format(version.format).turn_count(version.content):
            with page.expect_navigation(timeout=120_000):
                converse(page)  # the form is sent by itself after the last turn
            continue
        if version.format == "audio_response":
            record_answer(page)
        elif version.format == "extended_text":
            page.fill("textarea", "Beste mevrouw, ik schrijf u omdat de verwarming niet werkt.")
            expect(page.locator("[data-word-counter]")).to_contain_text("10")
        else:
            fill_form(page, correct_answer(version.format, version.content))
        with page.expect_navigation():
            page.click("[data-testid=next]")
    with page.expect_navigation():
        page.click("[data-testid=finish]")
    expect(page.locator("[data-testid=done]")).to_be_visible()

    db.expire_all()
    responses = {r.session_item.item_version.format: r for r in db.scalars(sa.select(Response))}
    assert set(responses) == set(FORMATS)
    for fmt, response in responses.items():
        if FORMATS[fmt].is_machine_scored:
            assert response.score == 1.0, fmt
        else:
            assert response.score is None, fmt  # for the examiners
    assert responses["extended_text"].value["v"].startswith("Beste mevrouw")
    recording = db.get(Recording, responses["audio_response"].value["v"]["recording_id"])
    assert recording.size_bytes > 1000 and recording.content_type in ("audio/webm", "audio/ogg")
    audio = (Path(app.config["STORAGE_DIR"]) / recording.storage_key).read_bytes()
    assert hashlib.sha256(audio).hexdigest() == recording.sha256
    assert db.get(TestSession, fixed_form["session_id"]).status.value == "completed"
