"""Time the server's check of a spoken answer (decode WebM/Opus with PyAV, measure, flag) for
recordings of typical and maximal length, and print median and p95 in ms.

This runs inside the request that completes an upload, so it bounds how long a kiosk waits for
the acknowledgement of a recording.

CPU time is printed too: on a shared machine it is steadier than wall-clock time.

Usage: .venv/bin/python benchmarks/bench_recording_check.py [--runs 20]"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from attest.assessment.audio_checks import check_recording
from tests.audio_samples import tone, webm_opus


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()
    print("| recording | size | median (wall) | p95 (wall) | median CPU time |")
    print("| --- | --- | --- | --- | --- |")
    for seconds in (30, 60, 120, 300):
        data = webm_opus(tone(seconds, 0.2))
        times, cpu = [], []
        for _ in range(args.runs):
            start, start_cpu = time.perf_counter(), time.process_time()
            verdict = check_recording(data, seconds * 1000)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        assert verdict.flag is None, verdict
        times.sort()
        p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
        print(
            f"| {seconds} s WebM/Opus | {len(data) / 1024:.0f} KiB "
            f"| {statistics.median(times):.1f} ms | {p95:.1f} ms "
            f"| {statistics.median(cpu):.1f} ms |"
        )


if __name__ == "__main__":
    main()
