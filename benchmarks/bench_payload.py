"""QR payload figures: encode and verify time (median, p95), URL length and QR version at
error correction Q; status list build/verify time and size.

Usage: .venv/bin/python benchmarks/bench_payload.py [--runs 500]"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import qrcode
from cryptography.hazmat.primitives.asymmetric import ec

from attest.certificates import payload as P
from attest.certificates import status_list as S
from attest.certificates.facts import AttestationFacts

NOW = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
BASE_URL = "https://attest.huisvanhetnederlands.be/q"  # 40 characters
KID = "61207baae6e2e49e"
# A typed code of the current format: 19 random Crockford symbols and a check symbol.
CODE = "ATT-7K3Q-M9XP-4TQD-HJ2N-WR6C"
CASES = {
    "Łukasz Żółć": ("Żółć", "Łukasz"),
    "Nguyễn Thị Minh Khai": ("Nguyễn", "Thị Minh Khai"),
    "Мария Иванова": ("Иванова", "Мария"),
    "أحمد الحسن": ("الحسن", "أحمد"),
    "2x60 Vietnamese": (("Nguyễn Thị Minh Khai Trần Lê Hoàng Phạm Võ Đặng Bùi Đỗ Hồ Ngô")[:60],)
    * 2,
    "2x60 Arabic": (("عبد الرحمن بن محمد بن عبد الله بن أحمد الحسن الهاشمي القرشي المكي")[:60],)
    * 2,
}


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """Return (median, p95) wall time in milliseconds."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def qr_version(url: str) -> int:
    qr = qrcode.QRCode(version=None, error_correction=qrcode.constants.ERROR_CORRECT_Q)
    qr.add_data(url)
    qr.make(fit=True)
    return qr.version


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=500)
    args = parser.parse_args()
    key = ec.generate_private_key(ec.SECP256R1())
    trusted = {KID: key.public_key()}
    print(
        f"base URL: {BASE_URL} ({len(BASE_URL)} chars); budget: QR version "
        f"{P.QR_MAX_VERSION}-Q = {P.QR_MAX_CHARS} alphanumeric chars; runs: {args.runs}"
    )
    print(
        f"{'names':<22} {'COSE B':>6} {'URL ch':>6} {'QR v':>4} {'cut':>4} "
        f"{'encode ms (med/p95)':>20} {'verify ms (med/p95)':>20}"
    )
    for label, (family, given) in CASES.items():
        claims = AttestationFacts(
            code=CODE,
            family_name=family,
            given_names=given,
            birth_date=date(1990, 3, 4),
            test_date=date(2025, 3, 1),
            issued_at=NOW,
            levels={"listening": "A2", "reading": "B1", "speaking": "A2", "writing": "A1"},
            status_index=131_071,
        )
        url = P.encode_url(BASE_URL, claims, key, KID)
        verified = P.decode_and_verify(url, trusted, NOW)
        cut = (
            "yes"
            if verified.is_family_name_truncated or verified.is_given_names_truncated
            else "no"
        )
        cose_bytes = len(P._b32decode(url.rsplit("/", 1)[1]))
        enc = timed(lambda c=claims: P.encode_url(BASE_URL, c, key, KID), args.runs)
        ver = timed(lambda u=url: P.decode_and_verify(u, trusted, NOW), args.runs)
        print(
            f"{label:<22} {cose_bytes:>6} {len(url):>6} {qr_version(url):>4} {cut:>4} "
            f"{enc[0]:>9.3f}/{enc[1]:<10.3f} {ver[0]:>9.3f}/{ver[1]:<10.3f}"
        )

    revoked = set(random.Random(6).sample(range(S.MIN_ENTRIES), 1_350))  # about 1 %

    def build() -> bytes:
        return S.build_status_list(
            revoked=revoked,
            private_key=key,
            kid=KID,
            uri="https://attest.example/status/1",
            issued_at=NOW,
            valid_for=timedelta(days=7),
        )

    token = build()
    runs = max(args.runs // 10, 10)
    b = timed(build, runs)
    v = timed(lambda: S.verify_status_list(token, trusted, NOW), runs)
    print(
        f"status list: {S.MIN_ENTRIES} entries x {S.BITS} bits, {len(revoked)} revoked -> "
        f"{len(token)} bytes signed; build {b[0]:.2f}/{b[1]:.2f} ms, "
        f"verify {v[0]:.2f}/{v[1]:.2f} ms (median/p95)"
    )
    empty = S.build_status_list(
        revoked=(), private_key=key, kid=KID, uri="https://attest.example/status/1", issued_at=NOW
    )
    print(f"status list with no revocations: {len(empty)} bytes")

    # Offline verification as `attest verify` and an offline app do it: signature, format,
    # key state (retired/compromised dates) and, when given, the signed status list.
    from attest.certificates.offline import TrustedKey, verify_offline

    keys = {KID: TrustedKey(KID, key.public_key(), retired_at=NOW + timedelta(days=30))}
    family, given = CASES["Nguyễn Thị Minh Khai"]
    claims = AttestationFacts(
        code=CODE,
        family_name=family,
        given_names=given,
        birth_date=date(1990, 3, 4),
        test_date=date(2025, 3, 1),
        issued_at=NOW - timedelta(hours=1),
        levels={"listening": "A2", "reading": "B1"},
        status_index=4_242,
    )
    url = P.encode_url(BASE_URL, claims, key, KID)
    assert verify_offline(url, keys, token, NOW).status == "valid"
    alone = timed(lambda: verify_offline(url, keys, None, NOW), args.runs)
    listed = timed(lambda: verify_offline(url, keys, token, NOW), runs)
    print(
        f"offline verification of one QR payload: {alone[0]:.3f}/{alone[1]:.3f} ms "
        f"(median/p95; signature, format, key state); with the status list checked too: "
        f"{listed[0]:.2f}/{listed[1]:.2f} ms"
    )


if __name__ == "__main__":
    main()
