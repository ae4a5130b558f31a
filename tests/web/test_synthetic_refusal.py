"""A live test refuses what is not fit for it: with ATTEST_SYNTHETIC_AUDIO=refuse (the default)
no session is created or started for a live purpose that can deliver a clip that is not human
and approved, and the proctor is told why; with `allow` (the demo and the tests) it starts, and
the proctor page says synthetic clips are allowed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from attest.assessment.delivery import UnfitAudio, create_session
from attest.assessment.provenance import load_provenance
from attest.assessment.purposes import get_purpose
from attest.assessment.studio import unfit_clips
from attest.models import Role, SessionStatus, StudioClip, TestSession
from tests.conftest import csrf_from
from tests.factories import load_demo_bank, make_candidate, make_centre, make_kiosk, make_user
from tests.web.helpers import csrf, login

pytestmark = pytest.mark.database
PURPOSE = "a2-luisteren-lezen"


@pytest.fixture
def world(app, db):
    load_demo_bank(db)
    centre = make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    candidate = make_candidate(db, centre=centre)
    db.commit()
    client = app.test_client()
    login(client, proctor.username)
    return {"centre": centre, "proctor": proctor, "candidate": candidate, "client": client}


def _start(client, candidate):
    url = f"/proctor/candidates/{candidate.id}"
    data = {"purpose": PURPOSE, "csrf_token": csrf(client, url)}
    return client.post(f"{url}/sessions", data=data)


def _sessions(db, candidate) -> list[TestSession]:
    db.expire_all()
    return list(db.scalars(sa.select(TestSession).where(TestSession.candidate_id == candidate.id)))


def test_refusing_instance_creates_no_session_and_tells_the_proctor_why(app, db, world):
    app.config["SYNTHETIC_AUDIO"] = "refuse"
    client, candidate = world["client"], world["candidate"]
    response = _start(client, candidate)
    assert response.status_code == 303
    assert _sessions(db, candidate) == []
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Deze test kan nu niet starten" in page
    assert "geen goedgekeurde opnames van een mens" in page
    assert "audiostudio" in page
    dashboard = client.get("/proctor/").get_data(as_text=True)
    assert 'data-testid="synthetic-audio-refused"' in dashboard
    assert 'data-testid="synthetic-audio-allowed"' not in dashboard


def test_allowing_instance_starts_the_session_and_says_so(app, db, world):
    assert app.config["SYNTHETIC_AUDIO"] == "allow"  # tests/conftest.py, as `make run` does
    client, candidate = world["client"], world["candidate"]
    response = _start(client, candidate)
    assert response.status_code == 302
    assert [ts.purpose_code for ts in _sessions(db, candidate)] == [PURPOSE]
    dashboard = client.get("/proctor/").get_data(as_text=True)
    assert 'data-testid="synthetic-audio-allowed"' in dashboard
    assert "ATTEST_SYNTHETIC_AUDIO=allow" in dashboard


def test_a_kiosk_refuses_to_start_a_session_made_before_refusing(app, db, world):
    """Clips or settings may change after a session is created: the kiosk checks again, keeps
    the code unused, and the proctor's session page names the reason."""
    kiosk, token = make_kiosk(db, centre=world["centre"])
    ts, code = create_session(db, world["candidate"], PURPOSE, world["proctor"], datetime.now(UTC))
    db.commit()
    app.config["SYNTHETIC_AUDIO"] = "refuse"
    client = app.test_client()
    client.set_cookie("attest_kiosk", token)
    page = client.get("/kiosk/").get_data(as_text=True)
    refused = client.post("/kiosk/", data={"code": code, "csrf_token": csrf_from(page)})
    assert refused.status_code == 400
    assert "De test kan niet starten. Vraag hulp aan de toezichter." in refused.get_data(
        as_text=True
    )
    db.expire_all()
    ts = db.get(TestSession, ts.id)
    assert ts.status is SessionStatus.CREATED and ts.start_code_used_at is None
    proctor_page = world["client"].get(f"/proctor/sessions/{ts.id}").get_data(as_text=True)
    assert 'data-testid="unfit-audio"' in proctor_page

    app.config["SYNTHETIC_AUDIO"] = "allow"
    page = client.get("/kiosk/").get_data(as_text=True)
    started = client.post("/kiosk/", data={"code": code, "csrf_token": csrf_from(page)})
    assert started.status_code == 302
    assert 'data-testid="unfit-audio"' not in world["client"].get(
        f"/proctor/sessions/{ts.id}"
    ).get_data(as_text=True)


def test_a_purpose_whose_clips_are_all_approved_recordings_may_start(app, db, world):
    """Approved studio recordings make a live purpose fit; one clip short keeps it refused."""
    purpose = get_purpose(PURPOSE)
    provenance = load_provenance(Path(app.config["BANK_DIR"]))
    clips, unfit = unfit_clips(db, purpose, provenance)
    assert clips == len(unfit) > 100  # the shipped bank is synthetic
    recorder = make_user(db, role=Role.ADMIN)
    approver = make_user(db, role=Role.ADMIN)
    now = datetime.now(UTC)
    for n, path in enumerate(unfit):
        db.add(
            StudioClip(
                media_path=path,
                storage_key=f"studio/{n}.ogg",
                sha256="0" * 64,
                speaker="spk-1",
                region="flemish",
                duration_s=3.0,
                loudness_lufs=-23.0,
                uploaded_by_id=recorder.id,
                uploaded_at=now,
                approved_by_id=approver.id if n else None,
                approved_at=now if n else None,
            )  # fmt: skip
        )
    db.flush()
    with pytest.raises(UnfitAudio) as refused:
        create_session(
            db, world["candidate"], PURPOSE, world["proctor"], now, audio_provenance=provenance
        )
    assert refused.value.unfit == (unfit[0],)
    assert refused.value.clips == clips
    first = db.scalar(sa.select(StudioClip).where(StudioClip.media_path == unfit[0]))
    first.approved_by_id, first.approved_at = approver.id, now
    db.flush()
    ts, _code = create_session(
        db, world["candidate"], PURPOSE, world["proctor"], now, audio_provenance=provenance
    )
    assert ts.status is SessionStatus.CREATED
