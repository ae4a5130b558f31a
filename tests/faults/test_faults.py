"""Fault tests: the database connection dropped mid-session, a full disk under the recordings, and
the app server killed (SIGKILL) in the middle of issuing an attestation.

The connection and kill tests need the real PostgreSQL server (CI runs them there, with
ATTEST_TEST_DATABASE_URL); the server is never restarted: the app's own connections to the test
database are ended with pg_terminate_backend."""

from __future__ import annotations

import errno
import hashlib
import http.cookiejar
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa

from attest.assessment.delivery import create_session
from attest.certificates.service import init_keys
from attest.models import Attestation, Recording, Response, Role, SessionItem, TestSession
from attest.storage import DirectoryStorage
from attest.storage_sweep import sweep_orphans
from tests.conftest import csrf_from
from tests.factories import (
    load_demo_bank,
    make_candidate,
    make_centre,
    make_kiosk,
    make_session_with_items,
    make_user,
)
from tests.format_answers import correct_answer
from tests.web.helpers import csrf, login, start_at_kiosk, verify_api
from tests.web.test_recording_upload import WEBM, upload

ROOT = Path(__file__).resolve().parents[2]
needs_postgres = pytest.mark.skipif(
    not os.environ.get("ATTEST_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="fault tests on connections and processes run against PostgreSQL "
    "(set ATTEST_TEST_DATABASE_URL; CI does)",
)


def _terminate_app_connections(app) -> int:
    """End every other connection to the test database (the app's pool), as a server restart
    would, without touching the shared server or other databases."""
    engine = sa.create_engine(app.config["DATABASE_URL"], poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        ended = conn.execute(
            sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar()
    engine.dispose()
    return ended


@pytest.fixture
def in_test(app, db, now):
    """A candidate at a kiosk, in a linear test, language chosen."""
    load_demo_bank(db)
    centre = make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    ts, code = create_session(
        db, make_candidate(db, centre=centre), "a2-luisteren-lezen", proctor, now
    )
    _kiosk, token = make_kiosk(db, centre=centre)
    db.commit()
    return {"client": start_at_kiosk(app, token, code), "session_id": ts.id, "proctor": proctor}


def _answer(client, db, session_id: int, position: int):
    item = db.scalar(
        sa.select(SessionItem).where(
            SessionItem.session_id == session_id, SessionItem.position == position
        )
    )
    iv = item.item_version
    page = client.get(f"/kiosk/item/{position}").get_data(as_text=True)
    data = {**correct_answer(iv.format, iv.content), "csrf_token": csrf_from(page)}
    return client.post(f"/kiosk/item/{position}", data=data)


def _stored_answers(db, session_id: int) -> int:
    with sa.orm.Session(bind=db.get_bind()) as fresh:  # the test's own connection may be gone
        return fresh.scalar(
            sa.select(sa.func.count())
            .select_from(Response)
            .join(SessionItem)
            .where(SessionItem.session_id == session_id)
        )


@needs_postgres
def test_connections_dropped_between_answers_reconnect_and_lose_nothing(app, db, in_test):
    client, session_id = in_test["client"], in_test["session_id"]
    assert _answer(client, db, session_id, 1).status_code == 302  # acknowledged
    db.close()
    assert _terminate_app_connections(app) >= 1  # the app's pooled connection is gone
    # The next request gets a fresh connection (pool_pre_ping) and goes on.
    assert _answer(client, db, session_id, 2).status_code == 302
    assert _stored_answers(db, session_id) == 2


@needs_postgres
def test_connection_dropped_inside_a_request_fails_cleanly_and_the_retry_succeeds(
    app, db, in_test, monkeypatch
):
    client, session_id = in_test["client"], in_test["session_id"]
    assert _answer(client, db, session_id, 1).status_code == 302
    db.close()
    from attest.assessment import delivery

    record_answer = delivery.record_answer
    drop = {"armed": False}

    def record_after_a_restart(*args, **kwargs):
        if drop["armed"]:  # the request holds a connection; the "restart" ends it
            drop["armed"] = False
            _terminate_app_connections(app)
        return record_answer(*args, **kwargs)

    monkeypatch.setattr(delivery, "record_answer", record_after_a_restart)
    item = db.scalar(
        sa.select(SessionItem).where(
            SessionItem.session_id == session_id, SessionItem.position == 2
        )
    )
    iv = item.item_version
    token = csrf_from(client.get("/kiosk/item/2").get_data(as_text=True))
    data = {**correct_answer(iv.format, iv.content), "csrf_token": token}
    db.close()  # the test holds no connection while the app's are ended
    drop["armed"] = True
    failed = client.post("/kiosk/item/2", data=data)
    assert failed.status_code == 503  # not acknowledged: the kiosk keeps the answer and retries
    assert "databank" in failed.get_data(as_text=True)
    assert _stored_answers(db, session_id) == 1  # the acknowledged one is still there
    retry = client.post("/kiosk/item/2", data=data)
    assert retry.status_code == 302
    assert _stored_answers(db, session_id) == 2


def _files(root: Path) -> list[str]:
    """The stored files, without the audit checkpoints the app writes once an hour."""
    files = (p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    return sorted(f for f in files if not f.startswith("audit-checkpoints/"))


@pytest.fixture
def speaking_test(app, db, now):
    world = make_session_with_items(db, now, ("audio_response",))
    client = start_at_kiosk(app, world.kiosk_token, world.start_code)
    token = csrf_from(client.get("/kiosk/item/1").get_data(as_text=True))
    return client, token, world.session.id, world.proctor


def test_full_disk_under_recordings_is_reported_and_a_retry_succeeds(
    app, db, speaking_test, monkeypatch
):
    client, token, session_id, proctor = speaking_test
    root = Path(app.config["STORAGE_DIR"])

    def disk_full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("attest.storage.os.fsync", disk_full)  # the bytes are half on disk
    refused = upload(client, token, WEBM)
    assert refused.status_code == 503
    body = refused.get_json()
    assert body["error"] == "storage" and body["message"]
    assert db.scalar(sa.select(sa.func.count()).select_from(Recording)) == 0
    assert _files(root) == []  # nothing half-written left behind
    # the proctor is told
    proctor_client = app.test_client()
    login(proctor_client, proctor.username)
    page = proctor_client.get(f"/proctor/sessions/{session_id}").get_data(as_text=True)
    assert "opname kon niet worden opgeslagen" in page

    monkeypatch.undo()  # space again: the kiosk's retry of the same recording succeeds
    stored = upload(client, token, WEBM)
    assert stored.status_code == 201
    rec = db.scalar(sa.select(Recording))
    assert rec is not None and rec.sha256 == hashlib.sha256(WEBM).hexdigest()
    assert (root / rec.storage_key).read_bytes() == WEBM
    assert _files(root) == [rec.storage_key]


def test_a_file_whose_row_never_commits_is_removed(app, db, speaking_test, monkeypatch):
    """The recording is written, then the commit fails: the file goes with the row."""
    client, token, _sid, _proctor = speaking_test
    root = Path(app.config["STORAGE_DIR"])

    def commit_fails(self):
        raise sa.exc.OperationalError("COMMIT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(sa.orm.Session, "commit", commit_fails)
    response = upload(client, token, WEBM)
    monkeypatch.undo()
    assert response.status_code == 503
    assert _files(root) == []
    assert db.scalar(sa.select(sa.func.count()).select_from(Recording)) == 0


def test_sweep_removes_orphans_and_interrupted_writes_but_not_recent_or_known(app, db, now):
    storage = DirectoryStorage(Path(app.config["STORAGE_DIR"]))
    storage.put("attestations/2026/11/ATT-ORPHAN.pdf", b"%PDF-orphan")
    storage.put("recordings/2026/11/1/abc", b"OggS")
    tmp = storage.path("attestations/2026/11/.tmp-x")
    tmp.write_bytes(b"half")
    report = sweep_orphans(db, storage, time.time(), min_age_seconds=60)
    assert report.removed == [] and report.kept_recent == 3  # too young: maybe in flight
    report = sweep_orphans(db, storage, time.time() + 120, min_age_seconds=60)
    assert sorted(report.removed) == sorted(
        [
            "attestations/2026/11/ATT-ORPHAN.pdf",
            "attestations/2026/11/.tmp-x",
            "recordings/2026/11/1/abc",
        ]
    )
    assert _files(storage.root) == []


# --- SIGKILL during issuing -------------------------------------------------------------------


@pytest.fixture
def finished_test(app, db, now, keys_dir):
    from tests.integration.test_full_flow import take_test

    load_demo_bank(db)
    centre = make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    _kiosk, token = make_kiosk(db, centre=centre)
    init_keys(db, keys_dir, now, demo=True, public_url=app.config["PUBLIC_URL"])
    ts, code = create_session(
        db, make_candidate(db, centre=centre), "a2-luisteren-lezen", proctor, now
    )
    db.commit()
    take_test(app, db, token, code, ts.id, right=10)
    return ts.id, proctor


class _Server:
    """The app in a child process that pauses at a point of issuing."""

    def __init__(self, app, pause: str, marker: Path) -> None:
        config = {
            key: app.config[key]
            for key in ("DATABASE_URL", "STORAGE_DIR", "KEYS_DIR", "SECRET_KEY", "PUBLIC_URL")
        }
        config["INSTANCE_PATH"] = str(marker.parent / "instance")
        env = {
            **os.environ,
            "FAULT_CONFIG": json.dumps(config),
            "FAULT_PAUSE": pause,
            "FAULT_MARKER": str(marker),
            "PYTHONPATH": str(ROOT),
        }
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("fault_server.py"))],
            stdout=subprocess.PIPE,
            env=env,
            cwd=ROOT,
        )
        self.base = f"http://127.0.0.1:{int(self.proc.stdout.readline())}"
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, data: dict, timeout: float = 30) -> int:
        body = urllib.parse.urlencode(data).encode()
        with self.opener.open(self.base + path, data=body, timeout=timeout) as response:
            return response.status

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.proc.stdout.close()


@needs_postgres
@pytest.mark.parametrize("pause", ["before_put", "after_put"])
def test_sigkill_during_issuing_leaves_a_whole_attestation_or_none(
    app, db, finished_test, tmp_path, pause
):
    import urllib.parse  # noqa: F401 - used by _Server.post

    session_id, proctor = finished_test
    marker = tmp_path / "paused"
    server = _Server(app, pause, marker)
    try:
        page = server.get("/login")
        server.post(
            "/login",
            {
                "username": proctor.username,
                "password": "correct horse battery",
                "csrf_token": csrf_from(page),
            },
        )
        page = server.get(f"/proctor/sessions/{session_id}")
        token = csrf_from(page)

        def issue():
            try:
                server.post(
                    f"/proctor/sessions/{session_id}/attestation",
                    # the result may be flagged uncertain: the proctor confirms it
                    {"csrf_token": token, "uncertain_reason": "fault test, result confirmed"},
                    timeout=120,
                )
            except (urllib.error.URLError, ConnectionError, OSError):
                pass  # the server dies under the request

        thread = threading.Thread(target=issue, daemon=True)
        thread.start()
        for _ in range(600):
            if marker.exists():
                break
            time.sleep(0.1)
        assert marker.exists(), "the server never reached the pause"
        server.kill()
        thread.join(timeout=10)
    finally:
        if server.proc.poll() is None:
            server.kill()

    root = Path(app.config["STORAGE_DIR"])
    db.expire_all()
    rows = db.scalars(sa.select(Attestation).where(Attestation.session_id == session_id)).all()
    assert rows == []  # the transaction never committed: nothing is issued
    orphans = [f for f in _files(root) if f.startswith("attestations/")]
    if pause == "before_put":
        assert orphans == []
    else:  # the sealed PDF reached the disk, its row did not: it is not an attestation
        assert orphans == [marker.read_text()]
        code = Path(orphans[0]).stem
        birth = db.get(TestSession, session_id).candidate.birth_date.isoformat()
        looked_up = verify_api(app.test_client(), code, birth)
        assert looked_up.status_code == 404 and looked_up.get_json()["status"] == "not_found"
        report = sweep_orphans(db, DirectoryStorage(root), time.time() + 3600)
        assert report.removed == orphans
    # The proctor issues again: one row and its complete sealed PDF.
    client = app.test_client()
    login(client, proctor.username)
    response = client.post(
        f"/proctor/sessions/{session_id}/attestation",
        data={
            "csrf_token": csrf(client, f"/proctor/sessions/{session_id}"),
            "uncertain_reason": "fault test, result confirmed",
        },
    )
    assert response.status_code == 302
    db.expire_all()
    att = db.scalar(sa.select(Attestation).where(Attestation.session_id == session_id))
    pdf = (root / att.pdf_path).read_bytes()
    assert hashlib.sha256(pdf).hexdigest() == att.pdf_sha256 and pdf.rstrip().endswith(b"%%EOF")
    assert [f for f in _files(root) if f.startswith("attestations/")] == [att.pdf_path]
    assert db.get(TestSession, session_id) is not None
