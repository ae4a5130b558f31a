"""Two examiners score a recorded performance in Chromium, disagree, and a senior decides;
then the proctor sees the speaking level and issues the attestation."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from attest.certificates.key_service import init_keys
from attest.models import Performance, RatingAssignment, Role, User
from tests.browser.conftest import wait_until
from tests.browser.staff import staff_login
from tests.examiner_world import finished_session, make_examiners
from tests.factories import load_demo_bank, make_centre, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def scoring_world(app, db, now, keys_dir):
    load_demo_bank(db)
    centre = make_centre(db)
    admin = make_user(db, role=Role.ADMIN)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    examiners = make_examiners(db, centre, admin, now, n=2, seniors=1)
    init_keys(db, keys_dir, now, demo=True, public_url=app.config["PUBLIC_URL"])
    made = finished_session(db, centre, proctor, app.config["STORAGE_DIR"], now, speaking=1)
    db.commit()
    return {"proctor": proctor, "examiners": examiners, "session_id": made.ts.id}


def score(browser, base: str, username: str, band: int, *, deciding: bool = False) -> None:
    """Log in as an examiner, open the queue's performance, listen, give `band` everywhere."""
    context = browser.new_context(locale="nl-BE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    staff_login(page, base, username)
    page.goto(f"{base}/examiner/")
    row = page.locator("[data-testid=queue-row]")
    expect(row).to_have_count(1)
    if deciding:
        expect(row).to_contain_text("Beslissende beoordeling")
    with page.expect_navigation():
        row.locator("a").click()
    audio = page.locator("[data-testid=performance-audio]")
    expect(audio).to_be_visible()
    assert page.request.get(base + audio.get_attribute("src")).status == 200
    assert "/examiner/media/" in audio.get_attribute("src")
    for criterion in page.locator("fieldset.criterion").all():
        criterion.locator(f"input[value='{band}']").check()
    with page.expect_navigation():
        page.click(".rubric button[type=submit]")
    expect(page.locator(".flash.success")).to_be_visible()
    context.close()


def test_two_examiners_and_a_senior_score_then_the_attestation_is_issued(
    live_server, browser, db, scoring_world
):
    first, second = db.scalars(
        sa.select(User)
        .join(RatingAssignment, RatingAssignment.examiner_id == User.id)
        .order_by(RatingAssignment.id)
    ).all()
    score(browser, live_server, first.username, band=2)
    score(browser, live_server, second.username, band=0)
    senior = next(e for e in scoring_world["examiners"] if e.is_senior_examiner)
    score(browser, live_server, senior.username, band=2, deciding=True)

    db.expire_all()
    perf = db.scalar(sa.select(Performance))
    assert (perf.final_level, perf.final_method) == ("A2", "adjudicated")

    context = browser.new_context(locale="nl-BE")
    page = context.new_page()
    page.set_default_timeout(20_000)
    staff_login(page, live_server, scoring_world["proctor"].username)
    page.goto(f"{live_server}/proctor/sessions/{scoring_world['session_id']}")
    expect(page.locator("td[data-skill=speaking]")).to_have_text("A2")
    with page.expect_navigation():
        page.click("text=Attest uitreiken")
    expect(page.locator("[data-testid=attestation-code]")).to_be_visible()
    context.close()


def test_the_examiner_hears_a_browser_recording_with_its_length_and_can_seek(
    app, db, now, keys_dir, live_server, browser
):
    """A recording as MediaRecorder writes it (WebM without duration or cues) plays in the
    examiner's player with its real length, and seeking half-way works (byte ranges)."""
    from tests.audio_samples import tone, webm_opus

    load_demo_bank(db)
    centre = make_centre(db)
    admin = make_user(db, role=Role.ADMIN)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    make_examiners(db, centre, admin, now, n=2, seniors=1)
    recording = webm_opus(tone(6.0), live=True)
    finished_session(
        db, centre, proctor, app.config["STORAGE_DIR"], now, speaking=1, recording=recording
    )
    db.commit()
    context = browser.new_context(locale="nl-BE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    examiner = db.scalars(
        sa.select(User).join(RatingAssignment, RatingAssignment.examiner_id == User.id)
    ).first()
    staff_login(page, live_server, examiner.username)
    page.goto(f"{live_server}/examiner/")
    with page.expect_navigation():
        page.locator("[data-testid=queue-row] a").first.click()
    expect(page.locator("[data-testid=performance-duration]")).to_contain_text("0:06")
    wait_until(page, "document.querySelector('[data-testid=performance-audio]').readyState >= 1")
    duration = page.evaluate("document.querySelector('[data-testid=performance-audio]').duration")
    assert duration == pytest.approx(6.0, abs=0.1)  # was Infinity before the remux
    page.evaluate("document.querySelector('[data-testid=performance-audio]').currentTime = 3.0")
    wait_until(
        page,
        "Math.abs(document.querySelector('[data-testid=performance-audio]').currentTime - 3) < 0.2"
        " && !document.querySelector('[data-testid=performance-audio]').seeking",
    )
    context.close()
