"""Test data factories: plain functions with keyword defaults."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path

import sqlalchemy.orm as so

from attest.assessment.bank import load_bank
from attest.assessment.bank_sync import sync_bank
from attest.auth.kiosks import register_kiosk
from attest.auth.services import create_user
from attest.config import PROJECT_ROOT
from attest.models import Candidate, Centre, Kiosk, Role, User

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


def make_centre(
    session: so.Session,
    *,
    code: str | None = None,
    name: str = "Huis van het Nederlands Testcentrum",
) -> Centre:
    centre = Centre(code=code or f"C{next(_seq)}", name=name)
    session.add(centre)
    session.flush()
    return centre


def make_user(
    session: so.Session,
    *,
    role: Role = Role.PROCTOR,
    centre: Centre | None = None,
    username: str | None = None,
    password: str = PASSWORD,
) -> User:
    if centre is None and role is not Role.ADMIN:
        centre = make_centre(session)
    return create_user(
        session,
        username=username or f"{role.value}{next(_seq)}",
        password=password,
        role=role,
        centre=centre,
    )


def make_kiosk(
    session: so.Session, *, centre: Centre, name: str | None = None
) -> tuple[Kiosk, str]:
    return register_kiosk(session, centre, name or f"kiosk-{next(_seq)}")


def make_candidate(
    session: so.Session,
    *,
    centre: Centre,
    family_name: str = "Öztürk",
    given_names: str = "Çağrı",
    birth_date: date = date(1990, 4, 12),
) -> Candidate:
    cand = Candidate(
        centre_id=centre.id,
        family_name=family_name,
        given_names=given_names,
        birth_date=birth_date,
        id_document_type="passport",
        id_document_number="P1234567",
    )
    session.add(cand)
    session.flush()
    return cand


@lru_cache(maxsize=2)
def _parsed_bank(root: Path):
    return load_bank(root)  # the shipped bank does not change during a run: parse it once


def load_demo_bank(session: so.Session, root: Path | None = None) -> None:
    bank = _parsed_bank(root or PROJECT_ROOT / "question_banks" / "nl")
    sync_bank(session, bank, datetime.now(UTC))
    session.flush()
