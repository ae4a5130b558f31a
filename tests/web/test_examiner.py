"""Examiners score blind, disagree, a senior decides; the result and attestation follow."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from attest.certificates.key_service import init_keys
from attest.examiner import scoring
from attest.models import (
    Adjudication,
    Attestation,
    AttestationStatus,
    AuditEvent,
    Performance,
    PerformanceStatus,
    Rating,
    RatingAssignment,
    RemarkRequest,
    Role,
    SkillResult,
)
from tests.conftest import csrf_from
from tests.examiner_world import finished_session, make_examiners
from tests.factories import load_demo_bank, make_centre, make_user
from tests.web.helpers import login, score_form, slow_down, together, tokens_of, twin


@pytest.fixture
def world(app, db, now, keys_dir):
    load_demo_bank(db)
    centre = make_centre(db)
    admin = make_user(db, role=Role.ADMIN)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    examiners = make_examiners(db, centre, admin, now, n=4, seniors=1)
    init_keys(db, keys_dir, now, demo=True, public_url=app.config["PUBLIC_URL"])
    made = finished_session(db, centre, proctor, app.config["STORAGE_DIR"], now, speaking=1)
    db.commit()
    return {
        "admin": admin,
        "proctor": proctor,
        "examiners": examiners,
        "session_id": made.ts.id,
        "code": made.code,
    }


def rate(app, user, token: str | None = None, band: int = 2, **override) -> object:
    """Log in as `user`, open the (first) performance in the queue and give `band` everywhere."""
    client, url, data = score_form(app, user, token, band, **override)
    return client.post(url, data=data)


def raters(db, session_id: int, kind: str = "live") -> list[int]:
    return list(
        db.scalars(
            sa.select(RatingAssignment.examiner_id)
            .join(Performance)
            .where(Performance.session_id == session_id, RatingAssignment.kind == kind)
            .order_by(RatingAssignment.id)
        )
    )


def user_by_id(world, user_id):
    return next(u for u in world["examiners"] if u.id == user_id)


def test_two_ratings_that_disagree_go_to_a_senior_whose_rating_decides(app, db, world, client):
    first, second = raters(db, world["session_id"])
    assert world["proctor"].id not in (first, second) and first != second
    login(client, world["proctor"].username)
    page = client.get(f"/proctor/sessions/{world['session_id']}").get_data(as_text=True)
    assert 'data-testid="awaiting-ratings"' in page and "Attest uitreiken" not in page

    assert rate(app, user_by_id(world, first), band=2).status_code == 302
    assert rate(app, user_by_id(world, second), band=0).status_code == 302
    db.expire_all()
    perf = db.scalar(sa.select(Performance).where(Performance.session_id == world["session_id"]))
    assert perf.status is PerformanceStatus.ADJUDICATION
    adjudication = db.scalar(sa.select(Adjudication))
    assert "level" in adjudication.reasons and adjudication.assignment_id is not None
    senior = db.get(RatingAssignment, adjudication.assignment_id).examiner
    assert senior.is_senior_examiner and senior.id not in (first, second)
    token = db.scalar(
        sa.select(RatingAssignment.token).where(RatingAssignment.examiner_id == first)
    )
    assert rate(app, user_by_id(world, first), token, band=1).status_code == 409  # too late

    assert rate(app, senior, band=1).status_code == 302
    db.expire_all()
    perf = db.get(Performance, perf.id)
    assert (perf.status, perf.final_level, perf.final_method) == (
        PerformanceStatus.FINAL,
        "A1",
        "adjudicated",
    )
    result = db.scalar(sa.select(SkillResult).where(SkillResult.skill == "speaking"))
    assert result.level == "A1"
    actions = [a for (a,) in db.execute(sa.select(AuditEvent.action).order_by(AuditEvent.id))]
    for action in (
        "rating.submit",
        "adjudication.open",
        "adjudication.rate",
        "performance.finalise",
    ):
        assert action in actions
    rated = db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "rating.submit")).all()
    assert {e.actor_id for e in rated} == {first, second} and all(e.at for e in rated)

    page = client.get(f"/proctor/sessions/{world['session_id']}").get_data(as_text=True)
    assert 'data-skill="speaking">A1<' in page and "Attest uitreiken" in page
    issued = client.post(
        f"/proctor/sessions/{world['session_id']}/attestation", data={"csrf_token": csrf_from(page)}
    )
    assert issued.status_code == 302
    att = db.scalar(sa.select(Attestation))
    assert att.levels["speaking"] == "A1"


def test_agreeing_ratings_are_final_without_a_third(app, db, world):
    first, second = raters(db, world["session_id"])
    rate(app, user_by_id(world, first), band=2)
    rate(app, user_by_id(world, second), band=3, range=2)
    db.expire_all()
    perf = db.scalar(sa.select(Performance))
    assert (perf.status, perf.final_level, perf.final_method) == (
        PerformanceStatus.FINAL,
        "A2",
        "agreed",
    )
    assert db.scalar(sa.select(sa.func.count()).select_from(Adjudication)) == 0


def test_issuing_waits_for_the_final_ratings(app, db, world, client):
    login(client, world["proctor"].username)
    page = client.get(f"/proctor/sessions/{world['session_id']}").get_data(as_text=True)
    response = client.post(
        f"/proctor/sessions/{world['session_id']}/attestation",
        data={"csrf_token": csrf_from(page)},
        follow_redirects=True,
    )
    assert "wacht nog op de eindbeoordeling" in response.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(Attestation)) == 0


def test_a_rating_with_a_missing_band_is_refused_and_changes_nothing(app, db, world):
    first, _second = raters(db, world["session_id"])
    client = app.test_client()
    login(client, user_by_id(world, first).username)
    token = tokens_of(client)[0]
    page = client.get(f"/examiner/score/{token}").get_data(as_text=True)
    response = client.post(
        f"/examiner/score/{token}", data={"band_range": "2", "csrf_token": csrf_from(page)}
    )
    assert response.status_code == 400
    assert "Kies een band voor dit criterium." in response.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(Rating)) == 0


def test_examiners_cannot_see_or_use_each_others_work(app, db, world):
    first, second = raters(db, world["session_id"])
    rate(app, user_by_id(world, first), band=3)
    other = app.test_client()
    login(other, user_by_id(world, second).username)
    token = tokens_of(other)[0]
    page = other.get(f"/examiner/score/{token}").get_data(as_text=True)
    assert "checked" not in page  # the first rating is not shown
    first_token = db.scalar(
        sa.select(RatingAssignment.token).where(RatingAssignment.examiner_id == first)
    )
    assert other.get(f"/examiner/score/{first_token}").status_code == 404
    assert other.get(f"/examiner/media/{first_token}").status_code == 404
    assert "bands" not in other.get("/examiner/queue.json").get_data(as_text=True)
    # an examiner of the session's centre who was not allocated it has nothing to open
    idle = next(u for u in world["examiners"] if u.id not in (first, second))
    stranger = app.test_client()
    login(stranger, idle.username)
    assert stranger.get(f"/examiner/score/{token}").status_code == 404


def test_a_correction_adds_a_version_and_keeps_the_first(app, db, world):
    first, _second = raters(db, world["session_id"])
    user = user_by_id(world, first)
    token = db.scalar(
        sa.select(RatingAssignment.token).where(RatingAssignment.examiner_id == first)
    )
    rate(app, user, token, band=1)
    rate(app, user, token, band=2)
    versions = db.scalars(sa.select(Rating).order_by(Rating.version)).all()
    assert [(r.version, r.level) for r in versions] == [(1, "A1"), (2, "A2")]


def test_audio_plays_from_a_blind_url(app, db, world):
    first, _second = raters(db, world["session_id"])
    client = app.test_client()
    login(client, user_by_id(world, first).username)
    token = tokens_of(client)[0]
    page = client.get(f"/examiner/score/{token}").get_data(as_text=True)
    assert f'src="/examiner/media/{token}"' in page
    audio = client.get(f"/examiner/media/{token}")
    assert audio.status_code == 200 and audio.mimetype == "audio/webm"
    assert audio.data.startswith(b"\x1a\x45\xdf\xa3")


def test_remark_on_appeal_supersedes_the_attestation_when_the_level_changes(app, db, world, client):
    first, second = raters(db, world["session_id"])
    rate(app, user_by_id(world, first), band=2)
    rate(app, user_by_id(world, second), band=2)
    login(client, world["proctor"].username)
    page = client.get(f"/proctor/sessions/{world['session_id']}").get_data(as_text=True)
    client.post(
        f"/proctor/sessions/{world['session_id']}/attestation", data={"csrf_token": csrf_from(page)}
    )
    old = db.scalar(sa.select(Attestation))
    assert old.levels["speaking"] == "A2"
    perf_id = db.scalar(sa.select(Performance.id))

    admin = app.test_client()
    login(admin, world["admin"].username)
    page = admin.get("/admin/examiners/performances").get_data(as_text=True)
    refused = admin.post(
        f"/admin/examiners/performances/{perf_id}/remark",
        data={"reason": "  ", "csrf_token": csrf_from(page)},
        follow_redirects=True,
    )
    assert "Geef een reden" in refused.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(RemarkRequest)) == 0
    sent = admin.post(
        f"/admin/examiners/performances/{perf_id}/remark",
        data={"reason": "beroep aangetekend", "csrf_token": csrf_from(page)},
    )
    assert sent.status_code == 302
    db.expire_all()
    new_pair = raters(db, world["session_id"])[2:]
    assert len(new_pair) == 2 and not set(new_pair) & {first, second}
    for examiner_id in new_pair:
        rate(app, user_by_id(world, examiner_id), band=1)
    db.expire_all()
    old = db.get(Attestation, old.id)
    new = db.scalar(sa.select(Attestation).where(Attestation.supersedes_id == old.id))
    assert old.status is AttestationStatus.SUPERSEDED and new.levels["speaking"] == "A1"
    request = db.scalar(sa.select(RemarkRequest))
    assert (request.previous_level, request.new_level) == ("A2", "A1")
    assert request.new_attestation_id == new.id
    assert db.scalar(sa.select(sa.func.count()).select_from(Rating)) == 4  # all rounds kept
    actions = set(db.scalars(sa.select(AuditEvent.action)))
    assert {"remark.request", "remark.complete", "attestation.supersede"} <= actions


def test_remark_without_a_level_change_keeps_the_attestation(app, db, world, client):
    first, second = raters(db, world["session_id"])
    rate(app, user_by_id(world, first), band=2)
    rate(app, user_by_id(world, second), band=2)
    login(client, world["proctor"].username)
    page = client.get(f"/proctor/sessions/{world['session_id']}").get_data(as_text=True)
    client.post(
        f"/proctor/sessions/{world['session_id']}/attestation", data={"csrf_token": csrf_from(page)}
    )
    admin = app.test_client()
    login(admin, world["admin"].username)
    page = admin.get("/admin/examiners/performances").get_data(as_text=True)
    perf_id = db.scalar(sa.select(Performance.id))
    admin.post(
        f"/admin/examiners/performances/{perf_id}/remark",
        data={"reason": "beroep", "csrf_token": csrf_from(page)},
    )
    db.expire_all()
    for examiner_id in raters(db, world["session_id"])[2:]:
        rate(app, user_by_id(world, examiner_id), band=3)
    db.expire_all()
    atts = db.scalars(sa.select(Attestation)).all()
    assert len(atts) == 1 and atts[0].status is AttestationStatus.VALID
    assert db.scalar(sa.select(RemarkRequest.new_level)) == "A2"


def test_turnaround_shows_the_age_of_waiting_work_per_centre(app, db, world):
    admin = app.test_client()
    login(admin, world["admin"].username)
    page = admin.get("/admin/examiners/turnaround").get_data(as_text=True)
    assert page.count('data-testid="waiting-row"') == 1
    assert page.count('data-testid="centre-row"') == 1


def _statements_of_allocation(app, db, centre_id, now) -> int:
    from attest.examiner.scoring import allocate_waiting

    engine, seen = app.extensions["attest_engine"], []

    def count(*_args):
        seen.append(1)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        allocate_waiting(db, centre_id, now)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    db.rollback()
    return len(seen)


def test_allocating_costs_the_same_however_long_the_queue(app, db, world, now):
    """The examiner queue allocates on every load: its queries must not grow per performance."""
    perf = db.scalar(sa.select(Performance))
    centre_id = perf.centre_id
    one = _statements_of_allocation(app, db, centre_id, now)
    centre, proctor = perf.session.centre, world["proctor"]
    for _ in range(4):
        finished_session(db, centre, proctor, app.config["STORAGE_DIR"], now, speaking=1)
    db.commit()
    waiting = db.scalar(
        sa.select(sa.func.count())
        .select_from(Performance)
        .where(Performance.status == PerformanceStatus.WAITING)
    )
    assert waiting == 5
    assert _statements_of_allocation(app, db, centre_id, now) == one


def test_both_raters_submitting_at_once_finish_the_performance(app, db, world, monkeypatch):
    """Each rater's request decides after the other's commit (the session's row lock): the
    second sees both ratings, so the performance is final and the skill has its level."""
    first, second = raters(db, world["session_id"])
    slow_down(monkeypatch, scoring, "round_ratings")  # both requests inside the window at once
    forms = [score_form(app, user_by_id(world, e), band=2) for e in (first, second)]

    answers = together([lambda c=c, u=u, d=d: c.post(u, data=d) for c, u, d in forms])

    assert [a.status_code for a in answers] == [302, 302]
    db.expire_all()
    perf = db.scalar(sa.select(Performance).where(Performance.session_id == world["session_id"]))
    assert (perf.status, perf.final_level) == (PerformanceStatus.FINAL, "A2")
    result = db.scalar(sa.select(SkillResult).where(SkillResult.skill == "speaking"))
    assert result is not None and result.level == "A2"


def test_a_double_click_on_save_stores_one_rating_and_answers_both(app, db, world):
    first, _second = raters(db, world["session_id"])
    client, url, data = score_form(app, user_by_id(world, first), band=2)
    clients = [client, twin(app, client)]

    answers = together([lambda c=c: c.post(url, data=data) for c in clients])

    assert [a.status_code for a in answers] == [302, 302]
    db.expire_all()
    assert [r.version for r in db.scalars(sa.select(Rating))] == [1]
    submitted = sa.select(sa.func.count()).where(AuditEvent.action == "rating.submit")
    assert db.scalar(submitted) == 1


def test_queues_loading_at_once_give_a_performance_two_raters(app, db, now, keys_dir):
    """A performance waiting for raters when several examiners open their queue together gets
    two raters, not two per queue (the centre's row lock around allocation)."""
    load_demo_bank(db)
    centre = make_centre(db)
    admin = make_user(db, role=Role.ADMIN)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    made = finished_session(db, centre, proctor, app.config["STORAGE_DIR"], now, speaking=1)
    examiners = make_examiners(db, centre, admin, now, n=4, seniors=0)  # after: none assigned
    db.commit()
    assert raters(db, made.ts.id) == []
    clients = []
    for examiner in examiners:
        clients.append(app.test_client())
        login(clients[-1], examiner.username)

    answers = together([lambda c=c: c.get("/examiner/") for c in clients])

    assert [a.status_code for a in answers] == [200] * 4
    db.expire_all()
    assigned = raters(db, made.ts.id)
    assert len(assigned) == 2 and len(set(assigned)) == 2


def test_two_remark_requests_at_once_open_one_new_round(app, db, world):
    first, second = raters(db, world["session_id"])
    rate(app, user_by_id(world, first), band=2)
    rate(app, user_by_id(world, second), band=2)
    perf_id = db.scalar(sa.select(Performance.id))
    admin = app.test_client()
    login(admin, world["admin"].username)
    page = admin.get("/admin/examiners/performances").get_data(as_text=True)
    url = f"/admin/examiners/performances/{perf_id}/remark"
    form = {"reason": "beroep aangetekend", "csrf_token": csrf_from(page)}

    answers = together([lambda c=c: c.post(url, data=form) for c in (admin, twin(app, admin))])

    assert sorted(a.status_code for a in answers) == [302, 303]  # the second: no longer final
    db.expire_all()
    assert db.scalar(sa.select(sa.func.count()).select_from(RemarkRequest)) == 1
    assert db.get(Performance, perf_id).round == 2
    assert len(raters(db, world["session_id"])) == 4  # the first pair and one new pair
