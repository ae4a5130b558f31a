"""A finished session with speaking (and writing) performances waiting for examiners, and the
examiners of its centre (two, a senior, more for re-marks), built directly on the database."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import sqlalchemy.orm as so

from attest.assessment.bank_queries import current_versions
from attest.assessment.delivery import create_session, finish_session, record_answer
from attest.assessment.recordings import store_recording
from attest.examiner.quality import exempt_from_calibration
from attest.models import Candidate, Centre, Role, SessionItem, SessionStatus, TestSession, User
from attest.storage import DirectoryStorage
from tests.factories import make_user
from tests.format_answers import correct_answer

WEBM = b"\x1a\x45\xdf\xa3" + bytes(range(256)) * 20
FAMILY, GIVEN, BIRTH = "Wójcik-Ndiaye", "Zanele Hortensia", date(1987, 3, 14)
DOCUMENT = "3KQ2"  # the last 4 characters of the ID document number (all that is kept)
WRITTEN = "Beste buur,\nmorgen is er een feest in onze tuin. Het kan wat lawaai maken.\nGroetjes"


def insz_for(birth: date, serial: str = "123") -> str:
    """Return a valid INSZ for a birth date before 2000 (mod-97 check)."""
    first = f"{birth:%y%m%d}{serial}"
    return f"{first}{97 - int(first) % 97:02d}"


@dataclass
class ProductiveSession:
    ts: TestSession
    code: str
    candidate: Candidate


def make_examiners(
    db: so.Session, centre: Centre, admin: User, now: datetime, n: int = 2, seniors: int = 1
) -> list[User]:
    """Create calibrated (exempted) examiners; the last `seniors` of them are senior."""
    users = []
    for i in range(n + seniors):
        user = make_user(db, role=Role.EXAMINER, centre=centre)
        user.is_senior_examiner = i >= n
        exempt_from_calibration(db, user, admin, now)
        users.append(user)
    return users


def finished_session(
    db: so.Session,
    centre: Centre,
    proctor: User,
    storage_dir: Path,
    now: datetime,
    *,
    speaking: int = 1,
    writing: int = 0,
    purpose: str = "a2-volledig",
    recording: bytes = WEBM,
) -> ProductiveSession:
    """Take a session to its end: listening answered right, tasks answered, then finished.

    Spoken tasks get `recording` (by default bytes that only look like WebM)."""
    cand = Candidate(
        centre_id=centre.id,
        family_name=FAMILY,
        given_names=GIVEN,
        birth_date=BIRTH,
        insz=insz_for(BIRTH),
        id_document_type="passport",
        id_document_last4=DOCUMENT,
    )
    db.add(cand)
    db.flush()
    ts, code = create_session(db, cand, purpose, proctor, now)
    plan = [
        ("listening", v) for v in current_versions(db, "listening", ["A1"], machine_scored=True)[:4]
    ]
    plan += [
        ("reading", v) for v in current_versions(db, "reading", ["A1"], machine_scored=True)[:4]
    ]
    plan += [("writing", v) for v in current_versions(db, "writing", ["A2"])[:writing]]
    plan += [("speaking", v) for v in current_versions(db, "speaking", ["A2"])[:speaking]]
    items = []
    for position, (skill, version) in enumerate(plan, start=1):
        item = SessionItem(session=ts, position=position, skill=skill, item_version=version)
        db.add(item)
        items.append(item)
    ts.status, ts.started_at = SessionStatus.IN_PROGRESS, now
    db.flush()
    storage = DirectoryStorage(storage_dir)
    for item in items:
        version = item.item_version
        if version.format == "audio_response":
            digest = hashlib.sha256(recording).hexdigest()
            rec = store_recording(db, storage, item, recording, digest, now)
            raw = {"recording_id": rec.id}
        elif version.format == "extended_text":
            raw = {"response": WRITTEN}
        else:
            raw = correct_answer(version.format, version.content)
        record_answer(db, ts, item.position, raw, now)
    finish_session(db, ts, now)
    db.flush()
    return ProductiveSession(ts, code, cand)
