"""A version's first delivery freezes it (a later change makes a new version): the time is
written by one `UPDATE ... WHERE first_used_at IS NULL`, so of two requests delivering the same
new version at once the first one's time stays, and a version already used costs no write."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.assessment.session_plan import mark_first_used, mark_ids_first_used
from attest.models import ItemVersion
from tests.factories import load_demo_bank


def test_the_first_delivery_time_stays_when_another_request_was_first(app, db, now):
    load_demo_bank(db)
    db.commit()
    version_id = db.scalar(sa.select(ItemVersion.id).where(ItemVersion.first_used_at.is_(None)))
    mine = db.get(ItemVersion, version_id)
    assert mine.first_used_at is None  # what this request read

    other = so.Session(bind=app.extensions["attest_engine"])  # another request, first
    try:
        other.get(ItemVersion, version_id).first_used_at = now - timedelta(minutes=5)
        other.commit()
    finally:
        other.close()

    mark_first_used(db, [mine], now)
    db.commit()
    db.expire_all()
    stored = db.get(ItemVersion, version_id).first_used_at
    assert abs((stored - (now - timedelta(minutes=5))).total_seconds()) < 1


def test_a_new_version_gets_the_time_and_a_used_one_costs_no_statement(app, db, now):
    load_demo_bank(db)
    db.commit()
    version = db.scalars(sa.select(ItemVersion).where(ItemVersion.first_used_at.is_(None))).first()
    mark_first_used(db, [version], now)
    db.commit()
    db.expire_all()
    version = db.get(ItemVersion, version.id)
    assert abs((version.first_used_at - now).total_seconds()) < 1
    statements: list[str] = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731 - (conn, cursor, statement, ...)
    sa.event.listen(db.get_bind(), "before_cursor_execute", listen)
    try:
        mark_first_used(db, [version], now + timedelta(hours=1))
        db.flush()
    finally:
        sa.event.remove(db.get_bind(), "before_cursor_execute", listen)
    assert statements == []


def test_the_engine_marks_by_id_once_and_a_rolled_back_mark_is_written_again(app, db, now):
    """The adaptive engine marks the versions it plans by id (it keeps no loaded version): one
    UPDATE per version and process, remembered only once committed; a request rolled back
    after marking leaves the next one to write the mark."""
    from attest.models import BankState

    load_demo_bank(db)
    db.commit()
    stamp = db.scalar(sa.select(BankState.stamp))
    version_id = db.scalar(sa.select(ItemVersion.id).where(ItemVersion.first_used_at.is_(None)))
    statements: list[str] = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731 - (conn, cursor, statement, ...)
    sa.event.listen(db.get_bind(), "before_cursor_execute", listen)
    try:
        mark_ids_first_used(db, [version_id], now, stamp)
        db.rollback()  # the request failed after planning: the mark is undone
        db.commit()  # the next request commits without planning
        mark_ids_first_used(db, [version_id], now, stamp)  # so the next plan writes it
        db.commit()
        written = [s for s in statements if s.lstrip().upper().startswith("UPDATE")]
        assert len(written) == 2
        statements.clear()
        mark_ids_first_used(db, [version_id], now + timedelta(hours=1), stamp)
        db.commit()
        assert not [s for s in statements if s.lstrip().upper().startswith("UPDATE")]
    finally:
        sa.event.remove(db.get_bind(), "before_cursor_execute", listen)
    db.expire_all()
    stored = db.get(ItemVersion, version_id).first_used_at
    assert abs((stored - now).total_seconds()) < 1
