"""The scoped session ends with the app context, also outside a request (CLI commands, scripts
and benchmarks that work in `app.app_context()`): nothing it began outlives the context."""

from __future__ import annotations

import sqlalchemy as sa

from attest.models import Centre
from attest.request_session import db_session


def test_leaving_an_app_context_removes_the_session_and_ends_its_transaction(app, db):
    scoped = app.extensions["attest_session"]
    with app.app_context():
        session = db_session()
        session.add(Centre(code="UNSAVED", name="Nooit bewaard"))
        session.flush()  # a write: on SQLite the write lock is held from here
        assert scoped.registry.has()
    assert not scoped.registry.has()
    assert not session.in_transaction()  # rolled back and closed, not left open
    # the lock is gone: another connection writes and commits at once
    db.add(Centre(code="SAVED", name="Bewaard"))
    db.commit()
    assert db.scalars(sa.select(Centre.code)).all() == ["SAVED"]
