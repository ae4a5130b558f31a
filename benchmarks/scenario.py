"""Build a database with one completed session and an issued attestation (for benchmarks)."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from pathlib import Path

from flask import Flask

from attest.assessment.bank import load_bank
from attest.assessment.bank_sync import sync_bank
from attest.assessment.delivery import (
    create_session,
    finish_session,
    record_answer,
    redeem_start_code,
)
from attest.auth.kiosks import register_kiosk
from attest.auth.services import create_user
from attest.certificates.issuing import issue_attestation, issuer_of
from attest.certificates.key_service import init_keys
from attest.migrate import upgrade
from attest.models import Attestation, Candidate, Centre, Role, TestSession
from tests.format_answers import correct_answer  # the same answer builder as the tests

BIRTH_DATE = "1988-02-29"
INSZ = "88022900121"  # born 1988-02-29, mod-97 check digits hold


def completed_session(
    app: Flask, family_name: str = "Nguyễn", given_names: str = "Thị Minh Khai"
) -> TestSession:
    """Create centre, proctor, kiosk, candidate and a finished session; return the session."""
    now = datetime.now(UTC)
    with app.app_context():
        upgrade(app.extensions["attest_engine"])
        session = app.extensions["attest_session"]()
        sync_bank(session, load_bank(Path(app.config["BANK_DIR"])), now)
        tag = secrets.token_hex(4)
        centre = Centre(code=f"BENCH{tag}", name="Huis van het Nederlands Gent")
        session.add(centre)
        proctor = create_user(
            session,
            username=f"bench{tag}",
            password="benchmark-password",
            role=Role.PROCTOR,
            centre=centre,
        )
        kiosk, _ = register_kiosk(session, centre, "bench-kiosk")
        cand = Candidate(
            centre_id=centre.id,
            family_name=family_name,
            given_names=given_names,
            birth_date=date.fromisoformat(BIRTH_DATE),
            insz=INSZ,
            id_document_type="passport",
            id_document_last4="4567",
        )
        session.add(cand)
        session.flush()
        ts, code = create_session(session, cand, "a2-luisteren-lezen", proctor, now)
        redeem_start_code(session, code, kiosk, now)
        for item in ts.items:
            iv = item.item_version
            record_answer(session, ts, item.position, correct_answer(iv.format, iv.content), now)
        finish_session(session, ts, now)
        init_keys(
            session,
            Path(app.config["KEYS_DIR"]),
            now,
            demo=True,
            public_url=app.config["PUBLIC_URL"],
        )
        session.commit()
        return ts


def issued_code(app: Flask) -> str:
    """Return the code of an attestation issued for a fresh completed session."""
    ts = completed_session(app)
    with app.app_context():
        session = app.extensions["attest_session"]()
        ts = session.get(TestSession, ts.id)
        import sqlalchemy as sa

        from attest.models import User

        actor = session.scalar(sa.select(User).limit(1))
        att: Attestation = issue_attestation(session, ts, actor, datetime.now(UTC), issuer_of(app))
        session.commit()
        return att.code


def partner_key(app: Flask) -> str:
    """Create a partner organisation allowed to ask about social housing; return its API key."""
    from attest.certificates.partner import create_partner

    with app.app_context():
        session = app.extensions["attest_session"]()
        _org, key = create_partner(
            session, f"Bench {secrets.token_hex(3)}", ["sociale-huur", "inburgering"], None
        )
        session.commit()
        return key


def qr_path(app: Flask, code: str) -> str:
    """Return the path of the verification URL in an issued attestation's QR code."""
    import sqlalchemy as sa

    from attest.certificates.offline_file import payload_from_pdf
    from attest.storage import storage_for

    with app.app_context():
        session = app.extensions["attest_session"]()
        att = session.scalar(sa.select(Attestation).where(Attestation.code == code))
        url = payload_from_pdf(storage_for(app.config).get(att.pdf_path))
        app.extensions["attest_session"].remove()  # its transaction would hold SQLite's lock
        return "/V/" + url.rsplit("/V/", 1)[1]
