"""What the allocation rules (`attest/assessment/allocation.py`, pure) need to know, read from
the database: the centre's examiners, the performances as tasks, the rater pairs a candidate has
already had. Shared by scoring (allocating) and the blocked-work report (explaining)."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.assessment import allocation
from attest.examiner.assignments import is_calibrated
from attest.models import (
    AssignmentKind,
    CalibrationAttempt,
    Performance,
    RatingAssignment,
    Role,
    TestSession,
    User,
)


def examiners_of_centre(session: so.Session, centre_id: int) -> list[allocation.Examiner]:
    """The allocation view of a centre's enabled examiners: calibrated, senior, open load."""
    users = session.scalars(
        sa.select(User).where(
            User.role == Role.EXAMINER, User.centre_id == centre_id, User.is_enabled
        )
    ).all()
    open_load = dict(
        session.execute(
            sa.select(RatingAssignment.examiner_id, sa.func.count())
            .where(RatingAssignment.completed_at.is_(None))
            .group_by(RatingAssignment.examiner_id)
        ).all()
    )
    passed = set(
        session.scalars(
            sa.select(CalibrationAttempt.examiner_id).where(CalibrationAttempt.is_passed)
        )
    )
    return [_examiner(u, u.id in passed, open_load.get(u.id, 0)) for u in users]


def _examiner(user: User, calibrated: bool, load: int = 0) -> allocation.Examiner:
    return allocation.Examiner(
        id=user.id,
        centre_id=user.centre_id,
        is_calibrated=calibrated,
        is_senior=user.is_senior_examiner,
        load=load,
    )


def examiner_of(session: so.Session, user: User) -> allocation.Examiner:
    """The allocation view of one examiner (calibrated or not; the load is not read)."""
    return _examiner(user, is_calibrated(session, user.id))


def _proctors(ts: TestSession) -> frozenset[int]:
    return frozenset({ts.created_by_id} - {None})  # type: ignore[arg-type]


def session_task(ts: TestSession) -> allocation.Task:
    """The allocation view of a task of a session before it has a performance (an
    examiner-led interview: its live examiner gives rating 1): nobody rated it yet."""
    return allocation.Task(
        performance_id=0,
        candidate_id=ts.candidate_id,
        centre_id=ts.centre_id,
        proctor_ids=_proctors(ts),
        needed=1,
    )


def task_of(session: so.Session, perf: Performance) -> allocation.Task:
    """The allocation view of one performance."""
    return tasks_of(session, [perf])[0]


def tasks_of(session: so.Session, perfs: list[Performance]) -> list[allocation.Task]:
    """The allocation view of performances: who rated or was asked, in two queries in all
    (the examiner queue allocates on every load, so this must not grow per performance)."""
    if not perfs:
        return []
    rows = session.execute(
        sa.select(
            RatingAssignment.performance_id,
            RatingAssignment.examiner_id,
            RatingAssignment.round,
            RatingAssignment.kind,
        )
        .where(RatingAssignment.performance_id.in_([p.id for p in perfs]))
        .order_by(RatingAssignment.id)
    ).all()
    by_perf: dict[int, list[tuple[int, int, AssignmentKind]]] = defaultdict(list)
    for perf_id, examiner_id, rnd, kind in rows:
        by_perf[perf_id].append((examiner_id, rnd, kind))
    sessions = {
        ts.id: ts
        for ts in session.scalars(
            sa.select(TestSession).where(TestSession.id.in_({p.session_id for p in perfs}))
        )
    }
    tasks = []
    for perf in perfs:
        assigned, ts = by_perf[perf.id], sessions[perf.session_id]
        current = tuple(
            e for e, rnd, kind in assigned if rnd == perf.round and kind is AssignmentKind.LIVE
        )
        tasks.append(
            allocation.Task(
                performance_id=perf.id,
                candidate_id=ts.candidate_id,
                centre_id=perf.centre_id,
                proctor_ids=_proctors(ts),
                excluded=frozenset(e for e, _r, _k in assigned),
                current=current,
            )
        )
    return tasks


def used_pairs(session: so.Session, candidate_ids: set[int]) -> dict[int, set[frozenset[int]]]:
    """Return, per candidate, the pairs of live raters on each of their performances."""
    rows = session.execute(
        sa.select(TestSession.candidate_id, Performance.id, Performance.round, RatingAssignment)
        .join(Performance, Performance.session_id == TestSession.id)
        .join(RatingAssignment, RatingAssignment.performance_id == Performance.id)
        .where(
            TestSession.candidate_id.in_(candidate_ids),
            RatingAssignment.kind == AssignmentKind.LIVE,
        )
    ).all()
    raters: dict[tuple[int, int, int], list[int]] = defaultdict(list)
    for cand, perf_id, _round, assignment in rows:
        raters[(cand, perf_id, assignment.round)].append(assignment.examiner_id)
    pairs: dict[int, set[frozenset[int]]] = defaultdict(set)
    for (cand, _p, _r), ids in raters.items():
        if len(ids) >= 2:
            pairs[cand].add(frozenset(ids[:2]))
    return pairs
