"""Region simulation: many kiosks saving answers, examiners scoring, proctors and third parties
verifying, all at once against gunicorn + PostgreSQL + Redis.

Each kiosk is a thread that behaves like the browser of a candidate: it types a start code,
picks a language, passes the sound check, loads each item, answers it (think time between
answers; a heartbeat every 10 s as the page sends), finishes and starts the next prepared
session. Each examiner thread logs in with password and TOTP code, then loops: open its queue,
open the first task, submit a band for every rubric criterion (with the form's CSRF token),
pause 1-3 s. Proctor threads load the dashboard and
a session page. Verifier threads look issued attestations up: the printed short URL's page
(`/v/<code>`), the QR code's page (`/V/<payload>`, signature checked) and the JSON API
(`POST /api/v1/verify` with code and birth date; the verification rate limits are lifted for
the run, since every verifier comes from 127.0.0.1).

Every acknowledged answer (a redirect to the next item or the finish page) and every
acknowledged rating (a redirect to the queue) is noted and checked against the database at the
end: answers or ratings lost or duplicated must be 0.

Usage (own PostgreSQL database; its schema `public` is dropped and recreated):
  .venv/bin/python benchmarks/region.py \
      --database-url postgresql+psycopg://postgres@127.0.0.1:5432/attest_bench \
      --redis-url redis://127.0.0.1:6379/6 --kiosks 100,300,1000 --duration 120

Prints one block of figures per kiosk count: set-up time, throughput, p50/p95/p99 per kind of
request, errors, answers and ratings lost/duplicated, and memory per gunicorn worker. The
gunicorn log (tracebacks of any server error) is kept in the printed directory."""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from attest import totp  # noqa: E402
from benchmarks.region_measure import (  # noqa: E402
    cpu_seconds,
    db_activity,
    pct,
    server_report,
    worker_memory,
)
from benchmarks.region_setup import BIRTH_DATE, PASSWORD, Region, build_region  # noqa: E402

SECRET_KEY = "region-benchmark"  # the set-up and the server must share it (sealed TOTP secrets)
from tests.live import Browser, gunicorn_processes  # noqa: E402

TOKEN = re.compile(r'/examiner/score/([A-Za-z0-9_-]+)"')
BAND = re.compile(r'name="band_(\w+)"')
HEARTBEAT = 10.0  # seconds between a kiosk page's heartbeats (KIOSK_HEARTBEAT_SECONDS)
ITEMS_PER_SESSION = 18  # A2 luisteren en lezen: 2 sections x (2 levels x 4 + 1 pilot)


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.acknowledged: set[tuple[int, int]] = set()
        self.ack_count = 0
        self.rated: list[str] = []  # tokens of acknowledged ratings
        self.sessions_finished = 0
        self.queue_empty = 0  # examiner queue pages with nothing left to score

    def timed(self, kind: str, expect: tuple[int, ...], fn, *args):
        """Time one request; a connection error or client time-out (30 s) counts as status 0."""
        start = time.perf_counter()
        try:
            status, text, headers = fn(*args)
        except Exception:  # noqa: BLE001 - a connection error is an error of this kind
            status, text, headers = 0, "", {}
        elapsed = time.perf_counter() - start
        with self.lock:
            self.latency[kind].append(elapsed)
            if status not in expect:
                self.errors[f"{kind} {status}"] += 1
        return status, text, headers


def kiosk_loop(base: str, token: str, queue, stats: Stats, stop: threading.Event, think: float):
    browser = Browser()
    browser.set_cookie("attest_kiosk", token)
    last_beat = time.monotonic()
    for ts_id, code, answers in queue:
        if stop.is_set():
            return
        stats.timed("kiosk_start", (200,), browser.get, base + "/kiosk/")
        status, _t, headers = stats.timed(
            "kiosk_start", (302,), browser.post, base + "/kiosk/", {"code": code}
        )
        if status != 302 or not headers.get("Location", "").endswith("/kiosk/language"):
            continue  # this code did not start (counted as an error): take the next one
        stats.timed("kiosk_start", (200,), browser.get, base + "/kiosk/language")
        stats.timed(
            "kiosk_start", (302,), browser.post, base + "/kiosk/language", {"language": "nl"}
        )
        # the sound check before the first clip
        stats.timed("kiosk_start", (200,), browser.get, base + "/kiosk/sound-check")
        stats.timed(
            "kiosk_start", (302,), browser.post, base + "/kiosk/sound-check", {"result": "ok"}
        )
        for position in sorted(answers):
            if stop.is_set():
                return
            stats.timed("item_page", (200,), browser.get, f"{base}/kiosk/item/{position}")
            if time.monotonic() - last_beat >= HEARTBEAT:  # the page's sign of life
                last_beat = time.monotonic()
                stats.timed("heartbeat", (200,), browser.post_json, base + "/kiosk/heartbeat", {},
                            True)  # fmt: skip
            time.sleep(think * random.uniform(0.5, 1.5))
            status, _t, headers = stats.timed(
                "answer", (302,), browser.post, f"{base}/kiosk/item/{position}", answers[position]
            )
            # Stored only when the kiosk moves on to the next item or the finish page; a redirect
            # to the start page means the kiosk lost its session (e.g. a timed-out start).
            target = headers.get("Location", "")
            if status == 302 and ("/kiosk/item/" in target or target.endswith("/kiosk/finish")):
                with stats.lock:
                    stats.acknowledged.add((ts_id, position))
                    stats.ack_count += 1
        stats.timed("finish", (200,), browser.get, base + "/kiosk/finish")
        status, _t, _h = stats.timed("finish", (302,), browser.post, base + "/kiosk/finish", {})
        if status == 302:
            with stats.lock:
                stats.sessions_finished += 1


def login(browser: Browser, base: str, username: str, stats: Stats, secret: str | None = None):
    """Log in as staff would; with a TOTP secret, answer the second step with the current code."""
    stats.timed("login", (200,), browser.get, base + "/login")
    status, _t, headers = stats.timed(
        "login", (302,), browser.post, base + "/login", {"username": username, "password": PASSWORD}
    )
    if secret and headers.get("Location", "").endswith("/login/code"):
        stats.timed("login", (200,), browser.get, base + "/login/code")
        code = totp.code_at(secret, totp.step_at(time.time()))
        stats.timed("login", (302,), browser.post, base + "/login/code", {"code": code})


def proctor_loop(base: str, username: str, session_ids, stats: Stats, stop: threading.Event):
    browser = Browser()
    login(browser, base, username, stats)
    while not stop.is_set():
        stats.timed("proctor_page", (200,), browser.get, base + "/proctor/")
        sid = random.choice(session_ids)
        # a session of another centre answers 404: both are a normal page load here
        stats.timed("proctor_page", (200, 404), browser.get, f"{base}/proctor/sessions/{sid}")
        time.sleep(random.uniform(1.0, 3.0))


def examiner_loop(base: str, username: str, secret: str, stats: Stats, stop: threading.Event):
    browser = Browser()
    login(browser, base, username, stats, secret)
    while not stop.is_set():
        status, page, _h = stats.timed("examiner_queue", (200,), browser.get, base + "/examiner/")
        tokens = TOKEN.findall(page)
        if not tokens:
            if status == 200:  # nothing left to score: the backlog is done, not an error
                with stats.lock:
                    stats.queue_empty += 1
            time.sleep(2.0)
            continue
        url = f"{base}/examiner/score/{tokens[0]}"
        status, page, _h = stats.timed("examiner_task", (200,), browser.get, url)
        if status != 200:  # no form to fill in (e.g. a client time-out): start again
            continue
        # the same band everywhere: the two blind ratings agree and the performance is final
        bands = {f"band_{c}": "2" for c in dict.fromkeys(BAND.findall(page))}
        status, _t, headers = stats.timed("examiner_score", (302,), browser.post, url, bands)
        if status == 302 and headers.get("Location", "").endswith("/examiner/"):
            with stats.lock:
                stats.rated.append(tokens[0])
        time.sleep(random.uniform(1.0, 3.0))


def verify_loop(base: str, codes, qr_paths, stats: Stats, stop: threading.Event):
    browser = Browser()
    while not stop.is_set():
        k = random.randrange(len(codes))
        stats.timed("verify_page", (200,), browser.get, f"{base}/v/{codes[k]}")
        stats.timed("verify_qr", (200,), browser.get, base + qr_paths[k])
        stats.timed(
            "verify_api",
            (200,),
            browser.post_json,
            base + "/api/v1/verify",
            {"code": codes[k], "birth_date": BIRTH_DATE},
        )
        time.sleep(random.uniform(0.2, 0.6))


def check_stored(url: str, stats: Stats) -> dict[str, int]:
    """Compare what the clients saw acknowledged with the rows in the database."""
    from attest.engine import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        answers = conn.execute(
            sa.text(
                "SELECT si.session_id, si.position, count(r.id) FROM session_item si "
                "LEFT JOIN response r ON r.session_item_id = si.id GROUP BY 1, 2"
            )
        ).all()
        ratings = conn.execute(
            sa.text(
                "SELECT a.token, count(r.id) FROM rating_assignment a "
                "LEFT JOIN rating r ON r.assignment_id = a.id GROUP BY 1"
            )
        ).all()
    engine.dispose()
    stored = {(s, p): n for s, p, n in answers}
    rated = dict(ratings)
    return {
        "answers lost": sum(1 for key in stats.acknowledged if stored.get(key, 0) == 0),
        "answers duplicated": sum(n - 1 for n in stored.values() if n > 1),
        "ratings lost": sum(1 for token in stats.rated if rated.get(token, 0) == 0),
        "ratings duplicated": sum(n - 1 for n in rated.values() if n > 1),
        "ratings acknowledged twice": len(stats.rated) - len(set(stats.rated)),
    }


def start_clients(base: str, args, region: Region, stats: Stats, stop) -> list[threading.Thread]:
    threads = [
        threading.Thread(target=kiosk_loop, args=(base, token, queue, stats, stop, args.think))
        for token, queue in region.kiosks
    ]
    threads += [
        threading.Thread(target=examiner_loop, args=(base, name, secret, stats, stop))
        for name, secret in region.examiners
    ]
    threads += [
        threading.Thread(target=proctor_loop, args=(base, name, region.session_ids, stats, stop))
        for name in region.proctors
    ]
    threads += [
        threading.Thread(
            target=verify_loop, args=(base, region.codes, region.qr_paths, stats, stop)
        )
        for _ in range(args.verifiers)
    ]
    random.shuffle(threads)  # every kind of client starts during the whole ramp
    for t in threads:
        t.daemon = True
        t.start()
        time.sleep(args.ramp / max(len(threads), 1))
    return threads


def run(args, kiosks: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="attest-region-"))
    keys = tmp / "keys"
    keys.mkdir()
    # enough prepared sessions for every kiosk to keep answering for the whole run, plus one
    answers_needed = (args.duration + args.ramp) / args.think
    per_kiosk = math.ceil(answers_needed * 1.2 / ITEMS_PER_SESSION)
    # an examiner rates about one task per 3 s (1-3 s pause and three requests) on a server
    # that keeps up; each task needs two ratings. The queue page's cost grows with this backlog.
    performances = math.ceil(args.examiners * (args.duration + args.ramp) / 3.0 / 2)
    t0 = time.perf_counter()
    region = build_region(
        args.database_url,
        keys,
        secret_key=SECRET_KEY,
        kiosks=kiosks,
        per_kiosk=per_kiosk,
        proctors=args.proctors,
        examiners=args.examiners,
        performances=performances,
    )
    setup = time.perf_counter() - t0
    print(
        f"\n== {kiosks} kiosks ({per_kiosk} sessions each), {args.examiners} examiners "
        f"({region.performances} written answers to score), {args.proctors} proctors, "
        f"{args.verifiers} verifiers, {args.duration:.0f} s, think {args.think:.1f} s/answer, "
        f"{args.workers} workers x {args.threads} threads",
        flush=True,
    )
    steps = ", ".join(f"{name} {secs:.0f} s" for name, secs in region.timings.items())
    print(f"set-up: {setup:.0f} s ({steps}); logs in {tmp}", flush=True)
    if args.setup_only:
        return
    env = {
        "DATABASE_URL": args.database_url,
        "ATTEST_REDIS_URL": args.redis_url,
        "SECRET_KEY": SECRET_KEY,
        "ATTEST_INSTANCE_PATH": str(tmp / "instance"),
        "ATTEST_STORAGE_DIR": str(tmp / "storage"),
        "ATTEST_KEYS_DIR": str(keys),
        "ATTEST_LOG_FORMAT": "json",  # one access line per request, as in production
        "ATTEST_THREADS": str(args.threads),
        "ATTEST_VERIFY_LIMIT_CLIENT": "1000000 per minute",
        "ATTEST_VERIFY_LIMIT_CODE": "1000000 per hour",
    }
    stats, stop = Stats(), threading.Event()
    activity: list[dict[str, int]] = []
    with gunicorn_processes(1, env, workers=args.workers, log_dir=tmp) as (base,):
        started = time.perf_counter()
        cpu_before = cpu_seconds()
        threads = start_clients(base, args, region, stats, stop)
        memory: list[int] = []
        while time.perf_counter() - started < args.duration + args.ramp:
            time.sleep(5)
            memory = max(memory, worker_memory(), key=lambda m: sum(m) if m else 0)
            if args.pg_activity:
                activity.append(db_activity(args.database_url))
        cpu, window = cpu_seconds(), time.perf_counter() - started  # before the workers exit
        stop.set()
        for t in threads:
            t.join(timeout=60)
        elapsed = time.perf_counter() - started
    cpu = {k: (v - cpu_before.get(k, 0.0)) / window for k, v in cpu.items()}
    print(
        "CPU during the run, in cores (of 2): "
        + ", ".join(f"{k} {v:.2f}" for k, v in cpu.items())
        + f"; others {cpu['machine (busy)'] - sum(v for k, v in cpu.items() if k[0] != 'm'):.2f}"
    )
    report(args, stats, elapsed, memory, activity, check_stored(args.database_url, stats))
    server_report(tmp / "gunicorn-0.log")


def report(args, stats: Stats, elapsed, memory, activity, stored) -> None:
    total = sum(len(v) for v in stats.latency.values())
    print(
        f"requests: {total} in {elapsed:.0f} s = {total / elapsed:.1f}/s; answers saved: "
        f"{stats.ack_count} ({stats.ack_count / elapsed:.1f}/s); ratings: {len(stats.rated)} "
        f"({len(stats.rated) / elapsed:.2f}/s); sessions finished: {stats.sessions_finished}; "
        f"examiner queue pages with nothing left to score: {stats.queue_empty}"
    )
    print(f"{'kind':<15} {'count':>7} {'per s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind, values in sorted(stats.latency.items()):
        print(
            f"{kind:<15} {len(values):>7} {len(values) / elapsed:>7.1f} {pct(values, 0.5):>8.0f} "
            f"{pct(values, 0.95):>8.0f} {pct(values, 0.99):>8.0f}"
        )
    print(f"errors: {dict(stats.errors) or 0}")
    print("; ".join(f"{k}: {v}" for k, v in stored.items()))
    if memory:
        print(
            f"memory per worker (peak RSS): {statistics.mean(memory) / 1024:.0f} MiB mean, "
            f"{max(memory) / 1024:.0f} MiB max over {len(memory)} workers"
        )
    if activity:
        keys = sorted({k for sample in activity for k in sample})
        print(f"pg_stat_activity over {len(activity)} samples (state/wait type/event: mean, max):")
        for key in keys:
            counts = [sample.get(key, 0) for sample in activity]
            print(f"  {key}: {statistics.mean(counts):.1f}, {max(counts)}")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("ATTEST_BENCH_DATABASE_URL"))
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/6")
    parser.add_argument("--kiosks", default="300", help="comma-separated kiosk counts")
    parser.add_argument("--examiners", type=int, default=20)
    parser.add_argument("--proctors", type=int, default=5)
    parser.add_argument("--verifiers", type=int, default=5)
    parser.add_argument("--duration", type=float, default=120.0)
    parser.add_argument("--think", type=float, default=5.0, help="mean seconds per answer")
    parser.add_argument("--ramp", type=float, default=10.0, help="seconds to start all clients")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--pg-activity", action="store_true", help="sample pg_stat_activity every 5 s"
    )
    parser.add_argument("--setup-only", action="store_true", help="time the set-up, no run")
    args = parser.parse_args()
    if not args.database_url or not args.database_url.startswith("postgres"):
        parser.error("--database-url must name a PostgreSQL database of its own")
    for kiosks in (int(k) for k in args.kiosks.split(",")):
        run(args, kiosks)


if __name__ == "__main__":
    main()
