"""The audit trail is hash-chained; `attest audit verify` finds altered, removed and reordered
entries and names the row; logins and account changes are recorded without personal data."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from attest.audit import record_event
from attest.auth.services import change_role
from attest.models import AuditChainHead, AuditEvent, Role
from tests.factories import PASSWORD, make_centre, make_user
from tests.web.helpers import login


def _events(db, n: int = 5) -> list[AuditEvent]:
    events = [record_event(db, None, "test.event", "thing", k, n=k) for k in range(n)]
    db.commit()
    return events


def _tamper(db, statement: str, **params) -> None:
    """Change rows behind the application's back (as an attacker with database access would)."""
    if db.bind.dialect.name == "postgresql":
        db.execute(sa.text("SET LOCAL session_replication_role = replica"))  # skip the trigger
    db.execute(sa.text(statement), params)
    db.commit()


def _test_actions(db) -> list[str]:
    """The actions of the events these tests recorded ("test.*"), in chain order."""
    query = sa.select(AuditEvent.action).where(AuditEvent.action.like("test.%"))
    return list(db.scalars(query.order_by(AuditEvent.seq)))


def _verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def test_an_untouched_trail_verifies(app, db):
    _events(db)
    result = _verify(app)
    assert result.exit_code == 0, result.output
    assert "intact: 5 entries" in result.output
    seqs = db.scalars(sa.select(AuditEvent.seq).order_by(AuditEvent.id)).all()
    assert seqs == [1, 2, 3, 4, 5]
    assert db.get(AuditChainHead, 1).seq == 5


def test_an_altered_entry_is_found_and_located(app, db):
    events = _events(db)
    _tamper(db, "UPDATE audit_event SET object_id = 'forged' WHERE id = :id", id=events[2].id)
    result = _verify(app)
    assert result.exit_code == 1
    assert f"row id={events[2].id} seq=3: altered" in result.output


def test_a_removed_entry_is_found_and_located(app, db):
    events = _events(db)
    _tamper(db, "DELETE FROM audit_event WHERE id = :id", id=events[1].id)
    result = _verify(app)
    assert result.exit_code == 1
    assert f"row id={events[2].id} seq=3: removed: entry seq 2 is missing" in result.output


def test_the_last_entry_removed_is_found(app, db):
    events = _events(db)
    _tamper(db, "DELETE FROM audit_event WHERE id = :id", id=events[-1].id)
    result = _verify(app)
    assert result.exit_code == 1
    assert "chain head is at seq 5 but the last entry is seq 4" in result.output


def test_reordered_entries_are_found_and_located(app, db):
    events = _events(db)
    a, b = ((e.id, e.seq, e.prev_hash, e.hash) for e in (events[1], events[3]))
    # Swap the contents of two rows (sequence and hashes travel with them).
    _tamper(db, "UPDATE audit_event SET seq = -1 WHERE id = :id", id=a[0])
    for (row_id, *_), (_id, seq, prev, digest) in ((b, a), (a, b)):
        _tamper(
            db,
            "UPDATE audit_event SET seq = :s, prev_hash = :p, hash = :h WHERE id = :id",
            s=seq,
            p=prev,
            h=digest,
            id=row_id,
        )
    result = _verify(app)
    assert result.exit_code == 1
    assert f"row id={a[0]} seq=4" in result.output
    assert "reordered" in result.output


@pytest.mark.postgres
def test_postgresql_refuses_updates_and_deletes(app, db):
    if db.bind.dialect.name != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL")
    events = _events(db, 1)
    for statement in ("UPDATE audit_event SET action = 'x'", "DELETE FROM audit_event"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            db.execute(sa.text(statement + " WHERE id = :id"), {"id": events[0].id})
        db.rollback()


def test_concurrent_writers_extend_one_chain(app, db):
    """The head's row lock on PostgreSQL, BEGIN IMMEDIATE on SQLite (attest/engine.py)."""
    engine = app.extensions["attest_engine"]
    import sqlalchemy.orm as so

    errors: list[BaseException] = []

    def writer(k: int) -> None:
        try:
            for j in range(10):
                with so.Session(engine) as session:
                    record_event(session, None, "test.concurrent", "thing", f"{k}-{j}")
                    session.commit()
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    result = _verify(app)
    assert result.exit_code == 0, result.output
    assert "intact: 60 entries" in result.output


def test_logins_are_audited_without_names_or_passwords(app, db, client):
    user = make_user(db, role=Role.PROCTOR)
    db.commit()
    login(client, user.username, "wrong password here")
    login(client, "no-such-user", "another wrong one")
    login(client, user.username)
    rows = db.execute(
        sa.select(AuditEvent.action, AuditEvent.object_id, AuditEvent.actor_id, AuditEvent.detail)
        .where(AuditEvent.action.like("auth.%"))
        .order_by(AuditEvent.seq)
    ).all()
    assert [(r.action, r.object_id) for r in rows] == [
        ("auth.login_failed", str(user.id)),
        ("auth.login_failed", "unknown"),
        ("auth.login", str(user.id)),
    ]
    assert rows[2].actor_id == user.id
    text = repr(rows)
    assert user.username not in text and "no-such-user" not in text and PASSWORD not in text


def test_account_creation_and_role_changes_are_audited(app, db):
    admin = make_user(db, role=Role.ADMIN)
    user = make_user(db, role=Role.EXAMINER, centre=make_centre(db))
    epoch = user.session_epoch
    change_role(db, user, Role.PROCTOR, admin)
    db.commit()
    change = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.role_change"))
    assert change.actor_id == admin.id and change.object_id == str(user.id)
    assert change.detail["old_role"] == "examiner" and change.detail["new_role"] == "proctor"
    assert user.session_epoch == epoch + 1
    created = db.scalars(sa.select(AuditEvent.action).where(AuditEvent.action == "user.create"))
    assert len(created.all()) == 2
    assert _verify(app).exit_code == 0


def test_set_role_from_the_cli_is_audited(app, db):
    user = make_user(db, role=Role.EXAMINER, centre=make_centre(db, code="ROLE-C"))
    db.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "set-role", user.username, "proctor"])
    assert result.exit_code == 0, result.output
    bad = runner.invoke(args=["users", "set-role", "nobody", "admin"])
    assert bad.exit_code != 0 and "no account" in bad.output
    db.expire_all()
    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.role_change"))
    assert event.detail["new_role"] == "proctor" and event.object_id == str(user.id)


def test_events_join_the_chain_only_with_their_transaction(app, db):
    """A savepoint or transaction that rolls back takes its events with it; the rest join the
    chain at the commit, in order, with rising times, and the trail verifies."""
    kept = record_event(db, None, "test.kept", "thing", 1)
    assert kept.seq is None  # not in the chain before the commit
    savepoint = db.begin_nested()
    record_event(db, None, "test.undone", "thing", 2)
    savepoint.rollback()
    with db.begin_nested():
        record_event(db, None, "test.released", "thing", 3)
    db.commit()
    record_event(db, None, "test.rolled_back", "thing", 4)
    db.rollback()
    record_event(db, None, "test.later", "thing", 5)
    db.commit()

    rows = db.execute(
        sa.select(AuditEvent.action, AuditEvent.seq, AuditEvent.at)
        .where(AuditEvent.action.like("test.%"))
        .order_by(AuditEvent.id)
    ).all()
    assert [r.action for r in rows] == ["test.kept", "test.released", "test.later"]
    seqs = [r.seq for r in rows]
    assert seqs == sorted(seqs) and kept.seq == seqs[0] and kept.id is not None
    assert [r.at for r in rows] == sorted(r.at for r in rows)
    result = _verify(app)
    assert result.exit_code == 0, result.output


def test_an_open_transaction_does_not_hold_up_other_audited_writes(app, db):
    """The chain head is locked only while a transaction commits: a request that has recorded
    an event and is still working (or waiting for a CPU) does not make the others wait."""
    engine = app.extensions["attest_engine"]
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers itself; the row lock matters on PostgreSQL")
    import sqlalchemy.orm as so

    with so.Session(engine) as slow:
        record_event(slow, None, "test.slow", "thing", 1)
        slow.execute(sa.text("SELECT 1"))  # its transaction is open, as in a request
        with so.Session(engine) as quick:
            quick.execute(sa.text("SET LOCAL lock_timeout = '2s'"))
            record_event(quick, None, "test.quick", "thing", 2)
            quick.commit()  # would wait for `slow` (and fail after 2 s) if it held the lock
        slow.commit()
    actions = _test_actions(db)
    assert actions == ["test.quick", "test.slow"]
    result = _verify(app)
    assert result.exit_code == 0, result.output


def test_an_event_of_a_savepoint_whose_flush_failed_never_joins(app, db):
    """A savepoint ended by a failed write (a constraint) takes its events with it, as an
    explicitly rolled back one does."""
    make_centre(db, code="DUP1")
    db.commit()
    record_event(db, None, "test.before", "thing", 1)
    with pytest.raises(sa.exc.IntegrityError):
        with db.begin_nested():
            record_event(db, None, "test.in_failed_savepoint", "thing", 2)
            make_centre(db, code="DUP1")  # flushes: the code is taken
    record_event(db, None, "test.after", "thing", 3)
    db.commit()
    actions = _test_actions(db)
    assert actions == ["test.before", "test.after"]
    assert _verify(app).exit_code == 0
