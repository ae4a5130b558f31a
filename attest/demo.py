"""The demo set-up behind `attest demo setup` (what `make run` does): the bank loaded, a demo
centre with accounts, a kiosk enrolment link and a DEMO signing key. Idempotent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Mapping

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest import totp
from attest.models import Centre, Kiosk, Role, SigningKey, User

DEMO_USERS = (
    ("admin", Role.ADMIN, "Beheerder Demo", "demo-admin-pass"),
    ("proctor", Role.PROCTOR, "Toezichter Demo", "demo-proctor-pass"),
    ("examiner1", Role.EXAMINER, "Examinator Een", "demo-examiner-1"),
    ("examiner2", Role.EXAMINER, "Examinator Twee", "demo-examiner-2"),
    ("examiner3", Role.EXAMINER, "Senior Examinator Drie", "demo-examiner-3"),
    ("examiner4", Role.EXAMINER, "Examinator Vier", "demo-examiner-4"),
    ("examiner5", Role.EXAMINER, "Examinator Vijf", "demo-examiner-5"),
    ("examiner6", Role.EXAMINER, "Senior Examinator Zes", "demo-examiner-6"),
    # sits on standard-setting panels (docs/standard-setting.md): an admin adds it to a panel
    ("panellist", Role.PANELLIST, "Panellid Demo", "demo-panellist-pass"),
)
# Seniors give the deciding rating when the other two disagree. Enough examiners for every
# purpose to finish: a candidate's tasks each need a pair not used on another of their tasks
# (A2 volledig: five tasks, four regular examiners give six pairs), and an adjudication needs a
# senior who did not rate the task (two seniors).
DEMO_SENIORS = ("examiner3", "examiner6")
DEMO_CENTRE = ("HVN-DEMO", "Huis van het Nederlands Demo")
DEMO_KIOSK = "kiosk-1"


@dataclass(frozen=True)
class DemoSetup:
    bank_summary: str
    key: SigningKey
    kiosk_token: str  # one-time enrolment link token of the demo kiosk
    totp_secrets: dict[str, str]  # username -> TOTP secret, for the accounts that need one
    benchmarks: str = ""  # benchmark texts loaded for standard-setting panels


def setup_demo(session: so.Session, bank, now: datetime, config: Mapping[str, Any]) -> DemoSetup:
    """Bring the demo centre, accounts, kiosk and key in place (only flush)."""
    from attest.assessment.bank_sync import sync_bank
    from attest.auth.kiosks import create_enrolment_link_token
    from attest.certificates.key_service import init_keys
    from attest.standard_setting.benchmarks import calibration_dir, load_benchmark_texts

    report = sync_bank(session, bank, now)
    benchmarks = load_benchmark_texts(session, calibration_dir(config["BANK_DIR"]))
    centre = session.scalar(sa.select(Centre).where(Centre.code == DEMO_CENTRE[0]))
    if centre is None:
        centre = Centre(code=DEMO_CENTRE[0], name=DEMO_CENTRE[1])
        session.add(centre)
        session.flush()
    totp_secrets = _demo_users(session, centre, now, config["TOTP_REQUIRED_ROLES"])
    _calibrate_demo_examiners(session, now)
    kiosk = session.scalar(
        sa.select(Kiosk).where(Kiosk.centre_id == centre.id, Kiosk.name == DEMO_KIOSK)
    )
    if kiosk is None:
        kiosk = Kiosk(centre=centre, name=DEMO_KIOSK)
        session.add(kiosk)
    token = create_enrolment_link_token(kiosk, now)
    key, _created = init_keys(
        session, Path(config["KEYS_DIR"]), now, demo=True, public_url=config["PUBLIC_URL"]
    )
    return DemoSetup(report.summary(), key, token, totp_secrets, benchmarks.summary())


def _demo_users(session: so.Session, centre: Centre, now: datetime, totp_roles) -> dict[str, str]:
    from attest.auth.passwords import hash_password

    totp_secrets: dict[str, str] = {}
    for username, role, name, password in DEMO_USERS:
        user = session.scalar(sa.select(User).where(User.username == username))
        if user is None:
            user = User(
                username=username,
                role=role,
                display_name=name,
                password_hash=hash_password(password),
            )
            session.add(user)
        user.centre = centre if role not in (Role.ADMIN, Role.PANELLIST) else None
        if role.value in totp_roles and not user.has_totp:
            # Demo only: a confirmed secret printed by the command, so the demo logs in at once.
            user.totp_secret = totp.new_secret()
            user.totp_confirmed_at = now
        if user.totp_secret:
            totp_secrets[username] = user.totp_secret
    return totp_secrets


def _calibrate_demo_examiners(session: so.Session, now: datetime) -> None:
    """Let the demo examiners score at once: exempt them from calibration (audited, by the demo
    admin), and make two of them senior."""
    from attest.examiner.assignments import is_calibrated
    from attest.examiner.quality import exempt_from_calibration

    session.flush()
    admin = session.scalar(sa.select(User).where(User.username == DEMO_USERS[0][0]))
    for username, role, _name, _password in DEMO_USERS:
        if role is not Role.EXAMINER:
            continue
        user = session.scalar(sa.select(User).where(User.username == username))
        user.is_senior_examiner = username in DEMO_SENIORS
        if not is_calibrated(session, user.id):
            exempt_from_calibration(session, user, admin, now)
