"""Work that no examiner may take: performances short of raters and adjudications without a
senior, with the reason, for the admin's banner and the Wachttijden page.

A dry run of the allocation (nothing is assigned): what it can place now is merely not placed
yet (the queue allocates when an examiner opens it); what it cannot place is blocked."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.assessment import allocation
from attest.examiner.allocation_view import examiners_of_centre, task_of, tasks_of, used_pairs
from attest.models import Adjudication, Performance, PerformanceStatus


@dataclass(frozen=True)
class BlockedWork:
    performance_id: int
    centre_id: int
    skill: str
    kind: str  # rating | adjudication
    reason: str  # a code of attest.assessment.allocation (why_unassigned, why_no_adjudicator)


def blocked_work(session: so.Session, centre_ids: Sequence[int] | None) -> list[BlockedWork]:
    """Return the work of these centres (None: all) that no examiner may take, and why."""
    waiting = sa.select(Performance).where(Performance.status == PerformanceStatus.WAITING)
    open_adj = (
        sa.select(Adjudication, Performance)
        .join(Performance, Performance.id == Adjudication.performance_id)
        .where(Adjudication.assignment_id.is_(None), Adjudication.decided_at.is_(None))
    )
    if centre_ids is not None:
        waiting = waiting.where(Performance.centre_id.in_(centre_ids))
        open_adj = open_adj.where(Performance.centre_id.in_(centre_ids))
    perfs = session.scalars(waiting.order_by(Performance.id)).all()
    adjudications = session.execute(open_adj.order_by(Performance.id)).all()
    centres = {p.centre_id for p in perfs} | {p.centre_id for _a, p in adjudications}
    blocked: list[BlockedWork] = []
    for centre in sorted(centres):
        examiners = examiners_of_centre(session, centre)
        mine = [p for p in perfs if p.centre_id == centre]
        tasks = [t for t in tasks_of(session, mine) if len(t.current) < t.needed]
        trial = allocation.allocate(
            tasks,
            examiners,
            used_pairs(session, {t.candidate_id for t in tasks}),
            random.Random(0),
        )
        by_id = {p.id: p for p in mine}
        for task in tasks:
            if task.performance_id in trial.unassigned:
                perf = by_id[task.performance_id]
                reason = allocation.why_unassigned(task, examiners)
                blocked.append(BlockedWork(perf.id, centre, perf.skill, "rating", reason))
        for _adj, perf in adjudications:
            if perf.centre_id != centre:
                continue
            task = task_of(session, perf)
            if allocation.choose_adjudicator(task, examiners, random.Random(0)) is None:
                reason = allocation.why_no_adjudicator(task, examiners)
                blocked.append(BlockedWork(perf.id, centre, perf.skill, "adjudication", reason))
    return blocked
