"""Requests that read, decide and write, sent at the same moment (a double-click, two people at
once): the database's constraints and row locks let one decide after the other, so nothing is
done twice and nobody gets a server error (issue 14; docs/architecture.md, Concurrency).

Each test fires its requests from threads released together, each with its own test client,
on whichever database the suite runs (SQLite, or PostgreSQL with ATTEST_TEST_DATABASE_URL)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from attest.assessment import delivery
from attest.assessment.delivery import create_session
from attest.certificates import issuing
from attest.certificates.key_service import init_keys
from attest.certificates.revocation import revoke_attestation
from attest.models import (
    AnswerReceipt,
    Attestation,
    AttestationStatus,
    AuditEvent,
    Response,
    Role,
    SessionItem,
    TestSession,
)
from attest.storage import storage_for
from tests.conftest import csrf_from
from tests.factories import (
    copy_attestation,
    load_demo_bank,
    make_attestation,
    make_candidate,
    make_centre,
    make_completed_session,
    make_kiosk,
    make_user,
)
from tests.format_answers import correct_answer
from tests.web.helpers import login, slow_down, start_at_kiosk, together, twin


def _count(db, query) -> int:
    db.expire_all()
    return db.scalar(sa.select(sa.func.count()).select_from(query.subquery()))


def _events(db, action: str) -> int:
    return _count(db, sa.select(AuditEvent.id).where(AuditEvent.action == action))


def test_a_double_click_on_issue_gives_one_attestation(app, db, keys_dir, now):
    centre = make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    init_keys(db, keys_dir, now, demo=True, public_url=app.config["PUBLIC_URL"])
    ts = make_completed_session(db, candidate=make_candidate(db, centre=centre))
    db.commit()
    first = app.test_client()
    login(first, proctor.username)
    page = first.get(f"/proctor/sessions/{ts.id}").get_data(as_text=True)
    url, form = f"/proctor/sessions/{ts.id}/attestation", {"csrf_token": csrf_from(page)}
    clients = [first] + [twin(app, first) for _ in range(3)]  # one browser, four clicks

    answers = together([lambda c=c: c.post(url, data=form) for c in clients])

    assert [a.status_code for a in answers] == [302] * 4  # each answered with the one issued
    assert all(a.headers["Location"].endswith(f"/proctor/sessions/{ts.id}") for a in answers)
    issued = db.scalars(sa.select(Attestation).where(Attestation.session_id == ts.id)).all()
    assert len(issued) == 1 and issued[0].status is AttestationStatus.VALID
    assert _events(db, "attestation.issue") == 1
    stored = list((storage_for(app.config).root / "attestations").rglob("*.pdf"))
    assert [p.name for p in stored] == [f"{issued[0].code}.pdf"]


def test_the_database_refuses_a_second_current_attestation(app, db):
    att = make_attestation(db, app.config)
    db.commit()
    with pytest.raises(sa.exc.IntegrityError):
        copy_attestation(db, att, 1)
    db.rollback()
    att = db.get(Attestation, att.id)
    att.status = AttestationStatus.SUPERSEDED  # a superseded one may sit beside the current
    db.flush()
    copy_attestation(db, att, 2)
    db.rollback()


def test_a_status_list_index_taken_meanwhile_is_drawn_again(app, db, monkeypatch):
    taken = make_attestation(db, app.config)
    centre = db.get(TestSession, taken.session_id).centre
    ts = make_completed_session(db, candidate=make_candidate(db, centre=centre))
    db.commit()
    drawn = iter([taken.status_index, taken.status_index + 1])
    # as if another transaction had taken the index between the check and the insert
    monkeypatch.setattr(issuing, "free_status_index", lambda _session: next(drawn))

    att = issuing.issue_attestation(db, ts, make_user(db, centre=centre), datetime.now(UTC),
                                    issuing.issuer_of(app))  # fmt: skip
    db.commit()
    assert att.status_index == taken.status_index + 1
    assert _events(db, "attestation.issue") == 2


def test_two_revocations_at_once_revoke_once(app, db):
    att = make_attestation(db, app.config)
    admin = make_user(db, role=Role.ADMIN)
    db.commit()
    first = app.test_client()
    login(first, admin.username)
    url = f"/admin/attestations/{att.id}"
    form = {"csrf_token": csrf_from(first.get(url).get_data(as_text=True)), "reason": "error"}
    second = twin(app, first)

    answers = together([lambda c=c: c.post(url, data=form) for c in (first, second)])

    assert sorted(a.status_code for a in answers) == [302, 422]  # the second finds it revoked
    assert _events(db, "attestation.revoke") == 1
    assert db.get(Attestation, att.id).status is AttestationStatus.REVOKED


@pytest.fixture
def kiosk_session(app, db, now):
    load_demo_bank(db)
    centre = make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    ts, code = create_session(
        db, make_candidate(db, centre=centre), "a2-luisteren-lezen", proctor, now
    )
    tokens = [make_kiosk(db, centre=centre)[1] for _ in range(2)]
    db.commit()
    return ts.id, code, tokens


def test_a_start_code_entered_on_two_kiosks_at_once_starts_one(app, db, kiosk_session):
    ts_id, code, tokens = kiosk_session
    kiosks = []
    for token in tokens:
        kiosk = app.test_client()
        kiosk.set_cookie("attest_kiosk", token)
        form = {"code": code, "csrf_token": csrf_from(kiosk.get("/kiosk/").get_data(as_text=True))}
        kiosks.append((kiosk, form))

    answers = together([lambda k=k, f=f: k.post("/kiosk/", data=f) for k, f in kiosks])

    assert sorted(a.status_code for a in answers) == [302, 400]
    assert _events(db, "session.start") == 1
    ts = db.get(TestSession, ts_id)
    winner = [a.status_code for a in answers].index(302)
    assert ts.kiosk_id is not None and ts.start_code_used_at is not None
    assert _count(db, sa.select(SessionItem.id).where(SessionItem.session_id == ts_id)) == len(
        ts.items
    )
    assert "gebruikt" in answers[1 - winner].get_data(as_text=True)


def test_two_first_answers_to_one_item_at_once_are_both_kept_once(
    app, db, kiosk_session, monkeypatch
):
    """A kiosk replaying its queue sends an item's answer under two keys at once: both are
    acknowledged, one response row holds the answer."""
    ts_id, code, tokens = kiosk_session
    slow_down(monkeypatch, delivery, "get_format")  # both requests inside the window at once
    kiosk = start_at_kiosk(app, tokens[0], code)
    other = twin(app, kiosk)
    item = db.scalar(
        sa.select(SessionItem).where(SessionItem.session_id == ts_id, SessionItem.position == 1)
    )
    answer = correct_answer(item.item_version.format, item.item_version.content)
    page = kiosk.get("/kiosk/item/1").get_data(as_text=True)
    forms = [{**answer, "csrf_token": csrf_from(page), "answer_key": f"answer-key-{k:012d}"}
             for k in range(2)]  # fmt: skip

    pairs = zip((kiosk, other), forms, strict=True)
    answers = together([lambda c=c, f=f: c.post("/kiosk/item/1", data=f) for c, f in pairs])

    assert [a.status_code for a in answers] == [302, 302]
    assert _count(db, sa.select(Response.id).where(Response.session_item_id == item.id)) == 1
    receipts = sa.select(AnswerReceipt.key).where(AnswerReceipt.session_item_id == item.id)
    assert _count(db, receipts) == 2


def test_issuing_again_after_a_revocation_is_refused_not_answered_with_it(app, db, now):
    centre = make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    att = make_attestation(db, app.config, centre=centre, actor=proctor)
    revoke_attestation(db, att, None, "error", now, now)
    db.commit()
    client = app.test_client()
    login(client, proctor.username)
    page = client.get(f"/proctor/sessions/{att.session_id}").get_data(as_text=True)
    answer = client.post(
        f"/proctor/sessions/{att.session_id}/attestation",
        data={"csrf_token": csrf_from(page)},
        follow_redirects=True,
    )
    assert "voor deze test is al een attest uitgereikt" in answer.get_data(as_text=True)
    issued = sa.select(Attestation.id).where(Attestation.session_id == att.session_id)
    assert _count(db, issued) == 1
