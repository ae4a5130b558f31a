"""Examiner allocation and agreement statistics at the scale of a busy month.

Prints how long `allocation.allocate` takes for many waiting performances, how evenly it spreads
the work, and how long the agreement statistics take over many paired bands.

Usage: .venv/bin/python benchmarks/bench_examiners.py [--performances N] [--examiners M]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import Counter

from attest.assessment import agreement
from attest.assessment.allocation import Examiner, Task, allocate


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--performances", type=int, default=10_000)
    ap.add_argument("--examiners", type=int, default=40)
    ap.add_argument("--pairs", type=int, default=200_000)
    args = ap.parse_args()
    rng = random.Random(2026)
    examiners = [Examiner(i, 1, is_calibrated=True, is_senior=i < 4) for i in range(args.examiners)]
    tasks, cand = [], 0
    while len(tasks) < args.performances:
        cand += 1
        proctor = frozenset({rng.randrange(args.examiners)})
        for _ in range(rng.randint(2, 5)):
            tasks.append(Task(len(tasks) + 1, cand, 1, proctor_ids=proctor))
    times = []
    for _ in range(5):
        start = time.perf_counter()
        result = allocate(tasks, examiners, {}, random.Random(1))
        times.append(time.perf_counter() - start)
    load = Counter(e for _p, e in result.assignments)
    regular = [n for e, n in load.items() if e >= 4]
    print(f"allocate {len(tasks)} performances over {args.examiners} examiners (4 senior):")
    print(f"  median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms")
    print(
        f"  unassigned {len(result.unassigned)}; load per regular examiner "
        f"min {min(regular)} max {max(regular)}; seniors {sum(load[e] for e in range(4))}"
    )
    own = [rng.randint(0, 4) for _ in range(args.pairs)]
    other = [min(4, max(0, b + rng.choice((-1, 0, 0, 1)))) for b in own]
    start = time.perf_counter()
    stats = agreement.agreement(own, other)
    elapsed = time.perf_counter() - start
    print(
        f"agreement over {args.pairs} paired bands: {elapsed * 1000:.0f} ms "
        f"(exact {stats.exact:.3f}, adjacent {stats.adjacent:.3f}, kappa {stats.kappa:.3f})"
    )


if __name__ == "__main__":
    main()
