"""An examiner-led interview end to end in Chromium, two browser contexts with fake
microphones: the kiosk shows the candidate the task and waits; the examiner logs in (password
and TOTP) on the tablet, opens the session, sees the interlocutor frame, records the whole
conversation, and the tablet "crashes" (a reload) in the middle: what was recorded so far is
kept in IndexedDB and sent. The examiner's provisional rating is rating 1, the kiosk goes on by
itself, and a second examiner's blind rating gives a double-marked result."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from attest.assessment.bank_queries import current_versions
from attest.assessment.delivery import create_session
from attest.auth.kiosks import create_enrolment_link_token
from attest.models import (
    Interview,
    Performance,
    PerformanceStatus,
    Rating,
    RatingAssignment,
    Recording,
    Role,
    SessionItem,
)
from tests.browser.conftest import wait_for, wait_until
from tests.browser.staff import staff_login
from tests.examiner_world import make_examiners
from tests.factories import load_demo_bank, make_candidate, make_centre, make_kiosk, make_user
from tests.web.helpers import score_form

pytestmark = pytest.mark.browser
TASK = "nl-sp-a2-0011"


@pytest.fixture
def interview(app, db, now):
    app.config["KIOSK_HEARTBEAT_SECONDS"] = 1  # the kiosk notices the end of the interview soon
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
    version = next(v for v in current_versions(db, "speaking", ["A2"]) if v.item_id == TASK)
    db.add(SessionItem(session=ts, position=1, skill="speaking", item_version=version))
    ts.is_examiner_led = True  # the proctor's choice (tests/web/test_interview.py)
    db.commit()
    return {"enrol": enrol, "code": code, "session_id": ts.id, "examiners": examiners}


def test_an_examiner_led_interview_end_to_end(app, live_server, page, browser, db, interview):
    # The examiner's tablet: a context of its own, with its own fake microphone. It opens the
    # session's page before the kiosk is there, and the page follows by itself (its poll).
    context = browser.new_context(locale="nl-BE", viewport={"width": 1024, "height": 1300})
    context.grant_permissions(["microphone"])
    tablet = context.new_page()
    tablet.set_default_timeout(10_000)
    live = interview["examiners"][0]
    staff_login(tablet, live_server, live.username)
    tablet.goto(f"{live_server}/examiner/interview/{interview['session_id']}")
    expect(tablet.locator("[data-testid=interview-waiting]")).to_be_visible()

    # The kiosk: the candidate starts and reaches the task, which the examiner holds.
    page.goto(f"{live_server}/kiosk/enrol/{interview['enrol']}")
    page.fill("#code", interview["code"])
    with page.expect_navigation():
        page.click("main button[type=submit]")
    with page.expect_navigation():
        page.click("button[value=nl]")
    with page.expect_navigation():
        page.click("[data-testid=begin]")
    expect(page.locator("[data-testid=interview-wait]")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Het Nestje")

    expect(tablet.locator("[data-testid=interview-start]")).to_be_visible()  # no reload by hand
    tablet.goto(f"{live_server}/examiner/interviews")
    with tablet.expect_navigation():
        tablet.click(f"[data-testid=interview-session-{interview['session_id']}] a")
    with tablet.expect_navigation():
        tablet.click("[data-testid=interview-start]")
    frame = tablet.locator("[data-testid=interview-frame]")
    expect(frame).to_contain_text("Kinderopvang Het Nestje, goeiedag.")
    expect(tablet.locator("[data-testid=interview-rate]")).to_be_disabled()

    tablet.click("[data-record]")
    expect(tablet.locator("#interview")).to_have_attribute("data-state", "recording")
    wait_until(tablet, "document.querySelector('[data-timer]').textContent >= '0:03'", timeout=20)
    tablet.reload()  # the tablet crashes in the middle of the conversation
    expect(tablet.locator("#interview")).to_have_attribute("data-state", "saved", timeout=30_000)
    expect(tablet.locator("[data-testid=interview-rate]")).to_be_enabled()
    for box in tablet.locator("fieldset.criterion").all():
        box.locator("input[value='2']").check()
    with tablet.expect_navigation():
        tablet.click("[data-testid=interview-rate]")
    expect(tablet.locator("main")).to_contain_text("Voorlopige beoordeling bewaard")
    context.close()

    # The kiosk goes on by itself; the candidate finishes.
    page.wait_for_url("**/kiosk/finish", timeout=30_000)
    with page.expect_navigation():
        page.click("[data-testid=finish]")
    expect(page.locator("[data-testid=done]")).to_be_visible()

    db.expire_all()
    kept = db.scalar(sa.select(Interview))
    assert kept.frame_id == "a2-kinderopvang" and kept.examiner_id == live.id
    recording = db.get(Recording, kept.recording_id)
    audio = (Path(app.config["STORAGE_DIR"]) / recording.storage_key).read_bytes()
    assert audio[:4] == b"\x1a\x45\xdf\xa3"  # WebM, what the tablet recorded before the crash
    assert hashlib.sha256(audio).hexdigest() == recording.sha256
    assert db.scalar(sa.select(sa.func.count()).select_from(Recording)) == 1

    perf = wait_for(lambda: db.scalar(sa.select(Performance)), what="the performance")
    assert perf.task_type == "dialogue"
    first = db.scalar(sa.select(Rating).where(Rating.performance_id == perf.id))
    assert first.examiner_id == live.id
    second = db.scalar(
        sa.select(RatingAssignment).where(
            RatingAssignment.performance_id == perf.id, RatingAssignment.completed_at.is_(None)
        )
    )
    rater = next(u for u in interview["examiners"] if u.id == second.examiner_id)
    assert rater.id != live.id
    client, url, data = score_form(app, rater, second.token, band=2)
    assert "band_interaction" in str(data)
    assert client.post(url, data=data).status_code == 302
    db.expire_all()
    perf = db.get(Performance, perf.id)
    assert perf.status is PerformanceStatus.FINAL and perf.final_method == "agreed"
