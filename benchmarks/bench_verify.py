"""Verification throughput: GET /v/<code> under gunicorn (2 workers) measured with wrk,
as a ratio to a trivial route (/healthz) of the same app in the same run.

Usage: .venv/bin/python benchmarks/bench_verify.py [--seconds 10] [--connections 16]
Needs `wrk` (Debian package) and gunicorn (installed with the app)."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wrk(url: str, seconds: int, connections: int) -> tuple[float, str]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
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
    )
    os.environ.update(env)
    from attest import create_app
    from benchmarks.scenario import issued_code

    code = issued_code(create_app({"INSTANCE_PATH": str(tmp)}))
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
        assert urllib.request.urlopen(f"{base}/v/{code}").status == 200
        wrk(f"{base}/healthz", 2, args.connections)  # warm-up
        trivial, trivial_lat = wrk(f"{base}/healthz", args.seconds, args.connections)
        verify, verify_lat = wrk(f"{base}/v/{code}", args.seconds, args.connections)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"gunicorn 2 workers, wrk -t2 -c{args.connections} -d{args.seconds}s, SQLite")
    print(f"  /healthz      {trivial:8.0f} req/s  ({trivial_lat})")
    print(f"  /v/<code>     {verify:8.0f} req/s  ({verify_lat})")
    print(f"  ratio         {verify / trivial:8.1%}  (aim: at least 40%)")


if __name__ == "__main__":
    main()
