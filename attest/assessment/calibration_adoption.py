"""Adopt a calibration into the bank (issue 17 item 2): the proposal per item, and its adoption
as a new bank version.

``proposal`` runs ``calibration_service.calibrate_bank`` (Rasch, anchored on the live items)
and sets beside each item version what an admin needs to decide: the proposed difficulty, its
drift from the current value, fit, point-biserial, DIF, flags, and whether it can be adopted.
``adopt`` takes the selected items: each gets the proposed difficulty (a new item version when
the current one has been used, so results keep the difficulty they were scored with), a pilot
item becomes live (the workflow's pilot -> live step, only taken here), and one
``bank_adoption`` row (the bank version) and one audit event record it all. The bank files
receive the difficulties, statuses and steps through ``attest bank review-export``; the hash
of each new version is already the one the exported file will have.

Anchoring (`calibration.calibrate`): with ``"fixed"`` (the default) the live items hold the
scale and keep their values, so only pilots can be adopted; with ``"mean"`` every item is
estimated freely and the scale is shifted so the anchors keep their mean, so live items can be
re-calibrated too. Items flagged for misfit, a low point-biserial or large DIF
(``REVIEW_FLAGS``) are adopted only with a reason of their own, kept in the bank version and the
audit event. ``adopt`` takes turns on the ``bank_state`` row; given the bank version the admin
looked at (``seen_version``) it refuses when another adoption came in between, so a
double-click or two admins at once make one bank version.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.assessment.bank import stored_item_hash
from attest.assessment.bank_rules import in_band
from attest.assessment.bank_sync import db_history
from attest.assessment.calibration_service import calibrate_bank
from attest.assessment.review_flow import as_utc, step_problem
from attest.audit import record_event
from attest.engine import lock_row
from attest.models import BankAdoption, BankState, Item, ItemReviewStep, ItemVersion, User
from attest.vocabulary import RECEPTIVE

BLOCKING_FLAGS = ("few_responses", "all_same_score", "skipped_partial_credit")
# adoptable only with a reason recorded by the admin (what was checked and why it is kept)
REVIEW_FLAGS = ("infit", "outfit", "low_point_biserial", "dif_c")
MIN_REASON = 10  # characters: a reason says something
MAX_REASON = 500
ANCHORINGS = ("fixed", "mean")
_UNCHECKED = object()


@dataclass(frozen=True)
class ProposalRow:
    key: str  # "<item id>/v<version>"
    item_id: str
    version: int
    skill: str
    level: str
    status: str
    n: int
    old: float
    new: float | None
    se: float | None
    infit: float | None
    outfit: float | None
    point_biserial: float | None
    dif_category: str | None
    dif_delta: float | None
    flags: tuple[str, ...]
    is_anchor: bool
    refusal: str | None  # why it cannot be adopted (None: it can)

    @property
    def drift(self) -> float | None:
        return None if self.new is None else self.new - self.old

    @property
    def review_flags(self) -> tuple[str, ...]:
        """Return the flags that need a recorded reason before adoption."""
        return tuple(f for f in self.flags if f in REVIEW_FLAGS)


@dataclass(frozen=True)
class Proposal:
    rows: list[ProposalRow]
    not_calibrated: dict[str, str]
    anchoring: str = "fixed"

    def row(self, key: str) -> ProposalRow | None:
        return next((r for r in self.rows if r.key == key), None)


class AdoptionRefused(Exception):
    """Nothing was adopted; ``code`` says why and ``item`` names the item concerned."""

    def __init__(self, code: str, item: str = "") -> None:
        self.code, self.item = code, item
        super().__init__(f"{code}: {item}" if item else code)


def proposal(
    session: so.Session, now: datetime, skills=RECEPTIVE, anchoring: str = "fixed"
) -> Proposal:
    """Calibrate the receptive skills and judge each item version's adoption."""
    if anchoring not in ANCHORINGS:
        raise AdoptionRefused("bad_anchoring", anchoring)
    calibration = calibrate_bank(session, now, skills=list(skills), anchoring=anchoring)
    items = {i.id: i for i in session.scalars(sa.select(Item))}
    rows = []
    for cal in calibration.skills:
        for it in cal.report.items:
            item_id, version = it.item_id.rsplit("/v", 1)
            item = items[item_id]
            new = None if it.difficulty is None else round(float(it.difficulty), 2)
            rows.append(
                ProposalRow(
                    key=it.item_id,
                    item_id=item_id,
                    version=int(version),
                    skill=cal.skill,
                    level=item.level,
                    status=cal.data.statuses[it.item_id],
                    n=it.n,
                    old=cal.data.old_difficulties[it.item_id],
                    new=new,
                    se=it.se,
                    infit=it.infit,
                    outfit=it.outfit,
                    point_biserial=it.point_biserial,
                    dif_category=it.dif.category if it.dif else None,
                    dif_delta=it.dif.delta if it.dif else None,
                    flags=tuple(it.flags),
                    is_anchor=it.is_anchor,
                    refusal=_refusal(
                        item, int(version), new, it.is_anchor and anchoring == "fixed", it.flags
                    ),
                )
            )
    return Proposal(rows, dict(calibration.not_calibrated), anchoring)


def _refusal(item: Item, version: int, new: float | None, anchor: bool, flags) -> str | None:
    if version != item.current_version:
        return "old_version"
    if item.status not in ("pilot", "live"):
        return "status"
    if anchor:
        return "anchor"  # it holds the scale (fixed anchoring): its value is the current one
    if new is None or any(f in BLOCKING_FLAGS for f in flags):
        return "too_little_data"
    if not in_band(item.level, new):
        return "outside_band"
    return None


def adopt(
    session: so.Session,
    now: datetime,
    user: User,
    keys: list[str],
    bank_root: Path,
    note: str = "",
    *,
    anchoring: str = "fixed",
    reasons: Mapping[str, str] | None = None,
    seen_version=_UNCHECKED,
) -> BankAdoption:
    """Adopt the proposal for the selected item versions as a new bank version (module docs).

    `reasons` maps an item key to why a flagged item is adopted anyway (needed for every
    ``REVIEW_FLAGS`` flag); `seen_version` is the newest bank version the admin saw (None: none
    yet): another adoption since then refuses this one. Adoptions take turns on the
    ``bank_state`` row, so two at once never both make a new version of one item."""
    if not keys:
        raise AdoptionRefused("nothing_selected")
    lock_row(session, BankState, 1)
    if seen_version is not _UNCHECKED and latest_version(session) != seen_version:
        raise AdoptionRefused("bank_changed")
    current = proposal(session, now, anchoring=anchoring)
    reasons = {k: " ".join(str(v).split()) for k, v in (reasons or {}).items()}
    changes = []
    for key in dict.fromkeys(keys):
        row = current.row(key)
        if row is None:
            raise AdoptionRefused("unknown", key)
        if row.refusal:
            raise AdoptionRefused(row.refusal, key)
        reason = reasons.get(key, "")
        if len(reason) > MAX_REASON:
            raise AdoptionRefused("reason_too_long", key)
        if row.review_flags and len(reason) < MIN_REASON:
            raise AdoptionRefused("reason_needed", key)
        changes.append((row, reason))
    adoption = BankAdoption(created_at=now, actor=user.username, note=note.strip(), items=[])
    session.add(adoption)
    session.flush()  # its id is the bank version named in the steps
    records = []
    for row, reason in changes:
        record = _adopt_item(session, now, user, row, bank_root, adoption.id)
        if anchoring != "fixed":
            record["anchoring"] = anchoring
        if row.review_flags:
            record["flags"], record["reason"] = list(row.review_flags), reason
        records.append(record)
    adoption.items = records
    record_event(
        session,
        user,
        "bank.adopt_calibration",
        "bank_adoption",
        adoption.id,
        items=len(records),
        to_live=sum(1 for r in records if r["status_to"] == "live"),
        anchoring=anchoring,
        flagged=[
            {"item": r["item"], "flags": r["flags"], "reason": r["reason"]}
            for r in records
            if "reason" in r
        ],
    )
    session.flush()
    return adoption


def latest_version(session: so.Session) -> int | None:
    """Return the newest bank version (adoption id), None before the first."""
    return session.scalar(sa.select(sa.func.max(BankAdoption.id)))


def _adopt_item(
    session: so.Session, now: datetime, user: User, row: ProposalRow, root: Path, bank_version: int
) -> dict:
    item = session.get(Item, row.item_id)
    latest = item.versions[-1]
    new_hash = stored_item_hash(
        root,
        item_id=item.id,
        skill=item.skill,
        domain=item.domain,
        level=latest.level,
        format=latest.format,
        difficulty=row.new,
        content=latest.content,
        media=latest.media,
        testlet=item.testlet_id,
    )
    version_from = latest.version
    if latest.first_used_at is None:
        latest.difficulty, latest.content_hash = row.new, new_hash
    else:
        item.current_version = latest.version + 1
        session.add(
            ItemVersion(
                item_id=item.id,
                version=item.current_version,
                content_hash=new_hash,
                level=latest.level,
                format=latest.format,
                difficulty=row.new,
                content=dict(latest.content),
                media=dict(latest.media),
                source=latest.source,
                created_at=now,
            )
        )
    status_from = item.status
    if item.status == "pilot":
        history = db_history(item)
        if history and step_problem(history, "live", user.username) is None:
            session.add(
                ItemReviewStep(
                    item_id=item.id,
                    seq=len(history) + 1,
                    step="live",
                    actor=user.username,
                    at=as_utc(now),
                    note=f"calibration adopted as bank version {bank_version}",
                    changes=f"difficulty {row.old:.2f} -> {row.new:.2f}",
                )
            )
            item.review_state = "live"
        item.status = "live"
    item.updated_at = now
    session.flush()
    return {
        "item": item.id,
        "version_from": version_from,
        "version_to": item.current_version,
        "difficulty_from": row.old,
        "difficulty_to": row.new,
        "status_from": status_from,
        "status_to": item.status,
    }
