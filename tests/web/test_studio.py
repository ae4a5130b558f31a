"""The admin audio studio: a human recording is normalised to -23 LUFS, approved by a second
admin, and then played by the kiosk in place of the synthetic clip; bad uploads change nothing;
a live purpose with synthetic clips is refused unless the instance allows synthetic audio."""

from __future__ import annotations

import gc
import io
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

from attest import create_app
from attest.assessment.audio_checks import decode
from attest.assessment.delivery import create_session
from attest.assessment.studio_audio import TARGET_LUFS, integrated_loudness
from attest.models import AuditEvent, Item, ItemVersion, Role, SessionItem, StudioClip
from tests.audio_samples import silence, tone, wav, webm_opus
from tests.conftest import csrf_from
from tests.factories import load_demo_bank, make_candidate, make_centre, make_kiosk, make_user
from tests.web.helpers import login, start_at_kiosk

BANK = Path(__file__).resolve().parents[2] / "question_banks" / "nl"


def _listening_item(db) -> tuple[Item, ItemVersion, str]:
    version = db.scalar(
        sa.select(ItemVersion)
        .join(
            Item,
            sa.and_(Item.id == ItemVersion.item_id, Item.current_version == ItemVersion.version),
        )
        .where(Item.skill == "listening", Item.status == "live", Item.level == "A2")
        .order_by(Item.id)
        .limit(1)
    )
    ref = version.media["audio"]
    return version.item, version, ref["path"] if isinstance(ref, dict) else ref


@pytest.fixture
def studio(app, db):
    load_demo_bank(db)
    recorder = make_user(db, role=Role.ADMIN)
    approver = make_user(db, role=Role.ADMIN)
    item, version, path = _listening_item(db)
    db.commit()
    first, second = app.test_client(), app.test_client()
    login(first, recorder.username)
    login(second, approver.username)
    return {"recorder": first, "approver": second, "item": item, "version": version, "path": path}


def _upload(client, item_id: str, data: bytes, **fields):
    page = client.get(f"/admin/studio/{item_id}").get_data(as_text=True)
    form = {
        "csrf_token": csrf_from(page),
        "speaker": "spk-7",
        "region": "flemish",
        "audio": (io.BytesIO(data), "clip.wav"),
        **fields,
    }
    return client.post(f"/admin/studio/{item_id}", data=form, content_type="multipart/form-data")


def _approve(client, item_id: str, clip_id: int):
    page = client.get(f"/admin/studio/{item_id}").get_data(as_text=True)
    return client.post(
        f"/admin/studio/clips/{clip_id}/approve", data={"csrf_token": csrf_from(page)}
    )


def _kiosk_with_clip(app, db, version: ItemVersion):
    """A kiosk whose session's first item is the given listening item; returns its client."""
    centre = make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    _kiosk, token = make_kiosk(db, centre=centre)
    candidate = make_candidate(db, centre=centre)
    ts, code = create_session(db, candidate, "a2-luisteren-lezen", proctor, datetime.now(UTC))
    db.add(SessionItem(session=ts, position=1, skill="listening", item_version=version))
    db.commit()
    return start_at_kiosk(app, token, code)


def _clip_url(kiosk) -> str:
    """Press play once and return the URL the kiosk fetches the clip from."""
    page = kiosk.get("/kiosk/item/1").get_data(as_text=True)
    played = kiosk.post("/kiosk/item/1/play", json={}, headers={"X-CSRFToken": csrf_from(page)})
    assert played.status_code == 200, played.get_data(as_text=True)
    return played.get_json()["src"]


def _fetch(kiosk, url: str) -> bytes:
    with kiosk.get(url) as clip:
        assert clip.status_code == 200
        return clip.get_data()


def test_a_recording_is_normalised_approved_and_played_by_the_kiosk(app, db, studio):
    item, path = studio["item"], studio["path"]
    bank_clip = (BANK / "media" / path).read_bytes()
    kiosk = _kiosk_with_clip(app, db, studio["version"])
    url = _clip_url(kiosk)
    assert _fetch(kiosk, url) == bank_clip  # synthetic until a recording is approved

    # A quiet take (about -37 LUFS) with a second of silence on each side, trimmed away.
    # WebM/Opus, as browsers' MediaRecorder sends it.
    take = webm_opus(np.concatenate([silence(1), tone(4, amplitude=0.02), silence(1)]))
    response = _upload(studio["recorder"], item.id, take, start="1", end="5")
    assert response.status_code == 303, response.get_data(as_text=True)
    clip = db.scalars(sa.select(StudioClip)).one()
    assert clip.media_path == path and clip.approved_at is None
    assert clip.duration_s == pytest.approx(4.0, abs=0.05)
    stored = (Path(app.config["STORAGE_DIR"]) / clip.storage_key).read_bytes()
    samples, rate, _ = decode(stored)
    assert abs(integrated_loudness(samples, rate) - TARGET_LUFS) <= 1.0
    assert len(samples) / rate == pytest.approx(4.0, abs=0.1)
    assert _fetch(kiosk, url) == bank_clip  # not approved yet: still the bank's clip

    # The admin who recorded it cannot approve it; a second admin can.
    own = _approve(studio["recorder"], item.id, clip.id)
    assert own.status_code == 303
    db.expire_all()
    assert db.get(StudioClip, clip.id).approved_at is None
    assert _approve(studio["approver"], item.id, clip.id).status_code == 303
    db.expire_all()
    approved = db.get(StudioClip, clip.id)
    assert approved.approved_at is not None and approved.approved_by.username != ""
    assert _fetch(kiosk, url) == stored  # the human voice replaces the synthetic one

    page = studio["approver"].get("/admin/studio/").get_data(as_text=True)
    assert "mens (studio): spk-7, flemish" in page
    events = db.scalars(sa.select(AuditEvent.action).where(AuditEvent.object_type == "studio_clip"))
    assert sorted(events) == ["studio.approve", "studio.record"]


@pytest.mark.parametrize(
    ("data", "fields", "message"),
    [
        (b"this is not audio at all", {}, "geen audio"),
        (webm_opus(silence(4)), {}, "stil"),
        (webm_opus(tone(40)), {}, "te lang"),  # A2 allows 35 s
        (wav(tone(3), rate=8000), {}, "samplefrequentie"),
        (wav(tone(3)), {"start": "2", "end": "9"}, "vallen niet binnen"),
        (wav(tone(3)), {"speaker": "Jan Peeters"}, "pseudoniem"),
    ],
)
def test_a_bad_upload_is_refused_with_a_reason_and_changes_nothing(
    app, db, studio, data, fields, message
):
    response = _upload(studio["recorder"], studio["item"].id, data, **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(StudioClip)) == 0
    assert list((Path(app.config["STORAGE_DIR"])).rglob("studio/*")) == []


def test_only_admins_reach_the_studio_and_forms_need_csrf(app, db, studio):
    proctor = make_user(db, role=Role.PROCTOR)
    db.commit()
    client = app.test_client()
    login(client, proctor.username)
    item_id = studio["item"].id
    assert client.get("/admin/studio/").status_code == 403
    assert client.get(f"/admin/studio/{item_id}").status_code == 403
    token = csrf_from(client.get("/proctor/").get_data(as_text=True))
    upload = {"speaker": "spk-1", "region": "flemish", "csrf_token": token,
              "audio": (io.BytesIO(webm_opus(tone(3))), "a.webm")}  # fmt: skip
    assert client.post(f"/admin/studio/{item_id}", data=upload).status_code == 403
    anonymous = app.test_client()
    assert anonymous.get("/admin/studio/").status_code in (302, 401)
    # An admin without the form's CSRF token is refused and nothing is stored.
    upload = {
        "speaker": "spk-1",
        "region": "flemish",
        "audio": (io.BytesIO(webm_opus(tone(3))), "a.webm"),
    }
    assert studio["recorder"].post(f"/admin/studio/{item_id}", data=upload).status_code == 400
    assert db.scalar(sa.select(sa.func.count()).select_from(StudioClip)) == 0


def test_a_double_click_on_approve_makes_one_approval(app, db, studio):
    item_id = studio["item"].id
    assert _upload(studio["recorder"], item_id, wav(tone(3, 0.1))).status_code == 303
    clip_id = db.scalar(sa.select(StudioClip.id))
    third = make_user(db, role=Role.ADMIN)
    db.commit()
    clients = [studio["approver"], app.test_client()]
    login(clients[1], third.username)
    tokens = [csrf_from(c.get(f"/admin/studio/{item_id}").get_data(as_text=True)) for c in clients]

    def click(i: int):
        url = f"/admin/studio/clips/{clip_id}/approve"
        return clients[i % 2].post(url, data={"csrf_token": tokens[i % 2]})

    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = list(pool.map(click, range(4)))
    assert all(r.status_code == 303 for r in responses)
    db.expire_all()
    events = db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "studio.approve")).all()
    assert len(events) == 1
    assert db.get(StudioClip, clip_id).approved_by_id == events[0].actor_id


def test_a_live_purpose_with_synthetic_clips_is_refused_unless_allowed(app, db, tmp_path):
    allowed = app.test_cli_runner().invoke(args=["purposes", "check", "--dir", str(BANK)])
    assert allowed.exit_code == 0, allowed.output
    assert "synthetic audio: allow" in allowed.output
    refusing = create_app({**app.config, "SYNTHETIC_AUDIO": "refuse"})
    refused = refusing.test_cli_runner().invoke(args=["purposes", "check", "--dir", str(BANK)])
    assert refused.exit_code == 1
    assert "a2-luisteren-lezen: 122 of 122 clips it can deliver are not human" in refused.output


def test_bank_check_prints_the_provenance_table(app):
    result = app.test_cli_runner().invoke(args=["bank", "check", str(BANK)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    start = lines.index(next(line for line in lines if line.startswith("audio provenance")))
    rows = {line.split()[0]: line.split() for line in lines[start + 2 :] if line.strip()}
    assert rows["a2-luisteren-lezen"][1:] == ["live", "122", "0", "122", "0%"]
    assert rows["niveaubepaling"][2] == "263"  # 230 listening clips, 33 conversation turns


def test_the_proctor_page_says_synthetic_clips_are_in_use(app, db, studio):
    proctor = make_user(db, role=Role.PROCTOR)
    db.commit()
    client = app.test_client()
    login(client, proctor.username)
    page = client.get("/proctor/").get_data(as_text=True)
    assert 'data-testid="synthetic-audio-notice"' in page
    from attest.assessment.provenance import load_provenance

    synthetic = sum(p.kind == "synthetic" for p in load_provenance(BANK).values())
    assert synthetic > 200
    assert f"{synthetic} luisterfragmenten gebruiken een synthetische stem" in page


def test_studio_export_writes_approved_recordings_and_provenance_into_the_bank(
    app, db, studio, tmp_path
):
    import shutil

    from attest.assessment.provenance import load_provenance

    item_id, path = studio["item"].id, studio["path"]
    assert _upload(studio["recorder"], item_id, webm_opus(tone(3, 0.1))).status_code == 303
    pending = db.scalar(sa.select(StudioClip))
    root = tmp_path / "bank"
    shutil.copytree(BANK, root)
    cli = app.test_cli_runner()
    assert (
        "0 approved recording(s)"
        in cli.invoke(args=["bank", "studio-export", "--dir", str(root)]).output
    )
    assert load_provenance(root)[path].kind == "synthetic"  # not approved: nothing exported
    assert _approve(studio["approver"], item_id, pending.id).status_code == 303
    result = cli.invoke(args=["bank", "studio-export", "--dir", str(root)])
    assert result.exit_code == 0 and "1 approved recording(s)" in result.output
    entry = load_provenance(root)[path]
    assert (entry.kind, entry.speaker, entry.region) == ("human", "spk-7", "flemish")
    assert entry.human_approved
    stored = (Path(app.config["STORAGE_DIR"]) / pending.storage_key).read_bytes()
    assert (root / "media" / path).read_bytes() == stored
    check = cli.invoke(args=["bank", "check", str(root)])
    assert check.exit_code == 0, check.output


def test_a_kiosk_that_cached_the_synthetic_clip_gets_the_human_one_after_approval(
    app, db, studio
):
    """The kiosk revalidates every clip (no-cache + ETag): a synthetic clip cached before an
    approval is never replayed after it."""
    item = studio["item"]
    bank_clip = (BANK / "media" / studio["path"]).read_bytes()
    kiosk = _kiosk_with_clip(app, db, studio["version"])
    url = _clip_url(kiosk)
    with kiosk.get(url) as first:
        assert first.get_data() == bank_clip
        assert first.cache_control.no_cache and first.cache_control.max_age == 0
        etag = first.headers["ETag"]
    with kiosk.get(url, headers={"If-None-Match": etag}) as cached:
        assert cached.status_code == 304  # unchanged: the kiosk keeps its copy

    assert _upload(studio["recorder"], item.id, wav(tone(3, 0.1))).status_code == 303
    clip = db.scalars(sa.select(StudioClip)).one()
    assert _approve(studio["approver"], item.id, clip.id).status_code == 303
    stored = (Path(app.config["STORAGE_DIR"]) / clip.storage_key).read_bytes()
    with kiosk.get(url, headers={"If-None-Match": etag}) as after:
        assert after.status_code == 200
        assert after.get_data() == stored
        assert after.cache_control.no_cache
        human_etag = after.headers["ETag"]
    assert human_etag != etag
    with kiosk.get(url, headers={"If-None-Match": human_etag}) as again:
        assert again.status_code == 304


def test_an_interlocutor_turn_is_recorded_approved_and_played(app, db, studio):
    """The studio lists each turn of a semi-direct conversation with the words to say; an
    approved recording of a turn replaces that turn's synthetic clip at the kiosk."""
    version = db.scalar(
        sa.select(ItemVersion)
        .join(Item, sa.and_(Item.id == ItemVersion.item_id,
                            Item.current_version == ItemVersion.version))
        .where(Item.format == "speaking_conversation", Item.status == "live")
        .order_by(Item.id)
        .limit(1)
    )  # fmt: skip
    item_id, turn = version.item_id, version.content["turns"][1]
    path = version.media["turns.1.audio"]
    index = studio["recorder"].get("/admin/studio/").get_data(as_text=True)
    assert f'data-item="{item_id}" data-clip="turns.1.audio"' in index
    page = studio["recorder"].get(f"/admin/studio/{item_id}?clip=turns.1.audio")
    assert turn["say"] in page.get_data(as_text=True)
    assert studio["recorder"].get(f"/admin/studio/{item_id}?clip=turns.99.audio").status_code == 404

    form = {"csrf_token": csrf_from(page.get_data(as_text=True)), "speaker": "spk-12",
            "region": "flemish", "audio": (io.BytesIO(wav(tone(3, 0.1))), "turn.wav")}  # fmt: skip
    response = studio["recorder"].post(
        f"/admin/studio/{item_id}?clip=turns.1.audio", data=form,
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/admin/studio/{item_id}?clip=turns.1.audio")
    clip = db.scalars(sa.select(StudioClip)).one()
    assert clip.media_path == path
    approved = _approve(studio["approver"], item_id, clip.id)
    assert approved.headers["Location"].endswith("?clip=turns.1.audio")
    db.expire_all()
    assert db.get(StudioClip, clip.id).approved_at is not None

    kiosk = _kiosk_with_clip(app, db, studio["version"])  # any session makes a kiosk client
    stored = (Path(app.config["STORAGE_DIR"]) / clip.storage_key).read_bytes()
    assert _fetch(kiosk, f"/kiosk/media/{path}") == stored
    other = version.media["turns.0.audio"]
    assert _fetch(kiosk, f"/kiosk/media/{other}") == (BANK / "media" / other).read_bytes()


def _open_files() -> int:
    """How many file descriptors this process holds open (Linux)."""
    return len(os.listdir("/proc/self/fd"))


def _multipart(token: str, audio: bytes) -> tuple[bytes, str]:
    boundary = "studio-upload-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="audio"; '
        'filename="take.wav"\r\nContent-Type: audio/wav\r\n\r\n'
    )
    body = head.encode() + audio + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("page", ["item", "instructions"])
@pytest.mark.parametrize("chunked", [False, True], ids=["declared", "chunked"])
def test_a_refused_too_large_upload_leaves_no_temporary_file(
    app, studio, page, chunked, tmp_path, monkeypatch
):
    """An upload over MAX_CONTENT_LENGTH is refused (413). Declared by its Content-Length it is
    refused unread; sent chunked (no length: the server finds out while reading) the form
    parser has already spooled the first megabytes into a temporary file: it is closed with
    the request, not left open until the garbage collector finds it."""
    app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024
    url = (
        f"/admin/studio/{studio['item'].id}" if page == "item" else "/admin/studio/instructions/ti"
    )
    client = studio["recorder"]
    body, content_type = _multipart(
        csrf_from(client.get(url).get_data(as_text=True)), b"\0" * (3 << 20)
    )
    extra = (
        {
            "headers": {"Transfer-Encoding": "chunked"},
            "environ_overrides": {"wsgi.input_terminated": True},
        }
        if chunked
        else {}
    )
    temp_dir = tmp_path / "tmp"  # where the form parser spools files, this test's own
    temp_dir.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp_dir))
    gc.collect()
    gc.disable()  # a file left open must not be closed by a collection during the request
    try:
        files = _open_files()
        with client.post(
            url, input_stream=io.BytesIO(body), content_type=content_type, **extra
        ) as response:
            assert response.status_code == 413
        assert _open_files() == files
        assert list(temp_dir.iterdir()) == []
    finally:
        gc.enable()
    assert studio["recorder"].get(url).status_code == 200
