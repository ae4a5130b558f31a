"""The examiner-led interview (issue 18): the live examiner holds the task on the tablet page
bound to the session, records the conversation once, gives a provisional rating that becomes
rating 1, and a different examiner rates the recording blind; agreement, adjudication and the
guards (one recording, one provisional rating, the live examiner never second rater, roles)."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from attest.assessment.bank_queries import current_versions
from attest.assessment.delivery import create_session, finish_session, record_answer
from attest.examiner import interview_service as interviews
from attest.examiner import scoring
from attest.examiner.assignments import ScoringError, assign
from attest.models import (
    AssignmentKind,
    AuditEvent,
    Interview,
    Performance,
    PerformanceStatus,
    Rating,
    RatingAssignment,
    Recording,
    Role,
    SessionItem,
    SessionStatus,
    TestSession,
    User,
)
from tests.conftest import csrf_from
from tests.examiner_world import WEBM, make_examiners
from tests.factories import load_demo_bank, make_candidate, make_centre, make_kiosk, make_user
from tests.format_answers import correct_answer
from tests.web.helpers import (
    login,
    score_form,
    slow_down,
    start_at_kiosk,
    together,
    tokens_of,
    twin,
)

TASK = "nl-sp-a2-0011"  # a dialogue task with its own frame (a2-kinderopvang)


def interview_session(db, centre, proctor, now, task: str = TASK) -> tuple[TestSession, str]:
    """An examiner-led session whose form is fixed: two listening items, then the speaking task.
    Not yet started (a kiosk keeps the form); return it and its start code."""
    cand = make_candidate(db, centre=centre)
    ts, code = create_session(db, cand, "a2-mondeling", proctor, now)
    listening = current_versions(db, "listening", ["A1"], machine_scored=True)[:2]
    speaking = next(v for v in current_versions(db, "speaking", ["A2"]) if v.item_id == task)
    plan = [("listening", v) for v in listening] + [("speaking", speaking)]
    for position, (skill, version) in enumerate(plan, start=1):
        db.add(SessionItem(session=ts, position=position, skill=skill, item_version=version))
    ts.is_examiner_led = True
    db.flush()
    return ts, code


def answer_listening(db, ts, now) -> None:
    """Start the session (as a kiosk would) and answer the two listening items."""
    ts.status, ts.started_at = SessionStatus.IN_PROGRESS, now
    for item in ts.items[:2]:
        v = item.item_version
        record_answer(db, ts, item.position, correct_answer(v.format, v.content), now)


@pytest.fixture
def world(app, db, now):
    load_demo_bank(db)
    centre = make_centre(db)
    admin = make_user(db, role=Role.ADMIN)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    examiners = make_examiners(db, centre, admin, now, n=3, seniors=1)
    ts, _code = interview_session(db, centre, proctor, now)
    answer_listening(db, ts, now)
    db.commit()
    return {"proctor": proctor, "examiners": examiners, "session_id": ts.id}


def examiner_client(app, user):
    client = app.test_client()
    login(client, user.username)
    return client


def start(client, session_id: int):
    url = f"/examiner/interview/{session_id}"
    return client.post(url, data={"csrf_token": csrf_from(client.get(url).get_data(as_text=True))})


def upload(client, session_id: int, data: bytes = WEBM, upload_id: str = "interview-0123456789ab"):
    """Send a recording as the tablet does: begin, one chunk, complete."""
    url = f"/examiner/interview/{session_id}"
    token = csrf_from(client.get(url).get_data(as_text=True))
    headers = {"X-CSRFToken": token}
    sha = hashlib.sha256(data).hexdigest()
    body = {
        "upload_id": upload_id,
        "content_type": "audio/webm",
        "size": len(data),
        "sha256": sha,
        "chunk_size": 262144,
        "chunk_count": 1,
        "duration_ms": 4000,
    }
    begun = client.post(f"{url}/uploads", json=body, headers=headers)
    if begun.status_code != 200:
        return begun
    put = client.put(
        f"{url}/uploads/{upload_id}/chunks/0",
        data=data,
        headers={**headers, "X-Content-SHA256": sha, "Content-Type": "application/octet-stream"},
    )
    assert put.status_code == 200, put.get_json()
    return client.post(f"{url}/uploads/{upload_id}/complete", json={}, headers=headers)


def rate_form(client, session_id: int, band: int = 2) -> dict:
    page = client.get(f"/examiner/interview/{session_id}").get_data(as_text=True)
    rubric = interviews.rubric_for_level("A2")
    data = {f"band_{code}": str(band) for code in rubric.codes}
    return data | {"csrf_token": csrf_from(page)}


def provisional(client, session_id: int, band: int = 2):
    url = f"/examiner/interview/{session_id}/rate"
    return client.post(url, data=rate_form(client, session_id, band))


def hold_interview(app, world, band: int = 2):
    """The live examiner starts, records and rates; return their client."""
    live = world["examiners"][0]
    client = examiner_client(app, live)
    assert start(client, world["session_id"]).status_code == 302
    assert upload(client, world["session_id"]).status_code == 200
    assert provisional(client, world["session_id"], band).status_code == 302
    return client


def finish(db, world, now):
    db.expire_all()
    ts = db.get(TestSession, world["session_id"])
    finish_session(db, ts, now)
    db.commit()
    return db.scalar(sa.select(Performance).where(Performance.session_id == ts.id))


def test_the_live_rating_is_rating_one_and_another_examiner_rates_blind(app, db, world, now):
    live, *others = world["examiners"]
    client = examiner_client(app, live)
    listing = client.get("/examiner/interviews").get_data(as_text=True)
    assert f'data-testid="interview-session-{world["session_id"]}"' in listing
    assert start(client, world["session_id"]).status_code == 302
    page = client.get(f"/examiner/interview/{world['session_id']}").get_data(as_text=True)
    assert "a2-kinderopvang" in page and "Kinderopvang Het Nestje, goeiedag." in page
    assert 'data-testid="criterion-source"' in page and "Interactie" in page  # dialogue rubric
    assert upload(client, world["session_id"]).status_code == 200
    assert provisional(client, world["session_id"], band=2).status_code == 302

    perf = finish(db, world, now)
    assert perf.task_type == "dialogue"
    first = db.scalar(sa.select(Rating).where(Rating.performance_id == perf.id))
    assert (first.examiner_id, first.version, first.kind) == (live.id, 1, AssignmentKind.LIVE)
    assert set(first.bands.values()) == {2}
    assigned = db.scalars(
        sa.select(RatingAssignment).where(RatingAssignment.performance_id == perf.id)
    ).all()
    second = [a for a in assigned if a.completed_at is None]
    assert len(assigned) == 2 and len(second) == 1 and second[0].examiner_id != live.id
    assert tokens_of(client) == []  # nothing left for the live examiner

    rater = next(u for u in others if u.id == second[0].examiner_id)
    rater_client, url, data = score_form(app, rater, second[0].token, band=2)
    blind = rater_client.get(url).get_data(as_text=True)
    assert "checked" not in blind  # rating 1 is never shown
    assert rater_client.post(url, data=data).status_code == 302
    db.expire_all()
    perf = db.get(Performance, perf.id)
    assert perf.status is PerformanceStatus.FINAL and perf.final_level == "A2"


def test_a_disagreeing_second_rating_goes_to_adjudication(app, db, world, now):
    hold_interview(app, world, band=3)
    perf = finish(db, world, now)
    second = db.scalar(
        sa.select(RatingAssignment).where(
            RatingAssignment.performance_id == perf.id, RatingAssignment.completed_at.is_(None)
        )
    )
    rater = next(u for u in world["examiners"] if u.id == second.examiner_id)
    client, url, data = score_form(app, rater, second.token, band=0)
    assert client.post(url, data=data).status_code == 302
    db.expire_all()
    assert db.get(Performance, perf.id).status is PerformanceStatus.ADJUDICATION


def test_the_live_examiner_can_never_be_a_second_rater(app, db, world, now):
    hold_interview(app, world)
    perf = finish(db, world, now)
    with pytest.raises(IntegrityError), db.begin_nested():
        assign(db, perf, world["examiners"][0].id, AssignmentKind.LIVE, now)


def test_rating_one_cannot_be_corrected_afterwards(app, db, world, now):
    hold_interview(app, world, band=2)
    perf = finish(db, world, now)
    live = world["examiners"][0]
    own = db.scalar(
        sa.select(RatingAssignment).where(
            RatingAssignment.performance_id == perf.id, RatingAssignment.examiner_id == live.id
        )
    )
    bands = {code: 1 for code in interviews.rubric_for_level("A2").codes}
    with pytest.raises(ScoringError) as refused:
        scoring.submit_rating(db, own, live, bands, now)
    assert refused.value.code == "closed"


def test_one_recording_and_one_provisional_rating(app, db, world):
    client = hold_interview(app, world, band=2)
    other = upload(client, world["session_id"], WEBM + b"x", "interview-other-0123456789")
    assert other.status_code == 409  # the kiosk moved on: no interview task any more
    assert provisional(client, world["session_id"], band=1).status_code == 409
    db.expire_all()
    interview = db.scalar(sa.select(Interview))
    assert set(interview.provisional_bands.values()) == {2}
    assert db.scalar(sa.select(sa.func.count()).select_from(Recording)) == 1


def test_a_second_recording_is_refused_before_the_rating(app, db, world):
    client = examiner_client(app, world["examiners"][0])
    start(client, world["session_id"])
    assert upload(client, world["session_id"]).status_code == 200
    again = upload(client, world["session_id"], WEBM + b"x", "interview-other-0123456789")
    assert again.status_code == 409 and again.get_json()["error"] == "recorded"


def test_another_examiner_cannot_take_over_and_other_roles_are_refused(app, db, world):
    client = examiner_client(app, world["examiners"][0])
    start(client, world["session_id"])
    intruder = examiner_client(app, world["examiners"][1])
    page = intruder.get(f"/examiner/interview/{world['session_id']}").get_data(as_text=True)
    assert "Een andere examinator neemt dit gesprek af." in page
    assert provisional(intruder, world["session_id"]).status_code == 409
    proctor = app.test_client()
    login(proctor, world["proctor"].username)
    assert proctor.get(f"/examiner/interview/{world['session_id']}").status_code in (302, 403)


def test_the_rating_waits_for_the_recording(app, db, world):
    client = examiner_client(app, world["examiners"][0])
    start(client, world["session_id"])
    response = provisional(client, world["session_id"])
    assert response.status_code == 303
    db.expire_all()
    assert db.scalar(sa.select(Interview)).provisional_bands is None


@pytest.mark.database
def test_two_examiners_starting_at_once_make_one_interview(app, db, world, monkeypatch):
    slow_down(monkeypatch, interviews, "frame_of")
    clients = [examiner_client(app, u) for u in world["examiners"][:2]]
    pages = [c.get(f"/examiner/interview/{world['session_id']}") for c in clients]
    tokens = [csrf_from(p.get_data(as_text=True)) for p in pages]
    url = f"/examiner/interview/{world['session_id']}"
    results = together(
        [
            lambda c=c, t=t: c.post(url, data={"csrf_token": t})
            for c, t in zip(clients, tokens, strict=True)
        ]
    )
    assert sorted(r.status_code for r in results) == [302, 303]
    db.expire_all()
    assert db.scalar(sa.select(sa.func.count()).select_from(Interview)) == 1


@pytest.mark.database
def test_a_double_click_on_the_rating_stores_it_once(app, db, world, monkeypatch):
    client = examiner_client(app, world["examiners"][0])
    start(client, world["session_id"])
    upload(client, world["session_id"])
    slow_down(monkeypatch, interviews, "rubric_of_item")
    url = f"/examiner/interview/{world['session_id']}/rate"
    forms = [rate_form(client, world["session_id"], b) for b in (2, 1)]
    clients = [client, twin(app, client)]
    results = together(
        [lambda c=c, f=f: c.post(url, data=f) for c, f in zip(clients, forms, strict=True)]
    )
    codes = [r.status_code for r in results]
    assert codes.count(302) == 1  # the other is refused: 409 (the kiosk moved on) or 303
    assert all(c in (302, 303, 409) for c in codes)
    winner = forms[codes.index(302)]
    db.expire_all()
    stored = db.scalar(sa.select(Interview)).provisional_bands
    assert {str(b) for b in stored.values()} == {winner["band_interaction"]}
    events = db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "interview.rate")).all()
    assert len(events) == 1


def test_the_kiosk_waits_during_the_interview_and_goes_on_when_it_is_rated(app, db, now):
    kiosk, token_, session_id, examiners = kiosk_at_interview(app, db, now)
    ts = db.get(TestSession, session_id)
    html = kiosk.get("/kiosk/item/3").get_data(as_text=True)
    assert "Het Nestje" in html and "data-recorder" not in html  # no recorder at the kiosk
    # the candidate's kiosk can neither answer nor upload for the examiner's task
    refused = kiosk.post("/kiosk/item/3", data={"csrf_token": token_, "recording_id": "x" * 16})
    assert refused.status_code == 400
    begun = kiosk.post(
        "/kiosk/item/3/uploads", json={"session": ts.id}, headers={"X-CSRFToken": token_}
    )
    assert begun.status_code in (400, 409)
    beat = kiosk.post(
        "/kiosk/heartbeat",
        json={"skill": "speaking", "position": 3},
        headers={"X-CSRFToken": token_},
    )
    assert beat.get_json()["state"] == "running"

    hold_interview(app, {"examiners": examiners, "session_id": ts.id})
    beat = kiosk.post(
        "/kiosk/heartbeat",
        json={"skill": "speaking", "position": 3},
        headers={"X-CSRFToken": token_},
    )
    assert beat.get_json()["state"] == "moved_on"
    assert not kiosk.get("/kiosk/resume").headers["Location"].endswith("/kiosk/item/3")


def test_the_proctor_chooses_the_examiner_led_mode_before_speaking_begins(app, db, now):
    load_demo_bank(db)
    centre = make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    cand = make_candidate(db, centre=centre)
    ts, _code = create_session(db, cand, "a2-mondeling", proctor, now)
    db.commit()
    client = app.test_client()
    login(client, proctor.username)
    url = f"/proctor/sessions/{ts.id}"
    page = client.get(url).get_data(as_text=True)
    assert 'data-testid="speaking-mode"' in page
    done = client.post(
        f"{url}/speaking-mode", data={"examiner_led": "y", "csrf_token": csrf_from(page)}
    )
    assert done.status_code == 302
    db.expire_all()
    assert db.get(TestSession, ts.id).is_examiner_led
    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "session.examiner_led"))
    assert event is not None


def test_the_mode_cannot_change_once_an_interview_began(app, db, world):
    client = examiner_client(app, world["examiners"][0])
    start(client, world["session_id"])
    proctor = app.test_client()
    login(proctor, world["proctor"].username)
    url = f"/proctor/sessions/{world['session_id']}"
    page = proctor.get(url).get_data(as_text=True)
    refused = proctor.post(f"{url}/speaking-mode", data={"csrf_token": csrf_from(page)})
    assert refused.status_code == 303
    db.expire_all()
    assert db.get(TestSession, world["session_id"]).is_examiner_led


def test_the_proctor_switching_back_while_an_examiner_opens_the_interview(
    app, db, world, monkeypatch
):
    """Both read the session, then write: the examiner's interview and the proctor's switch
    back to the kiosk cannot both happen (the session row is locked by both)."""
    slow_down(monkeypatch, interviews, "set_examiner_led", seconds=0.3)
    slow_down(monkeypatch, interviews, "frame_of", seconds=0.8)
    examiner = examiner_client(app, world["examiners"][0])
    url = f"/examiner/interview/{world['session_id']}"
    token = csrf_from(examiner.get(url).get_data(as_text=True))
    proctor = app.test_client()
    login(proctor, world["proctor"].username)
    page = proctor.get(f"/proctor/sessions/{world['session_id']}").get_data(as_text=True)
    switch = f"/proctor/sessions/{world['session_id']}/speaking-mode"
    together(
        [
            lambda: examiner.post(url, data={"csrf_token": token}),
            lambda: proctor.post(switch, data={"csrf_token": csrf_from(page)}),
        ]
    )
    db.expire_all()
    interviews_made = db.scalar(sa.select(sa.func.count()).select_from(Interview))
    examiner_led = db.get(TestSession, world["session_id"]).is_examiner_led
    assert (interviews_made, examiner_led) in {(1, True), (0, False)}


def kiosk_at_interview(app, db, now):
    """A kiosk that answered the listening items and shows the interview task (position 3);
    return it, the CSRF token of its page, the session and the examiners."""
    load_demo_bank(db)
    centre = make_centre(db)
    admin = make_user(db, role=Role.ADMIN)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    examiners = make_examiners(db, centre, admin, now, n=2, seniors=0)
    ts, code = interview_session(db, centre, proctor, now)
    _kiosk, kiosk_token = make_kiosk(db, centre=centre)
    db.commit()
    kiosk = start_at_kiosk(app, kiosk_token, code)
    for position in (1, 2):
        page = kiosk.get(f"/kiosk/item/{position}")
        version = db.get(TestSession, ts.id).items[position - 1].item_version
        data = correct_answer(version.format, version.content)
        data["csrf_token"] = csrf_from(page.get_data(as_text=True))
        assert kiosk.post(f"/kiosk/item/{position}", data=data).status_code == 302
    html = kiosk.get("/kiosk/item/3").get_data(as_text=True)
    assert 'data-testid="interview-wait"' in html
    token = re.search(r'data-csrf="([^"]+)"', html).group(1)
    return kiosk, token, ts.id, examiners


def test_the_section_clock_stands_still_while_the_kiosk_waits_for_the_interview(
    app, db, now, monkeypatch
):
    """The interview has its own timing: the speaking section's limit passes during it (the
    kiosk alive all along) and the recording and the provisional rating are still taken."""
    from attest.assessment import session_clock
    from attest.examiner import interview_views
    from attest.kiosk import capture, current, pages, session_pages
    from attest.models import SectionClock

    kiosk, token, session_id, examiners = kiosk_at_interview(app, db, now)
    clock = db.scalar(sa.select(SectionClock).where(SectionClock.skill == "speaking"))
    assert clock.started_at is not None and clock.held_since is not None
    assert clock.running_since is None  # not counting while the kiosk waits
    limit = clock.limit_seconds
    live = examiner_client(app, examiners[0])
    assert start(live, session_id).status_code == 302

    def at(moment):
        for module in (current, pages, session_pages, capture):
            monkeypatch.setattr(module, "now", lambda: moment)
        monkeypatch.setattr(interview_views, "_now", lambda: moment)

    # the kiosk beats every 25 s until well past the section's limit: it keeps waiting
    seconds = 0
    while seconds <= limit + 300:
        at(now + timedelta(seconds=seconds))
        beat = kiosk.post(
            "/kiosk/heartbeat",
            json={"skill": "speaking", "position": 3},
            headers={"X-CSRFToken": token},
        )
        assert beat.get_json()["state"] == "running", seconds
        seconds += 25
    late = now + timedelta(seconds=seconds)
    assert session_clock.close_all_expired(db, late) == []  # nor does the server's sweep close it
    # a pause and a resume by the proctor do not start it either
    ts = db.get(TestSession, session_id)
    session_clock.pause(db, ts, examiners[1], late)
    session_clock.resume(db, ts, examiners[1], late)
    db.commit()
    db.expire_all()
    assert db.get(SectionClock, clock.id).running_since is None

    assert upload(live, session_id).status_code == 200
    assert provisional(live, session_id).status_code == 302
    db.expire_all()
    interview = db.scalar(sa.select(Interview))
    assert interview.recording_id is not None and interview.provisional_bands is not None
    held = db.get(SectionClock, clock.id)
    assert held.closed_at is None and held.elapsed_seconds < limit
    beat = kiosk.post(
        "/kiosk/heartbeat",
        json={"skill": "speaking", "position": 3},
        headers={"X-CSRFToken": token},
    )
    assert beat.get_json()["state"] == "moved_on"


def test_an_examiner_who_may_not_rate_yet_cannot_open_the_interview(app, db, world):
    """The live examiner gives rating 1: the rating allocation's bar (calibration) applies."""
    ts = db.get(TestSession, world["session_id"])
    novice = make_user(db, role=Role.EXAMINER, centre=ts.centre)  # not yet calibrated
    db.commit()
    client = examiner_client(app, novice)
    url = f"/examiner/interview/{world['session_id']}"
    page = client.get(url).get_data(as_text=True)
    assert 'data-testid="interview-refused"' in page and "kalibratie" in page
    assert 'data-testid="interview-start"' not in page
    refused = client.post(url, data={"csrf_token": csrf_from(page)})
    assert refused.status_code == 303
    assert "kalibratie" in client.get(url).get_data(as_text=True)
    db.expire_all()
    assert db.scalar(sa.select(sa.func.count()).select_from(Interview)) == 0
    with pytest.raises(ScoringError) as refusal:
        interviews.start_interview(db, ts, ts.items[2], novice, ts.started_at)
    assert refusal.value.code == "not_calibrated"
    db.rollback()
    # a calibrated examiner of the centre opens it
    calibrated = examiner_client(app, world["examiners"][0])
    assert 'data-testid="interview-start"' in calibrated.get(url).get_data(as_text=True)
    assert start(calibrated, world["session_id"]).status_code == 302
    db.expire_all()
    interview = db.scalar(sa.select(Interview))
    assert interview.examiner_id == world["examiners"][0].id


def test_the_rule_is_the_rating_allocations(db, world):
    """A proctor of the test may not rate it, so may not interview either (allocation.may_rate)."""
    ts = db.get(TestSession, world["session_id"])
    examiner = world["examiners"][0]
    assert interviews.why_not_interviewer(db, ts, examiner) is None
    ts.created_by_id = examiner.id
    assert interviews.why_not_interviewer(db, ts, examiner) == "may_not_rate"
    db.rollback()


def status_of(client, session_id: int):
    return client.get(f"/examiner/interview/{session_id}/status")


def test_the_tablet_polls_a_small_status_that_follows_the_interview(app, db, world):
    """The tablet page asks /status every few seconds and reloads when its key changed: the
    state as the page would show it, the task's position, nothing about the candidate."""
    session_id = world["session_id"]
    live = examiner_client(app, world["examiners"][0])
    other = examiner_client(app, world["examiners"][1])
    page = live.get(f"/examiner/interview/{session_id}").get_data(as_text=True)
    assert f'data-status-url="/examiner/interview/{session_id}/status"' in page
    assert 'data-status-key="open:3"' in page and 'data-status-seconds="4"' in page
    body = status_of(live, session_id).get_json()
    assert body == {"state": "open", "position": 3, "key": "open:3"}  # nothing personal
    assert start(live, session_id).status_code == 302
    assert status_of(live, session_id).get_json()["key"] == "held:3"
    assert status_of(other, session_id).get_json()["key"] == "taken:3"
    assert upload(live, session_id).status_code == 200
    assert status_of(live, session_id).get_json()["key"] == "held:3"  # the page knows it
    assert provisional(live, session_id).status_code == 302
    assert status_of(live, session_id).get_json()["key"] == "waiting:"  # the kiosk moved on
    db.expire_all()
    ts = db.get(TestSession, session_id)
    ts.status = SessionStatus.CANCELLED
    db.commit()
    assert status_of(live, session_id).get_json()["state"] == "over"


def test_the_tablet_status_is_for_examiners_of_the_centre_only(app, db, world, now):
    session_id = world["session_id"]
    proctor = app.test_client()
    login(proctor, world["proctor"].username)
    assert status_of(proctor, session_id).status_code in (302, 403)
    assert status_of(app.test_client(), session_id).status_code in (302, 401)
    elsewhere = make_centre(db)
    admin = make_user(db, role=Role.ADMIN)
    stranger = make_examiners(db, elsewhere, admin, now, n=1, seniors=0)[0]
    db.commit()
    refused = status_of(examiner_client(app, stranger), session_id)
    assert refused.status_code == 404 and refused.get_json()["error"] == "no_session"


def test_the_waiting_kiosk_beats_often_and_goes_on_when_no_examiner_holds_the_task(app, db, now):
    """The interview page's heartbeat comes every 4 s and says it waits for an interview: the
    proctor switching the session back to the kiosk moves it on, as the examiner's end does."""
    kiosk, token, session_id, _examiners = kiosk_at_interview(app, db, now)
    html = kiosk.get("/kiosk/item/3").get_data(as_text=True)
    assert 'data-heartbeat-seconds="4"' in html and 'data-interview="true"' in html
    beat = {"skill": "speaking", "position": 3, "interview": True}
    headers = {"X-CSRFToken": token}
    assert kiosk.post("/kiosk/heartbeat", json=beat, headers=headers).get_json()["state"] == (
        "running"
    )
    ts = db.get(TestSession, session_id)
    assert interviews.set_examiner_led(db, ts, db.get(User, ts.created_by_id), False)
    db.commit()
    moved = kiosk.post("/kiosk/heartbeat", json=beat, headers=headers).get_json()
    assert moved["state"] == "moved_on"
    page = kiosk.get("/kiosk/item/3").get_data(as_text=True)
    assert 'data-testid="interview-wait"' not in page  # the kiosk holds the task itself now
    # an item page of the kiosk's own is not an interview: its heartbeat never moves it on
    plain = {"skill": "speaking", "position": 3}
    assert kiosk.post("/kiosk/heartbeat", json=plain, headers=headers).get_json()["state"] == (
        "running"
    )
