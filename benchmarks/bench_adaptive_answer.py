"""Per-answer cost of the adaptive engine on the real request path, with a large live bank.

The shipped bank plus synthetic listening items (copies of a shipped single-choice item with
difficulties spread over -3..3 and the shipped domains) make a live listening bank of `--items`
units. Kiosk sessions of the adaptive placement purpose then answer through the services as the
kiosk's answer route (`POST /kiosk/item/<n>/answer`) calls them in one request: the answer with
its key (`answer_capture.submit_answer`), then `delivery.next_position` plans the next item,
then one commit; each answer right when the item is easier than the simulated ability. Timed
per answer: the engine's part (`adaptive.record_unit` + `adaptive.next_unit`, which also check
the bank's stamp and write the state), as wall time and as CPU time of the thread (on a shared
machine wall time mostly measures waiting for a core), and the whole request's service work.
Counted per answer (a SQLAlchemy `before_cursor_execute` listener): the SQL statements of the
engine's part and of the whole request, commit included.

Usage: .venv/bin/python benchmarks/bench_adaptive_answer.py [--items 1000] [--sessions 6]
           [--database-url postgresql+psycopg://...]   (default: a fresh SQLite file)
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


import sqlalchemy as sa

from attest import create_app
from attest.assessment import adaptive, answer_capture, delivery
from attest.assessment.bank import load_bank
from attest.assessment.bank_sync import sync_bank
from attest.auth.kiosks import register_kiosk
from attest.auth.services import create_user
from attest.migrate import upgrade
from attest.models import Candidate, Centre, Item, ItemVersion, Role
from tests.format_answers import correct_answer, wrong_answer

PURPOSE = "niveaubepaling-luisteren-lezen"  # listening first, adaptive placement


def grow_bank(session, items: int, now: datetime) -> int:
    """Add synthetic live listening items until the skill has `items` machine-scored units."""
    from attest.assessment.bank_queries import current_versions, group_units

    live = current_versions(session, "listening", machine_scored=True)
    units = len(group_units(live))
    template = next(v for v in live if v.format == "single_choice" and not v.item.testlet_id)
    domains = sorted({v.item.domain for v in live})
    levels = ["A1", "A2", "B1", "B2"]
    for k in range(items - units):
        b = -3.0 + 6.0 * k / max(items - units - 1, 1)
        item_id = f"syn-listening-{k:04d}"
        level = levels[min(int((b + 3.0) / 1.5), 3)]
        session.add(
            Item(
                id=item_id,
                skill="listening",
                level=level,
                domain=domains[k % len(domains)],
                format="single_choice",
                status="live",
                current_version=1,
                updated_at=now,
            )
        )
        session.add(
            ItemVersion(
                item_id=item_id,
                version=1,
                content_hash=f"syn{k}",
                level=level,
                format="single_choice",
                difficulty=b,
                content=dict(template.content),
                media=dict(template.media),
                source="benchmark",
                created_at=now,
            )
        )
    session.flush()
    return len(group_units(current_versions(session, "listening", machine_scored=True)))


class Statements:
    """Count the SQL statements sent on an engine's connections."""

    def __init__(self, engine: sa.Engine) -> None:
        self.count = 0
        self.shown: list[str] | None = None  # a list: keep the statements' text too
        sa.event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn, _cursor, statement, *_args) -> None:
        self.count += 1
        if self.shown is not None:
            self.shown.append(" ".join(statement.split())[:160])


class Timer:
    """Wrap a function of the adaptive module and add up its time and statements for the
    current answer."""

    def __init__(
        self, name: str, statements: Statements, calls: cProfile.Profile | None = None
    ) -> None:
        self.inner = getattr(adaptive, name)
        self.statements = statements
        self.calls = calls
        self.spent = self.cpu = 0.0
        self.sql = 0
        setattr(adaptive, name, self)

    def __call__(self, *args, **kwargs):
        t0, c0, n0 = time.perf_counter(), time.thread_time(), self.statements.count
        if self.calls is not None:
            self.calls.enable()
        try:
            return self.inner(*args, **kwargs)
        finally:
            if self.calls is not None:
                self.calls.disable()
            self.spent += time.perf_counter() - t0
            self.cpu += time.thread_time() - c0  # SQLite runs in this thread too
            self.sql += self.statements.count - n0


class MethodTimer:
    """Add up the CPU time of a method of the pure engine (cat.CatEngine) for the answer."""

    def __init__(self, cls: type, name: str) -> None:
        inner = getattr(cls, name)
        self.cpu = 0.0

        def timed(engine, *args, **kwargs):
            c0 = time.thread_time()
            try:
                return inner(engine, *args, **kwargs)
            finally:
                self.cpu += time.thread_time() - c0

        setattr(cls, name, timed)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--sessions", type=int, default=6)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument(
        "--show-sql", type=int, metavar="N", help="print the statements of the N-th answer"
    )
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the requests")
    parser.add_argument(
        "--count-calls",
        action="store_true",
        help="count the Python function calls of the engine part (cProfile: a measure of its "
        "work that the machine's load does not change; the timings then include the profiler)",
    )
    parser.add_argument(
        "--profile-engine", metavar="FILE", help="write a cProfile of the engine part only"
    )
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="attest-cat-"))
    os.environ.pop("ATTEST_REDIS_URL", None)
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp),
            "DATABASE_URL": args.database_url or f"sqlite:///{tmp}/attest.sqlite3",
            "SECRET_KEY": "bench",
            "LOG_FORMAT": "none",
        }
    )
    now = datetime.now(UTC)
    engine_time, engine_cpu, pure_cpu, service_time = [], [], [], []
    engine_sql, request_sql = [], []
    profile = cProfile.Profile() if args.profile else None
    with app.app_context():
        upgrade(app.extensions["attest_engine"])
        db = app.extensions["attest_session"]()
        sync_bank(db, load_bank(Path(app.config["BANK_DIR"])), now)
        units = grow_bank(db, args.items, now)
        centre = Centre(code=f"CAT{os.getpid()}", name="Huis van het Nederlands Gent")
        db.add(centre)
        proctor = create_user(
            db, username=f"cat{os.getpid()}", password="benchmark-password",
            role=Role.PROCTOR, centre=centre,
        )  # fmt: skip
        kiosk, _ = register_kiosk(db, centre, "bench-kiosk")
        db.commit()
        statements = Statements(app.extensions["attest_engine"])
        calls = cProfile.Profile() if args.count_calls or args.profile_engine else None
        record = Timer("record_unit", statements, calls)
        plan = Timer("next_unit", statements, calls)
        pure = [MethodTimer(adaptive.CatEngine, n) for n in ("record", "next_item", "should_stop")]
        for s in range(args.sessions):
            ability = -2.0 + 4.0 * s / max(args.sessions - 1, 1)
            cand = Candidate(
                centre_id=centre.id, family_name="Bench", given_names=f"Kandidaat {s}",
                birth_date=date(1990, 1, 1), id_document_type="passport",
                id_document_last4=f"{s % 10000:04d}",
            )  # fmt: skip
            db.add(cand)
            db.flush()
            ts, code = delivery.create_session(db, cand, PURPOSE, proctor, now)
            delivery.redeem_start_code(db, code, kiosk, now)
            db.commit()
            position = delivery.advance(db, ts, now)
            db.commit()
            while position is not None:
                item = delivery.session_item(db, ts, position)
                if item.skill != "listening":
                    break
                now += timedelta(seconds=5)
                version = item.item_version
                build = correct_answer if version.difficulty < ability else wrong_answer
                fields = build(version.format, version.content)
                key = secrets.token_urlsafe(18)  # the kiosk's answer key
                db.commit()  # the loop's own reads above end here: not part of the request
                record.spent = plan.spent = record.cpu = plan.cpu = 0.0
                record.sql = plan.sql = 0
                for timer in pure:
                    timer.cpu = 0.0
                if args.show_sql == len(service_time) + 1:
                    statements.shown = []
                t0, n0 = time.perf_counter(), statements.count
                if profile is not None:
                    profile.enable()
                # what POST /kiosk/item/<n>/answer does, in one transaction
                answer_capture.submit_answer(db, ts, position, fields, key, now)
                position = delivery.next_position(db, ts, now)
                db.commit()
                if profile is not None:
                    profile.disable()
                service_time.append(time.perf_counter() - t0)
                if statements.shown is not None:
                    print(f"statements of answer {len(service_time)}:")
                    print("\n".join(f"  {line}" for line in statements.shown))
                    statements.shown = None
                request_sql.append(statements.count - n0)
                engine_sql.append(record.sql + plan.sql)
                engine_time.append(record.spent + plan.spent)
                engine_cpu.append(record.cpu + plan.cpu)
                pure_cpu.append(sum(timer.cpu for timer in pure))
    if profile is not None:
        profile.dump_stats(args.profile)
    ms = [1000 * t for t in engine_time]
    total = [1000 * t for t in service_time]
    db_name = "PostgreSQL" if args.database_url else "SQLite"
    print(f"{units} live listening units, {args.sessions} sessions, {len(ms)} answers, {db_name}")
    print(
        f"  engine per answer (record_unit + next_unit): median {statistics.median(ms):.2f} ms, "
        f"p95 {pct(ms, 0.95):.2f} ms, max {max(ms):.2f} ms"
    )
    cpu = [1000 * t for t in engine_cpu]
    print(
        f"  engine per answer, CPU time of this thread (what load on the machine stretches "
        f"least): median {statistics.median(cpu):.2f} ms, p95 {pct(cpu, 0.95):.2f} ms"
    )
    alone = [1000 * t for t in pure_cpu]
    print(
        f"  of which the pure engine (cat.CatEngine: record, next_item, should_stop), CPU: "
        f"median {statistics.median(alone):.2f} ms, p95 {pct(alone, 0.95):.2f} ms"
    )
    print(
        f"  request per answer (answer + next item + commit, the services' wall time): "
        f"median {statistics.median(total):.2f} ms, p95 {pct(total, 0.95):.2f} ms"
    )
    print(
        f"  SQL statements per answer: engine part median {statistics.median(engine_sql):g}, "
        f"max {max(engine_sql)}; whole request median {statistics.median(request_sql):g}, "
        f"max {max(request_sql)}"
    )
    if calls is not None and args.profile_engine:
        calls.dump_stats(args.profile_engine)
    if calls is not None:
        total = pstats.Stats(calls).total_calls
        print(f"  Python function calls of the engine part per answer: {total / len(ms):.0f}")
    print(f"  load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
