"""Retake rules at session start, fees recorded, and one person one candidate record."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import format_date

from attest.models import AuditEvent, Candidate, Role, SessionStatus, TestSession
from attest.proctor import retakes
from tests.factories import make_candidate, make_centre, make_user
from tests.web.helpers import csrf, login, slow_down, together

PURPOSE = "a2-mondeling"  # 90 days between attempts, 3 per 12 months (retake_rules.yaml)


@pytest.fixture
def centre(db):
    return make_centre(db)


def _as(client, db, centre, role: Role):
    user = make_user(db, role=role, centre=centre)
    db.commit()
    login(client, user.username)
    return user


def _attempt(db, cand, days_ago: int, purpose: str = PURPOSE) -> TestSession:
    started = datetime.now(UTC) - timedelta(days=days_ago)
    ts = TestSession(
        candidate_id=cand.id,
        centre_id=cand.centre_id,
        purpose_code=purpose,
        status=SessionStatus.COMPLETED,
        started_at=started,
        completed_at=started,
    )
    db.add(ts)
    db.commit()
    return ts


def _start(client, cand, **extra):
    url = f"/proctor/candidates/{cand.id}"
    data = {"purpose": PURPOSE, "csrf_token": csrf(client, url)} | extra
    return client.post(f"{url}/sessions", data=data)


def _sessions(db, cand) -> list[TestSession]:
    db.expire_all()
    return list(
        db.scalars(sa.select(TestSession).where(TestSession.candidate_id == cand.id).order_by("id"))
    )


def test_a_retake_within_the_waiting_time_is_refused_with_the_next_allowed_day(
    app, db, client, centre
):
    _as(client, db, centre, Role.PROCTOR)
    cand = make_candidate(db, centre=centre)
    _attempt(db, cand, days_ago=10)
    response = _start(client, cand, exception_reason="the candidate insists")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    with app.test_request_context():
        next_day = format_date(datetime.now(UTC).date() + timedelta(days=80))
    assert f"kan pas vanaf {next_day}" in page and "minstens 90 dagen" in page
    assert len(_sessions(db, cand)) == 1  # nothing created; a proctor cannot make exceptions


def test_another_purpose_or_an_attempt_long_ago_does_not_count(db, client, centre):
    _as(client, db, centre, Role.PROCTOR)
    cand = make_candidate(db, centre=centre)
    _attempt(db, cand, days_ago=10, purpose="a2-volledig")
    _attempt(db, cand, days_ago=400)
    assert _start(client, cand, is_fee_paid="y").status_code == 302
    new = _sessions(db, cand)[-1]
    assert new.purpose_code == PURPOSE and new.is_fee_paid and new.fee_cents == 0


def test_the_yearly_maximum_refuses_until_the_oldest_attempt_leaves_the_12_months(
    app, db, client, centre
):
    _as(client, db, centre, Role.PROCTOR)
    cand = make_candidate(db, centre=centre)
    for days_ago in (300, 200, 100):
        _attempt(db, cand, days_ago=days_ago)
    page = client.get(_start(client, cand).headers["Location"]).get_data(as_text=True)
    with app.test_request_context():
        next_day = format_date(datetime.now(UTC).date() + timedelta(days=65))
    assert f"kan pas vanaf {next_day}: hoogstens 3 pogingen per 12 maanden" in page


def test_an_admin_allows_a_forbidden_retake_only_with_a_reason_and_it_is_audited(
    db, client, centre
):
    admin = _as(client, db, centre, Role.ADMIN)
    cand = make_candidate(db, centre=centre)
    _attempt(db, cand, days_ago=10)
    assert _start(client, cand, exception_reason="   ").status_code == 303
    assert len(_sessions(db, cand)) == 1
    assert _start(client, cand, exception_reason="Kiosk viel uit, ziekte").status_code == 302
    new = _sessions(db, cand)[-1]
    assert new.retake_exception_reason == "Kiosk viel uit, ziekte"
    assert new.retake_exception_by_id == admin.id
    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "session.retake_exception"))
    assert event is not None and "Kiosk" not in str(event.detail)


@pytest.mark.parametrize(
    "purpose, starts, allowed",
    [
        (PURPOSE, 3, 1),  # 90 days between attempts: one of three colleagues starts it
        ("niveaubepaling", 6, 4),  # no waiting time, 4 per 12 months
    ],
)
def test_concurrent_starts_for_one_candidate_start_only_what_the_rules_allow(
    app, db, centre, monkeypatch, purpose, starts, allowed
):
    """Proctors starting a session for one candidate at the same moment (each a browser, a
    thread and a database session of its own): the candidate's row lock makes each count the
    attempts the others made (a session waiting for its start code counts), so no more sessions
    are created than the rules allow; the others are refused with the next allowed day."""
    cand = make_candidate(db, centre=centre)
    posts = []
    for _ in range(starts):
        proctor = app.test_client()
        _as(proctor, db, centre, Role.PROCTOR)
        url = f"/proctor/candidates/{cand.id}"
        data = {"purpose": purpose, "csrf_token": csrf(proctor, url)}
        posts.append(
            lambda proctor=proctor, url=url, data=data: proctor.post(f"{url}/sessions", data=data)
        )
    # every request waits between its count and its insert: without the lock all would pass
    slow_down(monkeypatch, retakes, "create_session")

    answers = together(posts)

    assert sorted(a.status_code for a in answers) == [302] * allowed + [303] * (starts - allowed)
    assert len(_sessions(db, cand)) == allowed


# ---------------------------------------------------------------- one person, one record


def _register(client, **overrides):
    data = {
        "family_name": "Öztürk",
        "given_names": "Çağrı",
        "birth_date": "1985-07-30",
        "insz": "",
        "id_document_type": "passport",
        "id_document_number": "EL123456",
        "csrf_token": csrf(client, "/proctor/candidates/new"),
    } | overrides
    return client.post("/proctor/candidates/new", data=data)


def _count(db) -> int:
    return db.scalar(sa.select(sa.func.count()).select_from(Candidate))


def test_the_same_insz_proposes_the_existing_record_and_stores_nothing(db, client, centre):
    _as(client, db, centre, Role.PROCTOR)
    first = make_candidate(db, centre=centre, birth_date=date(1985, 7, 30), insz="85073003328")
    db.commit()
    response = _register(client, family_name="Ozturk", insz="85.07.30-033.28", is_new_person="y")
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "rijksregisternummer" in html
    assert f"/proctor/candidates/{first.id}" in html and 'name="is_new_person"' not in html
    assert _count(db) == 1


def test_the_same_insz_in_another_centre_is_refused_without_revealing_it(db, client, centre):
    _as(client, db, centre, Role.PROCTOR)
    other = make_candidate(
        db, centre=make_centre(db), family_name="Peeters", given_names="An",
        birth_date=date(1985, 7, 30), insz="85073003328",
    )  # fmt: skip
    db.commit()
    html = _register(client, insz="85073003328").get_data(as_text=True)
    assert "ander centrum" in html and f"/proctor/candidates/{other.id}" not in html
    assert "Peeters" not in html and _count(db) == 1


def test_the_same_name_and_birth_date_is_proposed_and_a_namesake_can_be_confirmed(
    db, client, centre
):
    _as(client, db, centre, Role.PROCTOR)
    first = make_candidate(db, centre=centre, birth_date=date(1985, 7, 30))  # Öztürk, Çağrı
    db.commit()
    response = _register(client, family_name="OZTURK", given_names="cagri")  # typed plainly
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "dezelfde persoon" in html
    assert f"/proctor/candidates/{first.id}" in html and 'name="is_new_person"' in html
    assert _count(db) == 1
    confirmed = _register(client, family_name="OZTURK", given_names="cagri", is_new_person="y")
    assert confirmed.status_code == 302 and _count(db) == 2
    assert re.search(r"/proctor/candidates/\d+$", confirmed.headers["Location"])


def test_another_birth_date_is_another_person(db, client, centre):
    _as(client, db, centre, Role.PROCTOR)
    make_candidate(db, centre=centre, birth_date=date(1985, 7, 30))
    db.commit()
    assert _register(client, birth_date="1986-07-30").status_code == 302
