"""A test session's clocks are read once per transaction and forgotten when it ends."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.assessment import session_clock
from attest.models import SectionClock, SessionStatus, TestSession
from tests.factories import make_candidate, make_centre


def _session(db, now) -> TestSession:
    centre = make_centre(db)
    ts = TestSession(
        candidate=make_candidate(db, centre=centre),
        centre_id=centre.id,
        purpose_code="a2-luisteren-lezen",
        status=SessionStatus.IN_PROGRESS,
        last_heartbeat_at=now,
    )
    db.add(ts)
    db.flush()
    return ts


def _counting(db) -> list[str]:
    seen: list[str] = []
    sa.event.listen(db.get_bind(), "before_cursor_execute", lambda *a: seen.append(a[2]))
    return seen


def _clock_reads(statements: list[str]) -> list[str]:
    return [
        s
        for s in statements
        if s.lstrip().upper().startswith("SELECT") and "FROM section_clock" in s
    ]


def test_clocks_are_read_once_and_a_new_clock_joins_them(app, db, now):
    ts = _session(db, now)
    statements = _counting(db)
    assert session_clock.clocks_of(db, ts) == []
    row = session_clock.enter_section(db, ts, "listening", now)
    # the clocks once, and once more for the row about to be made (see _clock_row)
    assert len(_clock_reads(statements)) == 2
    assert session_clock.open_clock(db, ts) is row
    assert session_clock.closed_skills(db, ts) == set()
    with app.app_context():  # time up keeps unsent work: its receiver needs the app's storage
        session_clock.close_section(db, ts, row, now, "time_up")
    assert session_clock.closed_skills(db, ts) == {"listening"}
    assert session_clock.open_clock(db, ts) is None
    assert len(_clock_reads(statements)) == 2  # (time up also looks for unsent work: not clocks)


def test_a_rolled_back_savepoint_forgets_the_clock_it_made(db, now):
    ts = _session(db, now)
    session_clock.clocks_of(db, ts)
    savepoint = db.begin_nested()
    session_clock.enter_section(db, ts, "listening", now)
    savepoint.rollback()
    assert session_clock.clocks_of(db, ts) == []
    assert session_clock.open_clock(db, ts) is None


def test_a_new_transaction_sees_what_others_committed(app, db, now):
    ts = _session(db, now)
    db.commit()
    assert session_clock.clocks_of(db, ts) == []
    db.commit()  # the transaction ends: what it read is forgotten
    with so.Session(bind=app.extensions["attest_engine"]) as other:
        other.add(SectionClock(session_id=ts.id, skill="reading", extra_seconds=300.0))
        other.commit()
    assert [c.skill for c in session_clock.clocks_of(db, ts)] == ["reading"]
