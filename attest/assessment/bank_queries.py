"""Queries on the bank in the database shared by delivery, adaptive sections and reports."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.assessment.formats import FORMATS
from attest.models import Item, ItemVersion
from attest.vocabulary import LEVELS


def current_versions(
    session: so.Session,
    skill: str,
    levels: Sequence[str] = LEVELS,
    status: str = "live",
    *,
    machine_scored: bool | None = None,
) -> list[ItemVersion]:
    """Return the current versions of a skill's items at these levels and status, by item id.

    `machine_scored` keeps only machine-scored (True) or examiner-scored (False) formats."""
    versions = session.scalars(
        sa.select(ItemVersion)
        .join(Item, Item.id == ItemVersion.item_id)
        .where(
            Item.skill == skill,
            Item.level.in_(levels),
            Item.status == status,
            ItemVersion.version == Item.current_version,
        )
        .order_by(Item.id)
    )
    if machine_scored is None:
        return list(versions)
    return [
        v
        for v in versions
        if v.format in FORMATS and FORMATS[v.format].is_machine_scored == machine_scored
    ]


def group_units(versions: Sequence[ItemVersion]) -> list[list[ItemVersion]]:
    """Group item versions into delivery units: a testlet's items together (in id order), every
    other item alone; units keep the order in which their first item came."""
    units: dict[str, list[ItemVersion]] = {}
    for version in versions:
        key = f"T:{version.item.testlet_id}" if version.item.testlet_id else version.item_id
        units.setdefault(key, []).append(version)
    return [sorted(unit, key=lambda v: v.item_id) for unit in units.values()]


def unit_id(version: ItemVersion) -> str:
    """Return the id of the delivery unit an item belongs to (its testlet, or itself)."""
    return f"T:{version.item.testlet_id}" if version.item.testlet_id else version.item_id
