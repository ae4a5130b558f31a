"""What the allocation rules (`attest/assessment/allocation.py`, pure) need to know, read from
the database: the centre's examiners, the performances as tasks, the rater pairs a candidate has
already had. Shared by scoring (allocating) and the blocked-work report (explaining)."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.assessment import allocation
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
    return [
        allocation.Examiner(
            id=u.id,
            centre_id=u.centre_id,
            is_calibrated=u.id in passed,
            is_senior=u.is_senior_examiner,
            load=open_load.get(u.id, 0),
        )
        for u in users
    ]


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
                proctor_ids=frozenset({ts.created_by_id} - {None}),  # type: ignore[arg-type]
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
