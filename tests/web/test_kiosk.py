"""Kiosk start: registered kiosks only; start codes expire, work once, belong to one centre."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from attest.assessment.delivery import create_session
from attest.models import Response, Role, SessionStatus, TestSession
from tests.conftest import csrf_from
from tests.factories import load_demo_bank, make_candidate, make_centre, make_kiosk, make_user
from tests.web.helpers import pass_sound_check

COOKIE = "attest_kiosk"


@pytest.fixture
def setup(app, db, now):
    load_demo_bank(db)
    centre = make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    cand = make_candidate(db, centre=centre)
    ts, code = create_session(db, cand, "a2-luisteren-lezen", proctor, now)
    kiosk, token = make_kiosk(db, centre=centre)
    db.commit()
    return {"centre": centre, "session": ts, "code": code, "token": token, "proctor": proctor}


def kiosk_client(app, token: str | None):
    client = app.test_client()
    if token:
        client.set_cookie(COOKIE, token)
    return client


def enter_code(client, code: str):
    token = csrf_from(client.get("/kiosk/").get_data(as_text=True))
    return client.post("/kiosk/", data={"code": code, "csrf_token": token})


def test_unregistered_browser_cannot_start_a_test(app, setup):
    for token in (None, "forged-token"):
        client = kiosk_client(app, token)
        response = client.get("/kiosk/")
        assert response.status_code == 403
        assert client.post("/kiosk/", data={"code": setup["code"]}).status_code in (400, 403)
        token = csrf_from(app.test_client().get("/login").get_data(as_text=True))
        assert client.post(
            "/kiosk/", data={"code": setup["code"], "csrf_token": token}
        ).status_code in (400, 403)
    assert setup["session"].status is SessionStatus.CREATED


def test_code_starts_the_session_once_typed_in_any_case(app, db, setup):
    client = kiosk_client(app, setup["token"])
    response = enter_code(client, setup["code"].lower().replace("-", " "))
    assert response.status_code == 302 and response.headers["Location"].endswith("/kiosk/language")
    ts = db.get(TestSession, setup["session"].id)
    db.refresh(ts)
    assert ts.status is SessionStatus.IN_PROGRESS and ts.items


def test_used_code_is_refused(app, setup):
    enter_code(kiosk_client(app, setup["token"]), setup["code"])
    again = enter_code(kiosk_client(app, setup["token"]), setup["code"])
    assert again.status_code == 400
    assert "al gebruikt" in again.get_data(as_text=True)


def test_expired_code_is_refused(app, db, setup, now):
    ts = db.get(TestSession, setup["session"].id)
    ts.start_code_expires_at = now - timedelta(seconds=1)
    db.commit()
    response = enter_code(kiosk_client(app, setup["token"]), setup["code"])
    assert response.status_code == 400
    assert "verlopen" in response.get_data(as_text=True)
    db.refresh(ts)
    assert ts.status is SessionStatus.CREATED


def test_code_of_another_centre_is_unknown_at_this_kiosk(app, db, setup):
    _kiosk, other_token = make_kiosk(db, centre=make_centre(db))
    db.commit()
    response = enter_code(kiosk_client(app, other_token), setup["code"])
    assert response.status_code == 400
    assert "niet bekend" in response.get_data(as_text=True)


@pytest.mark.parametrize("code", ["", "AAAA", "ABCD-EFGH", "' OR 1=1 --", "X" * 500])
def test_malformed_codes_are_refused(app, setup, code):
    response = enter_code(kiosk_client(app, setup["token"]), code)
    assert response.status_code == 400


def test_answers_are_stored_once_per_item(app, db, setup):
    client = kiosk_client(app, setup["token"])
    enter_code(client, setup["code"])
    token = csrf_from(client.get("/kiosk/language").get_data(as_text=True))
    client.post("/kiosk/language", data={"language": "en", "csrf_token": token})
    assert client.get("/kiosk/item/1").headers["Location"].startswith("/kiosk/sound-check")
    pass_sound_check(client)
    page = client.get("/kiosk/item/1").get_data(as_text=True)
    assert "Question 1 of" in page  # instructions follow the chosen language
    ts = db.get(TestSession, setup["session"].id)
    first = ts.items[0].item_version
    answer = answer_for(first)
    for _ in range(2):
        response = client.post("/kiosk/item/1", data={**answer, "csrf_token": csrf_from(page)})
        assert response.status_code == 302
    assert db.scalar(sa.select(sa.func.count()).select_from(Response)) == 1
    nothing = client.post("/kiosk/item/2", data={"csrf_token": csrf_from(page)})
    assert nothing.status_code == 400  # no answer chosen: the candidate is asked to choose


def answer_for(version) -> dict:
    from tests.format_answers import correct_answer

    return correct_answer(version.format, version.content)


@pytest.mark.parametrize(
    "purpose,label",
    [
        ("a2-volledig", "Vraag 1 van {total}"),  # fixed length; only the tasks are targeted
        ("a2-luisteren-lezen-adaptief", "Vraag 1 (hoogstens {total})"),  # stops when clear
    ],
)
def test_the_progress_label_says_at_most_only_when_the_length_can_change(
    app, db, now, purpose, label
):
    from attest.assessment.delivery import item_outline, maximum_length
    from attest.assessment.purposes import get_purpose

    load_demo_bank(db)
    centre = make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    ts, code = create_session(db, make_candidate(db, centre=centre), purpose, proctor, now)
    _kiosk, token = make_kiosk(db, centre=centre)
    db.commit()
    client = kiosk_client(app, token)
    enter_code(client, code)
    csrf = csrf_from(client.get("/kiosk/language").get_data(as_text=True))
    client.post("/kiosk/language", data={"language": "nl", "csrf_token": csrf})
    client.get("/kiosk/item/1")
    pass_sound_check(client)
    page = client.get("/kiosk/item/1").get_data(as_text=True)
    spec = get_purpose(purpose)
    started = db.get(TestSession, ts.id)
    planned = len(started.items)
    total = maximum_length(spec, item_outline(db, started))
    assert label.format(total=total) in page
    if not spec.has_variable_length:  # the count shown is the count the candidate will answer:
        # every fixed question is planned at the start, the targeted tasks come on top
        assert total == planned + sum(s.tasks for s in spec.sections if s.is_targeted)
