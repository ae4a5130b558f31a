"""The audio studio records the kiosk's spoken instructions per language: the admin sees the
text in that language, records or uploads (the instructions' own length limit, not an item's),
a second admin approves, the kiosk plays the recording, the languages page shows its provenance,
and the export writes it over the language's file (no longer listed as synthetic)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from attest.assessment.delivery import create_session
from attest.assessment.instruction_audio import MANIFEST
from attest.assessment.studio import INSTRUCTIONS_MAX_SECONDS, export_instructions
from attest.assessment.studio_audio import StudioAudioError, prepare_clip
from attest.models import Role, StudioClip
from attest.storage import storage_for
from tests.audio_samples import tone, webm_opus
from tests.conftest import csrf_from
from tests.factories import load_demo_bank, make_candidate, make_centre, make_kiosk, make_user
from tests.web.helpers import login, start_at_kiosk

pytestmark = pytest.mark.database
URL = "/admin/studio/instructions/ti"


@pytest.fixture
def admins(app, db):
    recorder, approver = make_user(db, role=Role.ADMIN), make_user(db, role=Role.ADMIN)
    db.commit()
    first, second = app.test_client(), app.test_client()
    login(first, recorder.username)
    login(second, approver.username)
    return first, second


def _upload(client, data: bytes):
    page = client.get(URL).get_data(as_text=True)
    form = {"csrf_token": csrf_from(page), "speaker": "spk-3", "region": "flemish",
            "audio": (io.BytesIO(data), "ti.wav")}  # fmt: skip
    with client.post(URL, data=form, content_type="multipart/form-data") as response:
        return response


def test_spoken_instructions_are_recorded_approved_played_and_exported(app, db, admins, tmp_path):
    recorder, approver = admins
    page = recorder.get(URL).get_data(as_text=True)
    assert 'lang="ti"' in page and "ትግርኛ" in page  # the text to speak, in Tigrinya
    assert recorder.get("/admin/studio/instructions/xx").status_code == 404

    # 40 s: too long for an A2 listening clip (35 s), fine for the instructions (300 s)
    assert _upload(recorder, webm_opus(tone(40, 0.1))).status_code == 303
    clip = db.scalars(sa.select(StudioClip)).one()
    assert clip.media_path == "instructions/ti.ogg" and clip.duration_s == pytest.approx(40, 0.1)
    with pytest.raises(StudioAudioError, match="at most 300 s"):
        prepare_clip(webm_opus(tone(301, 0.1)), None, max_seconds=INSTRUCTIONS_MAX_SECONDS)

    languages = approver.get("/admin/kiosk-languages").get_data(as_text=True)
    assert 'data-language="ti" data-provenance="none"' in languages
    approve_page = approver.get(URL).get_data(as_text=True)
    approved = approver.post(
        f"/admin/studio/clips/{clip.id}/approve", data={"csrf_token": csrf_from(approve_page)}
    )
    assert approved.status_code == 303 and approved.headers["Location"].endswith(URL)
    languages = approver.get("/admin/kiosk-languages").get_data(as_text=True)
    assert 'data-language="ti" data-provenance="human"' in languages
    assert "studio: spk-3, flemish" in languages

    load_demo_bank(db)
    centre = make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    _kiosk, token = make_kiosk(db, centre=centre)
    candidate = make_candidate(db, centre=centre)
    _ts, code = create_session(db, candidate, "a2-luisteren-lezen", proctor, datetime.now(UTC))
    db.commit()
    kiosk = start_at_kiosk(app, token, code, language="ti")
    instructions = kiosk.get("/kiosk/instructions").get_data(as_text=True)
    assert 'src="/kiosk/media/instructions/ti.ogg"' in instructions
    stored = storage_for(app.config).get(db.get(StudioClip, clip.id).storage_key)
    with kiosk.get("/kiosk/media/instructions/ti.ogg") as played:
        assert played.status_code == 200 and played.get_data() == stored

    out = tmp_path / "instructions"
    out.mkdir()
    (out / MANIFEST).write_text(json.dumps({"ti": "synthetic-digest", "nl": "kept"}))
    written = export_instructions(db, storage_for(app.config), out)
    assert [(code, source.speaker) for code, source in written] == [("ti", "spk-3")]
    assert (out / "ti.ogg").read_bytes() == stored
    assert json.loads((out / MANIFEST).read_text()) == {"nl": "kept"}  # ti now counts as human


def test_a_proctor_cannot_reach_the_instructions_studio(app, db):
    proctor = make_user(db, role=Role.PROCTOR)
    db.commit()
    client = app.test_client()
    login(client, proctor.username)
    assert client.get(URL).status_code == 403
    assert not Path(app.config["STORAGE_DIR"], "studio").exists()
