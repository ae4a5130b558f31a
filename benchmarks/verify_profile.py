"""What the verification routes cost in-process, per request: CPU time of one thread calling the
WSGI app directly (no server, no sockets), next to a bare Flask app; with --profile the
cProfile top functions of one route. Load on the machine barely changes CPU time, so the figures
compare across runs where wrk's req/s do not.

Usage: .venv/bin/python benchmarks/verify_profile.py [--runs 2000] [--profile qr|api|typed|healthz]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from werkzeug.test import EnvironBuilder  # noqa: E402


def call(app, environ_factory) -> int:
    status = []
    body = app(environ_factory(), lambda s, h, e=None: status.append(s))
    for _chunk in body:
        pass
    if hasattr(body, "close"):
        body.close()
    return int(status[0].split()[0])


def calls_per_request(app, factory, runs: int = 100) -> float:
    """Python function calls per request, counted by cProfile: unlike times, exactly the same
    on a loaded machine (a proxy for the work, not a time)."""
    for _ in range(20):
        call(app, factory)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(runs):
        call(app, factory)
    prof.disable()
    total = sum(stat[1] for stat in pstats.Stats(prof).stats.values())  # primitive + recursive
    return total / runs


def measure(app, factory, runs: int) -> tuple[float, float]:
    """Return the median CPU time per request and the best mean of a batch of 50, in ms (on a
    shared machine the best batch is the steadier figure)."""
    for _ in range(50):
        call(app, factory)
    times = []
    for _ in range(runs):
        t0 = time.thread_time()
        code = call(app, factory)
        times.append((time.thread_time() - t0) * 1000)
        assert code < 400, code
    batches = [statistics.fmean(times[k : k + 50]) for k in range(0, len(times) - 49, 50)]
    return statistics.median(times), min(batches)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--profile", choices=["qr", "api", "typed", "healthz", "partner"])
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="attest-prof-"))
    os.environ.update(
        DATABASE_URL=f"sqlite:///{tmp}/attest.sqlite3",
        ATTEST_STORAGE_DIR=str(tmp / "storage"),
        ATTEST_KEYS_DIR=str(tmp / "keys"),
        SECRET_KEY="bench",
        ATTEST_PUBLIC_URL="https://attest.example",
        ATTEST_VERIFY_LIMIT_CLIENT="100000000 per minute",
        ATTEST_VERIFY_LIMIT_CODE="100000000 per minute",
        ATTEST_PARTNER_LIMIT="100000000 per minute",
        ATTEST_LOG_FORMAT="json",
    )
    os.environ.pop("ATTEST_REDIS_URL", None)
    import logging

    from attest import create_app
    from benchmarks.bare_flask import app as bare
    from benchmarks.scenario import BIRTH_DATE, INSZ, issued_code, partner_key, qr_path

    app = create_app({"INSTANCE_PATH": str(tmp)})
    code, key = issued_code(app), partner_key(app)
    qr = qr_path(app, code)
    # the logs go to a file, as under gunicorn with stderr redirected
    sink = open(tmp / "app.log", "w")  # noqa: SIM115
    for handler in logging.getLogger().handlers:
        if getattr(handler, "_attest", False):
            handler.setStream(sink)

    def env(path, method="GET", **kw):
        built = EnvironBuilder(path=path, method=method, base_url="http://127.0.0.1/", **kw)
        base = built.get_environ()
        raw = base["wsgi.input"].read()
        base["REMOTE_ADDR"] = "127.0.0.1"

        def factory():
            e = dict(base)
            e["wsgi.input"] = io.BytesIO(raw)
            return e

        return factory

    client = app.test_client()
    page = client.get("/v").get_data(as_text=True)
    import re

    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    cookie = client.get_cookie("session").value
    routes = {
        "healthz": env("/healthz"),
        "qr": env(qr),
        "typed": env(
            "/v",
            "POST",
            data={"code": code, "birth_date": BIRTH_DATE, "csrf_token": token},
            headers={"Cookie": f"session={cookie}"},
        ),
        "api": env("/api/v1/verify", "POST", json={"code": code, "birth_date": BIRTH_DATE}),
        "partner": env(
            "/api/v1/partner/checks",
            "POST",
            json={
                "insz": INSZ,
                "profile": "sociale-huur",
                "purpose": "benchmark",
                "lease_start": "2024-01-01",
            },
            headers={"Authorization": f"Bearer {key}"},
        ),
    }
    if args.profile:
        factory = routes[args.profile]
        for _ in range(50):
            call(app, factory)
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(args.runs):
            call(app, factory)
        prof.disable()
        prof.dump_stats(os.environ.get("PROF_OUT", "/tmp/verify.prof"))
        stats = pstats.Stats(prof)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(25)
        return
    bare_med, bare_best = measure(bare, env("/"), args.runs)
    bare_calls = calls_per_request(bare, env("/"))
    print(f"CPU per request (ms), {args.runs} runs, in-process WSGI call, SQLite;")
    print("function calls per request (cProfile, 100 requests: the same on a loaded machine)")
    print(f"  {'bare Flask':<10} median {bare_med:.3f}  best batch {bare_best:.3f}  ", end="")
    print(f"calls {bare_calls:.0f}")
    for name, factory in routes.items():
        med, best = measure(app, factory, args.runs)
        ratio = best / bare_best
        calls = calls_per_request(app, factory)
        print(
            f"  {name:<10} median {med:.3f}  best batch {best:.3f}  x{ratio:.1f} of bare  "
            f"calls {calls:.0f} (x{calls / bare_calls:.1f})"
        )
    print(json.dumps({"load": os.getloadavg()}))


if __name__ == "__main__":
    main()
