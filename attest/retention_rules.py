"""When personal data is due for deletion: the retention rules as plain functions.

- Answers and recordings of a test: `responses_days` after the result became final (the last
  skill scored; for a test that never finished, after it was created). While an appeal is open
  nothing is due; after it closed, not before `appeal_days` have passed since.
- A candidate's personal data (names, INSZ, document number; the birth date is cut to the year):
  `candidate_days` after their last test or attestation, once none of their tests still holds
  answers and no appeal of theirs is open.
- A booking's personal data (names, e-mail, accommodation request; the birth date is cut to
  the year): `booking_days` after its slot, or after it was made when it never held a place.
- An admission's test-day photo and ID document facts (type, country, last 4 characters,
  expiry): when the test led to no attestation, `photo_days` after admission (the photo served
  the identity check on the day, and any question or appeal about who sat the test, which
  `appeal_days` bounds); when it led to an attestation, together with the candidate's personal
  data (`candidate_due`), because verification shows the photo as long as it shows the name.
  Justification: GDPR art. 5(1)(c) and (e), data minimisation and storage limitation
  (https://eur-lex.europa.eu/eli/reg/2016/679/oj, art. 5), and art. 9: a photo processed to
  identify a person is handled as sensitive; kept no longer than the purpose needs.
- Attestations keep the facts that verification shows (frozen at issue), so verification of an
  old attestation works after any run; the audit trail is never touched.

Plain Python (no Flask, no ORM); the clock `now` is always an argument."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RetentionPolicy:
    responses_days: int = 730
    appeal_days: int = 365
    candidate_days: int = 1826
    booking_days: int = 180
    photo_days: int = 365

    def __post_init__(self) -> None:
        for name in (
            "responses_days",
            "appeal_days",
            "candidate_days",
            "booking_days",
            "photo_days",
        ):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be at least 1 day")


@dataclass(frozen=True)
class SessionFacts:
    final_at: datetime | None  # when the result became final (None: not final yet)
    appeal_opened_at: datetime | None = None
    appeal_closed_at: datetime | None = None

    @property
    def appeal_open(self) -> bool:
        return self.appeal_opened_at is not None and (
            self.appeal_closed_at is None or self.appeal_closed_at < self.appeal_opened_at
        )


def responses_due_at(facts: SessionFacts, policy: RetentionPolicy) -> datetime | None:
    """Return when a test's answers and recordings are due, or None (not final, appeal open)."""
    if facts.final_at is None or facts.appeal_open:
        return None
    due = facts.final_at + timedelta(days=policy.responses_days)
    if facts.appeal_closed_at is not None:
        due = max(due, facts.appeal_closed_at + timedelta(days=policy.appeal_days))
    return due


def responses_due(facts: SessionFacts, policy: RetentionPolicy, now: datetime) -> bool:
    """Tell whether a test's answers and recordings must go now."""
    due = responses_due_at(facts, policy)
    return due is not None and due <= now


def candidate_due(
    last_activity: datetime,
    policy: RetentionPolicy,
    now: datetime,
    *,
    holds_answers: bool,
    appeal_open: bool,
) -> bool:
    """Tell whether a candidate's personal data must be anonymised now."""
    if holds_answers or appeal_open:
        return False
    return last_activity + timedelta(days=policy.candidate_days) <= now


def booking_due(slot_starts_at: datetime, policy: RetentionPolicy, now: datetime) -> bool:
    """Tell whether a booking's personal data must be erased now (`booking_days` after its
    slot: long enough to answer a question about the appointment or a no-show)."""
    return slot_starts_at + timedelta(days=policy.booking_days) <= now


def photo_due(
    admitted_at: datetime,
    policy: RetentionPolicy,
    now: datetime,
    *,
    attested: bool,
    candidate_anonymised: bool,
) -> bool:
    """Tell whether an admission's photo and ID document facts must go now: with the
    candidate's data once that is anonymised; without an attestation, `photo_days` after
    admission; with one, not before the candidate's data goes."""
    if candidate_anonymised:
        return True
    if attested:
        return False
    return admitted_at + timedelta(days=policy.photo_days) <= now
