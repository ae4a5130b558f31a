"""The kiosk's JSON endpoints: chunked resumable recording uploads (checksums per chunk and of
the whole, silent or truncated recordings flagged for the proctor), answers stored once per
key, writing drafts, and microphone checks that call the proctor."""

from __future__ import annotations

import hashlib
import math

import pytest
import sqlalchemy as sa

from attest.models import (
    AnswerReceipt,
    Recording,
    RecordingChunk,
    Response,
    ResponseDraft,
    SessionEvent,
    SessionItem,
)
from tests.audio_samples import silence, tone, webm_opus
from tests.conftest import csrf_from
from tests.factories import make_session_with_items
from tests.web.helpers import UPLOAD_CHUNK, start_at_kiosk, upload_begin_body

CHUNK = UPLOAD_CHUNK
FORMATS = ("audio_response", "extended_text", "single_choice", "single_choice")


@pytest.fixture
def kiosk(app, db, now):
    """A kiosk in a session of a speaking task, a writing task and two choice questions."""
    world = make_session_with_items(db, now, FORMATS)
    client = start_at_kiosk(app, world.kiosk_token, world.start_code)
    token = csrf_from(client.get("/kiosk/item/1").get_data(as_text=True))
    return {"client": client, "csrf": token, "session": world.session.id}


def post(kiosk, url, body):
    return kiosk["client"].post(url, json=body, headers={"X-CSRFToken": kiosk["csrf"]})


def begin(kiosk, data, upload_id="upload-0123456789abcdef", duration_ms=None, **extra):
    body = upload_begin_body(
        kiosk["session"],
        data,
        upload_id,
        duration_ms=duration_ms if duration_ms is not None else 3000,
        **extra,
    )
    return post(kiosk, "/kiosk/item/1/uploads", body)


def put_chunk(kiosk, data, index, upload_id="upload-0123456789abcdef", checksum=None):
    part = data[index * CHUNK : (index + 1) * CHUNK]
    return kiosk["client"].put(
        f"/kiosk/item/1/uploads/{upload_id}/chunks/{index}",
        data=part,
        headers={
            "X-CSRFToken": kiosk["csrf"],
            "X-Attest-Session": str(kiosk["session"]),
            "X-Content-SHA256": checksum or hashlib.sha256(part).hexdigest(),
        },
    )


def complete(kiosk, upload_id="upload-0123456789abcdef"):
    return post(kiosk, f"/kiosk/item/1/uploads/{upload_id}/complete", {"session": kiosk["session"]})


def upload_all(kiosk, data, **kwargs):
    begun = begin(kiosk, data, **kwargs)
    assert begun.status_code == 200, begun.get_json()
    for index in range(begun.get_json()["chunk_count"]):
        assert put_chunk(kiosk, data, index).status_code == 200
    return complete(kiosk)


@pytest.fixture(scope="module")
def spoken():
    return webm_opus(tone(3.0))


def test_chunked_upload_is_resumable_and_acknowledged(db, kiosk, spoken):
    assert len(spoken) > 2 * CHUNK  # several chunks
    first = begin(kiosk, spoken).get_json()
    assert first["received"] == [] and first["chunk_count"] == math.ceil(len(spoken) / CHUNK)
    assert put_chunk(kiosk, spoken, 1).get_json()["received"] == [1]
    assert put_chunk(kiosk, spoken, 1).status_code == 200  # the same chunk again: no change
    # the kiosk reloads and starts the same upload again: the server says what it holds
    assert begin(kiosk, spoken).get_json()["received"] == [1]
    early = complete(kiosk)
    assert early.status_code == 409 and 0 in early.get_json()["missing"]
    assert 1 not in early.get_json()["missing"]
    for index in early.get_json()["missing"]:
        put_chunk(kiosk, spoken, index)
    ack = complete(kiosk)
    assert ack.status_code == 200, ack.get_json()
    body = ack.get_json()
    assert body["sha256"] == hashlib.sha256(spoken).hexdigest() and body["flag"] is None
    assert 2500 <= body["duration_ms"] <= 3500
    assert complete(kiosk).get_json()["recording_id"] == body["recording_id"]  # idempotent
    recording = db.get(Recording, body["recording_id"])
    assert recording.level_dbfs > -20 and recording.speech_ms >= 2500
    answer = kiosk["client"].post(
        "/kiosk/item/1", data={"recording_id": body["recording_id"], "csrf_token": kiosk["csrf"]}
    )
    assert answer.status_code == 302
    assert (
        db.scalar(sa.select(SessionEvent).where(SessionEvent.kind == "recording_flagged")) is None
    )


def test_a_chunk_with_a_wrong_checksum_is_refused_and_can_be_sent_again(db, kiosk, spoken):
    begin(kiosk, spoken)
    refused = put_chunk(kiosk, spoken, 0, checksum="0" * 64)
    assert refused.status_code == 400 and refused.get_json()["error"] == "checksum"
    assert db.scalar(sa.select(sa.func.count()).select_from(RecordingChunk)) == 0
    damaged = kiosk[
        "client"
    ].put(  # bytes damaged on the way: the declared checksum is right
        "/kiosk/item/1/uploads/upload-0123456789abcdef/chunks/0",
        data=b"\x00" + spoken[1:CHUNK],
        headers={
            "X-CSRFToken": kiosk["csrf"],
            "X-Attest-Session": str(kiosk["session"]),
            "X-Content-SHA256": hashlib.sha256(spoken[:CHUNK]).hexdigest(),
        },
    )
    assert damaged.status_code == 400 and damaged.get_json()["error"] == "checksum"
    assert put_chunk(kiosk, spoken, 0).status_code == 200
    assert db.scalar(sa.select(sa.func.count()).select_from(RecordingChunk)) == 1


@pytest.mark.parametrize(
    "audio, duration_ms, flag",
    [
        (silence(3.0), 3000, "silent"),
        (tone(3.0, amplitude=0.002), 3000, "silent"),  # room noise, nobody speaks
        (tone(3.0), 10_000, "truncated"),  # the kiosk recorded 10 s; 3 s arrived
    ],
)
def test_silent_or_truncated_recordings_are_flagged_for_the_proctor(
    db, kiosk, audio, duration_ms, flag
):
    data = webm_opus(audio)
    ack = upload_all(kiosk, data, duration_ms=duration_ms)
    assert ack.status_code == 200 and ack.get_json()["flag"] == flag
    recording = db.get(Recording, ack.get_json()["recording_id"])
    assert recording.flag == flag  # kept, for the examiner and the proctor: never a zero
    event = db.scalar(sa.select(SessionEvent).where(SessionEvent.kind == "recording_flagged"))
    assert event.needs_proctor and event.detail["reason"] == flag
    assert event.detail["position"] == 1 and event.detail["recording"] == recording.id
    answer = kiosk["client"].post(
        "/kiosk/item/1", data={"recording_id": recording.id, "csrf_token": kiosk["csrf"]}
    )
    assert answer.status_code == 302
    assert db.scalar(sa.select(Response)).score is None  # for the examiners, not zero


def test_a_recording_cut_off_in_the_middle_is_flagged_truncated(db, kiosk, spoken):
    cut = spoken[: len(spoken) // 2]
    ack = upload_all(kiosk, cut, duration_ms=3000)
    assert ack.get_json()["flag"] == "truncated"


@pytest.mark.parametrize(
    "change, error",
    [
        ({"size": 0}, "bad_upload"),
        ({"chunk_count": 1}, "bad_upload"),
        ({"content_type": "text/html"}, "not_audio"),
        ({"sha256": "xyz"}, "bad_upload"),
        ({"upload_id": "short"}, "bad_upload"),
        ({"duration_ms": 3_600_000}, "bad_upload"),
    ],
)
def test_bad_upload_declarations_are_refused_clearly(db, kiosk, spoken, change, error):
    response = begin(kiosk, spoken, **change)
    assert response.status_code == 400 and response.get_json()["error"] == error
    assert response.get_json()["message"]


def test_a_whole_that_does_not_match_its_checksum_is_not_stored(db, kiosk, spoken):
    begun = begin(kiosk, spoken, sha256="ab" * 32).get_json()
    for index in range(begun["chunk_count"]):
        put_chunk(kiosk, spoken, index)
    response = complete(kiosk)
    assert response.status_code == 400 and response.get_json()["error"] == "checksum"
    assert db.scalar(sa.select(sa.func.count()).select_from(Recording)) == 0


def test_calls_for_another_session_are_refused(db, kiosk, spoken):
    response = post(
        kiosk,
        "/kiosk/item/3/answer",
        {"session": kiosk["session"] + 1, "key": "k" * 20, "fields": {"answer": ["a"]}},
    )
    assert response.status_code == 409 and response.get_json()["error"] == "wrong_session"
    assert begin(kiosk, spoken, session=kiosk["session"] + 1).status_code == 409


def _choice(db, position):
    item = db.scalar(sa.select(SessionItem).where(SessionItem.position == position))
    return list("abcdefgh"[: len(item.item_version.content["options"])])  # ids by position


def test_an_answer_sent_twice_with_its_key_is_stored_once(db, kiosk):
    options = _choice(db, 3)
    first_id, second_id = options[0], options[1]
    body = {
        "session": kiosk["session"],
        "key": "answer-key-000000001",
        "fields": {"answer": [first_id]},
    }
    one = post(kiosk, "/kiosk/item/3/answer", body)
    assert one.status_code == 200 and one.get_json()["duplicate"] is False
    assert one.get_json()["next_url"].endswith("/kiosk/item/1")  # first unanswered
    # the candidate changes the answer; then the first submission arrives again (a retry)
    post(
        kiosk,
        "/kiosk/item/3/answer",
        {**body, "key": "answer-key-000000002", "fields": {"answer": [second_id]}},
    )
    again = post(kiosk, "/kiosk/item/3/answer", body)
    assert again.status_code == 200 and again.get_json()["duplicate"] is True
    responses = db.scalars(sa.select(Response)).all()
    assert len(responses) == 1 and responses[0].value == {"v": second_id}
    assert db.scalar(sa.select(sa.func.count()).select_from(AnswerReceipt)) == 2
    # a key used for another question is refused
    other = post(kiosk, "/kiosk/item/4/answer", {**body, "fields": {"answer": ["x"]}})
    assert other.status_code == 400 and other.get_json()["error"] == "bad_key"


def test_a_refused_answer_leaves_no_receipt(db, kiosk):
    body = {"session": kiosk["session"], "key": "answer-key-000000003", "fields": {}}
    refused = post(kiosk, "/kiosk/item/3/answer", body)
    assert refused.status_code == 400 and refused.get_json()["error"] == "no_answer"
    assert "Kies een antwoord" in refused.get_json()["message"]
    assert db.scalar(sa.select(sa.func.count()).select_from(AnswerReceipt)) == 0


def test_the_plain_form_carries_a_key_so_a_repost_is_stored_once(db, kiosk):
    page = kiosk["client"].get("/kiosk/item/3").get_data(as_text=True)
    assert 'name="answer_key"' in page
    key = page.split('name="answer_key" value="')[1].split('"')[0]
    first_id = _choice(db, 3)[0]
    data = {"answer": first_id, "answer_key": key, "csrf_token": kiosk["csrf"]}
    assert kiosk["client"].post("/kiosk/item/3", data=data).status_code == 302
    assert kiosk["client"].post("/kiosk/item/3", data=data).status_code == 302
    assert db.scalar(sa.select(sa.func.count()).select_from(Response)) == 1


def test_writing_drafts_keep_the_latest_text_and_show_it_on_reload(db, kiosk):
    page = kiosk["client"].get("/kiosk/item/2").get_data(as_text=True)
    for attribute in (
        'spellcheck="false"',
        'autocorrect="off"',
        'autocapitalize="off"',
        'autocomplete="off"',
        "data-draft-url",
    ):
        assert attribute in page
    url = "/kiosk/item/2/draft"
    assert (
        post(kiosk, url, {"session": kiosk["session"], "seq": 5, "text": "Beste Jan"}).status_code
        == 200
    )
    post(kiosk, url, {"session": kiosk["session"], "seq": 5, "text": "Beste Jan"})  # again
    late = post(kiosk, url, {"session": kiosk["session"], "seq": 3, "text": "Beste"})  # stale
    assert late.status_code == 200 and late.get_json()["seq"] == 5
    drafts = db.scalars(sa.select(ResponseDraft)).all()
    assert len(drafts) == 1 and drafts[0].text == "Beste Jan"
    assert ">Beste Jan</textarea>" in kiosk["client"].get("/kiosk/item/2").get_data(as_text=True)
    bad = post(kiosk, "/kiosk/item/3/draft", {"session": kiosk["session"], "seq": 6, "text": "x"})
    assert bad.status_code == 400 and bad.get_json()["error"] == "not_writing"
    answer = post(
        kiosk,
        "/kiosk/item/2/answer",
        {
            "session": kiosk["session"],
            "key": "answer-key-000000004",
            "fields": {"response": ["Beste Jan, tot morgen."]},
        },
    )
    assert answer.status_code == 200
    db.expire_all()
    assert db.scalar(sa.select(sa.func.count()).select_from(ResponseDraft)) == 0
    assert "tot morgen." in kiosk["client"].get("/kiosk/item/2").get_data(as_text=True)


def test_a_failed_microphone_check_calls_the_proctor_once(db, kiosk):
    url = "/kiosk/item/1/microphone"
    called = post(
        kiosk,
        url,
        {"session": kiosk["session"], "ok": False, "reason": "silent", "level_dbfs": -90.5},
    )
    assert called.status_code == 200 and called.get_json()["proctor_called"] is True
    post(kiosk, url, {"session": kiosk["session"], "ok": False, "reason": "no_microphone"})
    events = db.scalars(
        sa.select(SessionEvent).where(SessionEvent.kind == "microphone_problem")
    ).all()
    assert len(events) == 1 and events[0].needs_proctor and events[0].detail["reason"] == "silent"
    ok = post(kiosk, url, {"session": kiosk["session"], "ok": True, "level_dbfs": -20})
    assert ok.get_json()["proctor_called"] is False
    bad = post(kiosk, url, {"session": kiosk["session"], "ok": False, "reason": "nonsense"})
    assert bad.status_code == 400


def test_what_was_never_submitted_is_kept_when_a_session_closes(app, db, kiosk, spoken, now):
    from attest.assessment.recording_uploads import salvage_unsent
    from attest.models import TestSession
    from attest.storage import storage_for

    post(kiosk, "/kiosk/item/2/draft", {"session": kiosk["session"], "seq": 9, "text": "Beste Jan"})
    begun = begin(kiosk, spoken).get_json()
    for index in range(begun["chunk_count"]):
        put_chunk(kiosk, spoken, index)  # every chunk arrived, but "complete" never came
    ts = db.get(TestSession, kiosk["session"])
    counts = salvage_unsent(db, storage_for(app.config), ts, now)
    db.commit()
    assert counts == {"drafts": 1, "recordings": 1, "incomplete": 0}
    answers = {r.session_item.position: r.value["v"] for r in db.scalars(sa.select(Response))}
    assert answers[2] == "Beste Jan"
    assert (
        db.get(Recording, answers[1]["recording_id"]).sha256 == hashlib.sha256(spoken).hexdigest()
    )


def test_an_upload_with_chunks_missing_at_closing_calls_the_proctor(app, db, kiosk, spoken, now):
    from attest.assessment.recording_uploads import salvage_unsent
    from attest.models import TestSession
    from attest.storage import storage_for

    begin(kiosk, spoken)
    put_chunk(kiosk, spoken, 0)
    ts = db.get(TestSession, kiosk["session"])
    assert salvage_unsent(db, storage_for(app.config), ts, now)["incomplete"] == 1
    db.commit()
    event = db.scalar(sa.select(SessionEvent).where(SessionEvent.kind == "recording_flagged"))
    assert event.needs_proctor and event.detail["reason"] == "incomplete"
    assert event.detail["missing_chunks"] == event.detail["chunk_count"] - 1
    assert db.scalar(sa.select(sa.func.count()).select_from(Response)) == 0


def _run_out(db, session_id, skill):
    """Give the section of `skill` a limit of one minute that ran out two minutes ago."""
    from datetime import timedelta

    from attest.models import SectionClock

    db.expire_all()
    clock = db.scalar(
        sa.select(SectionClock).where(
            SectionClock.session_id == session_id, SectionClock.skill == skill
        )
    )
    assert clock is not None and clock.running_since is not None, f"{skill} is not running"
    clock.limit_seconds, clock.elapsed_seconds = 60, 0.0
    clock.running_since = clock.running_since - timedelta(seconds=120)
    db.commit()


def test_time_running_out_keeps_the_saved_draft_and_the_uploaded_recording(app, db, kiosk, spoken):
    """The candidate typed (the draft was saved) and spoke (every chunk arrived), but time ran
    out before either was submitted: the section closes on the server and both are answers."""
    from attest.models import SectionClock

    client = kiosk["client"]
    begun = begin(kiosk, spoken).get_json()
    for index in range(begun["chunk_count"]):
        put_chunk(kiosk, spoken, index)  # "complete" never came
    _run_out(db, kiosk["session"], "speaking")
    result = app.test_cli_runner().invoke(args=["sessions", "close-expired"])
    assert result.exit_code == 0 and "1 section(s) closed" in result.output, result.output

    assert client.get("/kiosk/item/2").status_code == 200  # the writing section starts
    text = "Beste Jan, ik kan morgen niet komen."
    post(kiosk, "/kiosk/item/2/draft", {"session": kiosk["session"], "seq": 1, "text": text})
    _run_out(db, kiosk["session"], "writing")
    late = post(
        kiosk,
        "/kiosk/item/2/answer",
        {"session": kiosk["session"], "key": "answer-key-000000009", "fields": {"response": ["x"]}},
    )
    assert late.status_code == 409  # too late to submit: the section closes ...

    db.expire_all()
    answers = {r.session_item.position: r.value["v"] for r in db.scalars(sa.select(Response))}
    assert answers[2] == text  # ... and keeps what was saved, not the late text
    recording = db.get(Recording, answers[1]["recording_id"])
    assert recording.sha256 == hashlib.sha256(spoken).hexdigest()
    closed = db.scalars(
        sa.select(SectionClock.close_reason).where(SectionClock.session_id == kiosk["session"])
    ).all()
    assert sorted(closed) == ["time_up", "time_up"]


def test_time_running_out_during_an_upload_calls_the_proctor(app, db, kiosk, spoken):
    begin(kiosk, spoken)
    put_chunk(kiosk, spoken, 0)  # the rest never arrived
    _run_out(db, kiosk["session"], "speaking")
    assert app.test_cli_runner().invoke(args=["sessions", "close-expired"]).exit_code == 0
    db.expire_all()
    event = db.scalar(sa.select(SessionEvent).where(SessionEvent.kind == "recording_flagged"))
    assert event is not None and event.needs_proctor and event.detail["reason"] == "incomplete"
    assert db.scalar(sa.select(sa.func.count()).select_from(Response)) == 0


def _raw_upload(kiosk, position: int, data: bytes, checksum: bool = True):
    headers = {"Content-Type": "audio/webm", "X-CSRFToken": kiosk["csrf"]}
    if checksum:
        headers["X-Content-SHA256"] = hashlib.sha256(data).hexdigest()
    return kiosk["client"].post(f"/kiosk/item/{position}/recording", data=data, headers=headers)


def test_one_rule_for_single_and_chunked_recording_uploads(db, kiosk, spoken):
    """Only a speaking task takes a recording, and only with the kiosk's checksum, whichever
    way it is sent."""
    body = upload_begin_body(kiosk["session"], spoken, "upload-choice-0123456789", duration_ms=3000)
    chunked = post(kiosk, "/kiosk/item/3/uploads", body)  # a single-choice question
    single = _raw_upload(kiosk, 3, spoken)
    assert chunked.status_code == single.status_code == 400
    assert chunked.get_json()["error"] == single.get_json()["error"] == "not_speaking"
    unchecked = _raw_upload(kiosk, 1, spoken, checksum=False)
    assert unchecked.status_code == 400 and unchecked.get_json()["error"] == "checksum_missing"
    assert db.scalar(sa.select(sa.func.count()).select_from(Recording)) == 0
    assert _raw_upload(kiosk, 1, spoken).status_code == 201
