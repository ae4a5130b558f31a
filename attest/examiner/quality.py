"""Examiner quality on the database: benchmarks, calibration, unannounced benchmark seeding,
agreement statistics over time, flags, and the turnaround of waiting performances."""

from __future__ import annotations

import random
import secrets
import statistics
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.assessment import agreement, allocation, rubrics
from attest.audit import record_event
from attest.engine import lock_row
from attest.examiner.assignments import ScoringError, assign, is_calibrated, rubric_of
from attest.examiner.band_thresholds import thresholds_for
from attest.models import (
    AssignmentKind,
    Benchmark,
    CalibrationAttempt,
    Centre,
    Performance,
    PerformanceStatus,
    Rating,
    RatingAssignment,
    Role,
    User,
)


def mark_benchmark(
    session: so.Session,
    perf: Performance,
    admin: User,
    bands: Mapping[str, Any],
    is_calibration: bool,
    now: datetime,
) -> Benchmark:
    """Make a finally rated performance a benchmark with its agreed bands."""
    if perf.status is not PerformanceStatus.FINAL:
        raise ScoringError("not_final", "only a performance with a final rating can be a benchmark")
    if session.scalar(sa.select(Benchmark.id).where(Benchmark.performance_id == perf.id)):
        raise ScoringError("already_benchmark", "this performance is already a benchmark")
    problems = rubric_of(perf).check(bands)
    if problems:
        raise ScoringError("bad_bands", "a band is missing or out of range", problems)
    benchmark = Benchmark(
        performance_id=perf.id,
        agreed_bands={k: int(v) for k, v in bands.items()},
        agreed_level=rubrics.task_level(
            bands, perf.task_level, thresholds_for(session, perf.session, perf.skill)[1]
        ),
        is_calibration=is_calibration,
        created_by_id=admin.id,
        created_at=now,
    )
    session.add(benchmark)
    session.flush()
    record_event(
        session,
        admin,
        "benchmark.mark",
        "performance",
        perf.id,
        benchmark_id=benchmark.id,
        level=benchmark.agreed_level,
        is_calibration=is_calibration,
    )
    return benchmark


def open_calibration(session: so.Session, examiner: User) -> CalibrationAttempt | None:
    """Return the examiner's unfinished calibration attempt, if any."""
    return session.scalar(
        sa.select(CalibrationAttempt).where(
            CalibrationAttempt.examiner_id == examiner.id,
            CalibrationAttempt.completed_at.is_(None),
        )
    )


def start_calibration(session: so.Session, examiner: User, now: datetime) -> CalibrationAttempt:
    """Put the calibration set in the examiner's queue (one attempt at a time; the examiner's
    row is locked, so that a double-click finds the attempt the first click started)."""
    lock_row(session, User, examiner.id)
    attempt = open_calibration(session, examiner)
    if attempt is not None:
        return attempt
    benchmarks = session.scalars(
        sa.select(Benchmark).where(Benchmark.is_calibration, Benchmark.is_active)
    ).all()
    if not benchmarks:
        raise ScoringError("no_set", "the calibration set is empty; ask an admin")
    attempt = CalibrationAttempt(examiner_id=examiner.id, started_at=now)
    session.add(attempt)
    session.flush()
    for benchmark in benchmarks:
        assign(
            session, benchmark.performance, examiner.id, AssignmentKind.CALIBRATION, now, attempt.id
        )
    record_event(session, examiner, "calibration.start", "calibration_attempt", attempt.id)
    return attempt


def close_calibration_if_done(session: so.Session, attempt_id: int | None, now: datetime) -> None:
    """Judge a calibration attempt once every performance of its set has been rated."""
    attempt = session.get(CalibrationAttempt, attempt_id) if attempt_id else None
    if attempt is None or attempt.completed_at is not None:
        return
    assignments = session.scalars(
        sa.select(RatingAssignment).where(RatingAssignment.calibration_attempt_id == attempt.id)
    ).all()
    if any(a.completed_at is None for a in assignments):
        return
    scores = []
    for a in assignments:
        rating = session.scalar(sa.select(Rating).where(Rating.assignment_id == a.id))
        benchmark = session.scalar(
            sa.select(Benchmark).where(Benchmark.performance_id == a.performance_id)
        )
        scores.append(
            agreement.CalibrationScore(
                rating.bands, benchmark.agreed_bands, rating.level, benchmark.agreed_level
            )
        )
    outcome = agreement.calibration_outcome(scores, rubrics.load_rules().calibration)
    attempt.completed_at = now
    attempt.is_passed = outcome.passed
    attempt.level_exact, attempt.worst_band_difference = (
        outcome.level_exact,
        outcome.worst_band_difference,
    )
    session.flush()
    record_event(
        session,
        session.get(User, attempt.examiner_id),
        "calibration.complete",
        "calibration_attempt",
        attempt.id,
        passed=outcome.passed,
        level_exact=round(outcome.level_exact, 3),
        worst_band_difference=outcome.worst_band_difference,
    )


def exempt_from_calibration(
    session: so.Session, examiner: User, admin: User, now: datetime
) -> CalibrationAttempt:
    """Record that an admin allows an examiner to score live without the calibration set
    (e.g. trained and calibrated elsewhere); the exemption is audited."""
    if examiner.role is not Role.EXAMINER:
        raise ScoringError("not_examiner", "only examiners are calibrated")
    attempt = CalibrationAttempt(
        examiner_id=examiner.id,
        started_at=now,
        completed_at=now,
        is_passed=True,
        exempted_by_id=admin.id,
    )
    session.add(attempt)
    session.flush()
    record_event(session, admin, "calibration.exempt", "user", examiner.id)
    return attempt


def seed_benchmark(session: so.Session, examiner: User, now: datetime) -> RatingAssignment | None:
    """Slip a benchmark into a calibrated examiner's live queue, one in `benchmark_every`.

    Decided again under a lock of the examiner's row when one is due: two loads of the queue
    at the same moment (two tabs) seed one benchmark, not two."""
    rng = random.Random(secrets.randbits(32))
    if _benchmark_due(session, examiner, rng) is None:
        return None
    lock_row(session, User, examiner.id)
    chosen = _benchmark_due(session, examiner, rng)
    if chosen is None:
        return None
    perf = session.get(Performance, chosen)
    assignment = assign(session, perf, examiner.id, AssignmentKind.BENCHMARK, now)
    assignment.round = 0  # never part of the performance's own rounds
    session.flush()
    return assignment


def _benchmark_due(session: so.Session, examiner: User, rng: random.Random) -> int | None:
    """The performance of the benchmark to seed into the examiner's queue now, if one is due."""
    if not is_calibrated(session, examiner.id):
        return None
    kinds = session.scalars(
        sa.select(RatingAssignment.kind)
        .where(
            RatingAssignment.examiner_id == examiner.id,
            RatingAssignment.kind.in_((AssignmentKind.LIVE, AssignmentKind.BENCHMARK)),
        )
        .order_by(RatingAssignment.id.desc())
    ).all()
    since_last = next((n for n, k in enumerate(kinds) if k is AssignmentKind.BENCHMARK), len(kinds))
    seen = session.scalars(
        sa.select(RatingAssignment.performance_id).where(
            RatingAssignment.examiner_id == examiner.id
        )
    ).all()
    ids = session.scalars(
        sa.select(Benchmark.performance_id).where(
            Benchmark.is_active, Benchmark.is_calibration.is_(False)
        )
    ).all()
    return allocation.benchmark_to_seed(
        since_last, rubrics.load_rules().benchmark_every, ids, seen, rng
    )


@dataclass(frozen=True)
class ExaminerQuality:
    examiner: User
    against_raters: agreement.Agreement
    against_benchmarks: agreement.Agreement
    flags: list[str]
    weekly: list[tuple[str, agreement.Agreement]]  # against the other rater, per ISO week


def _latest_by_assignment(session: so.Session, examiner_id: int) -> list[Rating]:
    """Return the latest version of every rating on the performances an examiner rated."""
    rated = sa.select(Rating.performance_id).where(Rating.examiner_id == examiner_id)
    newest = (
        sa.select(Rating.assignment_id, sa.func.max(Rating.version).label("v"))
        .where(Rating.performance_id.in_(rated))
        .group_by(Rating.assignment_id)
        .subquery()
    )
    query = sa.select(Rating).join(
        newest,
        sa.and_(Rating.assignment_id == newest.c.assignment_id, Rating.version == newest.c.v),
    )
    return list(session.scalars(query))


def rater_pairs(
    session: so.Session, examiner_id: int
) -> tuple[list[tuple[datetime, int, int]], list[tuple[datetime, int, int]]]:
    """Return (date, own band, other band) per criterion: against the other live rater of the
    same performance and round, and against benchmarks' agreed bands."""
    ratings = _latest_by_assignment(session, examiner_id)
    live = defaultdict(list)
    for r in ratings:
        if r.kind is AssignmentKind.LIVE:
            live[(r.performance_id, r.round)].append(r)
    agreed = {b.performance_id: b.agreed_bands for b in session.scalars(sa.select(Benchmark))}
    raters, benches = [], []
    for r in ratings:
        if r.examiner_id != examiner_id:
            continue
        if r.kind is AssignmentKind.LIVE:
            for other in live[(r.performance_id, r.round)]:
                if other.examiner_id != examiner_id:
                    raters += [(r.created_at, r.bands[c], other.bands[c]) for c in r.bands]
        elif r.kind in (AssignmentKind.BENCHMARK, AssignmentKind.CALIBRATION):
            bands = agreed.get(r.performance_id)
            if bands:
                benches += [(r.created_at, r.bands[c], bands[c]) for c in r.bands if c in bands]
    return raters, benches


def _stats(pairs: list[tuple[datetime, int, int]]) -> agreement.Agreement:
    return agreement.agreement([int(p[1]) for p in pairs], [int(p[2]) for p in pairs])


def examiner_quality(session: so.Session, examiner: User) -> ExaminerQuality:
    """Return an examiner's agreement statistics, weekly series and flags."""
    raters, benches = rater_pairs(session, examiner.id)
    weeks: dict[str, list] = defaultdict(list)
    for pair in raters:
        year, week, _ = pair[0].isocalendar()
        weeks[f"{year}-W{week:02d}"].append(pair)
    against_raters = _stats(raters)
    against_benchmarks = _stats(benches)
    bounds = rubrics.load_rules().quality
    flags = agreement.flags(against_raters, bounds)
    flags += [f"benchmark_{f}" for f in agreement.flags(against_benchmarks, bounds)]
    return ExaminerQuality(
        examiner,
        against_raters,
        against_benchmarks,
        flags,
        [(week, _stats(pairs)) for week, pairs in sorted(weeks.items())],
    )


def examiners_of(session: so.Session, centre_ids: list[int] | None) -> list[User]:
    """Return the examiners of the given centres (all when None)."""
    query = sa.select(User).where(User.role == Role.EXAMINER).order_by(User.username)
    if centre_ids is not None:
        query = query.where(User.centre_id.in_(centre_ids))
    return list(session.scalars(query))


@dataclass(frozen=True)
class Waiting:
    performance_id: int
    centre_name: str
    skill: str
    status: str
    age_hours: float
    ratings_done: int


@dataclass(frozen=True)
class CentreTurnaround:
    centre_name: str
    waiting: int
    oldest_hours: float
    median_hours: float
    over_48_hours: int


def turnaround(
    session: so.Session, centre_ids: list[int] | None, now: datetime
) -> tuple[list[Waiting], list[CentreTurnaround]]:
    """Return every waiting performance with its age, and a summary per centre."""
    query = (
        sa.select(Performance, Centre.name)
        .join(Centre, Centre.id == Performance.centre_id)
        .where(Performance.status != PerformanceStatus.FINAL)
        .order_by(Performance.waiting_since)
    )
    if centre_ids is not None:
        query = query.where(Performance.centre_id.in_(centre_ids))
    done = dict(
        session.execute(
            sa.select(RatingAssignment.performance_id, sa.func.count())
            .join(Performance, Performance.id == RatingAssignment.performance_id)
            .where(
                RatingAssignment.completed_at.is_not(None),
                RatingAssignment.round == Performance.round,
                RatingAssignment.kind.in_((AssignmentKind.LIVE, AssignmentKind.ADJUDICATION)),
            )
            .group_by(RatingAssignment.performance_id)
        ).all()
    )
    rows = [
        Waiting(
            p.id,
            name,
            p.skill,
            p.status.value,
            (now - p.waiting_since).total_seconds() / 3600,
            done.get(p.id, 0),
        )
        for p, name in session.execute(query).all()
    ]
    by_centre: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        by_centre[row.centre_name].append(row.age_hours)
    summary = [
        CentreTurnaround(
            name, len(ages), max(ages), statistics.median(ages), sum(a > 48 for a in ages)
        )
        for name, ages in sorted(by_centre.items())
    ]
    return rows, summary
