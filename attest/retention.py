"""Apply the retention rules (attest/retention_rules.py) to the database and the storage.

`run_retention` finds what is due at `now`, and unless it is a dry run: deletes recordings
(rows and stored files), blanks the stored answers (the machine score stays, for calibration;
it says nothing about the person once the candidate is anonymised), anonymises candidates, and
records one audit event with the counts. Database changes happen in the caller's transaction;
the recordings' files are deleted by `delete_files` once that transaction has committed (a
missing file is no error, so a run that failed half-way can simply run again)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Mapping

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.admissions import erase_admission
from attest.audit import record_event
from attest.models import (
    Admission,
    Attestation,
    Booking,
    Candidate,
    Performance,
    PerformanceStatus,
    Recording,
    RecordingChunk,
    RecordingUpload,
    RemarkRequest,
    Response,
    ResponseDraft,
    SessionItem,
    SessionStatus,
    Slot,
    TestSession,
)
from attest.retention_rules import (
    RetentionPolicy,
    SessionFacts,
    booking_due,
    candidate_due,
    photo_due,
    responses_due,
)
from attest.storage import DirectoryStorage

PURGED = {"purged": True}


@dataclass
class RetentionReport:
    dry_run: bool
    sessions_purged: list[int] = field(default_factory=list)
    responses_blanked: int = 0
    recordings_deleted: int = 0
    candidates_anonymised: list[int] = field(default_factory=list)
    held_by_appeal: int = 0
    bookings_erased: list[int] = field(default_factory=list)
    admissions_erased: list[int] = field(default_factory=list)
    storage_keys: list[str] = field(default_factory=list)

    def summary(self) -> str:
        verb = "would" if self.dry_run else "did"
        return (
            f"retention ({'dry run' if self.dry_run else 'run'}): {verb} purge answers of "
            f"{len(self.sessions_purged)} test(s) ({self.responses_blanked} answers, "
            f"{self.recordings_deleted} recordings), {verb} anonymise "
            f"{len(self.candidates_anonymised)} candidate(s) and "
            f"{len(self.bookings_erased)} booking(s), {verb} erase "
            f"{len(self.admissions_erased)} admission photo(s); "
            f"{self.held_by_appeal} test(s) held by an open appeal"
        )


def policy_from_config(config: Mapping[str, Any]) -> RetentionPolicy:
    """Build the policy from RETENTION_* settings."""
    return RetentionPolicy(
        responses_days=int(config["RETENTION_RESPONSES_DAYS"]),
        appeal_days=int(config["RETENTION_APPEAL_DAYS"]),
        candidate_days=int(config["RETENTION_CANDIDATE_DAYS"]),
        booking_days=int(config["RETENTION_BOOKING_DAYS"]),
        photo_days=int(config.get("RETENTION_PHOTO_DAYS", 365)),
    )


def _final_at(session: so.Session, ts: TestSession) -> datetime | None:
    """When the result became final: the last skill scored (None while a skill still waits)."""
    if ts.status is not SessionStatus.COMPLETED:
        return ts.started_at or ts.created_at  # cancelled or abandoned: nothing will change
    performances = session.execute(
        sa.select(Performance.status, Performance.finalised_at).where(
            Performance.session_id == ts.id
        )
    ).all()
    if any(status is not PerformanceStatus.FINAL for status, _at in performances):
        return None  # examiners have not finished (or a re-mark runs)
    moments = [ts.completed_at or ts.created_at, *(r.created_at for r in ts.results)]
    return max(moments + [at for _s, at in performances if at is not None])


def _appeal(session: so.Session, ts: TestSession) -> SessionFacts:
    """Combine the appeal marks of the session with its re-mark requests (appeals on scores)."""
    remarks = session.execute(
        sa.select(RemarkRequest.requested_at, RemarkRequest.completed_at)
        .join(Performance, Performance.id == RemarkRequest.performance_id)
        .where(Performance.session_id == ts.id)
    ).all()
    opened = [ts.appeal_opened_at] + [r for r, _c in remarks]
    closed = [ts.appeal_closed_at] + [c for _r, c in remarks]
    still_open = (
        any(c is None for _r, c in remarks)
        or SessionFacts(None, ts.appeal_opened_at, ts.appeal_closed_at).appeal_open
    )
    last_open = max((o for o in opened if o is not None), default=None)
    last_close = max((c for c in closed if c is not None), default=None)
    if still_open:
        return SessionFacts(None, last_open, None)
    return SessionFacts(None, last_open, last_close)


def _purge_session(
    session: so.Session, ts: TestSession, report: RetentionReport, now: datetime
) -> None:
    """Blank a test's answers and delete its recordings (their files: see delete_files)."""
    item_ids = sa.select(SessionItem.id).where(SessionItem.session_id == ts.id)
    recordings = session.scalars(
        sa.select(Recording).where(Recording.session_item_id.in_(item_ids))
    ).all()
    # the kiosk's chunked uploads and writing drafts hold the same audio and text
    upload_ids = sa.select(RecordingUpload.id).where(RecordingUpload.session_item_id.in_(item_ids))
    report.storage_keys += session.scalars(
        sa.select(RecordingChunk.storage_key).where(RecordingChunk.upload_id.in_(upload_ids))
    ).all()
    report.storage_keys += [r.storage_key for r in recordings]
    report.recordings_deleted += len(recordings)
    report.responses_blanked += session.scalar(
        sa.select(sa.func.count())
        .select_from(Response)
        .where(Response.session_item_id.in_(item_ids))
    )
    if not report.dry_run:
        session.execute(sa.delete(RecordingChunk).where(RecordingChunk.upload_id.in_(upload_ids)))
        session.execute(
            sa.delete(RecordingUpload).where(RecordingUpload.session_item_id.in_(item_ids))
        )
        session.execute(sa.delete(ResponseDraft).where(ResponseDraft.session_item_id.in_(item_ids)))
        for rec in recordings:
            session.delete(rec)
        session.execute(
            sa.update(Response).where(Response.session_item_id.in_(item_ids)).values(value=PURGED)
        )
        ts.responses_purged_at = now


def anonymise_candidate(candidate: Candidate, now: datetime) -> None:
    """Erase what identifies a person; keep the birth year (age groups in the figures)."""
    candidate.family_name = ""
    candidate.given_names = ""
    candidate.insz = None
    candidate.id_document_type = ""
    candidate.id_document_last4 = ""
    candidate.birth_date = date(candidate.birth_date.year, 1, 1)
    candidate.anonymised_at = now


def run_retention(
    session: so.Session,
    policy: RetentionPolicy,
    now: datetime,
    *,
    dry_run: bool = False,
) -> RetentionReport:
    """Delete or anonymise what is due at `now`; report what was (or would be) done."""
    report = RetentionReport(dry_run=dry_run)
    # Only tests created before the shortest period can be due; the rest is not even looked at.
    horizon = now - timedelta(days=policy.responses_days)
    candidates_q = sa.select(TestSession).where(
        TestSession.responses_purged_at.is_(None), TestSession.created_at <= horizon
    )
    for ts in session.scalars(candidates_q):
        appeal = _appeal(session, ts)
        facts = SessionFacts(
            _final_at(session, ts), appeal.appeal_opened_at, appeal.appeal_closed_at
        )
        if facts.appeal_open:
            report.held_by_appeal += 1
        elif responses_due(facts, policy, now):
            report.sessions_purged.append(ts.id)
            _purge_session(session, ts, report, now)
    session.flush()

    for cand in session.scalars(
        sa.select(Candidate).where(Candidate.anonymised_at.is_(None)).order_by(Candidate.id)
    ):
        sessions = session.scalars(
            sa.select(TestSession).where(TestSession.candidate_id == cand.id)
        ).all()
        attested = session.scalar(
            sa.select(sa.func.max(Attestation.issued_at)).where(
                Attestation.session_id.in_([s.id for s in sessions] or [0])
            )
        )
        moments = [cand.created_at, attested] + [
            m for s in sessions for m in (s.created_at, s.completed_at)
        ]
        holds = any(
            s.responses_purged_at is None and s.id not in report.sessions_purged
            and _has_answers(session, s)
            for s in sessions
        )  # fmt: skip
        appeal = any(_appeal(session, s).appeal_open for s in sessions)
        last = max(m for m in moments if m is not None)
        if candidate_due(last, policy, now, holds_answers=holds, appeal_open=appeal):
            report.candidates_anonymised.append(cand.id)
            if not dry_run:
                anonymise_candidate(cand, now)

    _erase_bookings(session, policy, now, report)
    _erase_admissions(session, policy, now, report)

    if not dry_run:
        session.flush()
        record_event(
            session,
            None,
            "retention.run",
            "retention",
            now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            sessions_purged=len(report.sessions_purged),
            responses_blanked=report.responses_blanked,
            recordings_deleted=report.recordings_deleted,
            candidates_anonymised=len(report.candidates_anonymised),
            bookings_erased=len(report.bookings_erased),
            admissions_erased=len(report.admissions_erased),
            held_by_appeal=report.held_by_appeal,
            policy_days=[policy.responses_days, policy.appeal_days, policy.candidate_days],
        )
    return report


def anonymise_booking(booking: Booking, now: datetime) -> None:
    """Erase a booking's personal data; the slot, status and times stay (for statistics)."""
    booking.family_name = ""
    booking.given_names = ""
    booking.email = None
    booking.accommodation = ""
    booking.birth_date = date(booking.birth_date.year, 1, 1)
    booking.token_hash = None  # its manage link stops working
    booking.anonymised_at = now


def _erase_bookings(
    session: so.Session, policy: RetentionPolicy, now: datetime, report: RetentionReport
) -> None:
    rows = session.execute(
        sa.select(Booking, Slot.starts_at)
        .join(Slot, Slot.id == Booking.slot_id)
        .where(Booking.anonymised_at.is_(None))
        .order_by(Booking.id)
    ).all()
    for booking, starts_at in rows:
        if booking_due(max(starts_at, booking.created_at), policy, now):
            report.bookings_erased.append(booking.id)
            if not report.dry_run:
                anonymise_booking(booking, now)


def _erase_admissions(
    session: so.Session, policy: RetentionPolicy, now: datetime, report: RetentionReport
) -> None:
    """Erase the photos and document facts that are due (after the candidates' run above, so
    a candidate anonymised now loses their photos in the same run)."""
    session.flush()
    rows = session.execute(
        sa.select(Admission, Candidate.anonymised_at)
        .join(Candidate, Candidate.id == Admission.candidate_id)
        .where(Admission.erased_at.is_(None))
        .order_by(Admission.id)
    ).all()
    for adm, anonymised_at in rows:
        attested = (
            session.scalar(
                sa.select(Attestation.id).where(Attestation.session_id == adm.session_id).limit(1)
            )
            is not None
        )
        gone = anonymised_at is not None or adm.candidate_id in report.candidates_anonymised
        if photo_due(adm.admitted_at, policy, now, attested=attested, candidate_anonymised=gone):
            report.admissions_erased.append(adm.id)
            if not report.dry_run:
                erase_admission(adm, now)


def delete_files(storage: DirectoryStorage, report: RetentionReport) -> None:
    """Delete the purged recordings' files (call after the run's transaction committed)."""
    if not report.dry_run:
        for key in report.storage_keys:
            storage.delete(key)


def _has_answers(session: so.Session, ts: TestSession) -> bool:
    return (
        session.scalar(
            sa.select(Response.id)
            .join(SessionItem, SessionItem.id == Response.session_item_id)
            .where(SessionItem.session_id == ts.id)
            .limit(1)
        )
        is not None
    )
