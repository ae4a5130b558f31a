"""Subject-access export: everything Attest holds about one candidate, as a zip file.

The zip holds `candidate.json` (the person, every test with its answers, results, events and
attestations) and the files: sealed attestation PDFs (as stored, never regenerated) and the
recordings of spoken answers, and the candidate's bookings (those made for the candidate record
and those made on the public page with the same name and birth date), and the test-day photos
of their admissions (`admissions/session-N-photo.jpg`, opened from their sealed column; the
document facts kept at admission are in the JSON). Staff ids appear, staff names do not."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.admissions import photo_of
from attest.models import (
    Admission,
    Attestation,
    Booking,
    Candidate,
    Recording,
    ResponseDraft,
    SectionAttempt,
    SessionEvent,
    SessionItem,
    Slot,
    TestSession,
)
from attest.storage import DirectoryStorage, StorageError


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "value"):  # enums
        return value.value
    return value


def _row(obj: Any, fields: list[str]) -> dict[str, Any]:
    return {f: _plain(getattr(obj, f)) for f in fields}


def candidate_document(
    session: so.Session, candidate: Candidate
) -> tuple[dict[str, Any], dict[str, str]]:
    """Return the JSON document and {path in zip: storage key} of the files to include."""
    files: dict[str, str] = {}
    doc: dict[str, Any] = {
        "format": "attest-subject-access/1",
        "candidate": _row(
            candidate,
            [
                "id",
                "family_name",
                "given_names",
                "birth_date",
                "insz",
                "id_document_type",
                "id_document_last4",
                "centre_id",
                "created_at",
                "anonymised_at",
            ],
        ),  # fmt: skip
        "tests": [],
    }
    sessions = session.scalars(
        sa.select(TestSession).where(TestSession.candidate_id == candidate.id)
        .order_by(TestSession.id)
    ).all()  # fmt: skip
    for ts in sessions:
        test = _row(
            ts,
            ["id", "purpose_code", "status", "centre_id", "language", "created_at", "started_at",
             "completed_at", "appeal_opened_at", "appeal_closed_at", "responses_purged_at"],
        )  # fmt: skip
        items = session.scalars(
            sa.select(SessionItem).where(SessionItem.session_id == ts.id)
            .order_by(SessionItem.position)
        ).all()  # fmt: skip
        test["answers"] = [
            {
                "position": si.position,
                "skill": si.skill,
                "item": si.item_version.item_id,
                "item_version": si.item_version.version,
                "shown_at": _plain(si.shown_at),
                "display_order": si.display_order,  # options as shown (None: bank order)
                "answer": si.response.value if si.response else None,
                "score": si.response.score if si.response else None,
                "answered_at": _plain(si.response.answered_at) if si.response else None,
            }
            for si in items
        ]
        recordings = session.scalars(
            sa.select(Recording).where(Recording.session_item_id.in_([si.id for si in items]))
        ).all()
        test["recordings"] = []
        for rec in recordings:
            name = f"recordings/{ts.id}/{rec.id}"
            files[name] = rec.storage_key
            test["recordings"].append(
                _row(rec, ["id", "content_type", "size_bytes", "sha256", "created_at",
                           "duration_ms", "level_dbfs", "speech_ms", "flag"])
                | {"file": name}
            )  # fmt: skip
        test["drafts"] = [  # writing saved as the candidate typed, never submitted
            {
                "position": d.session_item.position,
                "text": d.text,
                "updated_at": _plain(d.updated_at),
            }
            for d in session.scalars(
                sa.select(ResponseDraft).where(
                    ResponseDraft.session_item_id.in_([si.id for si in items])
                )
            )
        ]
        test["results"] = [
            _row(r, ["skill", "level", "theta", "standard_error", "raw_score", "max_score",
                     "method", "probabilities", "created_at"])
            for r in ts.results
        ]  # fmt: skip
        test["adaptive_sections"] = [
            _row(a, ["skill", "state", "stopped_at"])
            for a in session.scalars(
                sa.select(SectionAttempt).where(SectionAttempt.session_id == ts.id)
            )
        ]
        test["events"] = [
            _row(e, ["kind", "at", "detail", "resolved_at"])
            for e in session.scalars(
                sa.select(SessionEvent).where(SessionEvent.session_id == ts.id)
                .order_by(SessionEvent.id)
            )
        ]  # fmt: skip
        test["attestations"] = []
        for att in session.scalars(
            sa.select(Attestation).where(Attestation.session_id == ts.id).order_by(Attestation.id)
        ):
            name = f"attestations/{att.code}.pdf"
            files[name] = att.pdf_path
            test["attestations"].append(
                _row(att, ["code", "family_name", "given_names", "birth_date", "test_date",
                           "centre_name", "issuer_name", "levels", "profiles", "status",
                           "revoked_at", "revocation_reason", "issued_at", "superseded_at",
                           "pdf_sha256"])
                | {"file": name}
            )  # fmt: skip
        test["admission"] = _admission_of(session, ts)
        doc["tests"].append(test)
    doc["bookings"] = bookings_of(session, candidate)
    return doc, files


def _photo_name(session_id: int) -> str:
    return f"admissions/session-{session_id}-photo.jpg"


def _admission_of(session: so.Session, ts: TestSession) -> dict[str, Any] | None:
    """The admission of a test: the document facts kept and the photo's file in the zip."""
    adm = session.scalar(sa.select(Admission).where(Admission.session_id == ts.id))
    if adm is None:
        return None
    return _row(
        adm,
        ["document_type", "other_type", "country", "number_last4", "expires_on",
         "expired_reason", "photo_source", "admitted_at", "erased_at"],
    ) | {"photo_file": _photo_name(ts.id) if adm.has_photo else None}  # fmt: skip


def admission_photos(session: so.Session, candidate: Candidate) -> dict[str, bytes]:
    """Return {path in zip: JPEG} of the candidate's test-day photos (opened with the field key)."""
    rows = session.scalars(
        sa.select(Admission)
        .where(Admission.candidate_id == candidate.id, Admission.photo_sealed.is_not(None))
        .order_by(Admission.id)
    )
    return {_photo_name(adm.session_id): photo_of(adm) or b"" for adm in rows}


def bookings_of(session: so.Session, candidate: Candidate) -> list[dict[str, Any]]:
    """Return the candidate's bookings: made for the record, or on the public page under the
    same name and birth date at the same centre."""
    same_person = sa.and_(
        Booking.candidate_id.is_(None),
        Booking.anonymised_at.is_(None),
        Booking.search_name == candidate.search_name,
        Booking.birth_date == candidate.birth_date,
        Slot.centre_id == candidate.centre_id,
    )
    rows = session.execute(
        sa.select(Booking, Slot)
        .join(Slot, Slot.id == Booking.slot_id)
        .where(sa.or_(Booking.candidate_id == candidate.id, same_person))
        .order_by(Booking.id)
    ).all()
    return [
        _row(b, ["id", "family_name", "given_names", "birth_date", "email", "language",
                 "accommodation", "status", "created_at", "confirmed_at", "cancelled_at",
                 "marked_at", "reminder_sent_at", "anonymised_at"])
        | {"slot": _row(slot, ["starts_at", "duration_minutes", "purpose_code", "centre_id"])}
        for b, slot in rows
    ]  # fmt: skip


def export_candidate(session: so.Session, storage: DirectoryStorage, candidate: Candidate) -> bytes:
    """Return the subject-access zip of a candidate (files that are gone are listed as such)."""
    doc, files = candidate_document(session, candidate)
    buffer = io.BytesIO()
    missing = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, key in sorted(files.items()):
            try:
                zf.writestr(name, storage.get(key))
            except StorageError:
                missing.append(name)
        for name, jpeg in admission_photos(session, candidate).items():
            zf.writestr(name, jpeg)
        doc["missing_files"] = missing
        zf.writestr("candidate.json", json.dumps(doc, ensure_ascii=False, indent=2, default=_plain))
    return buffer.getvalue()
