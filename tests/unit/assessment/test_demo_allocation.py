"""With exactly the demo's examiners an A2 volledig session finishes: every task gets two raters
(a pair not used on the candidate's other tasks) and every disagreement a senior who did not
rate it. With the three examiners the demo used to ship it did not (issue 20)."""

from __future__ import annotations

import random

from attest.assessment import allocation
from attest.assessment.purposes import get_purpose
from attest.demo import DEMO_SENIORS, DEMO_USERS
from attest.models import Role

CENTRE, CANDIDATE, PROCTOR = 1, 7, 999


def _demo_examiners(users=DEMO_USERS, seniors=DEMO_SENIORS) -> list[allocation.Examiner]:
    return [
        allocation.Examiner(id=i, centre_id=CENTRE, is_calibrated=True, is_senior=name in seniors)
        for i, (name, role, _n, _p) in enumerate(users, start=1)
        if role is Role.EXAMINER
    ]


def _productive_tasks(purpose_code: str) -> int:
    return sum(s.tasks for s in get_purpose(purpose_code).sections if s.is_targeted)


def _finishes(examiners: list[allocation.Examiner], seed: int) -> tuple[bool, list[str]]:
    """Rate every task of one candidate, every one disagreeing; tell whether all could finish."""
    rng = random.Random(seed)
    n = _productive_tasks("a2-volledig")
    tasks = [
        allocation.Task(
            performance_id=p,
            candidate_id=CANDIDATE,
            centre_id=CENTRE,
            proctor_ids=frozenset({PROCTOR}),
        )
        for p in range(1, n + 1)
    ]
    result = allocation.allocate(tasks, examiners, {}, rng)
    reasons = [
        allocation.why_unassigned(t, examiners)
        for t in tasks
        if t.performance_id in result.unassigned
    ]
    raters: dict[int, set[int]] = {}
    for perf, examiner in result.assignments:
        raters.setdefault(perf, set()).add(examiner)
    for task in tasks:
        if len(raters.get(task.performance_id, ())) != 2:
            continue
        rated = allocation.Task(
            performance_id=task.performance_id,
            candidate_id=CANDIDATE,
            centre_id=CENTRE,
            proctor_ids=task.proctor_ids,
            excluded=frozenset(raters[task.performance_id]),
        )
        if allocation.choose_adjudicator(rated, examiners, rng) is None:
            reasons.append(allocation.why_no_adjudicator(rated, examiners))
    return not reasons, reasons


def test_the_demo_examiners_finish_an_a2_volledig_session():
    examiners = _demo_examiners()
    assert sum(e.is_senior for e in examiners) >= 2
    assert _productive_tasks("a2-volledig") == 5
    for seed in range(50):  # ties are broken at random: every draw must finish
        ok, reasons = _finishes(examiners, seed)
        assert ok, (seed, reasons)


def test_the_three_examiners_of_the_old_demo_leave_work_blocked_and_say_why():
    old = _demo_examiners(DEMO_USERS[:5], seniors=("examiner3",))
    assert len(old) == 3
    ok, reasons = _finishes(old, 0)
    assert not ok
    assert set(reasons) <= {allocation.PAIRS_USED, allocation.SENIORS_RATED_IT}
    assert allocation.PAIRS_USED in reasons
