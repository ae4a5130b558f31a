"""The adaptive engine's log is stored apart from the state written per answer: one
`section_log` row per answer (migration 0034), so an answer never rewrites a log that grows.
What a reader sees is unchanged: `SectionAttempt.state["log"]` is the whole log, complete and
in the order of the answers, after any number of answers, after the kiosk resumes, and for a
session that kept its log in the state before the migration."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest import engine as dbmod
from attest.assessment.delivery import create_session
from attest.migrate import alembic_config, current_revision, upgrade
from attest.models import Role, SectionAttempt, SectionLogEntry, SessionItem
from tests.conftest import csrf_from
from tests.factories import load_demo_bank, make_candidate, make_centre, make_kiosk, make_user
from tests.format_answers import correct_answer, wrong_answer
from tests.web.helpers import start_at_kiosk

PURPOSE = "niveaubepaling-luisteren-lezen"  # listening first, adaptive


def _start(app, db):
    load_demo_bank(db)
    centre = make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    _kiosk, token = make_kiosk(db, centre=centre)
    ts, code = create_session(
        db, make_candidate(db, centre=centre), PURPOSE, proctor, datetime.now(UTC)
    )
    db.commit()
    return ts.id, token, start_at_kiosk(app, token, code)


def _item_at(db, session_id: int, url: str) -> SessionItem:
    return db.scalar(
        sa.select(SessionItem).where(
            SessionItem.session_id == session_id,
            SessionItem.position == int(url.rsplit("/", 1)[1]),
        )
    )


def _answer(client, db, session_id: int, count: int, ability: float = 0.3) -> list[str]:
    """Answer at least `count` listening items at the kiosk, and a testlet begun to its end
    (the engine takes a testlet in once whole); return the ids of the items answered."""
    answered: list[str] = []
    testlet = None
    url = client.get("/kiosk/resume").headers["Location"]
    while len(answered) < count or (
        testlet and _item_at(db, session_id, url).item_version.item.testlet_id == testlet
    ):
        assert "/kiosk/item/" in url, url
        page = client.get(url).get_data(as_text=True)
        item = _item_at(db, session_id, url)
        testlet = item.item_version.item.testlet_id
        assert item.skill == "listening"
        version = item.item_version
        build = correct_answer if version.difficulty < ability else wrong_answer
        fields = build(version.format, version.content)
        response = client.post(url, data={**fields, "csrf_token": csrf_from(page)})
        assert response.status_code == 302, response.get_data(as_text=True)[-500:]
        if not item.is_pilot:
            answered.append(version.item_id)
        url = response.headers["Location"]
    return answered


def _attempt(db, session_id: int) -> SectionAttempt:
    db.expire_all()
    return db.scalar(
        sa.select(SectionAttempt).where(
            SectionAttempt.session_id == session_id, SectionAttempt.skill == "listening"
        )
    )


def _logged(attempt: SectionAttempt) -> list[str]:
    return [part for e in attempt.state["log"] for part in (e["parts"] or [e["item"]])]


def test_each_answer_adds_one_log_row_and_the_log_reads_complete_and_in_order(app, db):
    session_id, _token, client = _start(app, db)
    answered = _answer(client, db, session_id, 3)
    attempt = _attempt(db, session_id)
    assert _logged(attempt) == answered
    steps = [e["step"] for e in attempt.state["log"]]
    assert steps == list(range(1, len(steps) + 1))
    assert attempt.stored_state["log"] == []  # the state written per answer keeps no log
    rows = db.scalar(sa.select(sa.func.count()).where(SectionLogEntry.attempt_id == attempt.id))
    assert rows == len(attempt.state["items"])

    answered += _answer(client, db, session_id, 3)
    attempt = _attempt(db, session_id)
    assert _logged(attempt) == answered
    assert attempt.stored_state["log"] == []
    assert [e["theta"] for e in attempt.state["log"]][-1] == attempt.state["theta"]


def test_the_log_goes_on_in_order_after_the_kiosk_resumes(app, db):
    session_id, token, client = _start(app, db)
    answered = _answer(client, db, session_id, 3)
    # the kiosk's browser is gone (a crash, a new tab): a new one resumes with the session
    resumed = app.test_client()
    resumed.set_cookie("attest_kiosk", token)
    for cookie in client._cookies.values():
        resumed.set_cookie(cookie.key, cookie.value)
    answered += _answer(resumed, db, session_id, 3)
    assert _logged(_attempt(db, session_id)) == answered


def test_a_session_that_kept_its_log_in_the_state_reads_and_goes_on(app, db):
    """A section begun before migration 0034 kept its log in the state: it still reads whole,
    and answers after the upgrade follow it in order."""
    session_id, _token, client = _start(app, db)
    answered = _answer(client, db, session_id, 3)
    attempt = _attempt(db, session_id)
    old = attempt.state["log"]
    db.execute(sa.delete(SectionLogEntry).where(SectionLogEntry.attempt_id == attempt.id))
    attempt.stored_state = {**attempt.stored_state, "log": old}  # as it was stored before
    db.commit()
    attempt = _attempt(db, session_id)
    assert _logged(attempt) == answered

    answered += _answer(client, db, session_id, 2)
    attempt = _attempt(db, session_id)
    assert _logged(attempt) == answered
    assert attempt.stored_state["log"] == old  # left as it was, not copied per answer
    steps = [e["step"] for e in attempt.state["log"]]
    assert steps == list(range(1, len(steps) + 1))


def test_the_migration_moves_kept_logs_to_rows_and_back(app, db, tmp_path):
    """Migration 0034 moves each log kept in a state to its rows (the state keeps an empty
    log) and its downgrade folds them back; what SectionAttempt.state reads is the same."""
    from alembic import command

    session_id, _token, client = _start(app, db)
    _answer(client, db, session_id, 3)
    attempt = _attempt(db, session_id)
    log = attempt.state["log"]
    stored = {**attempt.stored_state, "log": log}  # the state as stored before 0034
    assert len(log) >= 2

    engine = dbmod.make_engine(f"sqlite:///{tmp_path / 'before-0034.sqlite3'}")
    upgrade(engine)
    head = current_revision(engine)
    with so.Session(engine) as session:
        centre = make_centre(session)
        proctor = make_user(session, role=Role.PROCTOR, centre=centre)
        ts, _code = create_session(
            session, make_candidate(session, centre=centre), PURPOSE, proctor, datetime.now(UTC)
        )
        session.add(SectionAttempt(session_id=ts.id, skill="listening", stored_state={}))
        session.commit()
        attempt_id = session.scalar(sa.select(SectionAttempt.id))
    command.downgrade(alembic_config(engine), "0030")
    with engine.begin() as conn:  # the section as stored before 0034: its log in the state
        conn.execute(
            sa.text("UPDATE section_attempt SET state = :state WHERE id = :id"),
            {"state": json.dumps(stored), "id": attempt_id},
        )
    upgrade(engine, head)
    with so.Session(engine) as session:
        moved = session.get(SectionAttempt, attempt_id)
        assert moved.stored_state["log"] == []
        assert moved.state["log"] == log
        assert moved.state == stored
    command.downgrade(alembic_config(engine), "0030")
    with engine.connect() as conn:
        state = conn.execute(
            sa.text("SELECT state FROM section_attempt WHERE id = :id"), {"id": attempt_id}
        ).scalar()
    assert json.loads(state) == stored
    engine.dispose()
