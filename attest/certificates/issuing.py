"""Issue attestations: gather the result, render, seal, store, record.

`Issuer` is the issuing service, built once from the settings where the app is built
(`attest.wiring`) and kept on the app: the issuer's name and address, the public URL printed in
the QR code, the keys directory and the storage of the sealed PDFs."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Mapping

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.admissions import session_photo
from attest.assessment.purposes import Purpose, get_purpose
from attest.assessment.results import attestation_for_session, levels_of, ratings_pending
from attest.audit import record_event
from attest.certificates import cert_code, status_list
from attest.certificates import keys as keymod
from attest.certificates.facts import AttestationFacts
from attest.certificates.key_service import KeyOperationError, active_signing_key, signer_for
from attest.certificates.payload import encode_url
from attest.certificates.pdf import AttestationData, Framing, render_attestation
from attest.certificates.requirement_text import verdict_nl
from attest.certificates.requirements import decided_by, judge_all, judge_profile, profile_codes
from attest.certificates.seal import seal_pdf
from attest.engine import lock_row
from attest.models import (
    Attestation,
    AttestationStatus,
    Performance,
    RemarkRequest,
    SessionStatus,
    SigningKey,
    TestSession,
    User,
)
from attest.photos import photo_hash
from attest.public_urls import code_url
from attest.storage import DirectoryStorage, StorageError, storage_for

EXTENSION = "attest_issuer"  # the Issuer's key in app.extensions
REMARK_REASON = "herbeoordeling na beroep"


class IssueError(Exception):
    """An attestation cannot be issued; `code` is a stable reason the views translate."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def lock_session(session: so.Session, ts: TestSession) -> TestSession:
    """Lock a test session's row for the rest of the transaction: whatever decides about its
    results or attestations (issue, reissue, revoke, ratings, re-marks) takes this lock first,
    so that two requests decide one after the other, each on what the other committed."""
    return lock_row(session, TestSession, ts.id)


@dataclass(frozen=True)
class Issuer:
    """Who issues, where the QR code points, which keys sign and where the PDFs are stored."""

    name: str
    address: str
    company_number: str
    contact: str
    public_url: str
    keys_dir: Path
    storage: DirectoryStorage

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Issuer:
        """Build the issuing service from the app's settings."""
        return cls(
            name=config["ISSUER_NAME"],
            address=config["ISSUER_ADDRESS"],
            company_number=config["ISSUER_COMPANY_NUMBER"],
            contact=config["ISSUER_CONTACT"],
            public_url=config["PUBLIC_URL"],
            keys_dir=Path(config["KEYS_DIR"]),
            storage=storage_for(config),
        )

    def verify_url(self, code: str) -> str:
        """Return the verification URL printed under the QR code."""
        return code_url(self.public_url, code)

    def framing(self, purpose: Purpose) -> Framing:
        """Return what the PDF says around the result: the issuer, the test form, its scope."""
        return Framing(
            issuer_address=self.address,
            company_number=self.company_number,
            contact=self.contact,
            test_form=purpose.title,
            ceiling=purpose.target_level,
            skills_tested=purpose.skills,
        )


def issuer_of(app: Any) -> Issuer:
    """Return the issuing service built for an app (`attest.wiring.connect_main_path`)."""
    return app.extensions[EXTENSION]


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
    issuer: Issuer,
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
    return _issue(session, ts, actor, now, issuer, choice=choice)


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
    issuer: Issuer,
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
    new = _issue(session, old.session, actor, now, issuer, supersedes=old, choice=choice)
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
    issuer: Issuer,
    supersedes: Attestation | None = None,
    choice: IssueChoice = IssueChoice(),
) -> Attestation:
    if ts.status is not SessionStatus.COMPLETED or not ts.results:
        raise IssueError("not_completed", "the test is not finished")
    key_row = active_signing_key(session)
    if key_row is None:
        raise IssueError("no_key", "no active signing key (attest keys init)")
    try:
        signer = signer_for(key_row, issuer.keys_dir)
    except (keymod.KeyStoreError, KeyOperationError, ValueError) as exc:
        raise IssueError("no_key", f"the issuing key cannot be loaded: {exc}") from exc
    root = x509_from_pem(key_row.root_pem)

    for attempt in range(1, ISSUE_ATTEMPTS + 1):
        try:
            with session.begin_nested():
                att, sealed = _render_and_add(session, ts, actor, now, issuer, key_row, signer,
                                              root, supersedes, choice)  # fmt: skip
        except sa.exc.IntegrityError:
            # Another transaction took this code or status-list index after we checked it:
            # draw new ones. The session's own attestation cannot clash (its row is locked).
            if attempt == ISSUE_ATTEMPTS:
                raise
            continue
        break
    try:
        issuer.storage.put(att.pdf_path, sealed)
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
    issuer: Issuer,
    key_row: SigningKey,
    signer,
    root,
    supersedes: Attestation | None,
    choice: IssueChoice,
) -> tuple[Attestation, bytes]:
    """Render and seal the PDF with a new code and status-list index, and add its row."""
    facts = _new_facts(session, ts, now)
    purpose = get_purpose(ts.purpose_code)
    photo = session_photo(session, ts.id)  # the test-day photo of the admission, if any
    data = AttestationData(
        facts,
        centre_name=ts.centre.name,
        issuer_name=issuer.name,
        requirement=_requirement_text(facts, purpose, choice),
        framing=issuer.framing(purpose),
        photo=photo,
    )
    pdf = render_attestation(
        data,
        verify_url=issuer.verify_url(facts.code),
        is_demo=key_row.is_demo,
        qr_text=encode_url(issuer.public_url, facts, signer.private_key, key_row.kid),
    )
    sealed = seal_pdf(pdf, signer_key=signer, chain=[root])
    reason = choice.uncertain_reason.strip()
    att = Attestation(
        **facts.row_values(),
        session_id=ts.id,
        centre_name=data.centre_name,
        issuer_name=data.issuer_name,
        profiles=[
            {"code": j.code, "title": j.title, "meets": j.meets, "outcome": j.outcome}
            for j in judge_all(facts.levels, facts.test_date)
        ],
        signing_key_id=key_row.id,
        pdf_path=f"attestations/{now:%Y/%m}/{facts.code}.pdf",
        pdf_sha256=hashlib.sha256(sealed).hexdigest(),
        photo_sha256=photo_hash(photo) if photo is not None else None,
        is_demo=key_row.is_demo,
        issued_by_id=actor.id,
        supersedes_id=supersedes.id if supersedes is not None else None,
        requirement_code=choice.requirement,
        lease_start=choice.lease_start,
        uncertain_confirmed_by_id=actor.id if reason else None,
        uncertain_reason=reason or None,
    )
    session.add(att)
    session.flush()  # a unique code or index clash fails here, before anything is on disk
    return att, sealed


def _new_facts(session: so.Session, ts: TestSession, now: datetime) -> AttestationFacts:
    """The facts of a new attestation of a session: its candidate and results, a new code and
    a free status-list index."""
    cand = ts.candidate
    return AttestationFacts(
        code=cert_code.new_code(),
        family_name=cand.family_name,
        given_names=cand.given_names,
        birth_date=cand.birth_date,
        levels=levels_of(ts),
        test_date=(ts.completed_at or now).date(),
        issued_at=now,
        status_index=free_status_index(session),
    )


def _requirement_text(
    facts: AttestationFacts, purpose: Purpose, choice: IssueChoice
) -> tuple[str, tuple[str, ...]] | None:
    """Return the verdict sentence and reasons for the requirement asked, as the PDF prints."""
    if choice.requirement is None:
        return None
    judgement = judge_profile(
        choice.requirement,
        facts.levels,
        test_date=facts.test_date,
        lease_start=choice.lease_start,
        ceiling=purpose.target_level,
    )
    sentence, reasons = verdict_nl(judgement)
    return sentence, tuple(reasons)


def free_status_index(session: so.Session, size: int = status_list.MIN_ENTRIES) -> int:
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


def reissue_after_remark(
    session: so.Session,
    request: RemarkRequest,
    perf: Performance,
    changed: Mapping[str, tuple[str | None, str]],
    now: datetime,
    issuer: Issuer,
) -> Attestation | None:
    """Replace the session's valid attestation when a completed re-mark changed a level
    (a revoked one stays revoked); note both attestations on the request."""
    old = attestation_for_session(session, perf.session)
    if (
        not changed
        or old is None
        or old.status is not AttestationStatus.VALID
        or old.levels == levels_of(perf.session)
    ):
        return None
    actor = session.get(User, request.requested_by_id)
    new = reissue_attestation(session, old, actor, REMARK_REASON, now, issuer)
    request.old_attestation_id, request.new_attestation_id = old.id, new.id
    return new
