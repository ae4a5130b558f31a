"""Issue attestations: gather the result, render, seal, store, record; and manage keys."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Mapping

import sqlalchemy as sa
import sqlalchemy.orm as so
from cryptography.hazmat.primitives import serialization

from attest.assessment.delivery import levels_of
from attest.assessment.purposes import get_purpose
from attest.audit import record_event
from attest.certificates import cert_code
from attest.certificates import keys as keymod
from attest.certificates.key_service import KeyOperationError, signer_for
from attest.certificates.payload import AttestationClaims, encode_url
from attest.certificates.pdf import AttestationData, Framing, render_attestation
from attest.certificates.requirement_text import verdict_nl
from attest.certificates.requirements import decided_by, judge_all, judge_profile, profile_codes
from attest.certificates.seal import seal_pdf
from attest.engine import lock_row
from attest.examiner.scoring import ratings_pending
from attest.models import (
    Attestation,
    AttestationStatus,
    SessionStatus,
    SigningKey,
    TestSession,
    User,
)
from attest.public_urls import code_url
from attest.storage import StorageError, storage_for

STATUS_LIST_SIZE = 131_072


class IssueError(Exception):
    """An attestation cannot be issued; `code` is a stable reason the views translate."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def attestation_for_session(session: so.Session, ts: TestSession) -> Attestation | None:
    """Return the current attestation of a session (not superseded), if any."""
    return session.scalar(
        sa.select(Attestation)
        .where(
            Attestation.session_id == ts.id,
            Attestation.status != AttestationStatus.SUPERSEDED,
        )
        .order_by(Attestation.id.desc())
        .limit(1)
    )


def active_signing_key(session: so.Session) -> SigningKey | None:
    """Return the newest key that is neither retired nor compromised."""
    return session.scalar(
        sa.select(SigningKey)
        .where(SigningKey.retired_at.is_(None), SigningKey.compromised_at.is_(None))
        .order_by(SigningKey.id.desc())
        .limit(1)
    )


def verify_url(public_url: str, code: str) -> str:
    """Return the verification URL printed in the QR code."""
    return code_url(public_url, code)


def lock_session(session: so.Session, ts: TestSession) -> TestSession:
    """Lock a test session's row for the rest of the transaction: whatever decides about its
    results or attestations (issue, reissue, revoke, ratings, re-marks) takes this lock first,
    so that two requests decide one after the other, each on what the other committed."""
    return lock_row(session, TestSession, ts.id)


@dataclass(frozen=True)
class IssueChoice:
    """What the proctor states at issuing: the requirement the candidate came for (a profile
    code, or None), the lease start for social housing, and the reason for confirming a result
    flagged uncertain."""

    requirement: str | None = None
    lease_start: date | None = None
    uncertain_reason: str = ""


def issue_attestation(
    session: so.Session,
    ts: TestSession,
    actor: User,
    now: datetime,
    config: Mapping[str, Any],
    choice: IssueChoice = IssueChoice(),
) -> Attestation:
    """Issue the sealed attestation of a completed session (once).

    A second request for the same session (a double-click, another proctor) waits for the
    first to commit and then finds its attestation: IssueError("already_issued")."""
    ts = lock_session(session, ts)
    if attestation_for_session(session, ts) is not None:
        raise IssueError("already_issued", "an attestation was already issued for this test")
    if ratings_pending(session, ts):
        raise IssueError("awaiting_ratings", "speaking or writing still waits for final ratings")
    _check_choice(ts, choice)
    return _issue(session, ts, actor, now, config, choice=choice)


def _check_choice(ts: TestSession, choice: IssueChoice) -> None:
    if choice.requirement is not None:
        if choice.requirement not in dict(profile_codes()):
            raise IssueError("unknown_requirement", f"no such requirement: {choice.requirement}")
        if decided_by(choice.requirement) == "lease_start" and choice.lease_start is None:
            raise IssueError("lease_start", "social housing needs the start date of the lease")
    if any(r.is_uncertain for r in ts.results) and not choice.uncertain_reason.strip():
        raise IssueError("uncertain", "an uncertain result needs the proctor's confirmation")
    if len(choice.uncertain_reason) > 300:
        raise IssueError("uncertain", "the reason is longer than 300 characters")


def reissue_attestation(
    session: so.Session,
    old: Attestation,
    actor: User,
    reason: str,
    now: datetime,
    config: Mapping[str, Any],
) -> Attestation:
    """Replace a valid attestation by a new one from the session's current results.

    Used when a re-mark changes a level. The old attestation is marked superseded (its status-list
    bit is set, so offline verifiers reject it too); the new one points at it. Both happen in the
    caller's transaction: either both rows change or neither."""
    lock_session(session, old.session)
    if old.status is not AttestationStatus.VALID:
        raise IssueError("not_valid", "only a valid attestation can be replaced")
    if not reason.strip():
        raise IssueError("no_reason", "a reason is required to replace an attestation")
    old.status = AttestationStatus.SUPERSEDED
    old.superseded_at = now
    session.flush()
    # The new attestation states the same requirement and keeps the earlier confirmation.
    choice = IssueChoice(old.requirement_code, old.lease_start, old.uncertain_reason or "")
    new = _issue(session, old.session, actor, now, config, supersedes=old, choice=choice)
    new.uncertain_confirmed_by_id = old.uncertain_confirmed_by_id or new.uncertain_confirmed_by_id
    record_event(
        session,
        actor,
        "attestation.supersede",
        "attestation",
        old.id,
        new_attestation_id=new.id,
        reason=reason,
    )
    return new


def _issue(
    session: so.Session,
    ts: TestSession,
    actor: User,
    now: datetime,
    config: Mapping[str, Any],
    supersedes: Attestation | None = None,
    choice: IssueChoice = IssueChoice(),
) -> Attestation:
    if ts.status is not SessionStatus.COMPLETED or not ts.results:
        raise IssueError("not_completed", "the test is not finished")
    key_row = active_signing_key(session)
    if key_row is None:
        raise IssueError("no_key", "no active signing key (attest keys init)")
    try:
        signer = signer_for(key_row, Path(config["KEYS_DIR"]))
    except (keymod.KeyStoreError, KeyOperationError, ValueError) as exc:
        raise IssueError("no_key", f"the issuing key cannot be loaded: {exc}") from exc
    root = x509_from_pem(key_row.root_pem)

    for attempt in range(1, ISSUE_ATTEMPTS + 1):
        try:
            with session.begin_nested():
                att, sealed = _render_and_add(session, ts, actor, now, config, key_row, signer,
                                              root, supersedes, choice)  # fmt: skip
        except sa.exc.IntegrityError:
            # Another transaction took this code or status-list index after we checked it:
            # draw new ones. The session's own attestation cannot clash (its row is locked).
            if attempt == ISSUE_ATTEMPTS:
                raise
            continue
        break
    storage = storage_for(config)
    try:
        storage.put(att.pdf_path, sealed)
    except StorageError as exc:
        raise IssueError("storage", f"the sealed PDF could not be stored: {exc}") from exc
    record_event(session, actor, "attestation.issue", "attestation", att.id, kid=key_row.kid)
    return att


ISSUE_ATTEMPTS = 3


def _render_and_add(
    session: so.Session,
    ts: TestSession,
    actor: User,
    now: datetime,
    config: Mapping[str, Any],
    key_row: SigningKey,
    signer,
    root,
    supersedes: Attestation | None,
    choice: IssueChoice,
) -> tuple[Attestation, bytes]:
    """Render and seal the PDF with a new code and status-list index, and add its row."""
    levels = levels_of(ts)
    test_date = (ts.completed_at or now).date()
    judgements = judge_all(levels, test_date)
    code = cert_code.new_code()
    cand = ts.candidate
    purpose = get_purpose(ts.purpose_code)
    data = AttestationData(
        code=code,
        family_name=cand.family_name,
        given_names=cand.given_names,
        birth_date=cand.birth_date,
        test_date=test_date,
        issued_at=now,
        centre_name=ts.centre.name,
        issuer_name=config["ISSUER_NAME"],
        skills=levels,
        requirement=_requirement_text(levels, test_date, purpose, choice),
        framing=Framing(
            issuer_address=config["ISSUER_ADDRESS"],
            company_number=config["ISSUER_COMPANY_NUMBER"],
            contact=config["ISSUER_CONTACT"],
            test_form=purpose.title,
            ceiling=purpose.target_level,
            skills_tested=purpose.skills,
        ),
    )
    status_index = free_status_index(session)
    claims = AttestationClaims(
        code=code,
        family_name=cand.family_name,
        given_names=cand.given_names,
        birth_date=cand.birth_date,
        levels={skill: level for skill, level in levels.items() if level is not None},
        test_date=test_date,
        issued_at=now,
        status_index=status_index,
    )
    pdf = render_attestation(
        data,
        verify_url=verify_url(config["PUBLIC_URL"], code),
        is_demo=key_row.is_demo,
        qr_text=encode_url(config["PUBLIC_URL"], claims, signer.private_key, key_row.kid),
    )
    sealed = seal_pdf(pdf, signer_key=signer, chain=[root])
    key = f"attestations/{now:%Y/%m}/{code}.pdf"
    att = Attestation(
        code=code,
        session_id=ts.id,
        family_name=cand.family_name,
        given_names=cand.given_names,
        birth_date=cand.birth_date,
        test_date=test_date,
        centre_name=ts.centre.name,
        issuer_name=config["ISSUER_NAME"],
        levels=levels,
        profiles=[
            {"code": j.code, "title": j.title, "meets": j.meets, "outcome": j.outcome}
            for j in judgements
        ],
        signing_key_id=key_row.id,
        status_index=status_index,
        pdf_path=key,
        pdf_sha256=hashlib.sha256(sealed).hexdigest(),
        is_demo=key_row.is_demo,
        issued_by_id=actor.id,
        issued_at=now,
        supersedes_id=supersedes.id if supersedes is not None else None,
        requirement_code=choice.requirement,
        lease_start=choice.lease_start,
        uncertain_confirmed_by_id=actor.id if choice.uncertain_reason.strip() else None,
        uncertain_reason=choice.uncertain_reason.strip() or None,
    )
    session.add(att)
    session.flush()  # a unique code or index clash fails here, before anything is on disk
    return att, sealed


def _requirement_text(
    levels: Mapping[str, str | None], test_date: date, purpose, choice: IssueChoice
) -> tuple[str, tuple[str, ...]] | None:
    """Return the verdict sentence and reasons for the requirement asked, as the PDF prints."""
    if choice.requirement is None:
        return None
    judgement = judge_profile(
        choice.requirement,
        levels,
        test_date=test_date,
        lease_start=choice.lease_start,
        ceiling=purpose.target_level,
    )
    sentence, reasons = verdict_nl(judgement)
    return sentence, tuple(reasons)


def free_status_index(session: so.Session, size: int = STATUS_LIST_SIZE) -> int:
    """Pick an unused status-list index at random (indexes reveal nothing about issue order)."""
    for _ in range(100):
        index = secrets.randbelow(size)
        taken = session.scalar(sa.select(Attestation.id).where(Attestation.status_index == index))
        if taken is None:
            return index
    raise IssueError("status_list_full", "no free status-list index; enlarge the list")


def x509_from_pem(pem: str):
    """Load a PEM certificate."""
    from cryptography import x509

    return x509.load_pem_x509_certificate(pem.encode())


def init_keys(
    session: so.Session, keys_dir: Path, now: datetime, *, demo: bool, public_url: str
) -> tuple[SigningKey, bool]:
    """Create a root CA and an issuing key when none is active; return (key, created)."""
    existing = active_signing_key(session)
    if existing is not None and any(
        (keys_dir / f"{existing.name}{ext}").exists() for ext in (".key.pem", ".p12")
    ):
        return existing, False
    prefix = "Attest DEMO" if demo else "Attest"
    root = keymod.create_demo_root(now, common_name=f"{prefix} Root CA")
    signer = keymod.create_signing_certificate(
        root,
        now,
        common_name=f"{prefix} issuing key {now:%Y-%m-%d}",
        crl_url=f"{public_url.rstrip('/')}/crl/issuing.crl",
    )
    kid = keymod.kid(signer.certificate)
    name = f"issuing-{kid}"
    keymod.save_keypair(root, keys_dir, "root")
    keymod.save_keypair(signer, keys_dir, name)
    pem = serialization.Encoding.PEM
    row = SigningKey(
        kid=kid,
        name=name,
        subject=signer.certificate.subject.rfc4514_string(),
        certificate_pem=signer.certificate.public_bytes(pem).decode(),
        root_pem=root.certificate.public_bytes(pem).decode(),
        is_demo=demo,
        created_at=now,
    )
    if existing is not None:
        existing.retired_at = now
        record_event(session, None, "key.retire", "signing_key", existing.id, kid=existing.kid)
    session.add(row)
    session.flush()
    record_event(session, None, "key.create", "signing_key", row.id, kid=kid, demo=demo)
    return row, True
