"""The kiosk never loses an answer: a whole "A2 volledig" session with spoken and written
answers; five answers given while the network is away, stored exactly once when it returns; a
silent microphone caught at the microphone check; a chunk damaged on the way refused and sent
again. Headless Chromium with fake media devices (tests/browser/conftest.py)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from attest.auth.kiosks import create_enrolment_link_token
from attest.models import (
    AnswerReceipt,
    ItemVersion,
    Recording,
    Response,
    SessionEvent,
    SessionItem,
    SessionStatus,
    TestSession,
)
from tests.audio_samples import silence, wav
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, wait_for, wait_until
from tests.browser.staff import staff_login
from tests.browser.test_every_format import fill_form, record_answer
from tests.browser.test_kiosk_browser import answer_something
from tests.browser.test_semidirect_browser import converse, shorten_turns
from tests.factories import make_session_with_items
from tests.format_answers import correct_answer

pytestmark = pytest.mark.browser


def make_world(db, now, purpose, formats=()):
    """A centre, a proctor, a kiosk enrolment link and a session with its start code;
    `formats` fixes the session's items (one live item of each format, in order)."""
    world = make_session_with_items(db, now, formats, purpose)
    enrol = create_enrolment_link_token(world.kiosk, now)
    db.commit()
    return {
        "enrol": enrol,
        "code": world.start_code,
        "session_id": world.session.id,
        "proctor": world.proctor.username,
    }


def start(page, base, world, language="nl"):
    page.goto(f"{base}/kiosk/enrol/{world['enrol']}")
    page.fill("#code", world["code"])
    with page.expect_navigation():
        page.click("main button[type=submit]")
    with page.expect_navigation():
        page.click(f"button[value={language}]")
    with page.expect_navigation():
        page.click("[data-testid=begin]")  # after the general instructions
    pass_sound_check(page)


def pass_sound_check(page) -> None:
    """The sound check comes before the first listening clip (kiosk-session.js)."""
    if "/kiosk/sound-check" in page.url:
        with page.expect_navigation():
            page.click("[data-testid=sound-ok]")


def position_of(page) -> int:
    return int(page.locator("form.item-form").get_attribute("data-position"))


def count(db, model) -> int:
    db.expire_all()
    return db.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_whole_a2_volledig_session_with_speaking_and_writing(live_server, page, db, now):
    world = make_world(db, now, "a2-volledig")
    conversations = sa.select(ItemVersion).where(ItemVersion.format == "speaking_conversation")
    for version in db.scalars(conversations):  # one may be drawn: the shortest turns will do
        shorten_turns(db, version)  # whole answers: the recordings are checked for sound
    db.commit()
    start(page, live_server, world)
    seen = set()
    while "/kiosk/item/" in page.url or "/kiosk/sound-check" in page.url:
        pass_sound_check(page)
        position = position_of(page)
        assert position not in seen, "the kiosk showed an answered question again"
        seen.add(position)
        db.expire_all()
        item = db.scalar(
            sa.select(SessionItem).where(
                SessionItem.session_id == world["session_id"], SessionItem.position == position
            )
        )
        version = item.item_version
        if page.locator("[data-conversation]").count():
            with page.expect_navigation(timeout=120_000):
                converse(page)  # the form is sent by itself after the last turn
            continue
        if version.format == "audio_response":
            record_answer(page)
        elif version.format == "extended_text":
            text = "Beste buur, morgen is er een feest bij ons thuis. Je bent welkom om acht uur."
            page.fill("textarea", text)
            expect(page.locator("[data-draft-status]")).to_have_text("Je tekst is bewaard.")
            page.reload()  # the saved draft comes back
            expect(page.locator("textarea")).to_have_value(text)
        else:
            fill_form(page, correct_answer(version.format, version.content))
        with page.expect_navigation():
            page.click("[data-testid=next]")
        assert len(seen) < 80
    with page.expect_navigation():
        page.click("[data-testid=finish]")
    expect(page.locator("[data-testid=done]")).to_be_visible()

    db.expire_all()
    ts = db.get(TestSession, world["session_id"])
    assert ts.status is SessionStatus.COMPLETED
    by_skill = {}
    for item in ts.items:
        assert item.response is not None, f"question {item.position} has no answer"
        by_skill.setdefault(item.skill, []).append(item.response)
    assert set(by_skill) == {"listening", "reading", "writing", "speaking"}
    for response in by_skill["speaking"]:
        value = response.value["v"]
        for rec_id in value.get("turns") or [value.get("recording_id")]:
            recording = db.get(Recording, rec_id)
            assert recording.flag is None and recording.duration_ms >= 2000
    assert all(r.value["v"].startswith("Beste buur") for r in by_skill["writing"])
    assert {r.skill for r in ts.results} == {"listening", "reading"}
    assert count(db, AnswerReceipt) == len(ts.items)  # every answer came with its key

    # the results, as the proctor sees them
    staff_login(page, live_server, world["proctor"])
    page.goto(f"{live_server}/proctor/sessions/{ts.id}")
    expect(page.locator("td[data-skill=listening]")).not_to_be_empty()
    expect(page.locator("[data-testid=session-calls]")).to_have_count(0)


def test_five_answers_given_offline_are_stored_exactly_once(live_server, page, db, now):
    world = make_world(db, now, "a2-luisteren-lezen")
    start(page, live_server, world)
    answer_something(page, page.locator("form.item-form").get_attribute("data-format"))
    with page.expect_navigation():
        page.click("[data-testid=next]")
    assert position_of(page) == 2
    # the questions ahead are fetched while the network is there
    wait_until(
        page, "Object.keys(sessionStorage).filter(k => k.startsWith('attest:item:')).length >= 6"
    )
    page.context.set_offline(True)
    for expected in range(2, 7):
        assert position_of(page) == expected
        answer_something(page, page.locator("form.item-form").get_attribute("data-format"))
        page.click("[data-testid=next]")
        expect(page.locator("form.item-form")).to_have_attribute("data-position", str(expected + 1))
        notice = page.locator("[data-offline-notice]")
        expect(notice).to_be_visible()
        expect(notice).to_contain_text("veilig bewaard")
    assert page.url.endswith("/kiosk/item/7")
    assert count(db, Response) == 1  # the five wait in the browser

    page.context.set_offline(False)
    expect(page.locator("[data-offline-notice]")).to_contain_text(
        "Al je antwoorden zijn bewaard", timeout=15_000
    )
    db.expire_all()
    items = db.scalars(
        sa.select(SessionItem)
        .where(SessionItem.session_id == world["session_id"])
        .order_by(SessionItem.position)
    ).all()
    answered = [i.position for i in items if i.response is not None]
    assert answered == [1, 2, 3, 4, 5, 6]
    assert count(db, Response) == 6 and count(db, AnswerReceipt) == 6

    # and the test goes on online from where the candidate is
    answer_something(page, page.locator("form.item-form").get_attribute("data-format"))
    with page.expect_navigation():
        page.click("[data-testid=next]")
    assert position_of(page) == 8 and count(db, Response) == 7


def test_a_silent_microphone_is_caught_and_calls_the_proctor(
    live_server, browser, db, now, tmp_path
):
    world = make_world(db, now, "a2-luisteren-lezen", formats=("audio_response",))
    silent = tmp_path / "silent.wav"
    silent.write_bytes(wav(silence(10.0)))
    args = [*CHROMIUM_ARGS, f"--use-file-for-fake-audio-capture={silent}"]
    # a browser of its own: the fake microphone is chosen at launch
    silent_browser = browser.browser_type.launch(executable_path=CHROMIUM, args=args)
    try:
        context = silent_browser.new_context(locale="nl-BE")
        context.grant_permissions(["microphone"])
        page = context.new_page()
        page.set_default_timeout(10_000)
        start(page, live_server, world)
        page.click("[data-mic-start]")
        expect(page.locator("[data-mic-status]")).to_contain_text("We horen niets", timeout=15_000)
        expect(page.locator("[data-recorder]")).to_have_attribute("data-mic", "silent")
        expect(page.locator("[data-recorder] .recorder-button")).to_be_hidden()
        query = sa.select(SessionEvent).where(SessionEvent.kind == "microphone_problem")
        event = wait_for(lambda: db.expire_all() or db.scalar(query), what="the proctor's call")
        assert event.needs_proctor and event.detail["reason"] == "silent"

        staff_login(page, live_server, world["proctor"])
        page.goto(f"{live_server}/proctor/sessions/{world['session_id']}")
        call = page.locator("[data-testid=session-calls] li[data-kind=microphone_problem]")
        expect(call).to_contain_text("Probleem met de microfoon")
    finally:
        silent_browser.close()


def test_a_chunk_damaged_on_the_way_is_refused_and_sent_again(app, live_server, page, db, now):
    app.config["KIOSK_CHUNK_BYTES"] = 4096  # a 3 s recording then takes several chunks
    world = make_world(db, now, "a2-luisteren-lezen", formats=("audio_response",))
    damaged = []
    statuses = []

    def damage_first(route):
        body = route.request.post_data_buffer
        if not damaged:
            damaged.append(len(body))
            route.continue_(post_data=bytes([body[0] ^ 0xFF]) + body[1:])
        else:
            route.continue_()

    page.route("**/uploads/*/chunks/0", damage_first)
    page.on(
        "response",
        lambda r: "/chunks/" in r.url and statuses.append((r.url.rsplit("/", 1)[1], r.status)),
    )
    start(page, live_server, world)
    record_answer(page)
    assert damaged and ("0", 400) in statuses and ("0", 200) in statuses
    assert len({index for index, _status in statuses}) >= 2  # more than one chunk
    recording = db.scalars(sa.select(Recording)).one()
    stored = (Path(app.config["STORAGE_DIR"]) / recording.storage_key).read_bytes()
    assert hashlib.sha256(stored).hexdigest() == recording.sha256 and recording.flag is None
    with page.expect_navigation():
        page.click("[data-testid=next]")
    db.expire_all()
    assert db.scalar(sa.select(Response)).value == {"v": {"recording_id": recording.id}}


def test_a_recording_waits_in_the_browser_until_the_server_has_it(live_server, page, db, now):
    world = make_world(db, now, "a2-luisteren-lezen", formats=("audio_response",))
    start(page, live_server, world)
    page.click("[data-mic-start]")
    expect(page.locator("[data-mic-status]")).to_contain_text("De microfoon werkt", timeout=15_000)
    page.click("[data-recorder] .recorder-button")  # start
    page.wait_for_timeout(3000)
    page.context.set_offline(True)
    page.click("[data-recorder] .recorder-button")  # stop: the upload cannot get through
    expect(page.locator(".recorder-status")).to_contain_text("blijft veilig op deze computer")
    kept = "new Promise(r => indexedDB.open('attest-kiosk').onsuccess = e => e.target.result"
    kept += ".transaction('recordings').objectStore('recordings').count().onsuccess = c => "
    kept += "r(c.target.result))"
    assert page.evaluate(kept) == 1
    page.click("[data-testid=next]")  # the kiosk does not move on without the server's ack
    expect(page.locator("[data-offline-notice]")).to_contain_text("je opname wordt nog bewaard")
    assert "/kiosk/item/1" in page.url and count(db, Recording) == 0

    page.context.set_offline(False)
    page.reload()  # even a reload: the recording comes back from IndexedDB and is sent
    expect(page.locator(".recorder-status")).to_contain_text("opgenomen en bewaard", timeout=20_000)
    assert page.evaluate(kept) == 0 and count(db, Recording) == 1
    with page.expect_navigation():
        page.click("[data-testid=next]")
    assert count(db, Response) == 1
