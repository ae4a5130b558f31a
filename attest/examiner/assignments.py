"""Rating assignments: who rates which performance on which rubric, and the refusals of
scoring actions. Shared by examiner scoring (live ratings, adjudication) and examiner quality
(benchmarks, calibration), which both hand out assignments."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.assessment import rubrics
from attest.models import AssignmentKind, CalibrationAttempt, Performance, RatingAssignment


class ScoringError(Exception):
    """A scoring action refused; `code` is a stable reason the views translate."""

    def __init__(self, code: str, message: str, problems: Mapping[str, str] | None = None):
        super().__init__(message)
        self.code = code
        self.problems = dict(problems or {})


def new_token() -> str:
    """Return an unguessable name for an assignment in URLs (it reveals no id)."""
    return secrets.token_urlsafe(24)


def rubric_of(perf: Performance) -> rubrics.Rubric:
    """Return the rubric a performance is scored on."""
    return rubrics.rubric_for(perf.skill, perf.task_type, perf.task_level)


def is_calibrated(session: so.Session, examiner_id: int) -> bool:
    """Tell whether an examiner passed calibration (or was exempted by an admin)."""
    return (
        session.scalar(
            sa.select(CalibrationAttempt.id)
            .where(CalibrationAttempt.examiner_id == examiner_id, CalibrationAttempt.is_passed)
            .limit(1)
        )
        is not None
    )


def assign(
    session: so.Session,
    perf: Performance,
    examiner_id: int,
    kind: AssignmentKind,
    now: datetime,
    attempt_id: int | None = None,
) -> RatingAssignment:
    """Give a performance (its current round) to an examiner to rate."""
    assignment = RatingAssignment(
        token=new_token(),
        performance=perf,
        examiner_id=examiner_id,
        round=perf.round,
        kind=kind,
        calibration_attempt_id=attempt_id,
        assigned_at=now,
    )
    session.add(assignment)
    session.flush()
    return assignment
