"""Queries on the bank in the database shared by delivery, adaptive sections and reports."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.assessment.cefr import LEVELS
from attest.assessment.items import FORMATS
from attest.models import Item, ItemVersion


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
