"""Instructions per request of the verification routes, counted by callgrind: unlike times,
the count hardly moves with the load of a shared machine. One process serves the routes one
after the other (benchmarks/verify_profile.py --gate); set-up and warm-up run with
instrumentation off, each route's --runs requests are counted and dumped apart, and the
interpreter's shutdown is not counted.

Usage: .venv/bin/python benchmarks/verify_instructions.py [--runs 200]
           [--routes bare,healthz,qr,api]
Needs valgrind (Debian package)."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def wait_for(path: Path, proc: subprocess.Popen) -> None:
    while not path.exists():
        if proc.poll() is not None:
            raise SystemExit(f"the profile script ended early ({proc.returncode})")
        time.sleep(0.1)


def control(*args: str) -> None:
    subprocess.run(["callgrind_control", *args], check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--routes", default="bare,healthz,qr,api")
    args = parser.parse_args()
    routes = args.routes.split(",")
    tmp = Path(tempfile.mkdtemp(prefix="attest-callgrind-"))
    gate, out = tmp / "gate", tmp / "callgrind.out"
    proc = subprocess.Popen(
        [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={out}",
            sys.executable,
            str(ROOT / "benchmarks" / "verify_profile.py"),
            "--profile",
            ",".join(routes),
            "--runs",
            str(args.runs),
            "--gate",
            str(gate),
        ],  # fmt: skip
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    pid = str(proc.pid)
    counts = {}
    for route in routes:
        wait_for(Path(f"{gate}.{route}.ready"), proc)
        control("-z", pid)  # forget what ran since the last dump (warm-up, waiting)
        control("-i", "on", pid)
        Path(f"{gate}.{route}").touch()
        wait_for(Path(f"{gate}.{route}.end"), proc)
        control("-i", "off", pid)
        control("-d", pid)
        Path(f"{gate}.{route}.ack").touch()
        dumps = sorted(tmp.glob("callgrind.out.*"), key=lambda p: int(p.name.rsplit(".", 1)[1]))
        text = dumps[-1].read_text()
        counts[route] = int(re.search(r"^(?:summary|totals):\s+(\d+)", text, re.M).group(1))
    proc.wait()
    bare = counts.get("bare")
    print(f"instructions per request (callgrind, {args.runs} requests per route, SQLite)")
    for route, n in counts.items():
        ratio = f"  x{n / bare:.2f} of bare" if bare else ""
        print(f"  {route:<8} {n / args.runs / 1e6:7.3f} M{ratio}")


if __name__ == "__main__":
    main()
