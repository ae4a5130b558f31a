"""Verification throughput under gunicorn (2 workers) measured with wrk, as a ratio to a trivial
route (/healthz) of the same app in the same run: the page a QR code opens (GET /V/<payload>),
the typed lookup with birth date (POST /v, form with CSRF), the JSON API (POST /api/v1/verify)
and the partner API (POST /api/v1/partner/checks with an API key). Rate limits stay on (in
process memory) but are set high enough not to refuse the load.

Usage: .venv/bin/python benchmarks/bench_verify.py [--seconds 10] [--connections 16]
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


def wrk(url: str, seconds: int, connections: int, script: Path | None = None) -> tuple[float, str]:
    extra = ["-s", str(script)] if script else []
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", *extra, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise SystemExit(f"{url}: {non2xx.group(1)} failed responses\n{out}")
    p50 = re.search(r"50%\s+([\d.]+\w+)", out).group(1)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out).group(1)
    return rps, f"p50 {p50}, p99 {p99}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")

    tmp = Path(tempfile.mkdtemp(prefix="attest-bench-"))
    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite:///{tmp}/attest.sqlite3",
        ATTEST_STORAGE_DIR=str(tmp / "storage"),
        ATTEST_KEYS_DIR=str(tmp / "keys"),
        SECRET_KEY="bench",
        ATTEST_PUBLIC_URL="https://attest.example",
        ATTEST_VERIFY_LIMIT_CLIENT="100000000 per minute",
        ATTEST_VERIFY_LIMIT_CODE="100000000 per minute",
        ATTEST_PARTNER_LIMIT="100000000 per minute",
    )
    os.environ.update(env)
    from attest import create_app
    from benchmarks.scenario import issued_code, partner_key, qr_path

    app = create_app({"INSTANCE_PATH": str(tmp)})
    code = issued_code(app)
    key = partner_key(app)
    qr = qr_path(app, code)
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        assert urllib.request.urlopen(f"{base}{qr}").status == 200
        scripts = post_scripts(base, tmp, code, key)
        wrk(f"{base}/healthz", 2, args.connections)  # warm-up
        trivial, trivial_lat = wrk(f"{base}/healthz", args.seconds, args.connections)
        figures = [
            ("GET /V/<payload> (QR page)", *wrk(f"{base}{qr}", args.seconds, args.connections))
        ]
        for label, path, script in scripts:
            figures.append((label, *wrk(f"{base}{path}", args.seconds, args.connections, script)))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"gunicorn 2 workers, wrk -t2 -c{args.connections} -d{args.seconds}s, SQLite")
    print(f"  {'GET /healthz (trivial)':<34} {trivial:8.0f} req/s  ({trivial_lat})")
    for label, rps, latency in figures:
        print(f"  {label:<34} {rps:8.0f} req/s  ({latency})  ratio {rps / trivial:6.1%}")


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
