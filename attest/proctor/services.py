"""Candidate registration and the queries behind the proctor pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest import identity, names
from attest.audit import record_event
from attest.models import Candidate, Role, SectionAttempt, SessionStatus, TestSession, User


@dataclass(frozen=True)
class CandidateInput:
    family_name: str
    given_names: str
    birth_date: date | None
    insz: str
    id_document_type: str
    id_document_number: str
    is_new_person: bool = False  # the proctor confirmed: not the candidate of the same name


def validate_candidate(data: CandidateInput, today: date) -> dict[str, str]:
    """Check every field; return cleaned values or raise CandidateInvalid naming each bad field."""
    names_cleaned, name_errors = names.check_names(data.family_name, data.given_names)
    cleaned: dict[str, object] = dict(names_cleaned)
    errors = {field: exc.code for field, exc in name_errors.items()}
    details = {field: exc.detail for field, exc in name_errors.items() if exc.detail}
    if data.birth_date is None:
        errors["birth_date"] = "required"
    else:
        try:
            cleaned["birth_date"] = identity.check_birth_date(data.birth_date, today)
        except identity.IdentityError as exc:
            errors[exc.field] = exc.code
    cleaned["insz"] = None
    if data.insz.strip():
        try:
            cleaned["insz"] = identity.check_insz(data.insz, data.birth_date)
        except identity.IdentityError as exc:
            errors[exc.field] = exc.code
    try:
        cleaned["id_document_type"], cleaned["id_document_last4"] = identity.check_document(
            data.id_document_type, data.id_document_number
        )
    except identity.IdentityError as exc:
        errors[exc.field] = exc.code
    if errors:
        raise CandidateInvalid(errors, details)
    return cleaned  # type: ignore[return-value]


class CandidateInvalid(ValueError):
    """Registration refused; `errors` maps each field to an IdentityError code.

    `details` holds the offending character of a field where there is one."""

    def __init__(self, errors: dict[str, str], details: dict[str, str] | None = None) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors
        self.details = details or {}


class DuplicateCandidate(ValueError):
    """The person seems registered already: `matches` are the records the actor may open.

    kind "insz": the same national register number (one person: never registered twice);
    "name": the same name (folded) and birth date, which the proctor may confirm is another
    person. An INSZ match in a centre the actor cannot see has no visible matches."""

    def __init__(self, kind: str, matches: list[Candidate]) -> None:
        super().__init__(f"duplicate candidate ({kind})")
        self.kind = kind
        self.matches = matches


def _visible(query: sa.Select, user: User) -> sa.Select:
    centres = visible_centre_ids(user)
    return query if centres is None else query.where(Candidate.centre_id.in_(centres))


def find_duplicate(
    session: so.Session, cleaned: dict, user: User, *, is_new_person: bool
) -> DuplicateCandidate | None:
    """Return the existing record(s) of the same person, so that one person has one record."""
    live = sa.select(Candidate).where(Candidate.anonymised_at.is_(None)).order_by(Candidate.id)
    if cleaned.get("insz"):
        same = live.where(Candidate.insz == cleaned["insz"])
        if session.scalar(same.limit(1)) is not None:  # in any centre: the retake rules count
            return DuplicateCandidate("insz", list(session.scalars(_visible(same, user))))
    if is_new_person:
        return None
    key = names.search_key(f"{cleaned['family_name']} {cleaned['given_names']}")
    same = live.where(Candidate.search_name == key, Candidate.birth_date == cleaned["birth_date"])
    matches = list(session.scalars(_visible(same, user)))
    return DuplicateCandidate("name", matches) if matches else None


def register_candidate(
    session: so.Session, data: CandidateInput, actor: User, centre_id: int, today: date
) -> Candidate:
    """Validate and store a candidate for a centre; nothing is stored when a field is invalid.

    Raises DuplicateCandidate, storing nothing, when the person seems registered already."""
    cleaned = validate_candidate(data, today)
    duplicate = find_duplicate(session, cleaned, actor, is_new_person=data.is_new_person)
    if duplicate is not None:
        raise duplicate
    candidate = Candidate(centre_id=centre_id, created_by_id=actor.id, **cleaned)
    session.add(candidate)
    session.flush()
    record_event(session, actor, "candidate.register", "candidate", candidate.id)
    return candidate


def visible_centre_ids(user: User) -> list[int] | None:
    """Return the centres a user may see (None means all, for admins)."""
    if user.role is Role.ADMIN:
        return None
    return [user.centre_id] if user.centre_id is not None else []


def candidate_for(session: so.Session, user: User, candidate_id: int) -> Candidate | None:
    """Return a candidate if the user's centre may see it."""
    candidate = session.get(Candidate, candidate_id)
    centres = visible_centre_ids(user)
    if candidate is None or (centres is not None and candidate.centre_id not in centres):
        return None
    return candidate


def session_for(session: so.Session, user: User, session_id: int) -> TestSession | None:
    """Return a test session if the user's centre may see it."""
    ts = session.get(TestSession, session_id)
    centres = visible_centre_ids(user)
    if ts is None or (centres is not None and ts.centre_id not in centres):
        return None
    return ts


def recent_candidates(session: so.Session, user: User, limit: int = 50) -> list[Candidate]:
    """Return the latest candidates of the user's centre(s)."""
    query = sa.select(Candidate).order_by(Candidate.id.desc()).limit(limit)
    centres = visible_centre_ids(user)
    if centres is not None:
        query = query.where(Candidate.centre_id.in_(centres))
    return list(session.scalars(query))


_DATE_FORMATS = ("%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d")


def _as_date(text: str) -> date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def search_candidates(
    session: so.Session, user: User, query: str, limit: int = 50
) -> list[Candidate]:
    """Find the user's centre's candidates by birth date, INSZ or name (any script, any case).

    A date (30-07-1985 or 1985-07-30) matches the birth date; 6 to 11 digits with the usual
    INSZ separators match the start of the INSZ; anything else matches when every word of it,
    folded like the stored names, occurs in the name."""
    text = " ".join((query or "").split())
    if not text:
        return recent_candidates(session, user, limit)
    stmt = sa.select(Candidate).order_by(Candidate.id.desc()).limit(limit)
    centres = visible_centre_ids(user)
    if centres is not None:
        stmt = stmt.where(Candidate.centre_id.in_(centres))
    birth_date, digits = _as_date(text), identity.normalise_insz(text)
    if birth_date is not None:
        stmt = stmt.where(Candidate.birth_date == birth_date)
    elif digits.isdigit() and 6 <= len(digits) <= 11:
        stmt = stmt.where(Candidate.insz.startswith(digits, autoescape=True))
    else:
        words = names.search_key(text).split()
        if not words:
            return []
        for word in words:
            stmt = stmt.where(Candidate.search_name.contains(word, autoescape=True))
    return list(session.scalars(stmt))


def sessions_of(session: so.Session, candidate: Candidate) -> list[TestSession]:
    """Return a candidate's sessions, newest first."""
    return list(
        session.scalars(
            sa.select(TestSession)
            .where(TestSession.candidate_id == candidate.id)
            .order_by(TestSession.id.desc())
        )
    )


def section_attempts(session: so.Session, ts: TestSession) -> list[SectionAttempt]:
    """Return the adaptive sections of a session with the engine's logged decisions."""
    return list(
        session.scalars(
            sa.select(SectionAttempt)
            .where(SectionAttempt.session_id == ts.id)
            .order_by(SectionAttempt.id)
        )
    )


class DisplayModeError(ValueError):
    """The display modes of this session cannot change (it has ended)."""


def set_display_modes(
    session: so.Session, ts: TestSession, actor: User, *, large_text: bool, high_contrast: bool
) -> dict[str, bool]:
    """Switch the large-text and high-contrast modes of a session's kiosk pages.

    Return what changed (empty when nothing did); each change is audited with who made it.
    """
    if ts.status in (SessionStatus.COMPLETED, SessionStatus.CANCELLED):
        raise DisplayModeError(ts.status.value)
    changes = {}
    if ts.is_large_text != large_text:
        changes["large_text"] = ts.is_large_text = large_text
    if ts.is_high_contrast != high_contrast:
        changes["high_contrast"] = ts.is_high_contrast = high_contrast
    if changes:
        record_event(session, actor, "session.display_modes", "test_session", ts.id, **changes)
        session.flush()
    return changes
