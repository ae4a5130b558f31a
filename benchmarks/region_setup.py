"""Build the database of the region simulation (benchmarks/region.py) quickly.

What the load needs, and no more: centres, kiosks with enough prepared sessions of the linear
*A2 luisteren en lezen* for the run, proctors, calibrated examiners with a backlog of written
answers to score, and a few issued attestations to verify. Shortcuts that only make the set-up
faster (none changes what the server does during the run):

* one argon2 hash per kind of user: every proctor (examiner) gets the same password hash;
* the bank's current versions are read once and reused for every session's item plan;
* allocation to examiners runs once per scoring centre after all sessions are finished,
  instead of after each one (the app re-examines every waiting performance of the centre
  each time);
* candidates and kiosks are added in bulk, and the work is committed every 100 kiosks."""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from unittest import mock

import sqlalchemy as sa

PURPOSE = "a2-luisteren-lezen"  # a linear form: the items of each session are known up front
WRITING_PURPOSE = "a2-volledig"  # has a writing section: its answers go to the examiners
PASSWORD = "benchmark-password-1"
BIRTH_DATE = "1988-02-29"  # of the candidates whose attestations are verified
EXAMINERS_PER_CENTRE = 4  # enough for two blind raters that are never the same pair twice
WRITTEN = (
    "Beste buurman,\nzaterdag geven wij een feest in de tuin. Het kan wat lawaai maken. "
    "Sorry daarvoor! Kom gerust ook langs, vanaf acht uur.\nGroetjes, Amina"
)


@dataclass
class Region:
    """What the load threads need from the set-up."""

    kiosks: list[tuple[str, list[tuple[int, str, dict[int, dict]]]]] = field(default_factory=list)
    proctors: list[str] = field(default_factory=list)
    examiners: list[tuple[str, str]] = field(default_factory=list)  # username, TOTP secret
    session_ids: list[int] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)  # issued attestation codes
    qr_paths: list[str] = field(default_factory=list)  # /V/<payload> of those attestations
    performances: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def fresh_schema(url: str) -> None:
    from attest.engine import make_engine
    from attest.migrate import upgrade

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    upgrade(engine)
    engine.dispose()


def _users(session, role, names: list[str], centres, admin=None):
    """Create users of one role sharing one argon2 hash (the first goes through create_user)."""
    from attest.auth.services import create_user
    from attest.models import User

    if not names:
        return []
    first = create_user(session, username=names[0], password=PASSWORD, role=role, centre=centres[0])
    users = [first] + [
        User(
            username=name,
            display_name=name,
            password_hash=first.password_hash,
            role=role,
            centre=centres[k % len(centres)],
        )
        for k, name in enumerate(names[1:], start=1)
    ]
    session.add_all(users[1:])
    session.flush()
    return users


def _examiners(session, count: int, admin, now) -> tuple[list, list[tuple[str, str]]]:
    """Calibrated (exempted) examiners with a confirmed TOTP secret, 4 per scoring centre."""
    from attest import totp
    from attest.examiner.quality import exempt_from_calibration
    from attest.models import Centre, Role

    groups = max(1, count // EXAMINERS_PER_CENTRE)
    centres = [Centre(code=f"SCORE{k:02d}", name=f"Scoringscentrum {k}") for k in range(groups)]
    session.add_all(centres)
    session.flush()
    users = _users(session, Role.EXAMINER, [f"examiner{k}" for k in range(count)], centres)
    logins = []
    for k, user in enumerate(users):
        user.centre = centres[k % groups]
        user.totp_secret = totp.new_secret()
        user.totp_confirmed_at = now
        exempt_from_calibration(session, user, admin, now)
        logins.append((user.username, user.totp_secret))
    session.flush()
    return centres, logins


def _writing_sessions(session, centres, proctor, per_centre: int, now) -> int:
    """Finished sessions whose written answers wait for two examiners each."""
    from attest.assessment.bank_queries import current_versions
    from attest.assessment.delivery import create_session, finish_session, record_answer
    from attest.examiner import scoring
    from attest.models import Candidate, SessionItem, SessionStatus

    versions = current_versions(session, "writing", ["A1", "A2"])[:2]
    made = 0
    with mock.patch.object(scoring, "allocate_waiting", lambda *a, **k: []):
        for c, centre in enumerate(centres):
            candidates = [
                Candidate(
                    centre_id=centre.id,
                    family_name=f"Schrijver{c}",
                    given_names=f"Test{j}",
                    birth_date=date(1991, 5, 17),
                    id_document_type="passport",
                    id_document_last4=f"{j % 10000:04d}",
                )
                for j in range(per_centre)
            ]
            session.add_all(candidates)
            session.flush()
            for cand in candidates:
                ts, _code = create_session(session, cand, WRITING_PURPOSE, proctor, now)
                for position, version in enumerate(versions, start=1):
                    session.add(
                        SessionItem(session=ts, position=position, skill="writing",
                                    item_version=version)
                    )  # fmt: skip
                ts.status, ts.started_at = SessionStatus.IN_PROGRESS, now
                session.flush()
                for position in range(1, len(versions) + 1):
                    record_answer(session, ts, position, {"response": WRITTEN}, now)
                finish_session(session, ts, now)
                made += len(versions)
    for centre in centres:
        scoring.allocate_waiting(session, centre.id, now)
    return made


def _kiosk_sessions(session, region: Region, kiosks: int, per_kiosk: int, proctors, now):
    """Register the kiosks and prepare their queues of started-to-be sessions."""
    from attest.assessment import delivery
    from attest.assessment.bank_queries import current_versions
    from attest.assessment.purposes import get_purpose
    from attest.auth.kiosks import issue_device_token
    from attest.models import Candidate, Kiosk
    from tests.format_answers import correct_answer, wrong_answer

    rng = random.Random(7)
    purpose = get_purpose(PURPOSE)
    centres = sorted({p.centre for p in proctors}, key=lambda c: c.id)
    by_centre = {c.id: [p for p in proctors if p.centre_id == c.id] for c in centres}
    cached = functools.lru_cache(maxsize=None)(
        lambda skill, levels, status="live": current_versions(session, skill, list(levels), status)
    )
    with mock.patch.object(
        delivery,
        "current_versions",
        lambda s, skill, levels, status="live": cached(skill, tuple(levels), status),
    ):
        for start in range(0, kiosks, 100):
            batch = range(start, min(kiosks, start + 100))
            devices = []
            for k in batch:
                kiosk = Kiosk(centre=centres[k % len(centres)], name=f"kiosk-{k}")
                devices.append((kiosk, issue_device_token(kiosk, now)))
            session.add_all([d for d, _t in devices])
            cands = {
                (k, j): Candidate(
                    centre_id=centres[k % len(centres)].id,
                    family_name=f"Kandidaat{k}",
                    given_names=f"Test{j}",
                    birth_date=date(1990, 1, 1),
                    id_document_type="passport",
                    id_document_last4=f"{j % 10000:04d}",
                )
                for k in batch
                for j in range(per_kiosk)
            }
            session.add_all(cands.values())
            session.flush()
            for k, (_kiosk, token) in zip(batch, devices, strict=True):
                queue = []
                centre = centres[k % len(centres)]
                proctor = by_centre[centre.id][k % len(by_centre[centre.id])]
                for j in range(per_kiosk):
                    ts, code = delivery.create_session(
                        session, cands[(k, j)], PURPOSE, proctor, now, 24 * 60
                    )
                    planned = delivery.plan_items(session, ts, purpose, now, random.Random(ts.id))
                    answers = {
                        si.position: (correct_answer if rng.random() < 0.7 else wrong_answer)(
                            si.item_version.format, si.item_version.content
                        )
                        for si in planned
                    }
                    queue.append((ts.id, code, answers))
                    region.session_ids.append(ts.id)
                region.kiosks.append((token, queue))
            session.commit()


def _attestations(session, app, centre, proctor, count: int, now) -> list[str]:
    """Finish `count` sessions with right answers and issue their sealed attestations."""
    from attest.assessment.delivery import (
        create_session,
        finish_session,
        record_answer,
        redeem_start_code,
    )
    from attest.auth.kiosks import register_kiosk
    from attest.certificates.issuing import issue_attestation, issuer_of
    from attest.certificates.key_service import init_keys
    from attest.models import Candidate
    from tests.format_answers import correct_answer

    kiosk, _token = register_kiosk(session, centre, "attest-kiosk")
    init_keys(
        session, Path(app.config["KEYS_DIR"]), now, demo=True, public_url=app.config["PUBLIC_URL"]
    )
    codes = []
    for k in range(count):
        cand = Candidate(
            centre_id=centre.id,
            family_name="Nguyễn",
            given_names=f"Thị Minh {k}",
            birth_date=date.fromisoformat(BIRTH_DATE),
            id_document_type="passport",
            id_document_last4=f"{k % 10000:04d}",
        )
        session.add(cand)
        session.flush()
        ts, code = create_session(session, cand, PURPOSE, proctor, now)
        redeem_start_code(session, code, kiosk, now)
        for item in ts.items:
            iv = item.item_version
            record_answer(session, ts, item.position, correct_answer(iv.format, iv.content), now)
        finish_session(session, ts, now)
        codes.append(issue_attestation(session, ts, proctor, now, issuer_of(app)).code)
    session.commit()
    return codes


def build_region(
    url: str,
    keys_dir: Path,
    *,
    kiosks: int,
    per_kiosk: int,
    proctors: int,
    examiners: int,
    performances: int,
    attestations: int = 3,
    secret_key: str,
) -> Region:
    """Fresh schema and everything the run needs; timings per step in region.timings.

    `secret_key` must be the server's: the examiners' TOTP secrets are sealed under a key derived
    from it (attest/field_crypto.py), and a server with another key cannot open them."""
    import time

    from attest import create_app
    from attest.assessment.bank import load_bank
    from attest.assessment.bank_sync import sync_bank
    from attest.auth.services import create_user
    from attest.models import Centre, Role
    from benchmarks.scenario import qr_path

    region = Region()
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        region.timings[name] = time.perf_counter() - clock
        clock = time.perf_counter()

    fresh_schema(url)
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": secret_key,
            "KEYS_DIR": str(keys_dir),
            "LOG_FORMAT": "none",
            "INSTANCE_PATH": str(keys_dir.parent / "instance"),
            "STORAGE_DIR": str(keys_dir.parent / "storage"),
        }
    )
    now = datetime.now(UTC)
    with app.app_context():
        session = app.extensions["attest_session"]()
        sync_bank(session, load_bank(Path(app.config["BANK_DIR"])), now)
        lap("schema and bank")
        centres = [
            Centre(code=f"HVN{k:02d}", name=f"Huis van het Nederlands {k}")
            for k in range(max(1, kiosks // 30))
        ]
        session.add_all(centres)
        session.flush()
        admin = create_user(
            session, username="benchadmin", password=PASSWORD, role=Role.ADMIN, centre=None
        )
        staff = _users(
            session, Role.PROCTOR, [f"staff{k}" for k in range(max(1, proctors))], centres
        )
        region.proctors = [u.username for u in staff[:proctors]]
        scoring_centres, region.examiners = _examiners(session, examiners, admin, now)
        session.commit()
        lap("users")
        if examiners:
            per_centre = -(-performances // (2 * len(scoring_centres)))  # 2 tasks per session
            region.performances = _writing_sessions(
                session, scoring_centres, staff[0], per_centre, now
            )
        session.commit()
        lap("writing sessions")
        _kiosk_sessions(session, region, kiosks, per_kiosk, staff, now)
        lap("kiosk sessions")
        region.codes = _attestations(session, app, centres[0], staff[0], attestations, now)
    region.qr_paths = [qr_path(app, code) for code in region.codes]
    lap("attestations")
    app.extensions["attest_engine"].dispose()
    return region
