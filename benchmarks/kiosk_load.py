"""100 simulated kiosks answering an item every 2 seconds against gunicorn + PostgreSQL.

Each kiosk is a thread with its own keep-alive connection and cookies, doing what the browser
does: start code, language, sound check (timed: "start"; the kiosks start one after another over
--admit-over seconds, as candidates are admitted), then, once every kiosk is in its test, per
item save the answer, follow to the next item page (timed: "page") and send a heartbeat every
10 s (timed: "heartbeat"). Even kiosks save by posting the item form (timed: "save"), odd ones as
kiosk.js does, JSON with an idempotency key to /kiosk/item/N/answer (timed: "answer"). A share
of the answers is sent twice, as a kiosk replaying its queue after a network loss would.
Afterwards the database is read: every acknowledged answer must be stored, with the value sent,
and nothing that was not acknowledged (a second row per item is refused by a unique constraint).
The server runs with the shipped gunicorn.conf.py; -w and --threads override its values.

Usage (the database is emptied: give it one of its own):
  createdb -h 127.0.0.1 -U postgres attest_bench
  python benchmarks/kiosk_load.py --database-url postgresql+psycopg://postgres@127.0.0.1/attest_bench
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from attest import create_app  # noqa: E402
from attest.assessment.bank import load_bank  # noqa: E402
from attest.assessment.bank_queries import current_versions  # noqa: E402
from attest.assessment.bank_sync import sync_bank  # noqa: E402
from attest.assessment.delivery import create_session  # noqa: E402
from attest.assessment.formats import get_format  # noqa: E402
from attest.auth.kiosks import register_kiosk  # noqa: E402
from attest.auth.services import create_user  # noqa: E402
from attest.engine import make_engine  # noqa: E402
from attest.migrate import upgrade  # noqa: E402
from attest.models import Candidate, Centre, Response, Role, SessionItem  # noqa: E402
from tests.format_answers import correct_answer  # noqa: E402

CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)
FORMATS = ("single_choice", "multiple_response", "inline_choice", "text_entry", "matching")


class Gate:
    """Where the kiosks wait for each other between start-up and the measured answers."""

    def __init__(self, parties: int, spread: float) -> None:
        self.spread = spread
        self.start = 0.0
        self._barrier = threading.Barrier(parties, action=self._open)

    def _open(self) -> None:
        self.start = time.monotonic() + 0.5

    def arrive(self) -> float:
        self._barrier.wait()
        return self.start


@dataclass
class KioskPlan:
    token: str
    code: str
    session_id: int
    answers: list[tuple[int, dict]]  # (position, form fields)
    expected: dict[int, object] = field(default_factory=dict)  # position: value to be stored
    acknowledged: list[tuple[int, dict]] = field(default_factory=list)
    timings: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


class Browser:
    """One kiosk's HTTP connection with its cookies (http.client: no third-party client)."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.cookies = {"attest_kiosk": token}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, body: str | None = None, headers=None):
        sent = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        sent.update(headers or {})
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=sent)
                response = self.conn.getresponse()
                data = response.read().decode()
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt:
                    raise
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, value = cookie.split(";", 1)[0].split("=", 1)
            self.cookies[name] = value
        return response.status, response.headers, data


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    if not match:
        raise RuntimeError("no CSRF token in page")
    return match.group(1) or match.group(2)


def prepare(url: str, kiosks: int, items: int) -> list[KioskPlan]:
    """Empty the database, migrate, load the bank, make kiosks and sessions with fixed forms."""
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    upgrade(engine)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    now = datetime.now(UTC)
    plans = []
    with app.app_context():
        session = app.extensions["attest_session"]()
        sync_bank(session, load_bank(Path(app.config["BANK_DIR"])), now)
        centre = Centre(code="BENCH", name="Huis van het Nederlands Gent")
        session.add(centre)
        proctor = create_user(
            session,
            username="loadproctor",
            password="load test kiosk pw 7",
            role=Role.PROCTOR,
            centre=centre,
        )
        pool = {
            skill: [
                v
                for v in current_versions(session, skill, status="live")
                if v.format in FORMATS and not v.item.testlet_id
            ]
            for skill in ("listening", "reading")
        }
        for n in range(kiosks):
            kiosk, token = register_kiosk(session, centre, f"kiosk-{n:03d}")
            cand = Candidate(
                centre_id=centre.id,
                family_name=f"Kandidaat {n}",
                given_names="Bench",
                birth_date=date(1990, 1, 1),
                id_document_type="passport",
                id_document_last4=f"{n % 10000:04d}",
            )
            session.add(cand)
            session.flush()
            ts, code = create_session(session, cand, "a2-luisteren-lezen", proctor, now)
            rng = random.Random(n)
            half = items // 2
            chosen = [("listening", v) for v in rng.sample(pool["listening"], half)] + [
                ("reading", v) for v in rng.sample(pool["reading"], items - half)
            ]
            answers = []
            for position, (skill, version) in enumerate(chosen, start=1):
                session.add(
                    SessionItem(session=ts, position=position, skill=skill, item_version=version)
                )
                answers.append((position, correct_answer(version.format, version.content)))
            # what the server must store for each answer: the format's own reading of the form
            expected = {
                pos: get_format(version.format).parse_response(fields, version.content)
                for (pos, fields), (_skill, version) in zip(answers, chosen, strict=True)
            }
            plans.append(
                KioskPlan(
                    token=token, code=code, session_id=ts.id, answers=answers, expected=expected
                )
            )
        session.commit()
    engine.dispose()
    return plans


def run_kiosk(plan: KioskPlan, port: int, interval: float, replay: float, gate: Gate) -> None:
    browser = Browser(port, plan.token)
    rng = random.Random(plan.session_id)
    # Candidates are admitted one after another, not in the same second: each kiosk starts
    # (code, language, sound check, first page) at its own moment within the first interval.
    time.sleep(rng.random() * gate.spread)

    def timed(kind: str, *args, **kwargs):
        t0 = time.perf_counter()
        result = browser.request(*args, **kwargs)
        plan.timings.setdefault(kind, []).append((time.perf_counter() - t0) * 1000)
        return result

    try:
        _status, _h, page = timed("start", "GET", "/kiosk/")
        token = csrf_of(page)
        form = urllib.parse.urlencode({"code": plan.code, "csrf_token": token})
        timed("start", "POST", "/kiosk/", form)
        token = csrf_of(timed("start", "GET", "/kiosk/language")[2])
        timed("start", "POST", "/kiosk/language", f"language=nl&csrf_token={token}")
        token = csrf_of(timed("start", "GET", "/kiosk/sound-check")[2])
        timed("start", "POST", "/kiosk/sound-check", f"result=ok&csrf_token={token}")
        _s, _h, page = timed("start", "GET", f"/kiosk/item/{plan.answers[0][0]}")
        token = csrf_of(page)
    except Exception as exc:  # noqa: BLE001  (reported, not hidden)
        plan.errors.append(f"start: {exc}")
        gate.arrive()
        return
    # The measured part begins when every kiosk is in its test, so that the start-up above
    # (timed separately as "start") does not queue in front of the first answers.
    start = gate.arrive()
    next_at = start + rng.random() * interval
    last_beat = time.monotonic()
    keyed = plan.session_id % 2 == 1  # odd kiosks save as kiosk.js does, even ones post the form
    for position, fields in plan.answers:
        time.sleep(max(0.0, next_at - time.monotonic()))
        next_at += interval
        if keyed:
            kind, path, ok = "answer", f"/kiosk/item/{position}/answer", 200
            body = json.dumps(
                {
                    "session": plan.session_id,
                    "key": f"load-{plan.session_id:06d}-{position:04d}-key",
                    "fields": {k: v if isinstance(v, list) else [v] for k, v in fields.items()},
                }
            )
            send = {"headers": {"Content-Type": "application/json", "X-CSRFToken": token}}
        else:
            kind, path, ok = "save", f"/kiosk/item/{position}", 302
            body = urllib.parse.urlencode({**fields, "csrf_token": token}, doseq=True)
            send = {}
        try:
            status, headers, reply = timed(kind, "POST", path, body, **send)
            if status != ok:
                plan.errors.append(f"item {position}: HTTP {status} {reply[:200]!r}")
                continue
            plan.acknowledged.append((position, fields))
            if rng.random() < replay:  # the same answer again, as a queue replay would
                status, _h, _ = timed(kind, "POST", path, body, **send)
                if status != ok:
                    plan.errors.append(f"replay {position}: HTTP {status}")
            location = json.loads(reply)["next_url"] if keyed else headers["Location"]
            if "/kiosk/item/" in location:
                token = csrf_of(timed("page", "GET", urllib.parse.urlsplit(location).path)[2])
            if time.monotonic() - last_beat >= 10:
                timed(
                    "heartbeat",
                    "POST",
                    "/kiosk/heartbeat",
                    "{}",
                    headers={"Content-Type": "application/json", "X-CSRFToken": token},
                )
                last_beat = time.monotonic()
        except Exception as exc:  # noqa: BLE001
            plan.errors.append(f"item {position}: {exc}")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def verify(url: str, plans: list[KioskPlan]) -> tuple[int, int, int, int, int]:
    """Return (acknowledged, rows, lost, unacknowledged, wrong value) from the database.

    A second row for one item cannot exist (`response.session_item_id` is unique), so "stored
    exactly once" is checked as: every acknowledged answer has its row, no row exists without
    an acknowledgement, and every row holds the value that was sent (a replay or a retried
    request that stored something else, or an answer filed under another item, shows here)."""
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(SessionItem.session_id, SessionItem.position, Response.value).join(
                Response, Response.session_item_id == SessionItem.id
            )
        ).all()
    engine.dispose()
    stored = {(r.session_id, r.position): r.value for r in rows}
    # the app stores an answer's value as {"v": value} (attest.assessment.delivery.record_answer)
    expected = {
        (p.session_id, pos): {"v": p.expected[pos]} for p in plans for pos, _f in p.acknowledged
    }
    lost = len(expected.keys() - stored.keys())
    unacknowledged = len(stored.keys() - expected.keys())
    wrong = sum(1 for key, value in stored.items() if key in expected and expected[key] != value)
    return len(expected), len(rows), lost, unacknowledged, wrong


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("ATTEST_BENCH_DATABASE_URL"))
    parser.add_argument("--kiosks", type=int, default=100)
    parser.add_argument("--items", type=int, default=30, help="answers per kiosk")
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between answers")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--replay", type=float, default=0.05, help="share of answers sent twice")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--admit-over",
        type=float,
        default=10.0,
        help="seconds over which the kiosks start (code, language, sound check), before the "
        "measured answers begin together",
    )
    parser.add_argument(
        "--server-log",
        default=os.path.join(os.environ.get("TMPDIR", "/tmp"), "kiosk_load_server.log"),
        help="where the server's JSON log lines go",
    )
    args = parser.parse_args()
    if not args.database_url or not args.database_url.startswith("postgresql"):
        parser.error("give --database-url postgresql+psycopg://… of a database of its own")

    print(f"preparing {args.kiosks} kiosks with {args.items} items each …", flush=True)
    plans = prepare(args.database_url, args.kiosks, args.items)
    env = {**os.environ, "DATABASE_URL": args.database_url, "SECRET_KEY": "kiosk-load-bench"}
    server_log = open(args.server_log, "w")  # noqa: SIM115  (closed after the server stops)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",  # the shipped settings (keep-alive, worker recycling), as in production
            "gunicorn.conf.py",
            "-w",
            str(args.workers),
            "--threads",
            str(args.threads),
            "-b",
            f"127.0.0.1:{args.port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stderr=server_log,
    )
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        gate = Gate(len(plans), spread=args.admit_over)
        threads = [
            threading.Thread(
                target=run_kiosk, args=(p, args.port, args.interval, args.replay, gate)
            )
            for p in plans
        ]
        began = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.monotonic() - began
    finally:
        server.terminate()
        server.wait(timeout=30)
        server_log.close()

    print(
        f"\n{args.kiosks} kiosks, an answer every {args.interval:g} s each, "
        f"gunicorn -w {args.workers} --threads {args.threads}, PostgreSQL; {wall:.0f} s"
    )
    kinds = {
        "start": ("start",),
        "save": ("save",),
        "answer": ("answer",),
        "all saves": ("save", "answer"),
        "page": ("page",),
        "heartbeat": ("heartbeat",),
    }
    for label, parts in kinds.items():
        values = [v for p in plans for kind in parts for v in p.timings.get(kind, [])]
        if values:
            print(
                f"{label:>9}: n={len(values):5d}  p50={percentile(values, 50):6.1f} ms  "
                f"p95={percentile(values, 95):6.1f} ms  p99={percentile(values, 99):6.1f} ms  "
                f"mean={statistics.fmean(values):6.1f} ms"
            )
    errors = [e for p in plans for e in p.errors]
    acknowledged, rows, lost, unacknowledged, wrong = verify(args.database_url, plans)
    print(f"acknowledged answers: {acknowledged}; rows in the database: {rows}")
    print(
        f"lost: {lost}; stored without acknowledgement: {unacknowledged}; stored with another "
        f"value than sent: {wrong}; request errors: {len(errors)}"
    )
    for error in errors[:10]:
        print("  ", error)
    sys.exit(0 if lost == unacknowledged == wrong == 0 else 1)


if __name__ == "__main__":
    main()
