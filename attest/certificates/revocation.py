"""Revoke an attestation (fraud, error, withdrawn) with its date, and find it by code."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.audit import record_event
from attest.certificates.cert_code import parse_code
from attest.engine import lock_row
from attest.models import Attestation, AttestationStatus, RevocationReason, TestSession, User

MAX_NOTE = 300


class RevocationError(Exception):
    """An attestation cannot be revoked; `code` is a stable reason the views translate."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def attestation_by_code(session: so.Session, text: str) -> Attestation | None:
    """Return the attestation with this (typed) code, or None."""
    code = parse_code(text)
    if code is None:
        return None
    return session.scalar(sa.select(Attestation).where(Attestation.code == code))


def revoke_attestation(
    session: so.Session,
    att: Attestation,
    actor: User | None,
    reason: str,
    revoked_at: datetime,
    now: datetime,
    note: str = "",
) -> Attestation:
    """Revoke a valid attestation from `revoked_at` on; the status list follows at once.

    The date may lie in the past (fraud found later) but not before the issue or in the future.
    The note is shown on the verification page: it must not hold personal data. The session's
    row is locked first (as issuing and reissuing do), so that a second revocation at the same
    time finds this one done, and a reissue cannot supersede an attestation being revoked."""
    lock_row(session, TestSession, att.session_id)
    try:
        code = RevocationReason(reason)
    except ValueError:
        known = ", ".join(r.value for r in RevocationReason)
        raise RevocationError("bad_reason", f"reason must be one of: {known}") from None
    if att.status is not AttestationStatus.VALID:
        raise RevocationError("not_valid", f"the attestation is already {att.status.value}")
    if revoked_at > now:
        raise RevocationError("future", "the revocation date cannot be in the future")
    if revoked_at < att.issued_at.replace(hour=0, minute=0, second=0, microsecond=0):
        raise RevocationError("before_issue", "the revocation date is before the issue date")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise RevocationError("note_too_long", f"the note is longer than {MAX_NOTE} characters")
    att.status = AttestationStatus.REVOKED
    att.revoked_at = revoked_at
    att.revocation_reason_code = code
    att.revocation_reason = note or None
    session.flush()
    record_event(
        session,
        actor,
        "attestation.revoke",
        "attestation",
        att.id,
        reason=code.value,
        revoked_at=revoked_at.isoformat(),
    )
    return att
