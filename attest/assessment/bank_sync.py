"""Load a validated item bank into the database, versioning items that sessions have used."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.assessment.bank import Bank
from attest.models import Item, ItemVersion


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    new_versions: list[str] = field(default_factory=list)
    updated_in_place: list[str] = field(default_factory=list)
    unchanged: int = 0

    def summary(self) -> str:
        """Return a one-line summary for the CLI."""
        return (
            f"{len(self.added)} added, {len(self.new_versions)} new versions, "
            f"{len(self.updated_in_place)} updated (never used), {self.unchanged} unchanged"
        )


def sync_bank(session: so.Session, bank: Bank, now: datetime) -> SyncReport:
    """Bring items in line with the bank; a used version is never changed, a new one is made."""
    report = SyncReport()
    existing = {
        i.id: i for i in session.scalars(sa.select(Item).options(so.selectinload(Item.versions)))
    }
    for spec in bank.items:
        item = existing.get(spec.id)
        if item is None:
            item = Item(id=spec.id, current_version=1)
            session.add(item)
            _apply_item(item, spec, now)
            session.add(_new_version(item, spec, 1))
            report.added.append(spec.id)
            continue
        latest = item.versions[-1]
        meta_changed = (
            item.skill,
            item.level,
            item.domain,
            item.format,
            item.status,
            item.testlet_id,
            list(item.enemy_groups or []),
        ) != (
            spec.skill,
            spec.level,
            spec.domain,
            spec.format,
            spec.status,
            spec.testlet,
            list(spec.enemies),
        )
        if latest.content_hash == spec.content_hash:
            if meta_changed:
                _apply_item(item, spec, now)
            report.unchanged += 1
            continue
        _apply_item(item, spec, now)
        if latest.first_used_at is None:
            _fill_version(latest, spec)
            report.updated_in_place.append(spec.id)
        else:
            item.current_version = latest.version + 1
            session.add(_new_version(item, spec, item.current_version))
            report.new_versions.append(spec.id)
    session.flush()
    return report


def _apply_item(item: Item, spec, now: datetime) -> None:
    item.skill, item.level, item.domain = spec.skill, spec.level, spec.domain
    item.format, item.status, item.updated_at = spec.format, spec.status, now
    item.testlet_id = spec.testlet
    item.enemy_groups = list(spec.enemies)


def _new_version(item: Item, spec, version: int) -> ItemVersion:
    iv = ItemVersion(item=item, version=version)
    _fill_version(iv, spec)
    return iv


def _fill_version(iv: ItemVersion, spec) -> None:
    iv.content_hash = spec.content_hash
    iv.level, iv.format, iv.difficulty = spec.level, spec.format, float(spec.difficulty)
    iv.content, iv.media, iv.source = dict(spec.content), dict(spec.media), spec.source
