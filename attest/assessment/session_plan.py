"""Planning helpers shared by linear, adaptive, targeted and pilot sections: the enemy groups a
session has used, and a new session item with its per-candidate option order."""

from __future__ import annotations

from collections.abc import Iterable

from attest.assessment import shuffle
from attest.models import ItemVersion, SessionItem, TestSession


def unit_groups(unit: Iterable[ItemVersion]) -> set[str]:
    """Return the enemy groups of a delivery unit (one item, or a testlet's items)."""
    return {g for v in unit for g in (v.item.enemy_groups or ())}


def session_groups(ts: TestSession, *, skip_skill: str | None = None) -> set[str]:
    """Return the enemy groups of the items planned in a session so far.

    ``skip_skill`` leaves out the live items of an adaptive section, whose own groups the engine
    tracks from its state (so a logged choice is judged against what the engine knew)."""
    return {
        g
        for item in ts.items
        if not (item.skill == skip_skill and not item.is_pilot)
        for g in (item.item_version.item.enemy_groups or ())
    }


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
