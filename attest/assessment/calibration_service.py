"""Calibrate the item bank from stored responses, one Rasch scale per skill, on the live items.

A person is one completed test session, an item is one item version (a changed text is a new
item for the statistics), a score is the stored machine score (examiner-scored answers have none
and drop out). The current versions of live items are the anchors, so pilot items land on the
bank scale; DIF groups are the sessions' instruction languages. Nothing in the bank is changed:
the result is a report that a person reviews (``write_calibration`` keeps it as YAML).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import sqlalchemy as sa
import sqlalchemy.orm as so
import yaml

from attest.assessment.calibration import MIN_RESPONSES, CalibrationReport, calibrate
from attest.models import Item, ItemVersion, Response, SessionItem, SessionStatus, TestSession

OTHER_LANGUAGES = "other"


@dataclass(frozen=True)
class ResponseData:
    """The score matrix of one skill: sessions x item versions, NaN where not presented."""

    skill: str
    matrix: np.ndarray
    item_ids: list[str]  # "<item id>/v<version>"
    session_ids: list[int]
    languages: list[str | None]
    old_difficulties: dict[str, float]
    anchors: dict[str, float]  # current versions of live items
    statuses: dict[str, str]


@dataclass(frozen=True)
class SkillCalibration:
    skill: str
    data: ResponseData
    report: CalibrationReport


@dataclass(frozen=True)
class BankCalibration:
    """The calibrations of all skills with data, and why any skill was left out."""

    created_at: datetime
    anchoring: str
    min_responses: int
    skills: list[SkillCalibration] = field(default_factory=list)
    not_calibrated: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Return the calibration record as plain YAML-ready data."""
        skills = {}
        for cal in self.skills:
            report = cal.report.to_dict()
            for item in report["items"]:
                item_id = item["item_id"]
                item["old_difficulty"] = round(cal.data.old_difficulties[item_id], 4)
                item["status"] = cal.data.statuses[item_id]
            skills[cal.skill] = report
        return {
            "created_at": self.created_at.isoformat(),
            "anchoring": self.anchoring,
            "min_responses": self.min_responses,
            "skills": skills,
            "not_calibrated": dict(self.not_calibrated),
        }


def collect_responses(session: so.Session, skill: str) -> ResponseData | None:
    """Build the score matrix of a skill from completed sessions; None if nothing is scored."""
    rows = session.execute(
        sa.select(
            TestSession.id,
            TestSession.language,
            ItemVersion.item_id,
            ItemVersion.version,
            ItemVersion.difficulty,
            Item.status,
            Item.current_version,
            Response.score,
        )
        .join(SessionItem, SessionItem.session_id == TestSession.id)
        .join(Response, Response.session_item_id == SessionItem.id)
        .join(ItemVersion, ItemVersion.id == SessionItem.item_version_id)
        .join(Item, Item.id == ItemVersion.item_id)
        .where(
            TestSession.status == SessionStatus.COMPLETED,
            Item.skill == skill,
            Response.score.is_not(None),
        )
        .order_by(TestSession.id, ItemVersion.item_id, ItemVersion.version)
    ).all()
    if not rows:
        return None
    sessions = {r.id: r.language for r in rows}
    items: dict[str, tuple[float, str, bool]] = {}
    for r in rows:
        key = f"{r.item_id}/v{r.version}"
        items[key] = (r.difficulty, r.status, r.status == "live" and r.version == r.current_version)
    session_index = {sid: k for k, sid in enumerate(sessions)}
    item_ids = sorted(items)
    item_index = {key: k for k, key in enumerate(item_ids)}
    matrix = np.full((len(sessions), len(item_ids)), np.nan)
    for r in rows:
        matrix[session_index[r.id], item_index[f"{r.item_id}/v{r.version}"]] = r.score
    return ResponseData(
        skill=skill,
        matrix=matrix,
        item_ids=item_ids,
        session_ids=list(sessions),
        languages=list(sessions.values()),
        old_difficulties={key: items[key][0] for key in item_ids},
        anchors={key: items[key][0] for key in item_ids if items[key][2]},
        statuses={key: items[key][1] for key in item_ids},
    )


def calibrate_bank(
    session: so.Session,
    now: datetime,
    *,
    skills: list[str] | None = None,
    min_responses: int = MIN_RESPONSES,
    anchoring: str = "fixed",
    reference: str | None = None,
    focal: str | None = None,
) -> BankCalibration:
    """Calibrate each machine-scored skill with the live items as anchors (see module docs).

    DIF compares the ``reference`` language (default: the most frequent) with ``focal``
    (default: all other languages pooled).
    """
    if skills is None:
        skills = list(session.scalars(sa.select(Item.skill).distinct().order_by(Item.skill)))
    result = BankCalibration(now, anchoring, min_responses)
    for skill in skills:
        data = collect_responses(session, skill)
        if data is None:
            result.not_calibrated[skill] = "no scored responses in completed sessions"
            continue
        groups, ref, foc = _language_groups(data.languages, reference, focal)
        try:
            report = calibrate(
                data.matrix,
                data.item_ids,
                anchors=data.anchors,
                anchoring=anchoring,
                groups=groups,
                reference=ref,
                focal=foc,
                min_responses=min_responses,
            )
        except ValueError as exc:
            result.not_calibrated[skill] = str(exc)
            continue
        result.skills.append(SkillCalibration(skill, data, report))
    return result


def _language_groups(
    languages: list[str | None], reference: str | None, focal: str | None
) -> tuple[list[str] | None, str | None, str | None]:
    counts = Counter(lang for lang in languages if lang)
    reference = reference or (counts.most_common(1)[0][0] if counts else None)
    if reference is None or (focal is None and len(counts) < 2):
        return None, None, None
    if focal is None:
        labels = [
            lang if lang == reference else (OTHER_LANGUAGES if lang else "") for lang in languages
        ]
        return labels, reference, OTHER_LANGUAGES
    return [lang or "" for lang in languages], reference, focal


def write_calibration(calibration: BankCalibration, directory: Path) -> Path:
    """Write the calibration record to ``<directory>/<date>.yaml`` (``-2``, ``-3``... if taken)."""
    directory.mkdir(parents=True, exist_ok=True)
    stem = calibration.created_at.strftime("%Y-%m-%d")
    path, n = directory / f"{stem}.yaml", 1
    while path.exists():
        n += 1
        path = directory / f"{stem}-{n}.yaml"
    text = yaml.safe_dump(calibration.to_dict(), allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def table_lines(calibration: BankCalibration) -> list[str]:
    """Return the calibration as a plain-text table per skill, flagged items marked."""
    head = f"{'item':<28} {'n':>5} {'b old':>6} {'b new':>6} {'se':>5} {'infit':>5} "
    head += f"{'outft':>5} {'r_pb':>5} {'DIF':>7}  flags"
    lines = []
    for cal in calibration.skills:
        r = cal.report
        lines += [
            f"{cal.skill}: {r.n_persons} sessions, {len(r.items)} item versions, "
            f"anchoring {r.anchoring}, population N({r.population_mean:.2f}, "
            f"{r.population_sd:.2f}), DIF {' vs '.join(r.groups) if r.groups else 'not run'}",
            head,
        ]
        for it in r.items:
            anchor = "*" if it.is_anchor else " "
            dif = f"{it.dif.category}{it.dif.delta:+.2f}" if it.dif else "-"
            lines.append(
                f"{anchor}{it.item_id:<27} {it.n:>5} {cal.data.old_difficulties[it.item_id]:>6.2f} "
                f"{_f(it.difficulty, 6)} {_f(it.se, 5)} {_f(it.infit, 5)} {_f(it.outfit, 5)} "
                f"{_f(it.point_biserial, 5)} {dif:>7}  {','.join(it.flags)}"
            )
        lines.append(f"{len(r.flagged())} flagged; * = anchor (live item, current version)")
    lines += [
        f"{skill}: not calibrated: {why}" for skill, why in calibration.not_calibrated.items()
    ]
    return lines


def _f(value: float | None, width: int) -> str:
    return f"{value:>{width}.2f}" if value is not None else f"{'-':>{width}}"
