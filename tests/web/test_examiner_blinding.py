"""Blinding: no examiner page (HTML or JSON) holds the candidate's name, birth date, INSZ,
document number or session code; the calibration set, benchmarks and statistics work."""

from __future__ import annotations

import dataclasses
import re

import pytest
import sqlalchemy as sa

from attest.examiner import quality
from attest.models import (
    AssignmentKind,
    AuditEvent,
    Benchmark,
    CalibrationAttempt,
    Performance,
    RatingAssignment,
    Role,
)
from tests.conftest import csrf_from
from tests.examiner_world import (
    BIRTH,
    DOCUMENT,
    FAMILY,
    GIVEN,
    finished_session,
    insz_for,
    make_examiners,
)
from tests.factories import load_demo_bank, make_centre, make_user
from tests.web.helpers import SCORE_TOKEN, login
from tests.web.test_examiner import rate, raters


@pytest.fixture
def world(app, db, now):
    load_demo_bank(db)
    centre = make_centre(db)
    admin = make_user(db, role=Role.ADMIN)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    examiners = make_examiners(db, centre, admin, now, n=2, seniors=1)
    made = finished_session(
        db, centre, proctor, app.config["STORAGE_DIR"], now, speaking=1, writing=1
    )
    db.commit()
    return {
        "admin": admin,
        "centre": centre,
        "examiners": examiners,
        "session_id": made.ts.id,
        "code": made.code,
    }


def forbidden(world) -> list[str]:
    insz = insz_for(BIRTH)
    return [
        FAMILY,
        *GIVEN.split(),
        BIRTH.isoformat(),
        f"{BIRTH:%d-%m-%Y}",
        f"{BIRTH:%d/%m/%Y}",
        f"{BIRTH:%d.%m.%Y}",
        insz,
        f"{insz[:2]}.{insz[2:4]}.{insz[4:6]}-{insz[6:9]}.{insz[9:]}",
        DOCUMENT,
        world["code"],
        world["code"].replace("-", ""),
        "/sessions/",
        "candidate",
    ]


def examiner_pages(client) -> dict[str, str]:
    pages = {}
    for url in (
        "/examiner/",
        "/examiner/queue.json",
        "/examiner/calibration",
        "/examiner/stats",
        "/examiner/stats.json",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.get_data(as_text=True)
    for token in SCORE_TOKEN.findall(pages["/examiner/"]):
        url = f"/examiner/score/{token}"
        pages[url] = client.get(url).get_data(as_text=True)
    return pages


def test_no_examiner_page_identifies_the_candidate_or_session(app, db, world):
    live = {e.id: e for e in world["examiners"]}
    # a disagreement, so that the senior's adjudication page is checked too
    perf_ids = db.scalars(sa.select(Performance.id)).all()
    assert len(perf_ids) == 2
    first_pair = [
        a.examiner_id
        for a in db.scalars(
            sa.select(RatingAssignment).where(RatingAssignment.performance_id == perf_ids[0])
        )
    ]
    checked = 0
    for examiner in world["examiners"]:
        client = app.test_client()
        login(client, examiner.username)
        for url, body in examiner_pages(client).items():
            for needle in forbidden(world):
                assert needle.lower() not in body.lower(), (examiner.username, url, needle)
            checked += 1
    assert checked >= 10 and first_pair and live


def test_the_writing_is_shown_as_typed_without_spellchecking(app, db, world):
    writing = db.scalar(sa.select(Performance).where(Performance.skill == "writing"))
    assignment = db.scalar(
        sa.select(RatingAssignment).where(RatingAssignment.performance_id == writing.id)
    )
    client = app.test_client()
    login(client, assignment.examiner.username)
    page = client.get(f"/examiner/score/{assignment.token}").get_data(as_text=True)
    assert 'spellcheck="false"' in page and "morgen is er een feest in onze tuin" in page
    assert "Spelling en lay-out" in page  # the rubric's descriptors are beside the form
    assert "Kan geen uiting afronden" not in page  # a writing task shows no speaking rubric


def _finalise(app, db, world, band=2):
    for examiner_id in raters(db, world["session_id"]):
        user = next(u for u in world["examiners"] if u.id == examiner_id)
        client = app.test_client()
        login(client, user.username)
        for token in SCORE_TOKEN.findall(client.get("/examiner/").get_data(as_text=True)):
            rate(app, user, token, band=band)


def test_admin_marks_a_benchmark_and_a_new_examiner_must_pass_calibration(app, db, world, now):
    _finalise(app, db, world)
    perf = db.scalar(sa.select(Performance).where(Performance.skill == "speaking"))
    admin = app.test_client()
    login(admin, world["admin"].username)
    page = admin.get(f"/admin/examiners/performances/{perf.id}/benchmark").get_data(as_text=True)
    assert "checked" in page  # prefilled with the final bands
    assert "0 · onder A1</span>" in page and "2 · A2</span>" in page  # each band's level
    codes = dict.fromkeys(re.findall(r'name="band_(\w+)"', page))
    data = {f"band_{c}": "2" for c in codes} | {"is_calibration": "y"}
    assert (
        admin.post(
            f"/admin/examiners/performances/{perf.id}/benchmark",
            data={**data, "csrf_token": csrf_from(page)},
        ).status_code
        == 302
    )
    benchmark = db.scalar(sa.select(Benchmark))
    assert benchmark.is_calibration and benchmark.agreed_level == "A2"

    newcomer = make_user(db, role=Role.EXAMINER, centre=world["centre"])
    db.commit()
    client = app.test_client()
    login(client, newcomer.username)
    assert 'data-testid="not-calibrated"' in client.get("/examiner/").get_data(as_text=True)
    page = client.get("/examiner/calibration").get_data(as_text=True)
    client.post("/examiner/calibration", data={"csrf_token": csrf_from(page)})
    (token,) = SCORE_TOKEN.findall(client.get("/examiner/").get_data(as_text=True))
    rate(app, newcomer, token, band=0)  # far from the agreed bands: not passed
    attempt = db.scalar(
        sa.select(CalibrationAttempt).where(CalibrationAttempt.examiner_id == newcomer.id)
    )
    assert attempt.is_passed is False and attempt.worst_band_difference == 2
    page = client.get("/examiner/calibration").get_data(as_text=True)
    assert "niet geslaagd" in page
    client.post("/examiner/calibration", data={"csrf_token": csrf_from(page)})
    (token,) = SCORE_TOKEN.findall(client.get("/examiner/").get_data(as_text=True))
    rate(app, newcomer, token, band=2)
    db.expire_all()
    assert quality.is_calibrated(db, newcomer.id)
    actions = set(db.scalars(sa.select(AuditEvent.action)))
    assert {"benchmark.mark", "calibration.start", "calibration.complete"} <= actions


def test_benchmarks_are_seeded_unannounced_into_the_live_queue(app, db, world, now, monkeypatch):
    _finalise(app, db, world)
    speaking = db.scalar(sa.select(Performance).where(Performance.skill == "speaking"))
    writing = db.scalar(sa.select(Performance).where(Performance.skill == "writing"))
    agreed = {k: int(v) for k, v in speaking.final_bands.items()}
    quality.mark_benchmark(db, speaking, world["admin"], agreed, False, now)
    extra = make_user(db, role=Role.EXAMINER, centre=world["centre"])
    quality.exempt_from_calibration(db, extra, world["admin"], now)
    db.commit()
    rules = quality.rubrics.load_rules()
    every_second = dataclasses.replace(rules, benchmark_every=2)
    monkeypatch.setattr(quality.rubrics, "load_rules", lambda: every_second)
    client = app.test_client()
    login(client, extra.username)
    assert client.get("/examiner/queue.json").get_json()["items"] == []  # no live work yet

    done = RatingAssignment(
        token="done-live",
        performance_id=writing.id,
        examiner_id=extra.id,
        round=0,
        kind=AssignmentKind.LIVE,
        assigned_at=now,
        completed_at=now,
    )
    db.add(done)
    db.commit()
    items = client.get("/examiner/queue.json").get_json()["items"]
    assert len(items) == 1
    item = items[0]
    assert set(item) == {
        "token",
        "skill",
        "level",
        "task_type",
        "deciding_rating",
        "calibration",
        "assigned_at",
        "age_hours",
    }  # nothing tells a seeded benchmark from live work
    assert item["deciding_rating"] is False and item["calibration"] is False
    kind = db.scalar(
        sa.select(RatingAssignment.kind).where(RatingAssignment.token == item["token"])
    )
    assert kind is AssignmentKind.BENCHMARK
    rate(app, extra, item["token"], band=2)
    stats = client.get("/examiner/stats.json").get_json()
    assert stats["against_benchmarks"]["n"] > 0 and stats["against_benchmarks"]["exact"] == 1.0
    assert client.get("/examiner/queue.json").get_json()["items"] == []  # never the same twice


def test_statistics_pages_show_charts_and_flags(app, db, world):
    _finalise(app, db, world)
    examiner_id = raters(db, world["session_id"])[0]
    user = next(u for u in world["examiners"] if u.id == examiner_id)
    client = app.test_client()
    login(client, user.username)
    page = client.get("/examiner/stats").get_data(as_text=True)
    assert page.count("<svg") == 3 and "Gewogen kappa" in page
    admin = app.test_client()
    login(admin, world["admin"].username)
    page = admin.get("/admin/examiners/").get_data(as_text=True)
    assert page.count('data-testid="examiner-row"') == 3
    assert admin.get(f"/admin/examiners/{examiner_id}").status_code == 200
