"""Start an attempt under the retake rules of its purpose (attest.assessment.retake).

A session of a purpose that was started at a kiosk is an attempt, and so is one still waiting for
its start code (a kiosk may start it at any moment; the proctor renews its code or cancels it).
Creating a session that the rules forbid is refused with the day from which a new attempt is
allowed; an admin may allow it all the same, with a reason, which the session keeps and the
audit trail records. The candidate's row is locked before the attempts are counted, so that two
proctors starting a session for one person at the same moment count each other's.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.assessment.delivery import create_session
from attest.assessment.provenance import ClipProvenance
from attest.assessment.retake import RetakeDecision, RetakeRule, decide, rule_for
from attest.audit import record_event
from attest.engine import lock_row
from attest.models import Candidate, Role, SessionStatus, TestSession, User


class RetakeRefused(ValueError):
    """The retake rules forbid a new attempt now; `decision` says from which day on they allow."""

    def __init__(self, decision: RetakeDecision, rule: RetakeRule) -> None:
        super().__init__(f"{decision.reason}: next attempt from {decision.next_allowed_on}")
        self.decision = decision
        self.rule = rule


def attempt_days(session: so.Session, candidate: Candidate, purpose_code: str) -> list[date]:
    """Return the days of the candidate's attempts of this purpose: the day each was started at
    a kiosk, or created for one still waiting for its start code."""
    rows = session.execute(
        sa.select(TestSession.started_at, TestSession.created_at).where(
            TestSession.candidate_id == candidate.id,
            TestSession.purpose_code == purpose_code,
            sa.or_(
                TestSession.started_at.is_not(None),
                TestSession.status == SessionStatus.CREATED,
            ),
        )
    )
    return [(started or created).date() for started, created in rows]


def check_retake(
    session: so.Session, candidate: Candidate, purpose_code: str, today: date
) -> tuple[RetakeDecision, RetakeRule]:
    """Return the rules' decision on a new attempt today, and the rule applied."""
    rule = rule_for(purpose_code)
    return decide(rule, attempt_days(session, candidate, purpose_code), today), rule


def start_attempt(
    session: so.Session,
    candidate: Candidate,
    purpose_code: str,
    actor: User,
    now: datetime,
    code_minutes: int = 30,
    *,
    is_fee_paid: bool = False,
    exception_reason: str = "",
    audio_provenance: Mapping[str, ClipProvenance] | None = None,
) -> tuple[TestSession, str]:
    """Create a session if the retake rules allow it (or an admin gives a reason); record the fee.

    Raises RetakeRefused, with nothing stored, when the rules forbid the attempt."""
    candidate = lock_row(session, Candidate, candidate.id)  # others wait, then count this one
    decision, rule = check_retake(session, candidate, purpose_code, now.date())
    reason = " ".join((exception_reason or "").split())[:300]
    if not decision.is_allowed and (actor.role is not Role.ADMIN or not reason):
        raise RetakeRefused(decision, rule)
    ts, code = create_session(
        session, candidate, purpose_code, actor, now, code_minutes,
        audio_provenance=audio_provenance,
    )  # fmt: skip
    ts.fee_cents = rule.fee_cents
    ts.is_fee_paid = is_fee_paid
    if not decision.is_allowed:
        ts.retake_exception_reason = reason
        ts.retake_exception_by_id = actor.id
        # the reason stays on the session: free text may name people, the audit trail must not
        record_event(
            session, actor, "session.retake_exception", "test_session", ts.id,
            rule=decision.reason, next_allowed_on=decision.next_allowed_on.isoformat(),
        )  # fmt: skip
    session.flush()
    return ts, code
