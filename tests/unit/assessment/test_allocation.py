"""Allocation constraints over many simulated performances and examiners."""

from __future__ import annotations

import random
from collections import Counter, defaultdict

import pytest

from attest.assessment.allocation import (
    Examiner,
    Task,
    allocate,
    benchmark_to_seed,
    choose_adjudicator,
)


def _world(seed: int, n_examiners: int = 12, n_candidates: int = 150):
    rng = random.Random(seed)
    examiners = [
        Examiner(id=i, centre_id=1, is_calibrated=i != 11, is_senior=i < 2)
        for i in range(n_examiners)
    ] + [Examiner(id=99, centre_id=2, is_calibrated=True)]  # another centre
    tasks, n = [], 0
    for cand in range(n_candidates):
        proctor = rng.randrange(n_examiners)  # an examiner who also proctored this session
        for _task in range(rng.randint(1, 5)):
            n += 1
            tasks.append(Task(n, cand, 1, proctor_ids=frozenset({proctor})))
    return examiners, tasks, rng


@pytest.mark.parametrize("seed", range(5))
def test_constraints_hold_over_many_performances(seed):
    examiners, tasks, rng = _world(seed)
    result = allocate(tasks, examiners, {}, rng)
    raters = defaultdict(list)
    for perf, examiner in result.assignments:
        raters[perf].append(examiner)
    by_id = {t.performance_id: t for t in tasks}
    pairs_of_candidate = defaultdict(list)
    for perf, ids in raters.items():
        task = by_id[perf]
        assert len(ids) == 2 and len(set(ids)) == 2  # two raters, never the same one twice
        assert not set(ids) & task.proctor_ids  # never the session's proctor
        assert 11 not in ids and 99 not in ids  # calibrated, own centre only
        pairs_of_candidate[task.candidate_id].append(frozenset(ids))
    for pairs in pairs_of_candidate.values():
        assert len(pairs) == len(set(pairs))  # no pair rates two tasks of one candidate
    assert result.unassigned == []
    load = Counter(e for _p, e in result.assignments)
    assert 0 not in load and 1 not in load  # seniors stay free to adjudicate
    assert max(load.values()) - min(load.values()) <= 2  # work spreads evenly


def test_previous_raters_and_existing_load_are_respected():
    examiners = [Examiner(i, 1, True, load=10 if i == 0 else 0) for i in range(4)]
    task = Task(1, 7, 1, excluded=frozenset({1}))
    result = allocate([task], examiners, {}, random.Random(1))
    assert sorted(e for _p, e in result.assignments) == [2, 3]


def test_a_second_rater_completes_an_existing_first_without_repeating_a_pair():
    examiners = [Examiner(i, 1, True) for i in range(3)]
    task = Task(5, 7, 1, current=(0,), needed=2)
    result = allocate([task], examiners, {7: [frozenset({0, 1})]}, random.Random(0))
    assert result.assignments == [(5, 2)]


def test_too_few_examiners_leaves_the_performance_waiting():
    examiners = [Examiner(1, 1, True), Examiner(2, 1, False)]
    result = allocate([Task(1, 1, 1)], examiners, {}, random.Random(0))
    assert result.unassigned == [1]


def test_seniors_rate_live_work_only_when_others_are_missing():
    examiners = [Examiner(1, 1, True, True), Examiner(2, 1, True), Examiner(3, 1, True, True)]
    result = allocate([Task(1, 1, 1)], examiners, {}, random.Random(0))
    assert result.assignments[0] == (1, 2) and len(result.assignments) == 2


def test_adjudicator_is_a_senior_who_has_not_rated_it():
    examiners = [
        Examiner(1, 1, True, True),
        Examiner(2, 1, True, True, load=3),
        Examiner(3, 1, True),
    ]
    task = Task(1, 1, 1, excluded=frozenset({1, 3}))
    assert choose_adjudicator(task, examiners, random.Random(0)).id == 2
    assert (
        choose_adjudicator(Task(1, 1, 1, excluded=frozenset({1, 2})), examiners, random.Random(0))
        is None
    )


def test_benchmarks_are_seeded_one_in_every_n_and_never_twice():
    rng = random.Random(0)
    assert benchmark_to_seed(3, 10, [5, 6], [], rng) is None
    assert benchmark_to_seed(9, 10, [5, 6], [5], rng) == 6
    assert benchmark_to_seed(12, 10, [5, 6], [5, 6], rng) is None
