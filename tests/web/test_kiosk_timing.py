"""Time kept by the server: sections run out and close, pauses, extra time (who and why),
resuming after a kiosk crash with a new code, play counts, focus reports, the proctor console."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from attest.assessment.delivery import create_session
from attest.assessment.purposes import get_purpose
from attest.models import (
    AuditEvent,
    Response,
    Role,
    SectionClock,
    SessionEvent,
    SessionItem,
    SessionStatus,
    TestSession,
)
from tests.conftest import csrf_from
from tests.factories import load_demo_bank, make_candidate, make_centre, make_kiosk, make_user
from tests.format_answers import correct_answer
from tests.web.helpers import csrf, login, pass_sound_check, start_at_kiosk

# The listening section's limit in purposes.yaml (a2-luisteren-lezen), in seconds
LIMIT = int(get_purpose("a2-luisteren-lezen").sections[0].time_limit_seconds)


@pytest.fixture
def world(app, db, now):
    load_demo_bank(db)
    centre = make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    other = make_user(db, role=Role.PROCTOR, centre=make_centre(db))
    _kiosk, token = make_kiosk(db, centre=centre)
    kiosk2, token2 = make_kiosk(db, centre=centre)
    ts, code = create_session(
        db, make_candidate(db, centre=centre), "a2-luisteren-lezen", proctor, now
    )
    db.commit()
    kiosk = start_at_kiosk(app, token, code)
    return {
        "ts_id": ts.id,
        "kiosk": kiosk,
        "proctor": proctor,
        "other": other,
        "token": token,
        "token2": token2,
        "kiosk2_id": kiosk2.id,
    }


def _ts(db, world) -> TestSession:
    db.expire_all()
    return db.get(TestSession, world["ts_id"])


def _clock(db, world, skill="listening") -> SectionClock:
    db.expire_all()
    return db.scalar(
        sa.select(SectionClock).where(
            SectionClock.session_id == world["ts_id"], SectionClock.skill == skill
        )
    )


def _answer(client, db, world, position):
    page = client.get(f"/kiosk/item/{position}")
    assert page.status_code == 200, page.headers.get("Location")
    ts = _ts(db, world)
    version = next(i for i in ts.items if i.position == position).item_version
    data = {**correct_answer(version.format, version.content)}
    data["csrf_token"] = csrf_from(page.get_data(as_text=True))
    return client.post(f"/kiosk/item/{position}", data=data)


def _rewind(db, world, seconds, skill="listening"):
    """Move the section's clock start back: as if `seconds` had passed with the kiosk alive."""
    clock = _clock(db, world, skill)
    clock.running_since = clock.running_since - timedelta(seconds=seconds)
    db.commit()


def _proctor(app, user):
    client = app.test_client()
    login(client, user.username)
    return client


def _post(client, url, **data):
    return client.post(url, data={"csrf_token": csrf(client, "/proctor/"), **data})


def test_item_page_shows_the_servers_countdown(db, world):
    page = world["kiosk"].get("/kiosk/item/1").get_data(as_text=True)
    assert f'data-countdown data-remaining="{LIMIT}"' in page  # from purposes.yaml
    assert "kiosk-session.js" in page and 'id="kiosk-session"' in page
    clock = _clock(db, world)
    assert clock.started_at is not None and clock.limit_seconds == LIMIT


def test_an_answer_after_the_deadline_is_refused_and_the_next_request_moves_on(db, world):
    kiosk = world["kiosk"]
    assert _answer(kiosk, db, world, 1).status_code == 302
    page = kiosk.get("/kiosk/item/2").get_data(as_text=True)
    _rewind(db, world, LIMIT + 5)
    version = next(i for i in _ts(db, world).items if i.position == 2).item_version
    late = kiosk.post(
        "/kiosk/item/2",
        data={**correct_answer(version.format, version.content), "csrf_token": csrf_from(page)},
    )
    assert late.status_code == 409
    assert "De tijd voor dit deel is om" in late.get_data(as_text=True)
    ts = _ts(db, world)
    answered = {i.position for i in ts.items if i.response is not None}
    assert answered == {1}  # the acknowledged answer stays, the late one is not stored
    clock = _clock(db, world)
    assert clock.close_reason == "time_up" and clock.closed_at is not None
    # the next request goes on with the first item of the next section
    nxt = kiosk.get("/kiosk/resume")
    first_reading = min(i.position for i in ts.items if i.skill == "reading")
    assert nxt.headers["Location"].endswith(f"/kiosk/item/{first_reading}")
    back = kiosk.get("/kiosk/item/2")  # going back to the closed section is not possible
    assert back.status_code == 302 and back.headers["Location"].endswith("/kiosk/resume")
    beat = kiosk.post(
        "/kiosk/heartbeat",
        json={"skill": "listening"},
        headers={"X-CSRFToken": csrf_from(page)},
    )
    assert beat.get_json()["state"] == "moved_on"
    kinds = [e.kind for e in db.scalars(sa.select(SessionEvent)).all()]
    assert "section_closed" in kinds


def test_time_runs_out_on_the_server_even_if_the_kiosk_never_comes_back(app, db, world):
    world["kiosk"].get("/kiosk/item/1")
    _rewind(db, world, LIMIT + 10)
    result = app.test_cli_runner().invoke(args=["sessions", "close-expired"])
    assert result.exit_code == 0, result.output
    assert "1 section(s) closed" in result.output
    clock = _clock(db, world)
    assert clock.close_reason == "time_up"
    assert clock.elapsed_seconds == pytest.approx(LIMIT, abs=2)  # closed at the deadline


def test_the_proctors_look_closes_a_section_that_ran_out(app, db, world):
    world["kiosk"].get("/kiosk/item/1")
    _rewind(db, world, LIMIT + 10)
    rows = _proctor(app, world["proctor"]).get("/proctor/console.json").get_json()["sessions"]
    assert rows[0]["skill"] is None  # no section open any more
    assert _clock(db, world).close_reason == "time_up"


def test_a_silent_kiosk_does_not_lose_time_and_the_outage_is_recorded(db, world):
    kiosk = world["kiosk"]
    kiosk.get("/kiosk/item/1")
    clock, ts = _clock(db, world), _ts(db, world)
    # 10 minutes ago the section started; the kiosk went silent after 1 minute
    clock.running_since = clock.running_since - timedelta(minutes=10)
    ts.last_heartbeat_at = clock.running_since + timedelta(minutes=1)
    db.commit()
    page = kiosk.get("/kiosk/item/1").get_data(as_text=True)
    remaining = int(page.split('data-remaining="')[1].split('"')[0])
    assert LIMIT - 60 - 2 <= remaining <= LIMIT - 60
    outage = db.scalar(sa.select(SessionEvent).where(SessionEvent.kind == "outage"))
    assert outage.detail["seconds"] >= 540 and outage.needs_proctor


def test_pause_stops_the_clock_and_the_kiosk_waits(app, db, world):
    kiosk, proctor = world["kiosk"], _proctor(app, world["proctor"])
    page = kiosk.get("/kiosk/item/1").get_data(as_text=True)
    assert _post(proctor, f"/proctor/sessions/{world['ts_id']}/pause").status_code == 303
    clock = _clock(db, world)
    assert clock.running_since is None and _ts(db, world).paused_at is not None
    assert kiosk.get("/kiosk/item/1").headers["Location"].endswith("/kiosk/paused")
    assert "gepauzeerd" in kiosk.get("/kiosk/paused").get_data(as_text=True)
    version = next(i for i in _ts(db, world).items if i.position == 1).item_version
    refused = kiosk.post(
        "/kiosk/item/1",
        data={**correct_answer(version.format, version.content), "csrf_token": csrf_from(page)},
    )
    assert refused.headers["Location"].endswith("/kiosk/paused")  # not stored: the pause screen
    assert db.scalar(sa.select(sa.func.count()).select_from(Response)) == 0
    beat = kiosk.post("/kiosk/heartbeat", json={}, headers={"X-CSRFToken": csrf_from(page)})
    assert beat.get_json()["state"] == "paused"
    # an hour of pause costs nothing
    ts = _ts(db, world)
    ts.paused_at = ts.paused_at - timedelta(hours=1)
    db.commit()
    before = _clock(db, world).elapsed_seconds
    assert _post(proctor, f"/proctor/sessions/{world['ts_id']}/resume").status_code == 303
    clock = _clock(db, world)
    assert clock.running_since is not None and clock.elapsed_seconds == before
    assert kiosk.get("/kiosk/paused").headers["Location"].endswith("/kiosk/resume")
    actions = [a.action for a in db.scalars(sa.select(AuditEvent)).all()]
    assert "session.pause" in actions and "session.resume" in actions
    events = {e.kind: e for e in db.scalars(sa.select(SessionEvent)).all()}
    assert events["pause"].actor_id == world["proctor"].id
    assert events["resume"].detail["paused_seconds"] >= 3600


def test_extra_time_is_logged_with_who_and_why(app, db, world):
    world["kiosk"].get("/kiosk/item/1")
    proctor = _proctor(app, world["proctor"])
    url = f"/proctor/sessions/{world['ts_id']}/extra-time"
    response = _post(proctor, url, minutes="10", scope="current", reason="accommodation", note="")
    assert response.status_code == 303
    assert _clock(db, world).extra_seconds == 600
    event = db.scalar(sa.select(SessionEvent).where(SessionEvent.kind == "extra_time"))
    assert event.actor_id == world["proctor"].id
    assert event.detail["minutes"] == 10 and event.detail["reason"] == "accommodation"
    audit = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "session.extra_time"))
    assert audit.actor_id == world["proctor"].id and audit.detail["reason"] == "accommodation"
    page = world["kiosk"].get("/kiosk/item/1").get_data(as_text=True)
    remaining = int(page.split('data-remaining="')[1].split('"')[0])
    assert LIMIT + 600 - 5 <= remaining <= LIMIT + 600
    # the rest of the test: the reading section gets it before it starts
    _post(proctor, url, minutes="5", scope="rest", reason="other", note="leesbril vergeten")
    assert _clock(db, world, "reading").extra_seconds == 300
    assert _clock(db, world, "reading").started_at is None
    assert _clock(db, world).extra_seconds == 900


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"minutes": "0", "reason": "technical"}, "niet 0"),
        ({"minutes": "500", "reason": "technical"}, "niet 0"),
        ({"minutes": "abc", "reason": "technical"}, "niet 0"),
        ({"minutes": "5", "reason": "other", "note": " "}, "Beschrijf de reden"),
        ({"minutes": "5", "reason": "bribe"}, "niet 0"),
        ({"minutes": "-5", "reason": "technical"}, "niet meer tijd terugnemen"),
    ],
)
def test_bad_extra_time_is_refused_and_changes_nothing(app, db, world, data, message):
    world["kiosk"].get("/kiosk/item/1")
    proctor = _proctor(app, world["proctor"])
    response = _post(
        proctor, f"/proctor/sessions/{world['ts_id']}/extra-time", scope="current", **data
    )
    assert response.status_code == 303
    page = proctor.get(response.headers["Location"]).get_data(as_text=True)
    assert message in page
    assert _clock(db, world).extra_seconds == 0
    assert db.scalar(sa.select(SessionEvent).where(SessionEvent.kind == "extra_time")) is None


def test_another_centre_cannot_touch_the_session(app, db, world):
    other = _proctor(app, world["other"])
    for action in ("pause", "extra-time", "end", "resume"):
        response = _post(
            other, f"/proctor/sessions/{world['ts_id']}/{action}", minutes="5", reason="other"
        )
        assert response.status_code == 404
    assert other.get("/proctor/console.json").get_json()["sessions"] == []
    assert _ts(db, world).paused_at is None and _ts(db, world).status is SessionStatus.IN_PROGRESS


def test_console_json_lists_the_centres_sessions(app, db, world):
    kiosk = world["kiosk"]
    page = kiosk.get("/kiosk/item/1").get_data(as_text=True)
    kiosk.post(
        "/kiosk/focus",
        json={"how": "hidden", "position": 1},
        headers={"X-CSRFToken": csrf_from(page)},
    )
    rows = _proctor(app, world["proctor"]).get("/proctor/console.json").get_json()["sessions"]
    assert len(rows) == 1
    row = rows[0]
    assert row["id"] == world["ts_id"] and row["candidate"] == "Öztürk, Çağrı"
    assert row["skill"] == "listening" and LIMIT - 10 <= row["remaining_seconds"] <= LIMIT
    assert row["connection"] == "connected" and row["focus_losses"] == 1
    assert row["paused"] is False and row["last_heartbeat_at"]
    # silent for longer than the timeout: lost
    ts = _ts(db, world)
    ts.last_heartbeat_at = datetime.now(UTC) - timedelta(minutes=5)
    db.commit()
    rows = _proctor(app, world["proctor"]).get("/proctor/console.json").get_json()["sessions"]
    assert rows[0]["connection"] == "lost"
    examiner_user = make_user(db, role=Role.EXAMINER)
    db.commit()
    examiner = app.test_client()
    login(examiner, examiner_user.username)
    assert examiner.get("/proctor/console.json").status_code == 403
    page = _proctor(app, world["proctor"]).get("/proctor/console").get_data(as_text=True)
    assert "proctor-console.js" in page and "<script>" not in page


def test_play_counts_are_enforced_on_the_server(app, db, world):
    kiosk = world["kiosk"]
    page = kiosk.get("/kiosk/item/1").get_data(as_text=True)
    assert "data-play-url" in page and "<audio controls" not in page
    headers = {"X-CSRFToken": csrf_from(page)}
    first = kiosk.post("/kiosk/item/1/play", json={}, headers=headers)
    assert first.status_code == 200 and first.get_json()["allowed"] and first.get_json()["src"]
    assert kiosk.post("/kiosk/item/1/play", json={}, headers=headers).get_json()["plays"] == 2
    third = kiosk.post("/kiosk/item/1/play", json={}, headers=headers)
    assert third.status_code == 409 and third.get_json()["error"] == "limit"
    assert "2 keer beluisterd" in third.get_json()["message"]
    db.expire_all()
    item = db.scalar(
        sa.select(SessionItem).where(
            SessionItem.session_id == world["ts_id"], SessionItem.position == 1
        )
    )
    assert item.play_count == 2
    again = kiosk.get("/kiosk/item/1").get_data(as_text=True)  # a reload shows why
    assert "2 keer beluisterd" in again and 'data-testid="play" disabled' in again


def test_sound_check_comes_first_and_calls_the_proctor(app, db, now):
    load_demo_bank(db)
    centre = make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    _k, token = make_kiosk(db, centre=centre)
    ts, code = create_session(
        db, make_candidate(db, centre=centre), "a2-luisteren-lezen", proctor, now
    )
    db.commit()
    client = app.test_client()
    client.set_cookie("attest_kiosk", token)
    page = client.get("/kiosk/").get_data(as_text=True)
    client.post("/kiosk/", data={"code": code, "csrf_token": csrf_from(page)})
    page = client.get("/kiosk/language").get_data(as_text=True)
    client.post("/kiosk/language", data={"language": "nl", "csrf_token": csrf_from(page)})
    first = client.get("/kiosk/resume").headers["Location"]
    gate = client.get(first)
    assert gate.headers["Location"].startswith("/kiosk/sound-check")
    page = client.get(gate.headers["Location"]).get_data(as_text=True)
    assert "sound-check.ogg" in page
    called = client.post(
        gate.headers["Location"], data={"result": "problem", "csrf_token": csrf_from(page)}
    )
    assert "toezichter is verwittigd" in called.get_data(as_text=True)
    rows = _proctor(app, proctor).get("/proctor/console.json").get_json()["sessions"]
    assert rows[0]["calls"] == ["kandidaat hoort niets"]
    ok = client.post(gate.headers["Location"], data={"result": "ok", "csrf_token": csrf_from(page)})
    assert ok.headers["Location"].endswith(first)
    assert client.get(first).status_code == 200
    db.expire_all()
    assert db.get(TestSession, ts.id).sound_checked_at is not None
    assert db.scalar(
        sa.select(SessionEvent).where(SessionEvent.kind == "sound_problem")
    ).resolved_at


def test_resume_on_another_kiosk_with_a_new_code(app, db, world):
    kiosk = world["kiosk"]
    assert _answer(kiosk, db, world, 1).status_code == 302
    assert _answer(kiosk, db, world, 2).status_code == 302
    kiosk.get("/kiosk/item/3")
    _rewind(db, world, 300)  # five minutes into the section
    ts = _ts(db, world)
    ts.last_heartbeat_at = datetime.now(UTC) - timedelta(minutes=2)  # then the kiosk crashed
    db.commit()
    proctor = _proctor(app, world["proctor"])
    response = _post(proctor, f"/proctor/sessions/{world['ts_id']}/code")
    page = proctor.get(response.headers["Location"]).get_data(as_text=True)
    code = page.split('data-testid="start-code">')[1].split("<")[0]
    assert kiosk.get("/kiosk/item/3").headers["Location"].endswith("/kiosk/")  # old kiosk let go
    other = app.test_client()
    other.set_cookie("attest_kiosk", world["token2"])
    start = other.get("/kiosk/").get_data(as_text=True)
    resumed = other.post("/kiosk/", data={"code": code, "csrf_token": csrf_from(start)})
    assert resumed.status_code == 302
    assert resumed.headers["Location"].endswith("/kiosk/resume")  # the language is kept
    assert other.get("/kiosk/resume").headers["Location"].endswith("/kiosk/item/3")
    assert other.get("/kiosk/item/3").headers["Location"].startswith("/kiosk/sound-check")
    pass_sound_check(other)  # another kiosk, other headphones: the sound check comes again
    page = other.get("/kiosk/item/3").get_data(as_text=True)
    remaining = int(page.split('data-remaining="')[1].split('"')[0])
    assert LIMIT - 180 - 5 <= remaining <= LIMIT - 180  # 3 minutes counted, the outage given back
    kinds = [e.kind for e in db.scalars(sa.select(SessionEvent)).all()]
    assert "outage" in kinds and "resumed" in kinds and "resume_code" in kinds
    assert _ts(db, world).kiosk_id == world["kiosk2_id"]
    first = app.test_client()  # the crashed kiosk, rebooted: the code has been used
    first.set_cookie("attest_kiosk", world["token"])
    start = first.get("/kiosk/").get_data(as_text=True)
    again = first.post("/kiosk/", data={"code": code, "csrf_token": csrf_from(start)})
    assert again.status_code == 400 and "al gebruikt" in again.get_data(as_text=True)


def test_end_with_reason(app, db, world):
    kiosk = world["kiosk"]
    kiosk.get("/kiosk/item/1")
    proctor = _proctor(app, world["proctor"])
    refused = _post(proctor, f"/proctor/sessions/{world['ts_id']}/end", reason="other", note="")
    assert refused.status_code == 303 and _ts(db, world).status is SessionStatus.IN_PROGRESS
    done = _post(proctor, f"/proctor/sessions/{world['ts_id']}/end", reason="illness", note="")
    assert done.status_code == 303
    assert _ts(db, world).status is SessionStatus.CANCELLED
    assert _clock(db, world).close_reason == "ended"
    audit = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "session.end"))
    assert audit.actor_id == world["proctor"].id and audit.detail == {"reason": "illness"}
    assert kiosk.get("/kiosk/item/1").headers["Location"].endswith("/kiosk/")


def test_reposting_or_going_back_changes_nothing_and_skips_nothing(db, world):
    kiosk = world["kiosk"]
    first = kiosk.get("/kiosk/item/1").get_data(as_text=True)
    version = next(i for i in _ts(db, world).items if i.position == 1).item_version
    form = {**correct_answer(version.format, version.content), "csrf_token": csrf_from(first)}
    assert kiosk.post("/kiosk/item/1", data=form).headers["Location"].endswith("/kiosk/item/2")
    assert _answer(kiosk, db, world, 2).headers["Location"].endswith("/kiosk/item/3")
    stored = {r.session_item_id: r.value for r in db.scalars(sa.select(Response))}
    # the browser's back button and a resubmitted form: the same answer again
    assert "no-store" in kiosk.get("/kiosk/item/1").headers["Cache-Control"]
    again = kiosk.post("/kiosk/item/1", data=form)
    assert again.headers["Location"].endswith("/kiosk/item/3")  # on to the first unanswered
    db.expire_all()
    assert {r.session_item_id: r.value for r in db.scalars(sa.select(Response))} == stored
    assert 'href="/kiosk/item/1"' in kiosk.get("/kiosk/item/2").get_data(as_text=True)
    ts = _ts(db, world)
    first_reading = min(i.position for i in ts.items if i.skill == "reading")
    for position in range(3, first_reading + 1):
        _answer(kiosk, db, world, position)
    page = kiosk.get(f"/kiosk/item/{first_reading}").get_data(as_text=True)
    assert f'href="/kiosk/item/{first_reading - 1}"' not in page  # no way back to listening
