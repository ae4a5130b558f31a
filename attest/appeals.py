"""Appeals: an open appeal holds a test's answers and recordings back from retention
(`retention_rules.SessionFacts.appeal_open`). Opened and closed by `attest appeals open|close`."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy.orm as so

from attest.audit import record_event
from attest.engine import lock_row
from attest.models import TestSession
from attest.retention_rules import SessionFacts


class AppealError(Exception):
    """The appeal cannot change as asked (no such test, already open, none open)."""


def set_appeal(session: so.Session, session_id: int, opening: bool, now: datetime) -> TestSession:
    """Open (or close) the appeal of test session `session_id`, audited. The test session's row
    lock makes two calls at once open it once."""
    ts = lock_row(session, TestSession, session_id)
    if ts is None:
        raise AppealError(f"no test session with id {session_id}")
    is_open = SessionFacts(None, ts.appeal_opened_at, ts.appeal_closed_at).appeal_open
    if is_open == opening:
        raise AppealError(
            "an appeal is already open" if is_open else "no appeal is open for this test"
        )
    if opening:
        ts.appeal_opened_at = now
    else:
        ts.appeal_closed_at = now
    record_event(session, None, "appeal.open" if opening else "appeal.close", "test_session", ts.id)
    return ts
