"""Load a validated item bank into the database, versioning items that sessions have used."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.assessment.bank import Bank, ItemSpec
from attest.assessment.review_flow import STATUS_OF_STATE, ReviewStep, as_utc, state_of
from attest.models import Item, ItemReviewStep, ItemVersion


class ReviewConflict(Exception):
    """The review history in the files and in the database went separate ways."""


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    new_versions: list[str] = field(default_factory=list)
    updated_in_place: list[str] = field(default_factory=list)
    unchanged: int = 0
    steps_added: int = 0
    ahead_of_files: list[str] = field(default_factory=list)  # export them to the files

    def summary(self) -> str:
        """Return a one-line summary for the CLI."""
        return (
            f"{len(self.added)} added, {len(self.new_versions)} new versions, "
            f"{len(self.updated_in_place)} updated (never used), {self.unchanged} unchanged, "
            f"{self.steps_added} review steps added"
            + (
                f"; {len(self.ahead_of_files)} items have review steps not yet in the files "
                "(attest bank review-export)"
                if self.ahead_of_files
                else ""
            )
        )


def sync_bank(session: so.Session, bank: Bank, now: datetime) -> SyncReport:
    """Bring items in line with the bank; a used version is never changed, a new one is made.

    Review histories: steps in the files that the database lacks are added; steps the database
    has beyond the files (taken in the admin item browser, not exported yet) are kept, and the
    item keeps the status they give; histories that differ raise ReviewConflict naming the
    items, and nothing is synced."""
    report = SyncReport()
    existing = {
        i.id: i
        for i in session.scalars(
            sa.select(Item).options(
                so.selectinload(Item.versions), so.selectinload(Item.review_steps)
            )
        )
    }
    conflicts = [
        c for spec in bank.items if (c := _review_conflict(existing.get(spec.id), spec, bank))
    ]
    if conflicts:
        raise ReviewConflict("\n".join(conflicts))
    for spec in bank.items:
        item = existing.get(spec.id)
        if item is None:
            item = Item(id=spec.id, current_version=1)
            session.add(item)
            _apply_item(item, spec, now)
            session.add(_new_version(item, spec, 1))
            report.steps_added += _sync_review(session, item, spec, report)
            report.added.append(spec.id)
            continue
        report.steps_added += _sync_review(session, item, spec, report)
        if spec.id in report.ahead_of_files:  # the item keeps the status its history gives
            spec = replace(spec, status=STATUS_OF_STATE[item.review_state])
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


def db_history(item: Item) -> list[ReviewStep]:
    """Return the item's review history as the database holds it."""
    return [
        ReviewStep(s.step, s.actor, as_utc(s.at), s.note or "", s.changes or "")
        for s in item.review_steps
    ]


def _review_conflict(item: Item | None, spec: ItemSpec, bank: Bank) -> str | None:
    if item is None or not item.review_steps:
        return None
    ours, theirs = db_history(item), list(spec.review)
    n = min(len(ours), len(theirs))
    if ours[:n] == theirs[:n]:
        return None
    first = next(k for k in range(n) if ours[k] != theirs[k])
    return (
        f"{(bank.root / spec.source).as_posix()} item {spec.id}: review step {first + 1} in the "
        f"file ({theirs[first].step} by {theirs[first].by}) differs from the database's "
        f"({ours[first].step} by {ours[first].by}); export the database's steps "
        "(attest bank review-export) before editing the history file"
    )


def _sync_review(session: so.Session, item: Item, spec: ItemSpec, report: SyncReport) -> int:
    """Add the file's steps the database lacks; note items whose database is ahead."""
    have = len(item.review_steps)
    added = 0
    for seq, step in enumerate(spec.review[have:], start=have + 1):
        session.add(
            ItemReviewStep(
                item_id=spec.id,
                seq=seq,
                step=step.step,
                actor=step.by,
                at=step.at,
                note=step.note,
                changes=step.changes,
            )
        )
        added += 1
    if have > len(spec.review):
        report.ahead_of_files.append(spec.id)
    steps = db_history(item) if have > len(spec.review) else list(spec.review)
    item.review_state = state_of(steps)
    return added


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
