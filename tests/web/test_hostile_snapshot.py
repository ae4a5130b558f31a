"""The fuzzers' database snapshot sees every change a refusal must not make (it is what lets
test_hostile_input and test_hostile_json say "refused and changed nothing")."""

from __future__ import annotations

import sqlalchemy as sa

from attest.models import Centre
from tests.factories import make_centre
from tests.web.hostile import changed_tables, snapshot, table_digests


def test_the_snapshot_sees_a_new_row_a_changed_value_and_a_deletion(app, db):
    engine = app.extensions["attest_engine"]
    empty = snapshot(engine)
    assert snapshot(engine) == empty  # stable: nothing changed, nothing differs
    centre = make_centre(db)
    db.commit()
    added = table_digests(engine)
    assert "centre" in changed_tables(empty, added)
    db.execute(sa.update(Centre).where(Centre.id == centre.id).values(name=centre.name + "x"))
    db.commit()
    assert changed_tables(added, table_digests(engine)) == {"centre"}
    db.execute(sa.delete(Centre).where(Centre.id == centre.id))
    db.commit()
    assert snapshot(engine) == empty
