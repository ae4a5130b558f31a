"""Examiner scoring: performances, assignments, ratings (versioned), adjudications, benchmarks,
calibration attempts and re-mark requests."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.engine import Base
from attest.models._types import UTCDateTime, enum_by_value, utcnow
from attest.models.org import User
from attest.models.session import Response, TestSession


class PerformanceStatus(enum.Enum):
    WAITING = "waiting"  # waiting for its two ratings
    ADJUDICATION = "adjudication"  # the two ratings differ: waiting for a senior's rating
    FINAL = "final"


class AssignmentKind(enum.Enum):
    LIVE = "live"  # one of the two blind ratings
    ADJUDICATION = "adjudication"  # the senior's deciding rating
    BENCHMARK = "benchmark"  # a benchmark seeded unannounced into the live queue
    CALIBRATION = "calibration"  # part of an examiner's calibration set


class Performance(Base):
    """One answered speaking or writing task, as examiners score it."""

    __tablename__ = "performance"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    response_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("response.id"), unique=True)
    session_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("test_session.id"), index=True)
    centre_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("centre.id"), index=True)
    skill: so.Mapped[str] = so.mapped_column(sa.String(16))
    task_level: so.Mapped[str] = so.mapped_column(sa.String(8))
    task_type: so.Mapped[str] = so.mapped_column(sa.String(32))
    round: so.Mapped[int] = so.mapped_column(default=1)  # a re-mark starts a new round
    status: so.Mapped[PerformanceStatus] = so.mapped_column(
        enum_by_value(PerformanceStatus), default=PerformanceStatus.WAITING, index=True
    )
    final_bands: so.Mapped[dict | None] = so.mapped_column(sa.JSON)
    final_level: so.Mapped[str | None] = so.mapped_column(sa.String(8))
    final_method: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    # the cut-score store version whose band thresholds gave final_level (docs/standard-setting.md)
    cut_scores_version: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    waiting_since: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    finalised_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    response: so.Mapped[Response] = so.relationship()
    session: so.Mapped[TestSession] = so.relationship()

    def __repr__(self) -> str:
        return f"<Performance #{self.id} {self.skill} {self.status.value}>"


class RatingAssignment(Base):
    """A performance in one examiner's queue; `token` names it in URLs without revealing ids."""

    __tablename__ = "rating_assignment"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    token: so.Mapped[str] = so.mapped_column(sa.String(43), unique=True)
    performance_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("performance.id"), index=True)
    examiner_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id"), index=True)
    round: so.Mapped[int] = so.mapped_column(default=1)
    kind: so.Mapped[AssignmentKind] = so.mapped_column(enum_by_value(AssignmentKind))
    calibration_attempt_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("calibration_attempt.id")
    )
    assigned_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    completed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    performance: so.Mapped[Performance] = so.relationship()
    examiner: so.Mapped[User] = so.relationship()

    __table_args__ = (
        # An examiner rates a performance once per round: the live examiner of an interview,
        # whose provisional rating is rating 1, can never be its second (blind) rater.
        sa.Index(
            "uq_rating_assignment_live_rater",
            "performance_id",
            "round",
            "examiner_id",
            unique=True,
            sqlite_where=sa.text("kind = 'live'"),
            postgresql_where=sa.text("kind = 'live'"),
        ),
    )

    def __repr__(self) -> str:
        return f"<RatingAssignment #{self.id} {self.kind.value} perf={self.performance_id}>"


class Rating(Base):
    """One examiner's bands for a performance; a correction adds a version, nothing is
    overwritten."""

    __tablename__ = "rating"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    assignment_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("rating_assignment.id"))
    performance_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("performance.id"), index=True)
    examiner_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id"), index=True)
    round: so.Mapped[int]
    kind: so.Mapped[AssignmentKind] = so.mapped_column(enum_by_value(AssignmentKind))
    version: so.Mapped[int] = so.mapped_column(default=1)
    bands: so.Mapped[dict] = so.mapped_column(sa.JSON)
    level: so.Mapped[str] = so.mapped_column(sa.String(8))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    assignment: so.Mapped[RatingAssignment] = so.relationship()

    __table_args__ = (
        sa.UniqueConstraint("assignment_id", "version", name="uq_rating_assignment_version"),
    )

    def __repr__(self) -> str:
        return f"<Rating #{self.id} perf={self.performance_id} v{self.version}>"


class Adjudication(Base):
    """Two ratings that differ too much: why, and the senior's deciding assignment."""

    __tablename__ = "adjudication"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    performance_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("performance.id"), index=True)
    round: so.Mapped[int]
    reasons: so.Mapped[list] = so.mapped_column(sa.JSON)
    assignment_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("rating_assignment.id"))
    opened_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    decided_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    __table_args__ = (sa.UniqueConstraint("performance_id", "round", name="uq_adjudication"),)

    def __repr__(self) -> str:
        return f"<Adjudication perf={self.performance_id} round={self.round}>"


class Benchmark(Base):
    """A performance with agreed ratings, for calibration and for seeding into live queues."""

    __tablename__ = "benchmark"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    performance_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("performance.id"), unique=True)
    agreed_bands: so.Mapped[dict] = so.mapped_column(sa.JSON)
    agreed_level: so.Mapped[str] = so.mapped_column(sa.String(8))
    is_calibration: so.Mapped[bool] = so.mapped_column(default=False)
    is_active: so.Mapped[bool] = so.mapped_column(default=True)
    created_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    performance: so.Mapped[Performance] = so.relationship()

    def __repr__(self) -> str:
        return f"<Benchmark #{self.id} perf={self.performance_id} {self.agreed_level}>"


class CalibrationAttempt(Base):
    """An examiner's pass through the calibration set (or an admin's recorded exemption)."""

    __tablename__ = "calibration_attempt"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    examiner_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id"), index=True)
    started_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    completed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    is_passed: so.Mapped[bool | None]
    level_exact: so.Mapped[float | None]
    worst_band_difference: so.Mapped[int | None]
    exempted_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))

    def __repr__(self) -> str:
        return f"<CalibrationAttempt #{self.id} examiner={self.examiner_id} {self.is_passed}>"


class RemarkRequest(Base):
    """An appeal: a performance sent to a new pair; the outcome and any reissued attestation."""

    __tablename__ = "remark_request"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    performance_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("performance.id"), index=True)
    round: so.Mapped[int]
    reason: so.Mapped[str] = so.mapped_column(sa.String(500))
    requested_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id"))
    requested_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    previous_level: so.Mapped[str | None] = so.mapped_column(sa.String(8))
    new_level: so.Mapped[str | None] = so.mapped_column(sa.String(8))
    completed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    old_attestation_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("attestation.id"))
    new_attestation_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("attestation.id"))

    performance: so.Mapped[Performance] = so.relationship()

    def __repr__(self) -> str:
        return f"<RemarkRequest perf={self.performance_id} round={self.round}>"
