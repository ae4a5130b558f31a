"""Planning helpers shared by linear, adaptive, targeted and pilot sections: the enemy groups a
session has used, and a new session item with its per-candidate option order."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.assessment import shuffle
from attest.models import Item, ItemVersion, SessionItem, TestSession


def unit_groups(unit: Iterable[ItemVersion]) -> set[str]:
    """Return the enemy groups of a delivery unit (one item, or a testlet's items)."""
    return {g for v in unit for g in (v.item.enemy_groups or ())}


def session_groups(ts: TestSession, *, skip_skill: str | None = None) -> set[str]:
    """Return the enemy groups of the items planned in a session so far.

    ``skip_skill`` leaves out the live items of an adaptive section, whose own groups the engine
    tracks from its state (so a logged choice is judged against what the engine knew).

    Read with one query (the items' groups only, as plain rows) rather than by loading every
    session item with its version and item: an adaptive section asks at every answer."""
    session = so.object_session(ts)
    if session is None or ts.id is None:  # not stored yet: what is planned in memory
        return {
            g
            for item in ts.items
            if not (item.skill == skip_skill and not item.is_pilot)
            for g in (item.item_version.item.enemy_groups or ())
        }
    query = (
        sa.select(Item.enemy_groups)
        .join(ItemVersion, ItemVersion.item_id == Item.id)
        .join(SessionItem, SessionItem.item_version_id == ItemVersion.id)
        .where(SessionItem.session_id == ts.id)
    )
    if skip_skill is not None:
        query = query.where(sa.or_(SessionItem.skill != skip_skill, SessionItem.is_pilot))
    return {g for groups in session.scalars(query) for g in (groups or ())}


def new_session_item(
    ts: TestSession, position: int, skill: str, version: ItemVersion, *, is_pilot: bool = False
) -> SessionItem:
    """Return a session item for a version, its option order drawn for this candidate."""
    order = shuffle.display_order(
        version.format, version.content, shuffle.seed_for(ts.id, version.item_id)
    )
    return SessionItem(
        session=ts,
        position=position,
        skill=skill,
        item_version=version,
        is_pilot=is_pilot,
        display_order=order,
    )
