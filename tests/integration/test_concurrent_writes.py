"""Audited writes from two app processes at once (issue 14, item 1): none fails, each is stored
once, and the audit chain stays one unbroken chain.

Two gunicorn processes (4 threads each) share the test database. On SQLite this is the case
that failed before BEGIN IMMEDIATE (attest/engine.py): two transactions read the same chain head
and both inserted the next sequence number (`UNIQUE constraint failed: audit_event.seq`, 500).
On PostgreSQL the same test covers the chain head's row lock."""

from __future__ import annotations

import json
import random
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import sqlalchemy as sa

from attest.assessment.delivery import create_session
from attest.models import AuditEvent, Role, TestSession
from tests.examiner_world import insz_for
from tests.factories import (
    PASSWORD,
    load_demo_bank,
    make_candidate,
    make_centre,
    make_kiosk,
    make_partner,
    make_user,
)
from tests.live import Browser, gunicorn_processes

PARTNER_CHECKS, LOGINS, KIOSK_SESSIONS = 100, 60, 20  # each kiosk session: 2 kiosks, one code
CLIENT_THREADS = 24


def test_audited_writes_from_two_processes_are_all_stored_once_in_one_chain(
    app, db, database_url, tmp_path, keys_dir, now
):
    load_demo_bank(db)
    centre = make_centre(db)
    proctors = [make_user(db, role=Role.PROCTOR, centre=centre) for _ in range(4)]
    _org, api_key = make_partner(db)
    sessions = []
    for _ in range(KIOSK_SESSIONS):
        cand = make_candidate(db, centre=centre)
        ts, code = create_session(db, cand, "a2-luisteren-lezen", proctors[0], now)
        tokens = [make_kiosk(db, centre=centre)[1] for _ in range(2)]
        sessions.append((ts.id, code, tokens))
    db.commit()

    env = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "concurrent-writes-secret",
        "ATTEST_INSTANCE_PATH": str(tmp_path / "instance"),
        "ATTEST_STORAGE_DIR": str(tmp_path / "storage"),
        "ATTEST_KEYS_DIR": str(keys_dir),
        "ATTEST_PARTNER_LIMIT": "10000 per minute",
        "ATTEST_LOG_FORMAT": "text",
    }
    with gunicorn_processes(2, env, log_dir=tmp_path) as urls:
        calls = _prepare(urls, api_key, [p.username for p in proctors], sessions)
        results = _fire(calls)
    logs = "\n".join((tmp_path / f"gunicorn-{k}.log").read_text() for k in (0, 1))

    statuses = [status for _kind, _key, status, _loc in results]
    assert len(statuses) >= 200
    failed = [(kind, status) for kind, _key, status, _loc in results if status >= 500]
    assert failed == [], f"{len(failed)} of {len(results)} answered 5xx: {failed[:5]}\n{logs}"

    db.expire_all()
    # Every partner check that was answered is in the trail once (its purpose names it).
    answered = {key for kind, key, status, _ in results if kind == "partner" and status == 200}
    assert len(answered) == PARTNER_CHECKS
    lookups = db.execute(
        sa.select(AuditEvent.detail).where(AuditEvent.action == "partner.lookup")
    ).scalars()
    purposes = sorted(detail["purpose"] for detail in lookups)
    assert purposes == sorted(answered)
    # Every login that succeeded is audited once.
    logged_in = [key for kind, key, status, loc in results if kind == "login" and status == 302]
    assert len(logged_in) == LOGINS
    logins = db.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "auth.login"))
    assert logins == LOGINS
    # A start code works once: of the two kiosks that entered it together, one started it.
    for ts_id, _code, _tokens in sessions:
        started = [
            key
            for kind, key, status, loc in results
            if kind == "kiosk" and key[0] == ts_id and status == 302
        ]
        assert len(started) == 1, (ts_id, started)
        refused = [
            status
            for kind, key, status, _ in results
            if kind == "kiosk" and key[0] == ts_id and status != 302
        ]
        assert refused == [400], (ts_id, refused)
        ts = db.get(TestSession, ts_id)
        assert ts.kiosk_id is not None and ts.start_code_used_at is not None
    starts = db.scalars(
        sa.select(AuditEvent.object_id).where(AuditEvent.action == "session.start")
    ).all()
    assert sorted(starts) == sorted(str(ts_id) for ts_id, _c, _t in sessions)

    verified = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    assert "intact" in verified.output


def _prepare(urls, api_key, usernames, sessions):
    """Everything a call needs before the start (login forms, kiosk pages with their CSRF
    tokens), so that the calls themselves are the audited writes, fired together."""
    calls = []
    for k in range(PARTNER_CHECKS):
        url = urls[k % 2] + "/api/v1/partner/checks"
        purpose = f"concurrent check {k:03d}"
        body = {"insz": insz_for(date(1980, 1, 1 + k % 28)), "profile": "sociale-huur",
                "purpose": purpose, "lease_start": "2024-01-01"}  # fmt: skip
        calls.append(("partner", purpose, _partner_call(url, api_key, body)))
    pages = []  # (kind, key, url, form, kiosk token): a browser opens each page first
    for k in range(LOGINS):
        form = {"username": usernames[k % len(usernames)], "password": PASSWORD}
        pages.append(("login", k, urls[k % 2] + "/login", form, None))
    for ts_id, code, tokens in sessions:
        for j, token in enumerate(tokens):  # the two kiosks of a code ask different processes
            pages.append(("kiosk", (ts_id, j), urls[j] + "/kiosk/", {"code": code}, token))

    def open_page(page):
        kind, key, url, form, token = page
        browser = Browser()
        if token is not None:
            browser.set_cookie("attest_kiosk", token)
        assert browser.get(url)[0] == 200
        return kind, key, _form_call(browser, url, form)

    with ThreadPoolExecutor(8) as pool:
        calls += pool.map(open_page, pages)
    random.Random(14).shuffle(calls)  # the three kinds meet at every moment
    return calls


def _partner_call(url, api_key, body):
    def call():
        request = urllib.request.Request(
            url,
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {api_key}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, ""
        except urllib.error.HTTPError as err:
            return err.code, ""

    return call


def _form_call(browser, url, form):
    def call():
        status, _text, headers = browser.post(url, form)
        return status, headers.get("Location", "")

    return call


def _fire(calls):
    """Run the calls from CLIENT_THREADS threads that start together behind a barrier."""
    barrier = threading.Barrier(CLIENT_THREADS)
    slices = [calls[k::CLIENT_THREADS] for k in range(CLIENT_THREADS)]

    def run(mine):
        barrier.wait(timeout=60)
        out = []
        for kind, key, call in mine:
            status, location = call()
            out.append((kind, key, status, location))
        return out

    started = time.monotonic()
    with ThreadPoolExecutor(CLIENT_THREADS) as pool:
        results = [r for chunk in pool.map(run, slices) for r in chunk]
    assert time.monotonic() - started < 60
    return results
