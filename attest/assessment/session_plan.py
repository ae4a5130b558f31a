"""Planning helpers shared by linear, adaptive, targeted and pilot sections: the enemy groups a
session has used, and a new session item with its per-candidate option order."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.assessment import shuffle
from attest.engine import bind_key, transaction_cache
from attest.models import Item, ItemVersion, SessionItem, TestSession


def unit_groups(unit: Iterable[ItemVersion]) -> set[str]:
    """Return the enemy groups of a delivery unit (one item, or a testlet's items)."""
    return {g for v in unit for g in (v.item.enemy_groups or ())}


def session_groups(ts: TestSession, *, skip_skill: str | None = None) -> set[str]:
    """Return the enemy groups of the items planned in a session so far.

    ``skip_skill`` leaves out the live items of an adaptive section, whose own groups the engine
    tracks from its state (so a logged choice is judged against what the engine knew).

    Read with one query (the items' groups only, as plain rows) rather than by loading every
    session item with its version and item: an adaptive section asks at every answer. Kept for
    the rest of the transaction (the request that records an answer asks again when it plans
    the next item) until a session item is added to or deleted from this session."""
    session = so.object_session(ts)
    if session is None or ts.id is None:  # not stored yet: what is planned in memory
        return {
            g
            for item in ts.items
            if not (item.skill == skip_skill and not item.is_pilot)
            for g in (item.item_version.item.enemy_groups or ())
        }
    known = transaction_cache(session, _MEMO_GROUPS)
    groups = known.get((ts.id, skip_skill))
    if groups is None:
        query = _GROUPS if skip_skill is None else _GROUPS_SKIPPING
        groups = frozenset(
            g
            for row in session.scalars(query, {"session_id": ts.id, "skill": skip_skill})
            for g in (row or ())
        )
        known[(ts.id, skip_skill)] = groups
    return set(groups)


_MEMO_GROUPS = "session_groups"
_GROUPS = (
    sa.select(Item.enemy_groups)
    .join(ItemVersion, ItemVersion.item_id == Item.id)
    .join(SessionItem, SessionItem.item_version_id == ItemVersion.id)
    .where(SessionItem.session_id == sa.bindparam("session_id"))
)
_GROUPS_SKIPPING = _GROUPS.where(
    sa.or_(SessionItem.skill != sa.bindparam("skill"), SessionItem.is_pilot)
)


@sa.event.listens_for(so.Session, "transient_to_pending")
def _forget_groups_on_add(session: so.Session, instance: object) -> None:
    if isinstance(instance, SessionItem):
        transaction_cache(session, _MEMO_GROUPS).clear()


@sa.event.listens_for(so.Session, "after_flush")
def _forget_groups_on_delete(session: so.Session, _context) -> None:
    if any(isinstance(obj, SessionItem) for obj in session.deleted):
        transaction_cache(session, _MEMO_GROUPS).clear()


def new_session_item(
    ts: TestSession, position: int, skill: str, version: ItemVersion, *, is_pilot: bool = False
) -> SessionItem:
    """Return a session item for a version, its option order drawn for this candidate."""
    item = planned_item(
        ts, position, skill, version.id, version.item_id, version.format, version.content,
        is_pilot=is_pilot,
    )  # fmt: skip
    item.item_version = version
    return item


def planned_item(
    ts: TestSession,
    position: int,
    skill: str,
    version_id: int | None,
    item_id: str,
    fmt: str,
    content: dict,
    *,
    is_pilot: bool = False,
) -> SessionItem:
    """Return a session item for a version known by its id, format and content (the adaptive
    engine keeps them: its next item needs no read of the version)."""
    session = so.object_session(ts)
    if session is not None:  # the session's groups grow (they are kept per transaction)
        transaction_cache(session, _MEMO_GROUPS).clear()
    order = shuffle.display_order(fmt, content, shuffle.seed_for(ts.id, item_id))
    return SessionItem(
        session=ts,
        position=position,
        skill=skill,
        item_version_id=version_id,
        is_pilot=is_pilot,
        display_order=order,
    )


_VERSIONS = ItemVersion.__table__
# On the table, run on the session's connection: a plain statement, without the ORM's bulk
# update (nothing loaded needs synchronising: mark_first_used sets the attribute itself).
_FIRST_USE = (
    sa.update(_VERSIONS)
    .where(_VERSIONS.c.id.in_(sa.bindparam("ids", expanding=True)))
    .where(_VERSIONS.c.first_used_at.is_(None))
    .values(first_used_at=sa.bindparam("now", type_=_VERSIONS.c.first_used_at.type))
)


def mark_first_used(session: so.Session, versions: list[ItemVersion], now: datetime) -> None:
    """Record that these versions are delivered from now on (a used version is frozen: a change
    to it makes a new version), in one statement and only for those that were not yet used.

    `UPDATE ... WHERE first_used_at IS NULL`: of two requests delivering the same new version
    at once, the first one's time stays; a version already used costs no statement. The loaded
    versions show the time without being written again by the next flush."""
    new = []
    for version in versions:
        if version.first_used_at is None and version.id is None:  # not stored yet
            version.first_used_at = now
        elif version.first_used_at is None:
            new.append(version)
    if not new:
        return
    ids = [v.id for v in new]
    written = session.connection().execute(_FIRST_USE, {"ids": ids, "now": now}).rowcount
    for version in new:
        if written == len(new):  # each row now holds this request's time
            so.attributes.set_committed_value(version, "first_used_at", now)
        else:  # another request was first for some: read them when asked
            session.expire(version, ["first_used_at"])


# Versions this process has seen marked as used, per database and bank stamp (a stamp changes
# with every insert or delete of a version, so an id reused after a delete is a new entry).
# Added only after the commit that wrote the mark: a rolled back request leaves no trace.
_KNOWN_USED: set[tuple[str, str, int]] = set()
MAX_KNOWN_USED = 200_000
_PENDING_USED = "attest_first_used_pending"


def mark_ids_first_used(
    session: so.Session, version_ids: list[int], now: datetime, stamp: str | None
) -> None:
    """mark_first_used for versions known by id only (the adaptive engine's next item): one
    conditional UPDATE for those this process has not yet seen used under the bank's `stamp`
    (none at all once they are: a used version stays used)."""
    url = bind_key(session)
    if stamp is None:
        todo = list(version_ids)
    else:
        todo = [vid for vid in version_ids if (url, stamp, vid) not in _KNOWN_USED]
    if not todo:
        return
    session.connection().execute(_FIRST_USE, {"ids": todo, "now": now})
    for vid in todo:  # a loaded version reads the time when asked
        version = session.identity_map.get(so.util.identity_key(ItemVersion, vid))
        if version is not None:
            session.expire(version, ["first_used_at"])
    if stamp is not None:
        session.info.setdefault(_PENDING_USED, set()).update((url, stamp, v) for v in todo)


@sa.event.listens_for(so.Session, "after_commit")
def _remember_used(session: so.Session) -> None:
    pending = session.info.pop(_PENDING_USED, None)
    if pending:
        if len(_KNOWN_USED) > MAX_KNOWN_USED:
            _KNOWN_USED.clear()
        _KNOWN_USED.update(pending)


@sa.event.listens_for(so.Session, "after_soft_rollback")
def _forget_pending_used(session: so.Session, _previous) -> None:
    # any rollback, a savepoint's too: what it undid may hold the mark (forgetting more than
    # that costs one more UPDATE later, never a version left unmarked)
    session.info.pop(_PENDING_USED, None)
