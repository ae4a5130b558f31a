"""Measurements of the region simulation (benchmarks/region.py): worker memory, CPU per part,
pg_stat_activity samples, percentiles and the app's own time per endpoint from its log."""

from __future__ import annotations

import json
import os
import sys
from collections import defaultdict
from pathlib import Path

import sqlalchemy as sa


def worker_memory() -> list[int]:
    """RSS (KiB) of every gunicorn worker whose master is a child of this process."""
    rss = []
    me = str(os.getpid())
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().split(b"\0")
            status = (entry / "status").read_text()
            if not any(b"gunicorn" in c for c in cmd):
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            parent = fields.get("PPid", "").strip()
            grand = (Path("/proc") / parent / "status").read_text() if parent else ""
        except OSError:
            continue
        if f"PPid:\t{me}\n" in grand:  # a worker: its parent (the master) is our child
            rss.append(int(fields["VmRSS"].split()[0]))
    return rss


def cpu_seconds() -> dict[str, float]:
    """CPU seconds used so far: the whole machine (busy), our gunicorn master and workers, this
    client process, every PostgreSQL process (all databases) and Redis."""
    tick = os.sysconf("SC_CLK_TCK")
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    busy = sum(int(v) for v in fields) - int(fields[3]) - int(fields[4])  # minus idle, iowait
    used = {"machine (busy)": busy / tick, "gunicorn": 0.0, "client": 0.0, "postgres": 0.0}
    used["redis"] = 0.0
    me = os.getpid()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmd = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        rest = stat.rsplit(")", 1)[1].split()
        # utime + stime + the children's it has reaped (recycled workers, closed backends)
        seconds = sum(int(v) for v in rest[11:15]) / tick
        ppid = int(rest[1])
        if int(entry.name) == me:
            used["client"] += seconds
        elif b"gunicorn" in cmd and (ppid == me or _parent(ppid) == me):
            used["gunicorn"] += seconds
        elif b"postgres" in cmd:
            used["postgres"] += seconds
        elif b"redis-server" in cmd:
            used["redis"] += seconds
    return used


def _parent(pid: int) -> int:
    try:
        return int((Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return -1


def db_activity(url: str) -> dict[str, int]:
    """Count this database's connections by state and wait event (a pg_stat_activity sample)."""
    from attest.engine import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT state, wait_event_type, wait_event, count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                    "GROUP BY 1, 2, 3"
                )
            ).all()
    finally:
        engine.dispose()
    return {f"{s}/{t or '-'}/{e or '-'}": n for s, t, e, n in rows}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] * 1000


def server_report(log: Path) -> None:
    """Print the app's own time per endpoint (from request start to the response, before the
    commit at teardown and without any queueing in gunicorn), server errors and warnings."""
    durations: dict[str, list[float]] = defaultdict(list)
    problems: dict[str, int] = defaultdict(int)
    for line in log.read_text(errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            problems["non-JSON line"] += 1
            continue
        if "duration_ms" in entry:
            durations[entry.get("endpoint", "-")].append(entry["duration_ms"] / 1000)
            if entry.get("status", 200) >= 500:
                problems[f"{entry.get('endpoint')} {entry['status']}"] += 1
        elif entry.get("level") in ("WARNING", "ERROR", "CRITICAL"):
            problems[f"{entry['level']} {entry.get('message', '')[:80]}"] += 1
    print(f"server time per endpoint ({log}):")
    print(f"  {'endpoint':<28} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for endpoint, values in sorted(durations.items(), key=lambda kv: -len(kv[1])):
        print(
            f"  {endpoint:<28} {len(values):>7} {pct(values, 0.5):>8.0f} "
            f"{pct(values, 0.95):>8.0f} {pct(values, 0.99):>8.0f}"
        )
    print(f"server log problems: {dict(problems) or 0}")
    sys.stdout.flush()
