"""Verification throughput under gunicorn (2 sync workers) measured with wrk, as a ratio to a
bare Flask app returning JSON (benchmarks/bare_flask.py, started by this script with the same
gunicorn settings) and to a trivial route of this app (/healthz), all in the same run: the page a
QR code opens (GET /V/<payload>), the typed lookup with birth date (POST /v, form with CSRF), the
JSON API (POST /api/v1/verify) and the partner API (POST /api/v1/partner/checks with an API
key). Rate limits stay on (in process memory) but are set high enough not to refuse the load.
Every step reports its failed responses (non-2xx/3xx answers and socket errors) and the CPU time
the server's workers spent per request (read from /proc; steadier than req/s on a shared machine).

Usage: .venv/bin/python benchmarks/bench_verify.py [--seconds 10] [--connections 16]
           [--database-url postgresql+psycopg://...]   (default: a fresh SQLite file)
Needs `wrk` (Debian package) and gunicorn (installed with the app)."""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lua_post(directory: Path, name: str, body: str, headers: dict[str, str]) -> Path:
    """Write a wrk script that POSTs `body` with `headers`."""
    lines = ['wrk.method = "POST"', f"wrk.body = {json.dumps(body)}"]
    lines += [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()]
    path = directory / f"{name}.lua"
    path.write_text("\n".join(lines) + "\n")
    return path


def wrk(url: str, seconds: int, connections: int, script: Path | None = None) -> dict:
    """Load one URL with wrk; return req/s, latency percentiles and the failed responses."""
    extra = ["-s", str(script)] if script else []
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", *extra, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    completed = int(re.search(r"(\d+) requests in", out).group(1))
    if completed == 0:  # no answer at all: a failure, not a rate of 0 with nothing failed
        raise SystemExit(f"{url}: wrk completed no request\n{out}")
    return {
        "requests": completed,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": re.search(r"50%\s+([\d.]+\w+)", out).group(1),
        "p99": re.search(r"99%\s+([\d.]+\w+)", out).group(1),
        "failed": (int(non2xx.group(1)) if non2xx else 0)
        + (sum(int(n) for n in sockets.groups()) if sockets else 0),
    }


def workers_cpu(master: int) -> float:
    """CPU seconds (user + system) used so far by the worker processes of a gunicorn master."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    total = 0
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / os.sysconf("SC_CLK_TCK")


def measured(server, url: str, seconds: int, connections: int, script: Path | None) -> dict:
    """wrk on one URL, plus the CPU time the server's workers spent per completed request:
    unlike req/s, it hardly depends on how much of the shared cores the server got."""
    before = workers_cpu(server.pid)
    figures = wrk(url, seconds, connections, script)
    figures["cpu_ms"] = (workers_cpu(server.pid) - before) * 1000 / figures["requests"]
    return figures


def gunicorn(app: str, port: int, env: dict, cwd: Path, log: Path, pythonpath: Path | None = None):
    """Start gunicorn with 2 sync workers (no config file: it runs in `cwd`, outside the
    checkout, so the repository's gunicorn.conf.py with its gthread workers is not read)."""
    extra = ["--pythonpath", str(pythonpath)] if pythonpath else []
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-k",
            "sync",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            *extra,
            app,
        ],  # fmt: skip
        cwd=cwd,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_up(url: str) -> None:
    for _ in range(300):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not answer")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    load_before = os.getloadavg()

    tmp = Path(tempfile.mkdtemp(prefix="attest-bench-"))
    env = dict(
        os.environ,
        DATABASE_URL=args.database_url or f"sqlite:///{tmp}/attest.sqlite3",
        ATTEST_INSTANCE_PATH=str(tmp),
        ATTEST_STORAGE_DIR=str(tmp / "storage"),
        ATTEST_KEYS_DIR=str(tmp / "keys"),
        SECRET_KEY="bench",
        ATTEST_PUBLIC_URL="https://attest.example",
        ATTEST_VERIFY_LIMIT_CLIENT="100000000 per minute",
        ATTEST_VERIFY_LIMIT_CODE="100000000 per minute",
        ATTEST_PARTNER_LIMIT="100000000 per minute",
    )
    env.pop("ATTEST_REDIS_URL", None)
    # gunicorn runs outside the checkout: without this it would import the editable install's
    # attest (the main worktree), not the code of the checkout this script belongs to.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    os.environ.update(env)
    from attest import create_app
    from benchmarks.scenario import issued_code, partner_key, qr_path

    app = create_app({"INSTANCE_PATH": str(tmp)})
    code = issued_code(app)
    key = partner_key(app)
    qr = qr_path(app, code)
    # End this process's session before the servers start: on SQLite a transaction left open
    # here (qr_path's read began one that may write, BEGIN IMMEDIATE) holds the write lock, and
    # every partner check (it writes an audit event) then waited 3 x 5 s and answered 503, so
    # the partner step used to complete no request at all.
    app.extensions["attest_session"].remove()
    app.extensions["attest_engine"].dispose()
    bare_port, port = free_port(), free_port()
    log = tmp / "gunicorn.log"
    servers = [
        gunicorn("bare_flask:app", bare_port, env, tmp, log, ROOT / "benchmarks"),
        gunicorn("attest:create_app()", port, env, tmp, log),
    ]
    try:
        bare, base = f"http://127.0.0.1:{bare_port}", f"http://127.0.0.1:{port}"
        wait_up(bare + "/")
        wait_up(base + "/healthz")
        assert urllib.request.urlopen(f"{base}{qr}").status == 200
        scripts = post_scripts(base, tmp, code, key)
        for url in (bare + "/", base + "/healthz", base + qr):  # warm-up: imports, caches
            wrk(url, 2, args.connections)
        bare_server, app_server = servers
        steps = [
            ("bare Flask app (JSON)", bare_server, bare + "/", None),
            ("GET /healthz", app_server, base + "/healthz", None),
            ("GET /V/<payload> (QR page)", app_server, base + qr, None),
        ] + [(label, app_server, base + path, script) for label, path, script in scripts]
        figures = [
            (label, measured(server, url, args.seconds, args.connections, s))
            for label, server, url, s in steps
        ]
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)
    db = "PostgreSQL" if args.database_url else "SQLite"
    print(f"gunicorn -k sync -w 2, wrk -t2 -c{args.connections} -d{args.seconds}s, {db}")
    bare_rps, health_rps = figures[0][1]["rps"], figures[1][1]["rps"]
    print(
        f"  {'step':<36} {'req/s':>8}  {'/bare':>6}  {'/healthz':>8}  {'failed':>6}  "
        f"{'worker CPU ms/req':>17}  latency"
    )
    for label, f in figures:
        print(
            f"  {label:<36} {f['rps']:8.0f}  {f['rps'] / bare_rps:6.1%}  "
            f"{f['rps'] / health_rps:8.1%}  {f['failed']:6d}  {f['cpu_ms']:17.2f}  "
            f"p50 {f['p50']}, p99 {f['p99']}"
        )
    loads = [" ".join(f"{x:.1f}" for x in load) for load in (load_before, os.getloadavg())]
    print(f"  load average (1, 5, 15 min) before: {loads[0]}; after: {loads[1]}")


def post_scripts(base: str, tmp: Path, code: str, key: str) -> list[tuple[str, str, Path]]:
    """Prepare wrk scripts for the POST routes (the form needs a session cookie and its token)."""
    from benchmarks.scenario import BIRTH_DATE, INSZ

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/v").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    form = urllib.parse.urlencode({"code": code, "birth_date": BIRTH_DATE, "csrf_token": token})
    check = opener.open(urllib.request.Request(f"{base}/v", data=form.encode()))
    assert check.status == 200, check.status
    typed = lua_post(
        tmp,
        "typed",
        form,
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    api = lua_post(
        tmp,
        "api",
        json.dumps({"code": code, "birth_date": BIRTH_DATE}),
        {"Content-Type": "application/json"},
    )
    partner = lua_post(
        tmp,
        "partner",
        json.dumps(
            {
                "insz": INSZ,
                "profile": "sociale-huur",
                "purpose": "benchmark",
                "lease_start": "2024-01-01",
            }
        ),
        {"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
    )
    return [
        ("POST /v (code + birth date, page)", "/v", typed),
        ("POST /api/v1/verify (JSON)", "/api/v1/verify", api),
        ("POST /api/v1/partner/checks", "/api/v1/partner/checks", partner),
    ]


if __name__ == "__main__":
    main()
