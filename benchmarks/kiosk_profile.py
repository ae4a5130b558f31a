"""What one kiosk request costs, in-process: CPU, wall time and SQL statements per request.

The kiosks of benchmarks/kiosk_load.py go through the Flask test client one after the other
(no HTTP server, no threads), so the figures are the app's own cost: per item the answer is
saved (a form POST for even kiosks, the JSON answer with a key as kiosk.js sends it for odd
ones), the next item page is loaded and a heartbeat is sent. CPU is this thread's CPU time
(Python, Jinja, SQLAlchemy, the driver); the database server's own CPU is not in it.

Usage (the database is emptied: give it one of its own):
  createdb -h 127.0.0.1 -U postgres attest_speed
  python benchmarks/kiosk_profile.py \
      --database-url postgresql+psycopg://postgres@127.0.0.1:5432/attest_speed [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import logging
import os
import pstats
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from attest import create_app  # noqa: E402
from benchmarks.kiosk_load import csrf_of, percentile, prepare, verify  # noqa: E402

KINDS = ("save", "answer", "page", "heartbeat")


class Meter:
    """Count SQL statements, CPU and wall time per request kind."""

    def __init__(self, engine: sa.Engine) -> None:
        self.statements = 0
        self.samples: dict[str, list[tuple[float, float, int]]] = {}
        self.log: list[str] | None = None
        sa.event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, _conn, _cursor, statement, _params, _context, _many) -> None:
        self.statements += 1
        if self.log is not None:
            self.log.append(" ".join(statement.split())[:160])

    def watch_hooks(self, app) -> None:
        """Time each before/after/teardown function and kiosk view on its own (--hooks)."""
        self.hooks: dict[tuple[str, str], float] = {}
        self.kind = ""

        def timed(name, func):
            def wrapper(*args, **kwargs):
                t0 = time.thread_time()
                try:
                    return func(*args, **kwargs)
                finally:
                    key = (self.kind, name)
                    self.hooks[key] = self.hooks.get(key, 0.0) + time.thread_time() - t0

            return wrapper

        def label(func) -> str:
            name = getattr(func, "__name__", None) or getattr(func, "func", func).__name__
            return f"{getattr(func, '__module__', None) or '?'}.{name}"

        for registry in (
            app.before_request_funcs,
            app.after_request_funcs,
            app.teardown_request_funcs,
        ):
            for key, funcs in registry.items():
                registry[key] = [timed(label(f), f) for f in funcs]
        for endpoint, view in list(app.view_functions.items()):
            if endpoint.startswith("kiosk."):
                app.view_functions[endpoint] = timed(f"view {endpoint}", view)

    def run(self, kind: str, call, *args, **kwargs):
        self.kind = kind
        before, cpu0, wall0 = self.statements, time.thread_time(), time.perf_counter()
        result = call(*args, **kwargs)
        cpu, wall = time.thread_time() - cpu0, time.perf_counter() - wall0
        self.samples.setdefault(kind, []).append(
            (cpu * 1000, wall * 1000, self.statements - before)
        )
        self.kind = ""
        return result


def start(client, code: str) -> str:
    """Enter the start code, choose Dutch, pass the sound check; return the CSRF token."""
    token = csrf_of(client.get("/kiosk/").text)
    client.post("/kiosk/", data={"code": code, "csrf_token": token})
    token = csrf_of(client.get("/kiosk/language").text)
    client.post("/kiosk/language", data={"language": "nl", "csrf_token": token})
    token = csrf_of(client.get("/kiosk/sound-check").text)
    client.post("/kiosk/sound-check", data={"result": "ok", "csrf_token": token})
    return token


def drive(app, plans, meter: Meter, show_sql: bool) -> list[str]:
    """Answer every item of every plan; return the errors met."""
    errors = []
    for n, plan in enumerate(plans):
        client = app.test_client()
        client.set_cookie(app.config["KIOSK_COOKIE_NAME"], plan.token)
        start(client, plan.code)
        page = meter.run("page", client.get, f"/kiosk/item/{plan.answers[0][0]}")
        token = csrf_of(page.text)
        for index, (position, fields) in enumerate(plan.answers):
            logging_now = show_sql and n == 0 and index == 1
            meter.log = [] if logging_now else None
            if n % 2 == 0:
                body = urllib.parse.urlencode({**fields, "csrf_token": token}, doseq=True)
                reply = meter.run(
                    "save",
                    client.post,
                    f"/kiosk/item/{position}",
                    data=body,
                    content_type="application/x-www-form-urlencoded",
                )
                ok, target = reply.status_code == 302, reply.headers.get("Location", "")
            else:
                payload = {
                    "session": plan.session_id,
                    "key": f"bench-{plan.session_id}-{position:04d}-key",
                    "fields": {k: v if isinstance(v, list) else [v] for k, v in fields.items()},
                }
                reply = meter.run(
                    "answer",
                    client.post,
                    f"/kiosk/item/{position}/answer",
                    data=json.dumps(payload),
                    content_type="application/json",
                    headers={"X-CSRFToken": token},
                )
                ok, target = reply.status_code == 200, (reply.json or {}).get("next_url", "")
            if logging_now:
                print(f"\n-- SQL of one {'save' if n % 2 == 0 else 'answer'} --")
                print("\n".join(meter.log or []))
                meter.log = []
            if not ok:
                errors.append(f"kiosk {n} item {position}: HTTP {reply.status_code}")
                continue
            plan.acknowledged.append((position, fields))
            if "/kiosk/item/" in target:
                page = meter.run("page", client.get, urllib.parse.urlsplit(target).path)
                token = csrf_of(page.text)
            if logging_now:
                print("\n-- SQL of one next item page --")
                print("\n".join(meter.log or []))
                meter.log = []
            meter.run(
                "heartbeat",
                client.post,
                "/kiosk/heartbeat",
                data="{}",
                content_type="application/json",
                headers={"X-CSRFToken": token},
            )
            if logging_now:
                print("\n-- SQL of one heartbeat --")
                print("\n".join(meter.log or []))
            meter.log = None
    return errors


def report_hooks(meter: Meter) -> None:
    for kind in KINDS:
        n = len(meter.samples.get(kind, []))
        rows = sorted(
            ((v, name) for (k, name), v in meter.hooks.items() if k == kind), reverse=True
        )
        if n and rows:
            print(f"\n{kind}: CPU ms per request in each hook and view")
            for seconds, name in rows[:8]:
                print(f"  {seconds * 1000 / n:6.2f}  {name}")


def report(meter: Meter) -> None:
    print(f"\n{'request':>10} {'n':>5} {'CPU ms':>8} {'wall ms':>8} {'p95 wall':>9} {'SQL':>5}")
    for kind in KINDS:
        rows = meter.samples.get(kind)
        if not rows:
            continue
        cpu = statistics.fmean(r[0] for r in rows)
        wall = statistics.fmean(r[1] for r in rows)
        p95 = percentile([r[1] for r in rows], 95)
        sql = statistics.fmean(r[2] for r in rows)
        print(f"{kind:>10} {len(rows):5d} {cpu:8.1f} {wall:8.1f} {p95:9.1f} {sql:5.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("ATTEST_BENCH_DATABASE_URL"))
    parser.add_argument("--kiosks", type=int, default=6)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--profile", action="store_true", help="print the cProfile hot spots")
    parser.add_argument("--sql", action="store_true", help="print the statements of one item")
    parser.add_argument("--hooks", action="store_true", help="time each request hook and view")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("give --database-url of a database of its own (it is emptied)")

    plans = prepare(args.database_url, args.kiosks, args.items)
    app = create_app({"DATABASE_URL": args.database_url, "SECRET_KEY": "bench"})
    # the JSON access lines are written as under gunicorn, but to nowhere
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(open(os.devnull, "w"))  # noqa: SIM115
    meter = Meter(app.extensions["attest_engine"])
    if args.hooks:
        meter.watch_hooks(app)
    # a first kiosk warms the caches (templates, catalogues, purposes) and is not counted
    warm, plans = plans[:1], plans[1:]
    drive(app, warm, meter, show_sql=False)
    meter.samples.clear()
    if args.hooks:
        meter.hooks.clear()
    # CPU time, not wall time: waiting for PostgreSQL is not a hot spot of this process
    profiler = cProfile.Profile(time.thread_time) if args.profile else None
    if profiler:
        profiler.enable()
    errors = drive(app, plans, meter, show_sql=args.sql)
    if profiler:
        profiler.disable()
    report(meter)
    if args.hooks:
        report_hooks(meter)
    acknowledged, rows, lost, extra = verify(args.database_url, warm + plans)
    print(
        f"\nacknowledged {acknowledged}, rows {rows}, lost {lost}, extra {extra}, "
        f"errors {len(errors)}"
    )
    for error in errors[:10]:
        print("  ", error)
    if profiler:
        stats = pstats.Stats(profiler)
        by_package: dict[str, float] = {}
        for (filename, _line, _name), row in stats.stats.items():  # type: ignore[attr-defined]
            parts = Path(filename).parts
            if "site-packages" in parts:
                package = parts[parts.index("site-packages") + 1]
            elif "attest" in parts:
                package = "attest/" + "/".join(parts[parts.index("attest") + 1 :])
            else:
                package = "(python)"
            by_package[package] = by_package.get(package, 0.0) + row[2]
        total = sum(by_package.values())
        print("\nCPU by package (own time):")
        for package, seconds in sorted(by_package.items(), key=lambda kv: -kv[1])[:25]:
            print(f"  {100 * seconds / total:5.1f} %  {package}")
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
