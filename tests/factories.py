"""Test data factories: plain functions with keyword defaults."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.assessment.bank import load_bank
from attest.assessment.bank_sync import sync_bank
from attest.assessment.delivery import create_session, record_answer, redeem_start_code
from attest.auth.kiosks import register_kiosk
from attest.auth.services import create_user
from attest.config import PROJECT_ROOT
from attest.models import (
    Admission,
    Candidate,
    Centre,
    Item,
    ItemReviewStep,
    ItemVersion,
    Kiosk,
    PartnerOrganisation,
    Role,
    SessionItem,
    SessionStatus,
    SkillResult,
    TestSession,
    User,
)

PASSWORD = "correct horse battery"
# Staff who must pass a second step (admins, examiners) get this confirmed TOTP secret.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
TOTP_ROLES = (Role.ADMIN, Role.EXAMINER, Role.PANELLIST, Role.AUTHOR)
_seq = itertools.count(1)
_last_step: dict[str, int] = {}


def totp_code(
    username: str, secret: str = TOTP_SECRET, forget_used_step: Callable[[], None] | None = None
) -> str:
    """Return a TOTP code the app accepts now for this user and that this process has not used
    yet (the app refuses a code of a step it already accepted).

    The window holds two steps not used yet (this one and the next), so a third login within a
    step has no code left: `forget_used_step` then makes the app forget the step the account
    used last (tests/web/helpers.py: login), and the current step is usable again. Without it
    the code of a later step is waited for (up to 30 s: a test that logs in more often should
    pass it). The refusal of a used step is tested in tests/web/test_second_factor.py."""
    import time

    from attest import totp

    # The current step, not the oldest one the window accepts: on a loaded machine the request
    # may reach the server a step later, and an old code would then be refused.
    now_step = totp.step_at(time.time())
    step = max(now_step, _last_step.get(username, -1) + 1)
    if step > now_step + totp.WINDOW and forget_used_step is not None:
        forget_used_step()
        step = now_step
    while step > totp.step_at(time.time()) + totp.WINDOW:  # only after 3 logins in 30 s
        time.sleep(1)
    _last_step[username] = step
    return totp.code_at(secret, step)


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
    totp_secret: str | None = TOTP_SECRET,
) -> User:
    """Make a staff account; admins and examiners come with a confirmed TOTP secret (pass
    totp_secret=None for one who has not enrolled yet)."""
    if centre is None and role is not Role.ADMIN:
        centre = make_centre(session)
    user = create_user(
        session,
        username=username or f"{role.value}{next(_seq)}",
        password=password,
        role=role,
        centre=centre,
    )
    if role in TOTP_ROLES and totp_secret is not None:
        user.totp_secret = totp_secret
        user.totp_confirmed_at = datetime.now(UTC)
        session.flush()
    return user


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
    insz: str | None = None,
) -> Candidate:
    cand = Candidate(
        centre_id=centre.id,
        family_name=family_name,
        given_names=given_names,
        birth_date=birth_date,
        insz=insz,
        id_document_type="passport",
        id_document_last4="4567",
    )
    session.add(cand)
    session.flush()
    return cand


@lru_cache(maxsize=2)
def _parsed_bank(root: Path):
    return load_bank(root, require_review=True)  # the shipped bank does not change: parse once


def load_demo_bank(session: so.Session, root: Path | None = None) -> None:
    """Load the bank at `root` (the shipped demo bank by default) into the database.

    The first load in a process goes through sync_bank, as `attest bank sync` does; its rows
    are kept, and a later load into a database without items (each test starts with an empty
    one) inserts those same rows in two statements, timestamps set to now: a tenth of the time
    of sync_bank's unit of work for the bank's thousand objects. The database sees the same
    rows (its triggers fire alike); sync_bank into a bank that has items is never skipped."""
    root = root or PROJECT_ROOT / "question_banks" / "nl"
    now = datetime.now(UTC)
    empty = session.scalar(sa.select(Item.id).limit(1)) is None
    rows = _bank_rows.get(root) if empty else None
    if rows is not None:
        for table, table_rows, fresh_times in rows:
            if not table_rows:
                continue
            session.execute(
                sa.insert(table),
                [
                    {k: now if fresh_times and isinstance(v, datetime) else v for k, v in r.items()}
                    for r in table_rows
                ],
            )
        session.flush()
        return
    sync_bank(session, _parsed_bank(root), now)
    session.flush()
    if empty:  # what sync_bank wrote is the whole bank: keep it for the next load
        # In the order sync_bank inserted them (the order of the bank's items), which SQLite
        # keeps for a query without ORDER BY.
        first_version = (
            sa.select(sa.func.min(ItemVersion.id))
            .where(ItemVersion.item_id == Item.id)
            .scalar_subquery()
        )
        item_rows = session.execute(sa.select(Item.__table__).order_by(first_version)).mappings()
        version_columns = [c for c in ItemVersion.__table__.c if c.name != "id"]  # the db's ids
        version_rows = session.execute(
            sa.select(*version_columns).order_by(ItemVersion.id)
        ).mappings()
        # The review steps keep their times: they are the histories of the bank's files, and a
        # later sync compares them with the files.
        step_columns = [c for c in ItemReviewStep.__table__.c if c.name != "id"]
        step_rows = session.execute(sa.select(*step_columns).order_by(ItemReviewStep.id)).mappings()
        _bank_rows[root] = [
            (Item.__table__, [dict(r) for r in item_rows], True),
            (ItemVersion.__table__, [dict(r) for r in version_rows], True),
            (ItemReviewStep.__table__, [dict(r) for r in step_rows], False),
        ]


_bank_rows: dict[Path, list[tuple[sa.Table, list[dict], bool]]] = {}


@dataclass
class KioskWorld:
    """A centre with a proctor and a registered kiosk, and a test session not yet started."""

    centre: Centre
    proctor: User
    kiosk: Kiosk
    kiosk_token: str
    session: TestSession
    start_code: str


def make_session_with_items(
    session: so.Session,
    now: datetime,
    formats: tuple[str, ...] = (),
    purpose: str = "a2-luisteren-lezen",
) -> KioskWorld:
    """Load the demo bank and create a session whose items are fixed beforehand (kept when the
    kiosk starts it): the first live item of each format, in order, none twice; e.g.
    ``("audio_response",)`` is the session with a speaking task. Committed."""
    load_demo_bank(session)
    centre = make_centre(session)
    proctor = make_user(session, role=Role.PROCTOR, centre=centre)
    kiosk, token = make_kiosk(session, centre=centre)
    candidate = make_candidate(session, centre=centre)
    ts, code = create_session(session, candidate, purpose, proctor, now)
    used: set[int] = set()
    for position, fmt in enumerate(formats, start=1):
        version = session.scalar(
            sa.select(ItemVersion)
            .join(Item)
            .where(Item.format == fmt, Item.status == "live", ItemVersion.id.not_in(used or {0}))
            .order_by(Item.id)
            .limit(1)
        )
        used.add(version.id)
        session.add(
            SessionItem(
                session=ts, position=position, skill=version.item.skill, item_version=version
            )
        )
    session.commit()
    return KioskWorld(centre, proctor, kiosk, token, ts, code)


def make_started_session(
    session: so.Session,
    *,
    centre: Centre,
    proctor: User,
    kiosk: Kiosk,
    now: datetime,
    purpose: str = "a2-luisteren-lezen",
    candidate: Candidate | None = None,
    answered: bool = False,
) -> TestSession:
    """A session of `purpose` (for a new candidate of `centre` unless one is given) started at
    `kiosk` through its start code, as the kiosk's start does; with `answered`, every item
    answered right at `now`. Not finished, not committed."""
    from tests.format_answers import correct_answer

    candidate = candidate or make_candidate(session, centre=centre)
    ts, code = create_session(session, candidate, purpose, proctor, now)
    redeem_start_code(session, code, kiosk, now)
    if answered:
        for item in ts.items:
            version = item.item_version
            answer = correct_answer(version.format, version.content)
            record_answer(session, ts, item.position, answer, now)
    return ts


def make_admission(
    session: so.Session,
    *,
    session_id: int,
    candidate_id: int,
    photo: bytes | None = None,
    at: datetime | None = None,
    country: str = "BE",
    last4: str = "4567",
    flush: bool = True,
) -> Admission:
    """An admission of a test session (a passport valid until 2030, no proctor recorded) with
    the test-day `photo` sealed and hashed as attest.admissions stores it (none when None).
    Flushed unless `flush` is False."""
    from attest import field_crypto
    from attest.photos import photo_hash

    row = Admission(
        session_id=session_id,
        candidate_id=candidate_id,
        document_type="passport",
        other_type="",
        country=country,
        number_last4=last4,
        expires_on=date(2030, 1, 1),
        photo_sealed=field_crypto.seal_bytes(photo) if photo is not None else None,
        photo_sha256=photo_hash(photo) if photo is not None else None,
        photo_source="camera",
        admitted_at=at or datetime.now(UTC),
    )
    session.add(row)
    if flush:
        session.flush()
    return row


def make_completed_session(
    session: so.Session,
    *,
    candidate: Candidate,
    levels: dict[str, str] | None = None,
    completed_at: datetime | None = None,
) -> TestSession:
    """A finished test session with a level per skill (no items: for attestation tests)."""
    levels = levels or {"listening": "A2", "reading": "A2", "speaking": "A2", "writing": "A2"}
    ts = TestSession(
        candidate_id=candidate.id,
        centre_id=candidate.centre_id,
        purpose_code="a2-volledig",
        status=SessionStatus.COMPLETED,
        completed_at=completed_at or datetime.now(UTC),
    )
    session.add(ts)
    session.flush()
    for skill, level in levels.items():
        session.add(
            SkillResult(
                session_id=ts.id,
                skill=skill,
                level=level,
                raw_score=1.0,
                max_score=1.0,
                method="test",
            )
        )
    session.flush()
    session.refresh(ts)
    return ts


def make_attestation(
    session: so.Session,
    config,
    *,
    centre: Centre | None = None,
    candidate: Candidate | None = None,
    levels: dict[str, str] | None = None,
    now: datetime | None = None,
    actor: User | None = None,
):
    """Issue a sealed attestation (a demo key is made when none is active)."""
    from attest.certificates.issuing import Issuer, issue_attestation
    from attest.certificates.key_service import init_keys

    now = now or datetime.now(UTC)
    if centre is None:
        centre = session.get(Centre, candidate.centre_id) if candidate else make_centre(session)
    candidate = candidate or make_candidate(session, centre=centre)
    actor = actor or make_user(session, role=Role.PROCTOR, centre=centre)
    init_keys(session, Path(config["KEYS_DIR"]), now, demo=True, public_url=config["PUBLIC_URL"])
    ts = make_completed_session(session, candidate=candidate, levels=levels, completed_at=now)
    return issue_attestation(session, ts, actor, now, Issuer.from_config(config))


def copy_attestation(session: so.Session, att, k: int):
    """Another valid attestation of the same test, as concurrent issuing once made them (the
    database refuses it now, unless the first one is superseded)."""
    from attest.models import Attestation, AttestationStatus

    skip = ("id", "code", "status_index", "supersedes_id", "status")
    copy = Attestation(
        **{c.key: getattr(att, c.key) for c in Attestation.__table__.columns if c.key not in skip},
        code=f"ATTCOPY{att.id}X{k}",
        status=AttestationStatus.VALID,
    )
    session.add(copy)
    session.flush()
    return copy


def make_partner(
    session: so.Session,
    *,
    profiles: tuple[str, ...] | list[str] = ("sociale-huur",),
    name: str | None = None,
) -> tuple[PartnerOrganisation, str]:
    """A partner organisation allowed to ask about `profiles`; returns (org, API key)."""
    from attest.certificates.partner import create_partner

    return create_partner(session, name or f"Partner {next(_seq)}", list(profiles), None)


def make_speaking_performance(
    session: so.Session, ts, *, waiting_since: datetime | None = None, position: int = 99
):
    """A spoken answer of `ts` waiting for examiners (a minimal A2 speaking item of its own)."""
    from attest.models import Item, ItemVersion, Performance, Response, SessionItem

    item = session.get(Item, "S-1") or Item(
        id="S-1",
        skill="speaking",
        level="A2",
        domain="work",
        format="audio_response",
        status="live",
    )
    session.add(item)
    version = ItemVersion(
        item_id="S-1",
        version=ts.id * 1000 + position,  # one per (session, position): callable more than once
        content_hash="x",
        level="A2",
        format="audio_response",
        difficulty=0.0,
        content={},
        source="t",
    )
    session.add(version)
    session.flush()
    sitem = SessionItem(
        session_id=ts.id, position=position, skill="speaking", item_version_id=version.id
    )
    session.add(sitem)
    session.flush()
    response = Response(session_item_id=sitem.id, value={"v": "rec"})
    session.add(response)
    session.flush()
    perf = Performance(response_id=response.id, session_id=ts.id, centre_id=ts.centre_id,
                       skill="speaking", task_level="A2", task_type="t")  # fmt: skip
    if waiting_since is not None:
        perf.waiting_since = waiting_since
    session.add(perf)
    session.flush()
    return perf
