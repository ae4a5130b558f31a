"""Small queries and actions behind the admin's examiner pages."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.audit import record_event
from attest.examiner.quality import ExaminerQuality
from attest.models import Benchmark, CalibrationAttempt, Performance, RemarkRequest, User


def calibration_attempts(session: so.Session, examiner: User) -> list[CalibrationAttempt]:
    """Return an examiner's calibration attempts, newest first."""
    return list(
        session.scalars(
            sa.select(CalibrationAttempt)
            .where(CalibrationAttempt.examiner_id == examiner.id)
            .order_by(CalibrationAttempt.id.desc())
        )
    )


def calibrated_ids(session: so.Session) -> set[int]:
    """Return the ids of examiners who passed calibration or were exempted."""
    return set(
        session.scalars(
            sa.select(CalibrationAttempt.examiner_id).where(CalibrationAttempt.is_passed)
        )
    )


def toggle_senior(session: so.Session, examiner: User, admin: User) -> None:
    """Make an examiner senior (deciding third ratings), or no longer senior."""
    examiner.is_senior_examiner = not examiner.is_senior_examiner
    record_event(
        session, admin, "examiner.senior", "user", examiner.id, senior=examiner.is_senior_examiner
    )


def quality_json(q: ExaminerQuality) -> dict[str, Any]:
    """Return an examiner's statistics as JSON (no candidate data at all)."""
    return {
        "against_raters": asdict(q.against_raters),
        "against_benchmarks": asdict(q.against_benchmarks),
        "flags": q.flags,
        "weekly": [{"week": week, **asdict(stats)} for week, stats in q.weekly],
    }


def performances(session: so.Session, limit: int = 200) -> list[dict[str, Any]]:
    """Return the latest performances with their benchmark and re-mark state."""
    perfs = session.scalars(
        sa.select(Performance).order_by(Performance.id.desc()).limit(limit)
    ).all()
    benchmarks = set(session.scalars(sa.select(Benchmark.performance_id)))
    remarks: dict[int, list[RemarkRequest]] = {}
    for r in session.scalars(sa.select(RemarkRequest).order_by(RemarkRequest.id)):
        remarks.setdefault(r.performance_id, []).append(r)
    return [
        {
            "perf": p,
            "is_benchmark": p.id in benchmarks,
            "remarks": remarks.get(p.id, []),
        }
        for p in perfs
    ]
