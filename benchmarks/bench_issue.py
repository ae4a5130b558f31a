"""Time issuing one attestation N times (render, seal, store) and print median and p95 in ms.

Also times the whole service call (issue_attestation: result, profiles, render, seal, store,
database row, commit) on a fresh SQLite database.

Usage: python benchmarks/bench_issue.py [-n 50]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from attest.certificates import keys  # noqa: E402
from attest.certificates.facts import AttestationFacts  # noqa: E402
from attest.certificates.pdf import AttestationData, register_fonts, render_attestation  # noqa: E402
from attest.certificates.seal import seal_pdf, validate_sealed_pdf  # noqa: E402
from attest.storage import DirectoryStorage  # noqa: E402


def _data(i: int, now: datetime) -> AttestationData:
    facts = AttestationFacts(
        code=f"ATT-{i:04d}-M9XP",
        family_name="Nguyễn",
        given_names="Thị Minh Khai",
        birth_date=date(1990, 3, 4),
        levels={"listening": "A2", "reading": "B1", "speaking": "A2", "writing": None},
        test_date=now.date(),
        issued_at=now,
        status_index=i,
    )
    return AttestationData(
        facts,
        centre_name="Huis van het Nederlands Brussel",
        issuer_name="Huis van het Nederlands Brussel",
    )


def _summary(label: str, ms: list[float]) -> str:
    p95 = statistics.quantiles(ms, n=20)[-1] if len(ms) > 1 else ms[0]
    return f"{label:<8} median {statistics.median(ms):7.1f} ms   p95 {p95:7.1f} ms"


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=50, help="attestations to issue (default 50)")
    args = parser.parse_args()
    now = datetime.now(UTC)
    root = keys.create_demo_root(now)
    signer = keys.create_signing_certificate(root, now)

    started = time.perf_counter()
    register_fonts()  # once per process; reported apart from the per-attestation figures
    fonts_ms = (time.perf_counter() - started) * 1000

    storage = DirectoryStorage(Path(tempfile.mkdtemp(prefix="attest-bench-store-")))
    render_ms, seal_ms, store_ms, total_ms, size = [], [], [], [], 0
    for i in range(args.n):
        t0 = time.perf_counter()
        pdf = render_attestation(
            _data(i, now), verify_url=f"https://attest.example.be/v/{i}", is_demo=True
        )
        t1 = time.perf_counter()
        sealed = seal_pdf(pdf, signer_key=signer, chain=[root.certificate], now=now)
        t2 = time.perf_counter()
        storage.put(f"attestations/{i:04d}.pdf", sealed)  # atomic write with fsync
        t3 = time.perf_counter()
        render_ms.append((t1 - t0) * 1000)
        seal_ms.append((t2 - t1) * 1000)
        store_ms.append((t3 - t2) * 1000)
        total_ms.append((t3 - t0) * 1000)
        size = len(sealed)

    t0 = time.perf_counter()
    check = validate_sealed_pdf(sealed, trust_roots=[root.certificate])
    validate_ms = (time.perf_counter() - t0) * 1000

    print(
        f"attestations: {args.n}, sealed size {size / 1024:.0f} KiB, "
        f"font registration {fonts_ms:.0f} ms (once)"
    )
    print(_summary("render", render_ms))
    print(_summary("seal", seal_ms))
    print(_summary("store", store_ms))
    print(_summary("total", total_ms))
    print(f"validate {validate_ms:7.1f} ms (one, ok={check.ok})")
    print(_summary("service", _service_ms(max(10, args.n // 2))))


def _service_ms(n: int) -> list[float]:
    """Time issue_attestation + commit for n completed sessions on a fresh SQLite database."""
    import sqlalchemy as sa

    from attest import create_app
    from attest.certificates.issuing import issue_attestation, issuer_of
    from attest.models import TestSession, User
    from benchmarks.scenario import completed_session

    tmp = Path(tempfile.mkdtemp(prefix="attest-bench-"))
    os.environ.setdefault("SECRET_KEY", "bench")
    app = create_app({"INSTANCE_PATH": str(tmp), "DATABASE_URL": f"sqlite:///{tmp}/a.sqlite3"})
    ids = [completed_session(app).id for _ in range(n)]
    timings = []
    with app.app_context():
        session = app.extensions["attest_session"]()
        actor = session.scalar(sa.select(User).limit(1))
        for ts_id in ids:
            ts = session.get(TestSession, ts_id)
            t0 = time.perf_counter()
            issue_attestation(session, ts, actor, datetime.now(UTC), issuer_of(app))
            session.commit()
            timings.append((time.perf_counter() - t0) * 1000)
    return timings


if __name__ == "__main__":
    main()
