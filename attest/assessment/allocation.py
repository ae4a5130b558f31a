"""Choose examiners for performances: two blind raters, an adjudicator, seeded benchmarks.

Constraints (issue [6]): a rater never proctored the session, never rates the same performance
twice (over all rounds, re-marks included), and the two raters of a performance are never the
same pair that rated another task of the same candidate. Only examiners who passed calibration
rate live work, and only work of their own centre. Among those allowed, the least loaded are
chosen (ties broken at random) so that work spreads evenly; senior examiners rate live work only
when too few others are free, so that they stay available to adjudicate.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Examiner:
    id: int
    centre_id: int | None
    is_calibrated: bool
    is_senior: bool = False
    load: int = 0  # open assignments


LIVE_RATERS = 2  # blind ratings per performance and round


@dataclass(frozen=True)
class Task:
    """A performance that needs raters in its current round."""

    performance_id: int
    candidate_id: int
    centre_id: int
    proctor_ids: frozenset[int] = frozenset()
    excluded: frozenset[int] = frozenset()  # everyone who rated it before, in any round
    current: tuple[int, ...] = ()  # raters already assigned in this round
    needed: int = LIVE_RATERS


@dataclass
class Allocation:
    assignments: list[tuple[int, int]] = field(default_factory=list)  # (performance, examiner)
    unassigned: list[int] = field(default_factory=list)  # performances still short of raters


def may_rate(task: Task, examiner: Examiner) -> bool:
    """Tell whether an examiner may rate a task now (calibrated, of its centre, never its
    proctor, never a rater of it before). The live examiner of an interview, whose provisional
    rating is rating 1, meets the same bar (examiner/interview_service.py)."""
    return (
        examiner.is_calibrated
        and examiner.centre_id == task.centre_id
        and examiner.id not in task.proctor_ids
        and examiner.id not in task.excluded
        and examiner.id not in task.current
    )


def allocate(
    tasks: Sequence[Task],
    examiners: Sequence[Examiner],
    used_pairs: Mapping[int, Iterable[frozenset[int]]],
    rng: random.Random,
) -> Allocation:
    """Assign raters to each task; `used_pairs` maps a candidate to pairs on their other tasks."""
    load = {e.id: e.load for e in examiners}
    pairs = {cand: set(p) for cand, p in used_pairs.items()}
    result = Allocation()
    for task in tasks:
        chosen = list(task.current)
        pool = [e for e in examiners if may_rate(task, e)]
        for _ in range(task.needed - len(task.current)):
            ranked = sorted(pool, key=lambda e: (e.is_senior, load[e.id], rng.random()))
            pick = next(
                (
                    e
                    for e in ranked
                    if e.id not in chosen
                    and not (chosen and _same_pair(chosen, e.id, pairs.get(task.candidate_id)))
                ),
                None,
            )
            if pick is None:
                result.unassigned.append(task.performance_id)
                break
            chosen.append(pick.id)
            load[pick.id] += 1
            result.assignments.append((task.performance_id, pick.id))
        if len(chosen) >= 2:
            pairs.setdefault(task.candidate_id, set()).add(frozenset(chosen[:2]))
    return result


def _same_pair(chosen: list[int], candidate: int, used: set[frozenset[int]] | None) -> bool:
    return bool(used) and frozenset((chosen[0], candidate)) in used  # type: ignore[operator]


def choose_adjudicator(
    task: Task, examiners: Sequence[Examiner], rng: random.Random
) -> Examiner | None:
    """Return the least loaded calibrated senior examiner allowed to rate the task, or None."""
    pool = [e for e in examiners if e.is_senior and may_rate(task, e)]
    return min(pool, key=lambda e: (e.load, rng.random()), default=None)


def benchmark_to_seed(
    live_since_last: int,
    every: int,
    benchmark_ids: Sequence[int],
    seen: Iterable[int],
    rng: random.Random,
) -> int | None:
    """Return a benchmark to slip into an examiner's queue, or None.

    One assignment in `every` is a benchmark: after `every - 1` live assignments since the last
    benchmark, one the examiner has not rated yet is chosen at random. Nothing in the queue tells
    it apart from live work."""
    if every <= 1 or live_since_last < every - 1:
        return None
    fresh = sorted(set(benchmark_ids) - set(seen))
    return rng.choice(fresh) if fresh else None


# Why work is left without an examiner: stable codes the admin pages translate.
NO_EXAMINER = "no_examiner"  # no calibrated examiner in the centre
TOO_FEW_EXAMINERS = "too_few_examiners"  # the others proctored it or rated it already
PAIRS_USED = "pairs_used"  # every free pair already rated another task of this candidate
NO_SENIOR = "no_senior"  # no calibrated senior examiner in the centre
SENIORS_RATED_IT = "seniors_rated_it"  # every senior rated or proctored this performance


def why_unassigned(task: Task, examiners: Sequence[Examiner]) -> str:
    """Say why `allocate` could not give a task its raters."""
    staff = [e for e in examiners if e.is_calibrated and e.centre_id == task.centre_id]
    if not staff:
        return NO_EXAMINER
    allowed = [e for e in staff if may_rate(task, e)]
    return TOO_FEW_EXAMINERS if len(allowed) < task.needed - len(task.current) else PAIRS_USED


def why_no_adjudicator(task: Task, examiners: Sequence[Examiner]) -> str:
    """Say why `choose_adjudicator` found no senior for a task."""
    seniors = [
        e for e in examiners if e.is_senior and e.is_calibrated and e.centre_id == task.centre_id
    ]
    return SENIORS_RATED_IT if seniors else NO_SENIOR
