"""A semi-direct conversation end to end in Chromium with its fake microphone: a microphone
check first; the kiosk plays each turn and records each answer for the turn's fixed time with a
countdown and "Beurt n van N"; a reload in the middle of an answer keeps what was said as that
turn's answer and resumes at the next turn; the conversation is stored as one performance
with every turn's recording, which two examiners rate on the dialogue rubric."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from attest.assessment.delivery import create_session
from attest.assessment.formats.conversation import TURNS_RANGE
from attest.auth.kiosks import create_enrolment_link_token
from attest.models import (
    Item,
    ItemVersion,
    Performance,
    PerformanceStatus,
    Recording,
    Response,
    Role,
    SessionEvent,
    SessionItem,
    TestSession,
)
from tests.browser.conftest import wait_for, wait_until
from tests.examiner_world import make_examiners
from tests.factories import load_demo_bank, make_candidate, make_centre, make_kiosk, make_user
from tests.web.helpers import score_form

pytestmark = pytest.mark.browser
ANSWER_SECONDS = 5  # the shortest a turn may have: keeps the test short


# Tests that walk through a whole session only need each conversation to run through: two
# seconds per answer (under the bank's minimum, set in the database only for the test).
WALK_SECONDS = 2


def shorten_turns(db, version: ItemVersion, seconds: int = ANSWER_SECONDS) -> None:
    """Keep the fewest turns a conversation may have, each with the shortest answer time (a
    test needs no more: the turns are played and recorded in real time)."""
    content = dict(version.content)
    fewest = TURNS_RANGE[0]
    content["turns"] = [{**t, "answer_seconds": seconds} for t in content["turns"][:fewest]]
    version.content = content


# The interlocutor's clips play 16 times faster (the most Chromium allows) in tests that only
# need the conversation to run through; the answers are still recorded for their whole time.
FAST_CLIPS_JS = """() => {
  if (window.Audio.fast) return;
  const Native = window.Audio;
  const Fast = function (src) {
    const clip = new Native(src);
    clip.defaultPlaybackRate = clip.playbackRate = 16;
    return clip;
  };
  Fast.fast = true;
  window.Audio = Fast;
}"""


def converse(page, stop_after: int | None = None) -> None:
    """Start (or resume) the conversation and let it run; with `stop_after`, return as soon as
    that turn's answer is kept on the server, else when the form is sent after the last turn."""
    page.evaluate(FAST_CLIPS_JS)
    box = page.locator("[data-conversation]")
    wait_until(page, "['mic-check', 'ready'].includes(document.querySelector("
               "'[data-conversation]').dataset.state)", timeout=10)  # fmt: skip
    if box.get_attribute("data-state") == "mic-check":
        pass_microphone_check(page)
    expect(box).to_have_attribute("data-state", "ready", timeout=10_000)
    page.click("[data-conversation] .recorder-button")
    if stop_after is not None:
        wait_until(
            page,
            f"document.querySelector('[data-turn=\"{stop_after}\"]').dataset.kept === '1'",
            timeout=60,
        )


def pass_microphone_check(page) -> None:
    """Pass the microphone check before the conversation (Chromium's fake microphone beeps)."""
    box = page.locator("[data-conversation]")
    expect(box).to_have_attribute("data-state", "mic-check", timeout=10_000)
    expect(page.locator("[data-conversation] .recorder-button")).to_be_hidden()
    page.click("[data-conversation] [data-mic-start]")
    # in every kiosk language (the accessibility test converses in Arabic): the state, not words
    expect(box).to_have_attribute("data-mic", "ok", timeout=15_000)
    expect(page.locator("[data-conversation] [data-mic-status]")).not_to_be_empty()


@pytest.fixture
def conversation(db, now):
    load_demo_bank(db)
    centre = make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    admin = make_user(db, role=Role.ADMIN)
    examiners = make_examiners(db, centre, admin, now, n=2, seniors=1)
    kiosk, _ = make_kiosk(db, centre=centre)
    enrol = create_enrolment_link_token(kiosk, now)
    ts, code = create_session(
        db, make_candidate(db, centre=centre), "a2-luisteren-lezen", proctor, now
    )
    version = db.scalar(
        sa.select(ItemVersion)
        .join(Item)
        .where(Item.format == "speaking_conversation", Item.status == "live")
        .order_by(Item.id)
        .limit(1)
    )
    shorten_turns(db, version)
    db.add(SessionItem(session=ts, position=1, skill="speaking", item_version=version))
    db.commit()
    return {
        "enrol": enrol,
        "code": code,
        "session_id": ts.id,
        "turns": len(version.content["turns"]),
        "examiners": examiners,
    }


def test_a_semidirect_conversation_end_to_end(app, live_server, page, db, conversation):
    page.goto(f"{live_server}/kiosk/enrol/{conversation['enrol']}")
    page.fill("#code", conversation["code"])
    with page.expect_navigation():
        page.click("main button[type=submit]")
    with page.expect_navigation():
        page.click("button[value=nl]")
    with page.expect_navigation():
        page.click("[data-testid=begin]")
    count = conversation["turns"]
    progress = page.locator("[data-turn-progress]")
    expect(progress).to_have_text(f"Beurt 1 van {count}")

    converse(page, stop_after=1)
    expect(progress).to_have_text(f"Beurt 2 van {count}")
    # the countdown of turn 2 is on screen while the answer is recorded
    expect(page.locator("[data-conversation]")).to_have_attribute(
        "data-state", "recording", timeout=30_000
    )
    expect(page.locator("[data-turn-status]")).to_contain_text("Antwoord nu. Nog")
    # two seconds of turn 2's answer are said, and kept on this computer
    wait_until(
        page,
        "Number(document.querySelector('[data-conversation]').dataset.secondsLeft) <= "
        f"{ANSWER_SECONDS - 2}",
        timeout=30,
    )

    page.reload()  # the kiosk crashes in the middle of turn 2
    # the answer in progress is kept as turn 2's answer: the conversation goes on at turn 3
    wait_until(
        page, "document.querySelector('[data-turn=\"2\"]').dataset.kept === '1'", timeout=30
    )
    expect(progress).to_have_text(f"Beurt 3 van {count}")
    pass_microphone_check(page)  # asked again: the microphone may be what failed
    expect(page.locator("[data-conversation] .recorder-button")).to_have_text(
        "Ga verder met het gesprek"
    )
    with page.expect_navigation(timeout=120_000):
        converse(page)
    with page.expect_navigation():
        page.click("[data-testid=finish]")
    expect(page.locator("[data-testid=done]")).to_be_visible()

    db.expire_all()
    response = wait_for(lambda: db.scalar(sa.select(Response)), what="the stored conversation")
    ids = response.value["v"]["turns"]
    assert len(ids) == count and all(ids)
    rows = [db.get(Recording, rec_id) for rec_id in ids]
    assert [r.turn for r in rows] == list(range(1, count + 1))
    assert db.scalar(sa.select(sa.func.count()).select_from(Recording)) == count  # none lost
    assert rows[1].duration_ms < ANSWER_SECONDS * 1000  # turn 2: the part said before the crash
    for rec in rows:
        audio = (Path(app.config["STORAGE_DIR"]) / rec.storage_key).read_bytes()
        assert hashlib.sha256(audio).hexdigest() == rec.sha256
        assert rec.duration_ms is None or rec.duration_ms <= (ANSWER_SECONDS + 2) * 1000
    ts = db.get(TestSession, conversation["session_id"])
    assert ts.status.value == "completed"

    perf = db.scalar(sa.select(Performance))
    assert perf.task_type == "dialogue"
    for user in conversation["examiners"][:3]:
        try:
            client, url, data = score_form(app, user, band=2)
        except IndexError:  # not one of the two raters: nothing in the queue
            continue
        assert "band_interaction" in str(data)
        assert client.post(url, data=data).status_code == 302
    db.expire_all()
    perf = db.get(Performance, perf.id)
    assert perf.status is PerformanceStatus.FINAL and perf.final_method == "agreed"


# A microphone that hears nothing: the stream of a silent Web Audio graph in place of the
# fake device, as a disconnected or muted headset gives.
SILENT_MICROPHONE = """
navigator.mediaDevices.getUserMedia = async () => {
  const context = new AudioContext();
  return context.createMediaStreamDestination().stream;
};
"""


def test_a_silent_microphone_keeps_the_conversation_from_starting_and_calls_the_proctor(
    app, live_server, page, db, conversation
):
    page.add_init_script(SILENT_MICROPHONE)
    page.goto(f"{live_server}/kiosk/enrol/{conversation['enrol']}")
    page.fill("#code", conversation["code"])
    with page.expect_navigation():
        page.click("main button[type=submit]")
    with page.expect_navigation():
        page.click("button[value=nl]")
    with page.expect_navigation():
        page.click("[data-testid=begin]")
    box = page.locator("[data-conversation]")
    expect(box).to_have_attribute("data-state", "mic-check", timeout=10_000)
    page.click("[data-conversation] [data-mic-start]")
    expect(page.locator("[data-conversation] [data-mic-status]")).to_contain_text(
        "We horen niets. De toezichter is verwittigd", timeout=15_000
    )
    expect(box).to_have_attribute("data-mic", "silent")
    expect(box).to_have_attribute("data-state", "mic-check")  # no turn has started
    expect(page.locator("[data-conversation] .recorder-button")).to_be_hidden()
    expect(page.locator("[data-conversation] [data-mic-start]")).to_be_enabled()  # try again

    db.expire_all()
    event = wait_for(
        lambda: db.scalar(
            sa.select(SessionEvent).where(
                SessionEvent.session_id == conversation["session_id"],
                SessionEvent.kind == "microphone_problem",
            )
        ),
        what="the proctor's call about the microphone",
    )
    assert event.detail.get("reason") == "silent"
    assert db.scalar(sa.select(sa.func.count()).select_from(Recording)) == 0
