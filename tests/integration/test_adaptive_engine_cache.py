"""The adaptive engine is kept per process and keyed by the bank's stamp (models.BankState):
any write to what the engine reads of the bank, by any session or process, changes the stamp
(database triggers, migration 0027), so a kept engine never outlives the bank it was built
from, while an unchanged bank costs one primary-key read per call."""

from __future__ import annotations

from contextlib import contextmanager

import sqlalchemy as sa

from attest.assessment import adaptive
from attest.assessment.purposes import get_purpose
from attest.models import BankState, Item, ItemVersion
from tests.factories import load_demo_bank

PURPOSE = "niveaubepaling-luisteren-lezen"


def _section(skill: str = "listening"):
    return next(s for s in get_purpose(PURPOSE).sections if s.skill == skill)


def _stamp(db) -> str:
    return db.scalar(sa.select(BankState.stamp).where(BankState.id == 1))


def _live_unit(db, engine) -> Item:
    """A live single item (not part of a testlet) the engine knows."""
    ids = {unit.id for unit in engine.bank}
    return next(
        item
        for item in db.scalars(
            sa.select(Item).where(Item.skill == "listening", Item.status == "live")
        )
        if item.id in ids and item.testlet_id is None
    )


@contextmanager
def _statements(db):
    statements: list[str] = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731 - (conn, cursor, statement, ...)
    sa.event.listen(db.get_bind(), "before_cursor_execute", listen)
    try:
        yield statements
    finally:
        sa.event.remove(db.get_bind(), "before_cursor_execute", listen)


def test_an_unchanged_bank_reuses_the_engine_and_reads_no_bank_rows(app, db):
    load_demo_bank(db)
    db.commit()
    first, _ = adaptive.engine_for(db, _section())
    db.commit()  # the next request
    with _statements(db) as statements:
        again, _ = adaptive.engine_for(db, _section())
    assert again is first
    # one primary-key read: the bank's stamp and the stamp of the cut-score versions (a panel
    # may adopt new cuts at any time); no row of the bank or of the cut scores themselves
    assert len(statements) == 1
    assert "bank_state" in statements[0] and "cut_stamp" in statements[0]
    # asked again in the same transaction (recording an answer, then planning the next item)
    with _statements(db) as statements:
        assert adaptive.engine_for(db, _section())[0] is first
    assert statements == []


def test_a_new_version_a_retired_item_and_a_new_item_each_give_a_new_engine(app, db, now):
    load_demo_bank(db)
    db.commit()
    section = _section()
    engine, _ = adaptive.engine_for(db, section)
    item = _live_unit(db, engine)
    stamps = [_stamp(db)]

    # a new version with another difficulty becomes current
    current = db.scalar(
        sa.select(ItemVersion).where(
            ItemVersion.item_id == item.id, ItemVersion.version == item.current_version
        )
    )
    db.add(
        ItemVersion(
            item_id=item.id, version=item.current_version + 1, content_hash="new",
            level=current.level, format=current.format, difficulty=current.difficulty + 2.5,
            content=dict(current.content), media=dict(current.media), source="test",
        )
    )  # fmt: skip
    item.current_version += 1
    db.commit()
    stamps.append(_stamp(db))
    versioned, _ = adaptive.engine_for(db, section)
    assert versioned is not engine
    unit = next(u for u in versioned.bank if u.id == item.id)
    assert abs(unit.params.b - (current.difficulty + 2.5)) < 1e-9

    # the item is retired: the engine no longer knows it
    item.status = "retired"
    db.commit()
    stamps.append(_stamp(db))
    retired, _ = adaptive.engine_for(db, section)
    assert item.id not in {u.id for u in retired.bank}

    # back to live: the engine knows it again (a new stamp, never an earlier one)
    item.status = "live"
    db.commit()
    stamps.append(_stamp(db))
    assert item.id in {u.id for u in adaptive.engine_for(db, section)[0].bank}
    assert len(set(stamps)) == len(stamps)


def test_a_write_the_engine_does_not_read_keeps_the_stamp(app, db, now):
    load_demo_bank(db)
    db.commit()
    version = db.scalars(sa.select(ItemVersion)).first()
    before = _stamp(db)
    version.first_used_at = now  # written with every first delivery of a version
    db.commit()
    assert _stamp(db) == before


def test_a_rolled_back_bank_change_leaves_no_engine_for_a_later_bank(app, db):
    """The stamp is random, not a counter: a change rolled back after an engine was built from
    it cannot name the bank of a later change, which draws a stamp of its own."""
    load_demo_bank(db)
    db.commit()
    section = _section()
    engine, _ = adaptive.engine_for(db, section)
    item = _live_unit(db, engine)
    item.status = "retired"
    db.flush()
    inside, _ = adaptive.engine_for(db, section)  # this transaction sees its own change
    assert item.id not in {u.id for u in inside.bank}
    db.rollback()
    assert item.id in {u.id for u in adaptive.engine_for(db, section)[0].bank}
    other = db.scalars(
        sa.select(Item).where(Item.skill == "listening", Item.status == "live", Item.id != item.id)
    ).first()
    other.status = "retired"
    db.commit()
    later, _ = adaptive.engine_for(db, section)
    known = {u.id for u in later.bank}
    assert item.id in known and other.id not in known


def test_a_change_of_content_gives_a_new_engine_with_it(app, db):
    """The engine keeps each live version's content (its next item is planned without reading
    the version): a change of content in place, which only a maintainer's hand makes (a used
    version is frozen), changes the stamp too (migration 0050)."""
    load_demo_bank(db)
    db.commit()
    section = _section()
    engine, parts = adaptive.engine_for(db, section)
    item = _live_unit(db, engine)
    version = db.scalar(
        sa.select(ItemVersion).where(
            ItemVersion.item_id == item.id, ItemVersion.version == item.current_version
        )
    )
    (part,) = parts[item.id]
    assert part.content == version.content and part.format == version.format
    before = _stamp(db)
    version.content = {**version.content, "stem": version.content.get("stem", "") + " (herzien)"}
    db.commit()
    assert _stamp(db) != before
    again, parts = adaptive.engine_for(db, section)
    assert again is not engine
    assert parts[item.id][0].content["stem"].endswith("(herzien)")
