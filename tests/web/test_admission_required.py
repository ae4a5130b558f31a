"""A kiosk starts a test only for an admitted candidate (the production default): the start code
of a session no proctor has admitted is refused with a message for the candidate and stays
unused; after the admission (identity document and test-day photo) the same code works."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from attest.assessment.delivery import create_session
from attest.config import DEFAULTS
from attest.models import Role, SessionStatus
from tests.factories import load_demo_bank, make_candidate, make_centre, make_kiosk, make_user
from tests.web.helpers import login
from tests.web.test_admission import admit
from tests.web.test_kiosk import enter_code, kiosk_client


@pytest.fixture
def world(app, db):
    load_demo_bank(db)
    centre = make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    cand = make_candidate(db, centre=centre)
    ts, code = create_session(db, cand, "a2-luisteren-lezen", proctor, datetime.now(UTC))
    _kiosk, token = make_kiosk(db, centre=centre)
    db.commit()
    app.config["ADMISSION"] = "required"
    return proctor, ts, code, token


def test_admission_is_required_unless_an_instance_says_otherwise():
    assert DEFAULTS["ADMISSION"] == "required"


def test_a_start_code_works_only_after_the_candidate_was_admitted(app, db, client, world):
    proctor, ts, code, token = world
    kiosk = kiosk_client(app, token)

    refused = enter_code(kiosk, code)

    assert refused.status_code == 400
    assert "nog niet toegelaten" in refused.get_data(as_text=True)
    db.refresh(ts)
    assert ts.status is SessionStatus.CREATED and ts.start_code_used_at is None

    login(client, proctor.username)
    assert admit(client, ts.id).status_code in (302, 303)
    started = enter_code(kiosk, code)

    assert started.status_code == 302
    db.refresh(ts)
    assert ts.status is SessionStatus.IN_PROGRESS


def test_an_optional_admission_lets_the_code_work_at_once(app, db, world):
    _proctor, ts, code, token = world
    app.config["ADMISSION"] = "optional"
    assert enter_code(kiosk_client(app, token), code).status_code == 302
