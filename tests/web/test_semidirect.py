"""A semi-direct conversation at the kiosk: the turns come in order with their timing, each
turn's answer is kept as it is made (a reload resumes at the next turn, losing none), the whole is
ONE performance, and examiners hear the turns in order and rate them on the dialogue rubric,
double-marked like any other performance."""

from __future__ import annotations

import hashlib
import re

import pytest
import sqlalchemy as sa

from attest.assessment import delivery
from attest.assessment.recording_uploads import salvage_unsent
from attest.models import (
    Performance,
    PerformanceStatus,
    Rating,
    RatingAssignment,
    Recording,
    Response,
    Role,
    SessionItem,
    TestSession,
)
from attest.storage import storage_for
from tests.audio_samples import tone, webm_opus
from tests.conftest import csrf_from
from tests.examiner_world import make_examiners
from tests.factories import make_session_with_items, make_user
from tests.web.helpers import (
    UPLOAD_CHUNK,
    login,
    score_form,
    slow_down,
    start_at_kiosk,
    together,
    tokens_of,
    twin,
    upload_begin_body,
)


@pytest.fixture(scope="module")
def spoken():
    return webm_opus(tone(3.0))


@pytest.fixture
def kiosk(app, db, now):
    world = make_session_with_items(db, now, ("speaking_conversation",))
    client = start_at_kiosk(app, world.kiosk_token, world.start_code)
    page = client.get("/kiosk/item/1").get_data(as_text=True)
    item = db.scalar(sa.select(SessionItem).where(SessionItem.session_id == world.session.id))
    return {
        "client": client,
        "csrf": csrf_from(page),
        "session": world.session.id,
        "world": world,
        "turns": item.item_version.content["turns"],
    }


def post(kiosk, url, body):
    return kiosk["client"].post(url, json=body, headers={"X-CSRFToken": kiosk["csrf"]})


def send_turn(kiosk, data, turn, upload_id=None, complete=True, duration_ms=3000):
    """Upload one turn's answer as kiosk.js does (begin, chunks, complete); return the reply."""
    upload_id = upload_id or f"upload-turn{turn}-0123456789"
    body = upload_begin_body(kiosk["session"], data, upload_id, duration_ms=duration_ms, turn=turn)
    begun = post(kiosk, "/kiosk/item/1/uploads", body)
    if begun.status_code != 200:
        return begun
    for index in range(begun.get_json()["chunk_count"]):
        part = data[index * UPLOAD_CHUNK : (index + 1) * UPLOAD_CHUNK]
        kiosk["client"].put(
            f"/kiosk/item/1/uploads/{upload_id}/chunks/{index}",
            data=part,
            headers={
                "X-CSRFToken": kiosk["csrf"],
                "X-Attest-Session": str(kiosk["session"]),
                "X-Content-SHA256": hashlib.sha256(part).hexdigest(),
            },
        )
    if not complete:
        return begun
    return post(kiosk, f"/kiosk/item/1/uploads/{upload_id}/complete", {"session": kiosk["session"]})


def page_turns(kiosk) -> list[tuple[int, int, bool, str]]:
    """(turn, answer seconds, kept, input value) of each turn as the kiosk page lists them."""
    page = kiosk["client"].get("/kiosk/item/1").get_data(as_text=True)
    found = re.findall(
        r'<li data-turn="(\d+)" data-answer-seconds="(\d+)"\s+data-audio="([^"]+)"\s*'
        r'(data-kept="1")?>.*?name="recording_id" value="([^"]*)"',
        page,
        re.S,
    )
    return [(int(n), int(s), bool(k), v) for n, s, _audio, k, v in found]


def submit(kiosk, ids):
    return kiosk["client"].post(
        "/kiosk/item/1", data={"recording_id": ids, "csrf_token": kiosk["csrf"]}
    )


def test_the_kiosk_delivers_the_turns_in_order_with_their_timing(kiosk):
    page = kiosk["client"].get("/kiosk/item/1").get_data(as_text=True)
    turns = kiosk["turns"]
    assert 4 <= len(turns) <= 8
    assert page_turns(kiosk) == [
        (n, t["answer_seconds"], False, "-") for n, t in enumerate(turns, start=1)
    ]
    clips = re.findall(r'data-audio="([^"]+)"', page)
    assert clips == [f"/kiosk/media/{t['audio']}" for t in turns]
    assert "Beurt {n} van {total}" in page and "Je hoort elke beurt maar één keer." in page
    # the candidate listens: what the interlocutor says is not on the page
    assert all(t["say"] not in page for t in turns)
    clip = kiosk["client"].get(clips[0])
    assert clip.status_code == 200 and clip.data.startswith(b"OggS")
    clip.close()


def test_every_turn_is_kept_and_the_conversation_is_one_performance(db, kiosk, spoken):
    count = len(kiosk["turns"])
    ids = []
    for turn in range(1, count + 1):
        ack = send_turn(kiosk, spoken, turn)
        assert ack.status_code == 200, ack.get_json()
        ids.append(ack.get_json()["recording_id"])
    assert submit(kiosk, ids).status_code == 302
    response = db.scalar(sa.select(Response))
    assert response.value == {"v": {"turns": ids}} and response.score is None
    kept = db.scalars(sa.select(Recording).order_by(Recording.turn)).all()
    assert [(r.id, r.turn) for r in kept] == list(zip(ids, range(1, count + 1), strict=True))


def test_a_reload_mid_conversation_resumes_at_the_next_turn_losing_none(db, kiosk, spoken):
    first = send_turn(kiosk, spoken, 1).get_json()["recording_id"]
    second = send_turn(kiosk, spoken, 2).get_json()["recording_id"]
    listed = page_turns(kiosk)  # the kiosk reloads
    assert [(n, kept, value) for n, _s, kept, value in listed[:3]] == [
        (1, True, first),
        (2, True, second),
        (3, False, "-"),
    ]
    assert not any(kept for _n, _s, kept, _v in listed[2:])
    # a retry of turn 2 from the reloaded kiosk (a new upload) does not replace what was kept
    again = send_turn(kiosk, spoken, 2, upload_id="upload-turn2-again-0123")
    assert again.get_json()["recording_id"] == second
    assert db.scalar(sa.select(sa.func.count()).select_from(Recording)) == 2
    rest = [
        send_turn(kiosk, spoken, n).get_json()["recording_id"] for n in range(3, len(listed) + 1)
    ]
    assert submit(kiosk, [first, second, *rest]).status_code == 302
    assert db.scalar(sa.select(Response)).value["v"]["turns"] == [first, second, *rest]


@pytest.mark.parametrize(
    ("turn", "duration_ms", "error"),
    [
        (None, 3000, "bad_turn"),
        (0, 3000, "bad_turn"),
        (99, 3000, "bad_turn"),
        (1, 90_000, "bad_upload"),
    ],
)
def test_an_upload_must_name_a_turn_of_the_task_within_its_time(
    db, kiosk, spoken, turn, duration_ms, error
):
    body = upload_begin_body(
        kiosk["session"], spoken, "upload-badturn-012345", duration_ms=duration_ms
    )
    if turn is not None:
        body["turn"] = turn
    refused = post(kiosk, "/kiosk/item/1/uploads", body)
    assert refused.status_code == 400 and refused.get_json()["error"] == error
    assert db.scalar(sa.select(sa.func.count()).select_from(Recording)) == 0


def test_answers_that_are_not_this_turns_recording_are_refused(db, kiosk, spoken):
    count = len(kiosk["turns"])
    ids = [send_turn(kiosk, spoken, n).get_json()["recording_id"] for n in range(1, count + 1)]
    swapped = [ids[1], ids[0], *ids[2:]]
    assert submit(kiosk, swapped).status_code == 400
    assert submit(kiosk, ids[:-1]).status_code == 400
    assert db.scalar(sa.select(sa.func.count()).select_from(Response)) == 0


def test_a_conversation_cut_short_keeps_its_turns_when_the_session_closes(
    app, db, kiosk, spoken, now
):
    first = send_turn(kiosk, spoken, 1).get_json()["recording_id"]
    send_turn(kiosk, spoken, 2, complete=False)  # every chunk arrived, "complete" never came
    ts = db.get(TestSession, kiosk["session"])
    salvage_unsent(db, storage_for(app.config), ts, now)
    db.commit()
    turns = db.scalar(sa.select(Response)).value["v"]["turns"]
    assert turns[0] == first and turns[1] is not None
    assert db.get(Recording, turns[1]).turn == 2
    assert turns[2:] == [None] * (len(kiosk["turns"]) - 2)


def test_examiners_hear_the_turns_in_order_and_double_mark_on_the_dialogue_rubric(
    app, db, kiosk, spoken, now
):
    world = kiosk["world"]
    admin = make_user(db, role=Role.ADMIN)
    examiners = make_examiners(db, world.centre, admin, now, n=2, seniors=1)
    db.commit()
    count = len(kiosk["turns"])
    ids = [send_turn(kiosk, spoken, n).get_json()["recording_id"] for n in range(1, count)]
    assert submit(kiosk, [*ids, "-"]).status_code == 302  # the last turn never arrived
    ts = db.get(TestSession, kiosk["session"])
    delivery.finish_session(db, ts, now)
    db.commit()
    perf = db.scalar(sa.select(Performance))
    assert perf.task_type == "dialogue"
    raters = db.scalars(
        sa.select(RatingAssignment.examiner_id).where(RatingAssignment.performance_id == perf.id)
    ).all()
    assert len(set(raters)) == 2
    by_id = {u.id: u for u in examiners}

    client = app.test_client()
    login(client, by_id[raters[0]].username)
    token = tokens_of(client)[0]
    page = client.get(f"/examiner/score/{token}").get_data(as_text=True)
    says = [t["say"] for t in kiosk["turns"]]
    positions = [page.index(f'data-testid="turn-{n}"') for n in range(1, count + 1)]
    assert positions == sorted(positions)
    for n, say in enumerate(says, start=1):
        assert say in page
        assert f'src="/examiner/media/{token}/turn/{n}/interlocutor"' in page
    for n in range(1, count):
        assert f'src="/examiner/media/{token}/turn/{n}"' in page
    assert f'src="/examiner/media/{token}/turn/{count}"' not in page
    assert page.count('data-testid="turn-missing"') == 1
    answer = client.get(f"/examiner/media/{token}/turn/2")
    assert answer.status_code == 200 and answer.data.startswith(b"\x1a\x45\xdf\xa3")
    clip = client.get(f"/examiner/media/{token}/turn/1/interlocutor")
    assert clip.data.startswith(b"OggS")
    clip.close()
    assert client.get(f"/examiner/media/{token}/turn/{count}").status_code == 404
    assert 'name="band_interaction"' in page  # the dialogue rubric's interaction criterion

    for examiner_id in raters:
        rater_client, url, data = score_form(app, by_id[examiner_id], band=2)
        assert rater_client.post(url, data=data).status_code == 302
    db.expire_all()
    perf = db.get(Performance, perf.id)
    assert perf.status is PerformanceStatus.FINAL and perf.final_method == "agreed"
    bands = [r.bands for r in db.scalars(sa.select(Rating))]
    assert len(bands) == 2 and all("interaction" in b for b in bands)
    # another examiner's token opens nothing
    other = next(u for u in examiners if u.id not in raters)
    outsider = app.test_client()
    login(outsider, other.username)
    assert outsider.get(f"/examiner/media/{token}/turn/1").status_code == 404


def test_one_turn_completed_twice_at_once_keeps_one_recording(app, db, kiosk, spoken, monkeypatch):
    """A reloaded kiosk sends turn 3 again under a new upload while the first is completing: the
    two completions meet at the turn (row lock, then uq_recording_turn), one recording stays."""
    from attest.assessment import recordings

    ids = ["upload-turn3-first-0123", "upload-turn3-second-012"]
    for upload_id in ids:
        send_turn(kiosk, spoken, 3, upload_id=upload_id, complete=False)
    slow_down(monkeypatch, recordings, "check_recording")
    clients = [kiosk["client"], twin(app, kiosk["client"])]

    def complete(client, upload_id):
        return lambda: client.post(
            f"/kiosk/item/1/uploads/{upload_id}/complete",
            json={"session": kiosk["session"]},
            headers={"X-CSRFToken": kiosk["csrf"]},
        )

    replies = together([complete(c, u) for c, u in zip(clients, ids, strict=True)])
    assert [r.status_code for r in replies] == [200, 200], [r.get_json() for r in replies]
    kept = {r.get_json()["recording_id"] for r in replies}
    db.expire_all()
    rows = db.scalars(sa.select(Recording).where(Recording.turn == 3)).all()
    assert len(rows) == 1 and kept == {rows[0].id}
