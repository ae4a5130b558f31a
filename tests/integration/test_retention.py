"""Retention with a frozen clock: exactly what is due goes; appeals hold it back; verification of
old attestations still works; runs are audited; a candidate's data can be exported."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from attest.assessment.delivery import finish_session
from attest.certificates.issuing import issue_attestation, issuer_of
from attest.certificates.key_service import init_keys
from attest.certificates.verify import verify_code
from attest.models import AuditEvent, Candidate, Recording, Response, Role, TestSession
from attest.retention import delete_files, run_retention
from attest.retention_rules import RetentionPolicy
from attest.storage import storage_for
from tests.factories import (
    load_demo_bank,
    make_candidate,
    make_centre,
    make_kiosk,
    make_started_session,
    make_user,
)
from tests.web.helpers import login

T0 = datetime(2024, 1, 10, 9, 0, tzinfo=UTC)
POLICY = RetentionPolicy(responses_days=730, appeal_days=365, candidate_days=1826)


def finished_test(app, db, centre, proctor, kiosk, *, family_name, at=T0):
    cand = make_candidate(db, centre=centre, family_name=family_name)
    cand.created_at = at
    ts = make_started_session(
        db, centre=centre, proctor=proctor, kiosk=kiosk, now=at, candidate=cand, answered=True
    )
    ts.created_at = at
    for result in finish_session(db, ts, at + timedelta(minutes=40)):
        result.created_at = at + timedelta(minutes=40)
    key = f"recordings/{ts.id}/r1.ogg"
    storage_for(app.config).put(key, b"OggS fake audio")
    db.add(Recording(id=f"r{ts.id}", session_item_id=ts.items[0].id, content_type="audio/ogg",
                     size_bytes=15, sha256="0" * 64, storage_key=key))  # fmt: skip
    db.flush()
    return cand, ts


@pytest.fixture
def world(app, db, keys_dir):
    load_demo_bank(db)
    centre = make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    kiosk, _token = make_kiosk(db, centre=centre)
    init_keys(db, keys_dir, T0, demo=True, public_url=app.config["PUBLIC_URL"])
    cand, ts = finished_test(app, db, centre, proctor, kiosk, family_name="Öztürk")
    att = issue_attestation(db, ts, proctor, T0 + timedelta(days=1), issuer_of(app))
    held_cand, held = finished_test(app, db, centre, proctor, kiosk, family_name="Nguyễn")
    held.appeal_opened_at = T0 + timedelta(days=20)
    db.commit()
    return {"cand": cand, "ts": ts, "att": att, "held": held, "held_cand": held_cand,
            "proctor": proctor}  # fmt: skip


def _answers(db, ts):
    return [r.value for r in db.scalars(
        sa.select(Response).join(Response.session_item).where(
            sa.text("session_item.session_id = :s")).params(s=ts.id))]  # fmt: skip


def _run(app, db, now, dry_run=False):
    report = run_retention(db, POLICY, now, dry_run=dry_run)
    db.commit()
    delete_files(storage_for(app.config), report)
    db.expire_all()
    return report


def test_nothing_is_due_a_day_before_the_period_ends(app, db, world):
    report = _run(app, db, T0 + timedelta(days=729))
    assert report.sessions_purged == [] and report.candidates_anonymised == []
    assert all(v != {"purged": True} for v in _answers(db, world["ts"]))
    assert report.held_by_appeal == 0  # not even looked at: nothing can be due yet


def test_answers_and_recordings_go_two_years_after_the_final_result(app, db, world):
    storage = storage_for(app.config)
    key = f"recordings/{world['ts'].id}/r1.ogg"
    report = _run(app, db, T0 + timedelta(days=731))
    assert report.sessions_purged == [world["ts"].id]
    assert report.recordings_deleted == 1 and report.held_by_appeal == 1
    assert set(map(json.dumps, _answers(db, world["ts"]))) == {'{"purged": true}'}
    assert not storage.path(key).exists()
    assert db.scalar(sa.select(sa.func.count()).select_from(Recording)) == 1  # the held one
    # results and scores stay: the attestation and the figures rest on them
    ts = db.get(TestSession, world["ts"].id)
    assert ts.results and ts.responses_purged_at is not None
    assert db.get(Candidate, world["cand"].id).family_name == "Öztürk"  # not yet
    # the appeal holds the other test's answers
    assert all(v != {"purged": True} for v in _answers(db, world["held"]))
    # and a second run at the same moment finds nothing more to do
    assert _run(app, db, T0 + timedelta(days=731)).sessions_purged == []


def test_a_closed_appeal_keeps_answers_for_the_appeal_period(app, db, world):
    held = db.get(TestSession, world["held"].id)
    held.appeal_closed_at = T0 + timedelta(days=700)
    db.commit()
    assert world["held"].id not in _run(app, db, T0 + timedelta(days=1064)).sessions_purged
    assert world["held"].id in _run(app, db, T0 + timedelta(days=1066)).sessions_purged


def test_candidates_are_anonymised_and_old_attestations_still_verify(app, db, client, world):
    code = world["att"].code
    _run(app, db, T0 + timedelta(days=731))
    report = _run(app, db, T0 + timedelta(days=1828))
    assert report.candidates_anonymised == [world["cand"].id]  # the held one keeps its data
    cand = db.get(Candidate, world["cand"].id)
    assert (cand.family_name, cand.given_names, cand.insz, cand.id_document_last4) == (
        "", "", None, "")  # fmt: skip
    assert cand.birth_date.isoformat() == "1990-01-01" and cand.anonymised_at is not None
    result = verify_code(db, code, "1990-04-12")  # the birth date on the attestation
    assert result.status == "valid" and result.facts["family_name"] == "Öztürk"
    api = client.post(
        "/api/v1/verify",
        json={"code": code, "birth_date": "1990-04-12", "profile": "sociale-huur"},
    ).get_json()
    assert api["valid"] is True and api["attestation"]["birth_date"] == "1990-04-12"


def test_a_dry_run_changes_nothing_and_a_run_is_audited(app, db, world):
    dry = _run(app, db, T0 + timedelta(days=2000), dry_run=True)
    assert dry.sessions_purged == [world["ts"].id] and dry.candidates_anonymised
    assert all(v != {"purged": True} for v in _answers(db, world["ts"]))
    assert db.get(Candidate, world["cand"].id).anonymised_at is None
    assert not db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "retention.run")).all()
    _run(app, db, T0 + timedelta(days=2000))
    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "retention.run"))
    assert event.detail["sessions_purged"] == 1 and event.detail["candidates_anonymised"] == 1
    assert "Öztürk" not in json.dumps(event.detail)
    assert app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0


def test_cli_run_uses_the_configured_periods(app, db, world, monkeypatch):
    import attest.cli.retention

    monkeypatch.setattr(attest.cli.retention, "now", lambda: T0 + timedelta(days=731))
    app.config["RETENTION_RESPONSES_DAYS"] = 800
    dry = app.test_cli_runner().invoke(args=["retention", "run", "--dry-run"])
    assert "would purge answers of 0 test(s)" in dry.output, dry.output
    app.config["RETENTION_RESPONSES_DAYS"] = 730
    done = app.test_cli_runner().invoke(args=["retention", "run"])
    assert done.exit_code == 0 and "did purge answers of 1 test(s)" in done.output
    assert "1 recordings" in done.output


def test_subject_access_export_holds_the_data_and_the_sealed_pdf(app, db, client, world):
    admin = make_user(db, role=Role.ADMIN)
    db.commit()
    login(client, admin.username)
    response = client.get(f"/admin/candidates/{world['cand'].id}/export.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    zf = zipfile.ZipFile(io.BytesIO(response.data))
    doc = json.loads(zf.read("candidate.json"))
    assert doc["candidate"]["family_name"] == "Öztürk"
    assert doc["candidate"]["id_document_last4"] == world["cand"].id_document_last4 != ""
    assert "id_document_number" not in doc["candidate"]  # only the last 4 are kept
    test = doc["tests"][0]
    assert test["results"] and len(test["answers"]) == len(world["ts"].items)
    pdf_name = test["attestations"][0]["file"]
    assert zf.read(pdf_name) == storage_for(app.config).get(world["att"].pdf_path)
    assert zf.read(test["recordings"][0]["file"]) == b"OggS fake audio"
    audit = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "candidate.export"))
    assert audit.object_id == str(world["cand"].id) and audit.actor_id == admin.id
    # a proctor may not export, and the CLI writes the same zip
    out = app.test_cli_runner().invoke(
        args=["export", str(world["cand"].id), "--out", str(app.instance_path + "/x.zip")]
    )
    assert out.exit_code == 0 and "candidate.json" in zipfile.ZipFile(
        app.instance_path + "/x.zip").namelist()  # fmt: skip


def test_appeals_open_and_close_from_the_cli(app, db, world):
    runner = app.test_cli_runner()
    ts_id = world["ts"].id
    assert runner.invoke(args=["appeals", "close", str(ts_id)]).exit_code != 0  # none open
    assert runner.invoke(args=["appeals", "open", str(ts_id)]).exit_code == 0
    assert runner.invoke(args=["appeals", "close", str(ts_id)]).exit_code == 0
    db.expire_all()
    ts = db.get(TestSession, ts_id)
    assert ts.appeal_opened_at and ts.appeal_closed_at
    assert runner.invoke(args=["appeals", "open", "999999"]).exit_code != 0


def test_kiosk_uploads_and_drafts_go_with_the_answers(app, db, world):
    """Chunks of a kiosk upload (audio) and writing drafts (text) are purged like recordings."""
    from attest.models import RecordingChunk, RecordingUpload, ResponseDraft

    storage = storage_for(app.config)
    ts = world["ts"]
    chunk_key = f"uploads/{ts.id}/u1/0"
    storage.put(chunk_key, b"OggS fake audio")
    upload = RecordingUpload(id="u" * 20, session_item_id=ts.items[0].id,
                             content_type="audio/ogg", size_bytes=15, sha256="0" * 64,
                             chunk_size=1024, chunk_count=1, duration_ms=1000,
                             recording_id=f"r{ts.id}", created_at=T0)  # fmt: skip
    db.add(upload)
    db.add(RecordingChunk(upload=upload, index=0, size_bytes=15, sha256="0" * 64,
                          storage_key=chunk_key, received_at=T0))  # fmt: skip
    db.add(ResponseDraft(session_item_id=ts.items[1].id, text="Beste Jan", seq=1, updated_at=T0))
    db.commit()
    report = _run(app, db, T0 + timedelta(days=731))
    assert report.sessions_purged == [ts.id]
    for model in (RecordingChunk, RecordingUpload, ResponseDraft):
        assert db.scalar(sa.select(sa.func.count()).select_from(model)) == 0
    assert not storage.path(chunk_key).exists()


def _performance(db, ts, status):
    from attest.models import Performance

    si = ts.items[0]
    perf = Performance(response_id=si.response.id, session_id=ts.id, centre_id=ts.centre_id,
                       skill="speaking", task_level="A2", task_type="t", status=status,
                       finalised_at=T0 + timedelta(days=3))  # fmt: skip
    db.add(perf)
    db.flush()
    return perf


def test_examiner_work_and_remark_requests_hold_answers_back(app, db, world):
    from attest.models import PerformanceStatus, RemarkRequest

    ts = db.get(TestSession, world["ts"].id)
    perf = _performance(db, ts, PerformanceStatus.WAITING)
    db.commit()
    assert world["ts"].id not in _run(app, db, T0 + timedelta(days=800)).sessions_purged
    perf = db.merge(perf)
    perf.status = PerformanceStatus.FINAL
    request = RemarkRequest(performance_id=perf.id, round=2, reason="beroep",
                            requested_by_id=world["proctor"].id,
                            requested_at=T0 + timedelta(days=100))  # fmt: skip
    db.add(request)
    db.commit()
    report = _run(app, db, T0 + timedelta(days=800))
    assert world["ts"].id not in report.sessions_purged and report.held_by_appeal == 2
    request = db.merge(request)
    request.completed_at = T0 + timedelta(days=200)
    db.commit()
    # final 3 days after the test; the re-mark closed on day 200: due on day 565 at the earliest
    assert world["ts"].id in _run(app, db, T0 + timedelta(days=800)).sessions_purged


def test_the_backlog_counts_waiting_performances(app, db, world):
    from attest.admin.report_queries import pending_performances
    from attest.models import PerformanceStatus

    ts = db.get(TestSession, world["ts"].id)
    _performance(db, ts, PerformanceStatus.ADJUDICATION)
    db.commit()
    pending = pending_performances(db)
    assert [(p.skill, p.centre) for p in pending] == [("speaking", ts.centre.code)]
