"""The cut-score version in force is kept per process under `bank_state.cut_stamp`, which
database triggers (migration 0048) change with every write to `cut_score_version`: a version
adopted by any session or process is in force at the next read, a rolled back adoption never
is, and an unchanged store costs the adaptive engine no read beyond its stamp row."""

from __future__ import annotations

import copy

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.assessment import adaptive
from attest.assessment.cut_score_versions import data_in_force, store_in_force
from attest.assessment.purposes import get_purpose
from attest.models import BankState, CutScoreVersion
from tests.factories import load_demo_bank

PURPOSE = "niveaubepaling-luisteren-lezen"
SHIFT = 0.75


def _section():
    return next(s for s in get_purpose(PURPOSE).sections if s.skill == "listening")


def _new_version(session: so.Session, name: str) -> CutScoreVersion:
    """Add a version whose cuts all sit SHIFT logits above those in force."""
    data = copy.deepcopy(data_in_force(session))
    data["version"] = name
    for entry in data["skills"].values():
        entry["cuts"] = {level: cut + SHIFT for level, cut in entry["cuts"].items()}
    row = CutScoreVersion(version=name, based_on=f"{name}-basis", store=data)
    session.add(row)
    session.flush()
    return row


def _cut_stamp(db) -> str:
    return db.scalar(sa.select(BankState.cut_stamp).where(BankState.id == 1))


def _engine_cuts(db) -> dict[str, float]:
    return dict(adaptive.engine_for(db, _section(), PURPOSE)[0].config.cuts)


def test_a_version_adopted_by_another_session_is_in_force_at_the_next_read(app, db):
    load_demo_bank(db)
    db.commit()
    before = store_in_force(db)
    cuts = _engine_cuts(db)
    stamp = _cut_stamp(db)
    db.commit()  # the kept version and engine outlive this transaction

    other = so.Session(bind=app.extensions["attest_engine"])  # another request or process
    try:
        _new_version(other, "panel-cache-1")
        other.commit()
    finally:
        other.close()

    assert _cut_stamp(db) != stamp
    after = store_in_force(db)
    assert (before.version, after.version) == ("provisional-1", "panel-cache-1")
    moved = _engine_cuts(db)
    assert moved.keys() == cuts.keys()
    assert all(abs(moved[level] - cuts[level] - SHIFT) < 1e-9 for level in cuts)


def test_a_kept_version_costs_one_stamp_read(app, db):
    _new_version(db, "panel-cache-2")
    db.commit()
    assert store_in_force(db).version == "panel-cache-2"
    db.commit()
    statements: list[str] = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731 - (conn, cursor, statement, ...)
    sa.event.listen(db.get_bind(), "before_cursor_execute", listen)
    try:
        assert store_in_force(db).version == "panel-cache-2"
    finally:
        sa.event.remove(db.get_bind(), "before_cursor_execute", listen)
    assert len(statements) == 1 and "cut_stamp" in statements[0]
    assert "cut_score_version" not in statements[0]


def test_a_rolled_back_adoption_is_never_in_force(app, db):
    load_demo_bank(db)
    db.commit()
    cuts = _engine_cuts(db)
    _new_version(db, "panel-cache-3")
    # this transaction sees its own adoption, also through the engine it asked for before
    assert store_in_force(db).version == "panel-cache-3"
    assert _engine_cuts(db) != cuts
    db.rollback()
    assert store_in_force(db).version == "provisional-1"
    assert _engine_cuts(db) == cuts


def test_a_version_changed_or_deleted_by_hand_is_read_again(app, db):
    row = _new_version(db, "panel-cache-4")
    db.commit()
    assert store_in_force(db).version == "panel-cache-4"
    db.commit()
    db.execute(
        sa.update(CutScoreVersion)
        .where(CutScoreVersion.id == row.id)
        .values(version="panel-cache-4b", store={**row.store, "version": "panel-cache-4b"})
    )
    db.commit()
    assert store_in_force(db).version == "panel-cache-4b"
    db.commit()
    db.execute(sa.delete(CutScoreVersion).where(CutScoreVersion.id == row.id))
    db.commit()
    assert store_in_force(db).version == "provisional-1"
