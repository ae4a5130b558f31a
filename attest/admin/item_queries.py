"""Queries behind the admin item browser: filtered lists, versions and usage counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Mapping

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.assessment.bank_queries import current_versions
from attest.assessment.calibration_service import calibrate_bank
from attest.assessment.cut_score_versions import store_in_force
from attest.charts import information_function
from attest.models import BankAdoption, Item, ItemVersion, SessionItem, SkillResult
from attest.vocabulary import PRODUCTIVE

FILTERS = ("skill", "level", "domain", "format", "status", "review_state")


@dataclass(frozen=True)
class ItemRow:
    item: Item
    uses: int


def _usage_by_item(session: so.Session) -> dict[str, int]:
    rows = session.execute(
        sa.select(ItemVersion.item_id, sa.func.count(SessionItem.id))
        .join(SessionItem, SessionItem.item_version_id == ItemVersion.id)
        .group_by(ItemVersion.item_id)
    )
    return dict(rows.all())


def list_items(session: so.Session, filters: Mapping[str, str]) -> list[ItemRow]:
    """Return items matching the filters (exact values), with how often each was shown."""
    query = sa.select(Item).order_by(Item.skill, Item.level, Item.id)
    for name in FILTERS:
        value = filters.get(name)
        if value:
            query = query.where(getattr(Item, name) == value)
    usage = _usage_by_item(session)
    return [ItemRow(item, usage.get(item.id, 0)) for item in session.scalars(query)]


def filter_choices(session: so.Session) -> dict[str, list[str]]:
    """Return the values present in the bank for each filter."""
    return {
        name: [
            v
            for v in session.scalars(
                sa.select(getattr(Item, name)).distinct().order_by(getattr(Item, name))
            )
            if v is not None
        ]
        for name in FILTERS
    }


def version_usage(session: so.Session, item: Item) -> dict[int, int]:
    """Return how many sessions used each version of an item, by version id."""
    rows = session.execute(
        sa.select(SessionItem.item_version_id, sa.func.count(SessionItem.id))
        .join(ItemVersion, ItemVersion.id == SessionItem.item_version_id)
        .where(ItemVersion.item_id == item.id)
        .group_by(SessionItem.item_version_id)
    )
    return dict(rows.all())


def psychometric_report(session: so.Session, skill: str, now: datetime) -> dict:
    """Gather the test information of the live bank and the calibration of stored answers."""
    scored = current_versions(session, skill, machine_scored=True)
    # the skill's cuts in force for purposes without their own
    in_force = store_in_force(session).record(skill)
    cuts = in_force.cut_scores.cuts
    calibration = calibrate_bank(session, now, skills=[skill])
    report = calibration.skills[0] if calibration.skills else None
    return {
        "information": information_function([v.difficulty for v in scored], cuts),
        "n_items": len(scored),
        "cuts": cuts,
        "cut_scores": in_force,
        "results_by_cut_version": results_by_cut_version(session, skill),
        "band_thresholds": band_thresholds(session),
        "exposure": exposure(session, skill),
        "calibration": report,
        "not_calibrated": calibration.not_calibrated.get(skill),
    }


def band_thresholds(session: so.Session) -> list[dict]:
    """Return, per productive skill, the band thresholds in force (with their version and
    whether a panel set them) and how many results each version scored."""
    store = store_in_force(session)
    return [
        {
            "skill": skill,
            "thresholds": store.band_thresholds(skill),
            "is_final": skill in store.skills and not store.skills[skill].is_provisional,
            "results": results_by_cut_version(session, skill),
        }
        for skill in PRODUCTIVE
    ]


def results_by_cut_version(session: so.Session, skill: str) -> list[tuple[str | None, int]]:
    """Return (cut-score version, number of results) for a skill: which cuts scored which results
    (None: scored before versions were recorded)."""
    rows = session.execute(
        sa.select(SkillResult.cut_scores_version, sa.func.count(SkillResult.id))
        .where(SkillResult.skill == skill)
        .group_by(SkillResult.cut_scores_version)
        .order_by(SkillResult.cut_scores_version)
    )
    return [(version, count) for version, count in rows.all()]


EXPOSURE_LIMIT = 0.25  # issue [12]: no item in more than a quarter of the tests
EXPOSURE_SHOWN = 10


@dataclass(frozen=True)
class Exposure:
    """How often the skill's items were given: tests of the skill, the busiest items' rates."""

    sessions: int
    busiest: list[tuple[str, int, float]]  # (item id, tests, share of the tests), busiest first
    above_limit: int  # items given in more than EXPOSURE_LIMIT of the tests

    @property
    def highest(self) -> float:
        """Return the highest exposure rate (0 without tests)."""
        return self.busiest[0][2] if self.busiest else 0.0


def exposure(session: so.Session, skill: str) -> Exposure:
    """Return the exposure of a skill's items: per item the share of the skill's tests (sessions
    with at least one item of the skill) that were given it."""
    sessions = session.scalar(
        sa.select(sa.func.count(sa.distinct(SessionItem.session_id))).where(
            SessionItem.skill == skill
        )
    )
    uses = sa.func.count(sa.distinct(SessionItem.session_id))
    rows = session.execute(
        sa.select(ItemVersion.item_id, uses)
        .join(SessionItem, SessionItem.item_version_id == ItemVersion.id)
        .where(SessionItem.skill == skill)
        .group_by(ItemVersion.item_id)
        .order_by(uses.desc(), ItemVersion.item_id)
    ).all()
    if not sessions:
        return Exposure(0, [], 0)
    rates = [(item_id, n, n / sessions) for item_id, n in rows]
    above = sum(1 for _, _, rate in rates if rate > EXPOSURE_LIMIT)
    return Exposure(sessions, rates[:EXPOSURE_SHOWN], above)


def adoptions(session: so.Session, limit: int = 20) -> list[BankAdoption]:
    """Return the latest bank versions adopted from a calibration, newest first."""
    return list(
        session.scalars(sa.select(BankAdoption).order_by(BankAdoption.id.desc()).limit(limit))
    )
