"""Admission of a candidate to a test session: the identity document checked (attest.id_documents)
and the test-day photo (attest.photos), sealed with the field key (attest.field_crypto).

One admission per test session, made before the session starts: the session row is locked and
the unique constraint `uq_admission_session` refuses a second row, so a double-click or two
proctors at once admit once. The photo is shown to the proctor when the session resumes and at
the candidate's next admissions (for comparison), printed on the attestation (its hash recorded
on the attestation's row), shown by verification after code and birth date, and to partners
whose agreement allows it. Audit events carry no personal data (no number, no country, no
photo hash). Services only flush; the request or CLI commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest import field_crypto
from attest.appointments.rules import BookingStatus
from attest.audit import record_event
from attest.engine import lock_row
from attest.id_documents import CheckedDocument
from attest.models import Admission, Attestation, Booking, SessionStatus, TestSession, User
from attest.photos import photo_hash

SOURCES = ("camera", "upload")


class AdmissionRefused(ValueError):
    """`code`: already_admitted | session_started | bad_booking."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class AdmissionInput:
    document: CheckedDocument
    photo_jpeg: bytes  # already checked and re-encoded (attest.photos.prepare_photo)
    photo_source: str = "camera"
    booking_id: int | None = None


def admission_of(session: so.Session, ts: TestSession) -> Admission | None:
    return session.scalar(sa.select(Admission).where(Admission.session_id == ts.id))


def previous_admissions(session: so.Session, ts: TestSession) -> list[Admission]:
    """Earlier admissions of the session's candidate that still have a photo, newest first."""
    return list(
        session.scalars(
            sa.select(Admission)
            .where(
                Admission.candidate_id == ts.candidate_id,
                Admission.session_id != ts.id,
                Admission.photo_sealed.is_not(None),
            )
            .order_by(Admission.admitted_at.desc(), Admission.id.desc())
        )
    )


def bookings_for(session: so.Session, ts: TestSession) -> list[Booking]:
    """The candidate's bookings a proctor may admit them for (confirmed or attended)."""
    return list(
        session.scalars(
            sa.select(Booking)
            .where(
                Booking.candidate_id == ts.candidate_id,
                Booking.status.in_([BookingStatus.CONFIRMED, BookingStatus.ATTENDED]),
            )
            .order_by(Booking.id.desc())
        )
    )


def admit(
    session: so.Session, ts: TestSession, data: AdmissionInput, actor: User, now: datetime
) -> Admission:
    """Record the admission of the session's candidate; raise AdmissionRefused."""
    if data.photo_source not in SOURCES:
        raise ValueError(f"photo source must be one of {SOURCES}")
    locked = lock_row(session, TestSession, ts.id)
    if admission_of(session, locked) is not None:
        raise AdmissionRefused("already_admitted")
    if locked.status is not SessionStatus.CREATED:
        raise AdmissionRefused("session_started")
    if data.booking_id is not None and data.booking_id not in {
        b.id for b in bookings_for(session, locked)
    }:
        raise AdmissionRefused("bad_booking")
    doc = data.document
    row = Admission(
        session_id=locked.id,
        candidate_id=locked.candidate_id,
        booking_id=data.booking_id,
        document_type=doc.document_type,
        other_type=doc.other_type,
        country=doc.country,
        number_last4=doc.last4,
        expires_on=doc.expires_on,
        expired_reason=doc.expired_reason or None,
        photo_sealed=field_crypto.seal_bytes(data.photo_jpeg),
        photo_sha256=photo_hash(data.photo_jpeg),
        photo_source=data.photo_source,
        admitted_by_id=actor.id,
        admitted_at=now,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except sa.exc.IntegrityError as exc:  # another request admitted meanwhile (no lock: SQLite
        raise AdmissionRefused("already_admitted") from exc  # legacy mode, or a lost race)
    if data.booking_id is not None:  # the person came: the appointment is kept
        booking = lock_row(session, Booking, data.booking_id)
        if booking is not None and booking.status is BookingStatus.CONFIRMED:
            booking.status = BookingStatus.ATTENDED
    record_event(
        session,
        actor,
        "admission.create",
        "test_session",
        locked.id,
        document_type=doc.document_type,
        expired_accepted=doc.is_expired,
        photo_source=data.photo_source,
        booked=data.booking_id is not None,
    )
    return row


def photo_of(admission: Admission | None) -> bytes | None:
    """Return the admission's photo (JPEG), opened with the field key; None when erased."""
    if admission is None or admission.photo_sealed is None:
        return None
    return field_crypto.open_bytes(admission.photo_sealed)


def session_photo(session: so.Session, session_id: int) -> bytes | None:
    adm = session.scalar(sa.select(Admission).where(Admission.session_id == session_id))
    return photo_of(adm)


def attestation_photo(session: so.Session, att: Attestation) -> bytes | None:
    """Return the photo printed on the attestation, while the admission still holds it (the
    same hash: never another picture); None when it had none or retention erased it."""
    if att.photo_sha256 is None:
        return None
    adm = session.scalar(sa.select(Admission).where(Admission.session_id == att.session_id))
    if adm is None or adm.photo_sha256 != att.photo_sha256:
        return None
    return photo_of(adm)


def photo_for_code(session: so.Session, code: str) -> bytes | None:
    """Return the photo printed on the attestation with this code (see attestation_photo)."""
    att = session.scalar(sa.select(Attestation).where(Attestation.code == code))
    return attestation_photo(session, att) if att is not None else None


def erase_admission(admission: Admission, now: datetime) -> None:
    """Erase the photo and the document facts (retention); the row and its time stay."""
    admission.photo_sealed = None
    admission.photo_sha256 = None
    admission.document_type = ""
    admission.other_type = ""
    admission.country = ""
    admission.number_last4 = ""
    admission.expires_on = None
    admission.expired_reason = None
    admission.erased_at = now
