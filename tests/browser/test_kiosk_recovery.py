"""A kiosk that crashes, a server that dies, a clock that runs out: nothing acknowledged is lost
and the time left is the server's."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
import sqlalchemy.orm as so
from playwright.sync_api import expect

from attest import create_app
from attest.assessment.delivery import create_session
from attest.assessment.purposes import get_purpose
from attest.auth.kiosks import create_enrolment_link_token
from attest.migrate import upgrade
from attest.models import Response, Role, SectionClock, SessionEvent, TestSession
from tests.browser.staff import staff_login
from tests.browser.test_kiosk_browser import answer_something, submit
from tests.factories import load_demo_bank, make_candidate, make_centre, make_kiosk, make_user

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


def make_world(db, now, kiosks: int = 1) -> dict:
    load_demo_bank(db)
    centre = make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    enrol = [
        create_enrolment_link_token(make_kiosk(db, centre=centre)[0], now) for _ in range(kiosks)
    ]
    ts, code = create_session(
        db, make_candidate(db, centre=centre), "a2-luisteren-lezen", proctor, now
    )
    db.commit()
    return {"enrol": enrol, "code": code, "session_id": ts.id, "proctor": proctor.username}


def start_test(page, base: str, enrol: str, code: str) -> None:
    """Make the browser a kiosk, type the code, choose Dutch and pass the sound check."""
    page.goto(f"{base}/kiosk/enrol/{enrol}")
    page.fill("#code", code)
    submit(page, "main button[type=submit]")
    submit(page, "button[value=nl]")
    submit(page, "[data-testid=begin]")  # after the general instructions
    submit(page, "[data-testid=sound-ok]")
    assert "/kiosk/item/1" in page.url


def answer_current(page) -> None:
    answer_something(page, page.locator("form.item-form").get_attribute("data-format"))
    submit(page, "[data-testid=next]")


def quiet(db, session_id: int, seconds: float = 1.5, timeout: float = 15.0) -> None:
    """Wait until the closed kiosk's last requests (a focus report sent with keepalive as the
    page goes) have reached the server: any kiosk request counts as a sign of life."""
    last, since, deadline = object(), time.monotonic(), time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.expire_all()
        seen = db.get(TestSession, session_id).last_heartbeat_at
        if seen != last:
            last, since = seen, time.monotonic()
        elif time.monotonic() - since >= seconds:
            return
        time.sleep(0.25)
    raise AssertionError(f"the closed kiosk still wrote to session {session_id} after {timeout} s")


def clock_of(db, session_id: int, skill: str = "listening") -> SectionClock:
    db.expire_all()
    return db.scalar(
        sa.select(SectionClock).where(
            SectionClock.session_id == session_id, SectionClock.skill == skill
        )
    )


def test_a_closed_kiosk_resumes_on_another_with_the_time_left(live_server, browser, db, now):
    world = make_world(db, now, kiosks=2)
    first = browser.new_context(locale="nl-BE")
    page = first.new_page()
    page.set_default_timeout(15_000)
    start_test(page, live_server, world["enrol"][0], world["code"])
    answer_current(page)
    answer_current(page)
    assert page.url.endswith("/kiosk/item/3")
    expect(page.locator("[data-testid=countdown]")).to_be_visible()
    first.set_offline(True)  # the kiosk crashes mid-section: nothing more reaches the server
    first.close()
    quiet(db, world["session_id"])

    # Five minutes into the section; the kiosk went silent two minutes ago.
    clock = clock_of(db, world["session_id"])
    clock.running_since = clock.running_since - timedelta(minutes=5)
    ts = db.get(TestSession, world["session_id"])
    ts.last_heartbeat_at = datetime.now(UTC) - timedelta(minutes=2)
    db.commit()

    staff = browser.new_context(locale="nl-BE")
    proctor = staff.new_page()
    staff_login(proctor, live_server, world["proctor"])
    proctor.goto(f"{live_server}/proctor/console")
    expect(proctor.locator(f"tr[data-session='{world['session_id']}']")).to_contain_text(
        "verbinding weg"
    )
    proctor.goto(f"{live_server}/proctor/sessions/{world['session_id']}")
    with proctor.expect_navigation():
        proctor.click("[data-testid=resume-code]")
    code = proctor.locator("[data-testid=start-code]").inner_text().strip()

    second = browser.new_context(locale="nl-BE")
    page = second.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server}/kiosk/enrol/{world['enrol'][1]}")
    page.fill("#code", code)
    submit(page, "main button[type=submit]")
    submit(page, "[data-testid=sound-ok]")  # other headphones: checked again
    assert page.url.endswith("/kiosk/item/3")  # the first unanswered item
    remaining = int(page.locator("[data-countdown]").get_attribute("data-remaining"))
    limit = get_purpose("a2-luisteren-lezen").sections[0].time_limit_seconds
    assert limit - 180 - 15 <= remaining <= limit - 180  # 3 minutes used, the outage given back
    minutes = int(limit) // 60 - 3  # 17 of 20, 42 of 45: shown as mm:ss, a minute may tick
    expect(page.locator(".countdown-time")).to_have_text(
        re.compile(rf"^({minutes - 1}|{minutes}):\d\d$")
    )
    answer_current(page)
    assert page.url.endswith("/kiosk/item/4")
    second.close()
    staff.close()

    db.expire_all()
    assert db.scalar(sa.select(sa.func.count()).select_from(Response)) == 3
    kinds = {e.kind for e in db.scalars(sa.select(SessionEvent))}
    assert {"outage", "resume_code", "resumed"} <= kinds


def test_time_running_out_closes_the_section_on_the_server(app, live_server, page, db, now):
    app.config["KIOSK_HEARTBEAT_SECONDS"] = 1
    world = make_world(db, now)
    start_test(page, live_server, world["enrol"][0], world["code"])
    answer_current(page)
    clock = clock_of(db, world["session_id"])
    used = (datetime.now(UTC) - clock.running_since).total_seconds() + clock.elapsed_seconds
    clock.limit_seconds = used + 4  # four seconds left
    db.commit()
    ts = db.get(TestSession, world["session_id"])
    first_reading = min(i.position for i in ts.items if i.skill == "reading")
    # The candidate does nothing: the server closes the section and the kiosk moves on.
    expect(page).to_have_url(re.compile(rf"/kiosk/item/{first_reading}$"), timeout=25_000)
    expect(page.locator("[data-testid=notice]")).to_contain_text("tijd voor het vorige deel")
    clock = clock_of(db, world["session_id"])
    assert clock.close_reason == "time_up"
    assert db.scalar(sa.select(sa.func.count()).select_from(Response)) == 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(env: dict, port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "run", "--port", str(port), "--no-reload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise AssertionError("the app server did not come up")


@pytest.mark.own_database  # a SQLite file of its own, whatever ATTEST_TEST_DATABASE_URL says
def test_server_killed_mid_section_loses_no_acknowledged_answer(browser, tmp_path, now):
    url = f"sqlite:///{tmp_path / 'attest.sqlite3'}"
    settings = {
        "DATABASE_URL": url,
        "SECRET_KEY": "sigkill-test-secret",
        "ATTEST_STORAGE_DIR": str(tmp_path / "storage"),
        "ATTEST_KEYS_DIR": str(tmp_path / "keys"),
    }
    setup = create_app(
        {
            "DATABASE_URL": url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": settings["SECRET_KEY"],
        }
    )
    engine = setup.extensions["attest_engine"]
    upgrade(engine)
    with so.Session(bind=engine) as db:
        world = make_world(db, now)
    env = {**os.environ, **settings}
    port = _free_port()
    server = _serve(env, port)
    base = f"http://127.0.0.1:{port}"
    context = browser.new_context(locale="nl-BE")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        start_test(page, base, world["enrol"][0], world["code"])
        for _ in range(3):
            answer_current(page)  # each one acknowledged: the next item came from the server
        assert page.url.endswith("/kiosk/item/4")
        os.kill(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
        with so.Session(bind=engine) as db:
            assert db.scalar(sa.select(sa.func.count()).select_from(Response)) == 3
        server = _serve(env, port)
        page.reload()  # the candidate's screen comes back where it was
        assert page.url.endswith("/kiosk/item/4")
        answer_current(page)
        assert page.url.endswith("/kiosk/item/5")
    finally:
        context.close()
        server.kill()
        server.wait(timeout=10)
    with so.Session(bind=engine) as db:
        rows = db.scalars(sa.select(Response)).all()
        items = [r.session_item.position for r in rows]
        assert sorted(items) == [1, 2, 3, 4]  # all four stored, none twice
    engine.dispose()
