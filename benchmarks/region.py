"""Region simulation: many kiosks saving answers, staff loading pages and third parties verifying,
all at once against gunicorn + PostgreSQL + Redis.

Each kiosk is a thread that behaves like the browser of a candidate: it types a start code,
picks a language, loads each item, answers it (think time between answers), finishes and
starts the next prepared session. Staff threads log in and load the dashboard and session
pages (examiner scoring pages join once they exist). Verifier threads look up issued
attestations on the page and the API. Every acknowledged answer (HTTP 302 after the POST) is
noted and checked against the database at the end: answers lost or duplicated must be 0.

Usage (own PostgreSQL database; its schema `public` is dropped and recreated):
  .venv/bin/python benchmarks/region.py \
      --database-url postgresql://postgres@127.0.0.1/attest_bench \
      --redis-url redis://127.0.0.1:6379/6 --kiosks 100,300,1000 --duration 120

Prints one block of figures per kiosk count: throughput, p50/p95/p99 per kind of request,
errors, answers lost/duplicated, and memory per gunicorn worker."""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from tests.live import Browser, gunicorn_processes  # noqa: E402

PURPOSE = "a2-luisteren-lezen"  # a linear form: the items of each session are known up front
PASSWORD = "benchmark-password-1"


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.acknowledged: set[tuple[int, int]] = set()
        self.ack_count = 0
        self.sessions_finished = 0

    def timed(self, kind: str, expect: tuple[int, ...], fn, *args):
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


def setup_database(url: str, kiosks: int, sessions_per_kiosk: int, staff: int, keys_dir: Path):
    """Fresh schema, bank, centres, staff, kiosks, prepared sessions and issued attestations."""
    from attest import create_app
    from attest.assessment.bank import load_bank
    from attest.assessment.bank_sync import sync_bank
    from attest.assessment.delivery import create_session, plan_items
    from attest.assessment.purposes import get_purpose
    from attest.auth.kiosks import register_kiosk
    from attest.auth.services import create_user
    from attest.db import make_engine
    from attest.migrate import upgrade
    from attest.models import Candidate, Centre, Role
    from tests.format_answers import correct_answer, wrong_answer

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    upgrade(engine)
    engine.dispose()
    app = create_app(
        {
            "DATABASE_URL": url,
            "KEYS_DIR": str(keys_dir),
            "LOG_FORMAT": "none",
            "INSTANCE_PATH": str(keys_dir.parent / "instance"),
        }
    )
    now = datetime.now(UTC)
    rng = random.Random(7)
    with app.app_context():
        session = app.extensions["attest_session"]()
        sync_bank(session, load_bank(Path(app.config["BANK_DIR"])), now)
        centres = [
            Centre(code=f"HVN{k:02d}", name=f"Huis van het Nederlands {k}")
            for k in range(max(1, kiosks // 30))
        ]
        session.add_all(centres)
        session.flush()
        proctors = [
            create_user(
                session,
                username=f"staff{k}",
                password=PASSWORD,
                role=Role.PROCTOR,
                centre=centres[k % len(centres)],
            )
            for k in range(staff)
        ]
        plans = []
        for k in range(kiosks):
            centre = centres[k % len(centres)]
            proctor = proctors[k % len(proctors)] if proctors else None
            _kiosk, token = register_kiosk(session, centre, f"kiosk-{k}")
            queue = []
            for j in range(sessions_per_kiosk):
                cand = Candidate(
                    centre_id=centre.id,
                    family_name=f"Kandidaat{k}",
                    given_names=f"Test{j}",
                    birth_date=datetime(1990, 1, 1).date(),
                    id_document_type="passport",
                    id_document_number=f"P{k:05d}{j}",
                )
                session.add(cand)
                session.flush()
                ts, code = create_session(session, cand, PURPOSE, proctor, now, 24 * 60)
                plan_items(session, ts, get_purpose(PURPOSE), now, random.Random(ts.id))
                session.flush()
                answers = {
                    si.position: (correct_answer if rng.random() < 0.7 else wrong_answer)(
                        si.item_version.format, si.item_version.content
                    )
                    for si in ts.items
                }
                queue.append((ts.id, code, answers))
            plans.append((token, queue))
            if k % 50 == 49:
                session.commit()
        session.commit()
        session_ids = [ts_id for _t, q in plans for ts_id, _c, _a in q]
    codes = issue_some(app, 3)
    app.extensions["attest_engine"].dispose()
    return plans, codes, session_ids


def issue_some(app, count: int) -> list[str]:
    from benchmarks.scenario import issued_code

    return [issued_code(app) for _ in range(count)]


def kiosk_loop(base: str, token: str, queue, stats: Stats, stop: threading.Event, think: float):
    browser = Browser()
    browser.set_cookie("attest_kiosk", token)
    for ts_id, code, answers in queue:
        if stop.is_set():
            return
        stats.timed("kiosk_start", (200,), browser.get, base + "/kiosk/")
        status, _t, headers = stats.timed(
            "kiosk_start", (302,), browser.post, base + "/kiosk/", {"code": code}
        )
        if status != 302 or not headers.get("Location", "").endswith("/kiosk/language"):
            continue  # this code did not start (counted as an error): take the next one
        browser.get(base + "/kiosk/language")
        stats.timed(
            "kiosk_start", (302,), browser.post, base + "/kiosk/language", {"language": "nl"}
        )
        browser.get(base + "/kiosk/sound-check")  # the sound check before the first clip
        stats.timed(
            "kiosk_start", (302,), browser.post, base + "/kiosk/sound-check", {"result": "ok"}
        )
        for position in sorted(answers):
            if stop.is_set():
                return
            stats.timed("item_page", (200,), browser.get, f"{base}/kiosk/item/{position}")
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


def staff_loop(base: str, username: str, session_ids, stats: Stats, stop: threading.Event):
    browser = Browser()
    browser.get(base + "/login")
    stats.timed(
        "staff_login",
        (302,),
        browser.post,
        base + "/login",
        {"username": username, "password": PASSWORD},
    )
    while not stop.is_set():
        stats.timed("staff_page", (200,), browser.get, base + "/proctor/")
        sid = random.choice(session_ids)
        # a session of another centre answers 404: both are a normal page load here
        stats.timed("staff_page", (200, 404), browser.get, f"{base}/proctor/sessions/{sid}")
        time.sleep(random.uniform(1.0, 3.0))


def verify_loop(base: str, codes, stats: Stats, stop: threading.Event):
    browser = Browser()
    while not stop.is_set():
        code = random.choice(codes)
        stats.timed("verify", (200,), browser.get, f"{base}/v/{code}")
        stats.timed("verify", (200,), browser.get, f"{base}/api/v1/attestations/{code}")
        time.sleep(random.uniform(0.2, 0.6))


def worker_memory(master_pid_hint: int | None = None) -> list[int]:
    """RSS (KiB) of every gunicorn worker on this machine started by this benchmark."""
    rss = []
    me = str(os.getpid())
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().split(b"\0")
            status = (entry / "status").read_text()
        except OSError:
            continue
        if not any(b"gunicorn" in c for c in cmd):
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        parent = fields.get("PPid", "").strip()
        grand = (Path("/proc") / parent / "status").read_text() if parent else ""
        if f"PPid:\t{me}" in grand:  # a worker: its parent (the master) is our child
            rss.append(int(fields["VmRSS"].split()[0]))
    return rss


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] * 1000


def check_answers(url: str, stats: Stats, session_ids) -> tuple[int, int]:
    from attest.db import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT si.session_id, si.position, count(r.id) FROM session_item si "
                "LEFT JOIN response r ON r.session_item_id = si.id GROUP BY 1, 2"
            )
        ).all()
    engine.dispose()
    stored = {(s, p): n for s, p, n in rows}
    lost = sum(1 for key in stats.acknowledged if stored.get(key, 0) == 0)
    duplicated = sum(n - 1 for n in stored.values() if n > 1)
    return lost, duplicated


def run(args, kiosks: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="attest-region-"))
    keys = tmp / "keys"
    keys.mkdir()
    per_kiosk = max(1, int(args.duration / (args.think * 20)) + 1)
    t0 = time.perf_counter()
    plans, codes, session_ids = setup_database(
        args.database_url, kiosks, per_kiosk, args.staff, keys
    )
    print(
        f"\n== {kiosks} kiosks, {args.staff} staff, {args.verifiers} verifiers, "
        f"{args.duration:.0f} s, think {args.think:.1f} s/answer, {args.workers} workers "
        f"x {args.threads} threads (setup {time.perf_counter() - t0:.0f} s)"
    )
    env = {
        "DATABASE_URL": args.database_url,
        "ATTEST_REDIS_URL": args.redis_url,
        "SECRET_KEY": "region-benchmark",
        "ATTEST_INSTANCE_PATH": str(tmp / "instance"),
        "ATTEST_STORAGE_DIR": str(tmp / "storage"),
        "ATTEST_KEYS_DIR": str(keys),
        "ATTEST_LOG_FORMAT": "none",
        "ATTEST_THREADS": str(args.threads),
    }
    stats, stop = Stats(), threading.Event()
    with gunicorn_processes(1, env, workers=args.workers) as (base,):
        threads = [
            threading.Thread(target=kiosk_loop, args=(base, token, queue, stats, stop, args.think))
            for token, queue in plans
        ]
        threads += [
            threading.Thread(target=staff_loop, args=(base, f"staff{k}", session_ids, stats, stop))
            for k in range(args.staff)
        ]
        threads += [
            threading.Thread(target=verify_loop, args=(base, codes, stats, stop))
            for _ in range(args.verifiers)
        ]
        started = time.perf_counter()
        for t in threads:
            t.daemon = True
            t.start()
            time.sleep(args.ramp / max(len(threads), 1))
        memory: list[int] = []
        while time.perf_counter() - started < args.duration:
            time.sleep(5)
            memory = max(memory, worker_memory(), key=lambda m: sum(m) if m else 0)
        stop.set()
        for t in threads:
            t.join(timeout=60)
        elapsed = time.perf_counter() - started
    lost, duplicated = check_answers(args.database_url, stats, session_ids)
    total = sum(len(v) for v in stats.latency.values())
    print(
        f"requests: {total} in {elapsed:.0f} s = {total / elapsed:.1f}/s; answers saved: "
        f"{stats.ack_count} ({stats.ack_count / elapsed:.1f}/s); sessions finished: "
        f"{stats.sessions_finished}"
    )
    print(f"{'kind':<12} {'count':>7} {'per s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind, values in sorted(stats.latency.items()):
        print(
            f"{kind:<12} {len(values):>7} {len(values) / elapsed:>7.1f} {pct(values, 0.5):>8.0f} "
            f"{pct(values, 0.95):>8.0f} {pct(values, 0.99):>8.0f}"
        )
    print(f"errors: {dict(stats.errors) or 0}")
    print(f"answers lost: {lost}; duplicated: {duplicated}")
    if memory:
        print(
            f"memory per worker (peak RSS): {statistics.mean(memory) / 1024:.0f} MiB mean, "
            f"{max(memory) / 1024:.0f} MiB max over {len(memory)} workers"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("ATTEST_BENCH_DATABASE_URL"))
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/6")
    parser.add_argument("--kiosks", default="300", help="comma-separated kiosk counts")
    parser.add_argument("--staff", type=int, default=20)
    parser.add_argument("--verifiers", type=int, default=5)
    parser.add_argument("--duration", type=float, default=120.0)
    parser.add_argument("--think", type=float, default=5.0, help="mean seconds per answer")
    parser.add_argument("--ramp", type=float, default=10.0, help="seconds to start all clients")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    if not args.database_url or not args.database_url.startswith("postgres"):
        parser.error("--database-url must name a PostgreSQL database of its own")
    for kiosks in (int(k) for k in args.kiosks.split(",")):
        run(args, kiosks)


if __name__ == "__main__":
    main()
