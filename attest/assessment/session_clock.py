"""The server's clocks of a test session: sections start, run out and close here, whatever the
browser does; proctors pause, resume and grant extra time here (rules in timing.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.assessment import timing
from attest.assessment.purposes import Section, get_purpose
from attest.assessment.session_events import log_session_event
from attest.audit import record_event
from attest.engine import transaction_cache
from attest.models import SectionClock, SessionStatus, TestSession, User
from attest.signals import section_timed_out

TIMEOUT = timing.HEARTBEAT_TIMEOUT_SECONDS
EXTRA_TIME_REASONS = ("accommodation", "technical", "disturbance", "other")
END_REASONS = ("candidate_request", "illness", "irregularity", "technical", "other")


class ClockError(Exception):
    """A proctor action is not possible now; `code` is a stable reason for messages and tests."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ClockStatus:
    """What the kiosk and the console show of a session's time."""

    skill: str | None  # the section whose clock is open (None: between sections)
    remaining_seconds: float | None  # None: untimed or no section open
    allowed_seconds: float | None
    is_paused: bool
    connection: str  # never / connected / lost


def _data(row: SectionClock) -> timing.Clock:
    return timing.Clock(
        limit_seconds=row.limit_seconds,
        extra_seconds=row.extra_seconds or 0.0,
        elapsed_seconds=row.elapsed_seconds or 0.0,
        running_since=row.running_since,
        closed_at=row.closed_at,
    )


def _store(row: SectionClock, clock: timing.Clock) -> None:
    row.elapsed_seconds, row.running_since = clock.elapsed_seconds, clock.running_since


def _section(ts: TestSession, skill: str) -> Section | None:
    return next((s for s in get_purpose(ts.purpose_code).sections if s.skill == skill), None)


def clocks_of(session: so.Session, ts: TestSession) -> list[SectionClock]:
    """Return the session's section clocks in the order they were made.

    They are read once per transaction (a kiosk request asks several times); the rows are the
    session's own objects, so changes made since are seen, and a clock made by _clock_row joins
    the list."""
    cache = transaction_cache(session, "section_clocks")
    rows = cache.get(ts.id) if ts.id is not None else None
    if rows is None:
        rows = list(
            session.scalars(
                sa.select(SectionClock)
                .where(SectionClock.session_id == ts.id)
                .order_by(SectionClock.id)
            )
        )
        if ts.id is not None:
            cache[ts.id] = rows
    return list(rows)


def open_clocks(session: so.Session, ts: TestSession) -> list[SectionClock]:
    """Return the started, unclosed sections' clocks, the one entered last first."""
    started = [
        c for c in clocks_of(session, ts) if c.started_at is not None and c.closed_at is None
    ]
    # entered_at is set with started_at, so never None here; the id breaks ties, as made
    return sorted(started, key=lambda c: (c.entered_at or c.started_at, c.id or 0), reverse=True)


def open_clock(session: so.Session, ts: TestSession) -> SectionClock | None:
    """Return the clock of the section in progress (the open one entered last), if any."""
    clocks = open_clocks(session, ts)
    return clocks[0] if clocks else None


def closed_skills(session: so.Session, ts: TestSession) -> set[str]:
    """Return the sections that are over (time up, or the session ended)."""
    return {c.skill for c in clocks_of(session, ts) if c.closed_at is not None}


def clock_of(session: so.Session, ts: TestSession, skill: str) -> SectionClock | None:
    """Return the clock of one section, if it was made."""
    return next((c for c in clocks_of(session, ts) if c.skill == skill), None)


def _clock_row(session: so.Session, ts: TestSession, skill: str) -> SectionClock:
    row = clock_of(session, ts, skill)
    if row is not None:
        return row
    # Once per section: ask again, in case another request (a proctor granting time in
    # advance) made the row since the clocks were read.
    row = session.scalar(
        sa.select(SectionClock).where(SectionClock.session_id == ts.id, SectionClock.skill == skill)
    )
    if row is None:
        section = _section(ts, skill)
        row = SectionClock(
            session_id=ts.id,
            skill=skill,
            limit_seconds=section.time_limit_seconds if section else None,
            extra_seconds=0.0,
            elapsed_seconds=0.0,
        )
        session.add(row)
    cached = transaction_cache(session, "section_clocks").get(ts.id)
    if cached is not None:
        cached.append(row)
    return row


def enter_section(
    session: so.Session, ts: TestSession, skill: str, now: datetime, *, held: bool = False
) -> SectionClock:
    """Let the clock of the section an item belongs to run (starting it the first time).

    Only one section's clock runs: another one that was running stops, keeping its time.
    `held`: the item on screen is an examiner-led interview, which has its own timing (the
    interlocutor frame): the section is entered but its clock stands still (`held_since`) until
    the kiosk shows an item of its own again; a resume after a pause does not restart it."""
    row = _clock_row(session, ts, skill)
    if row.closed_at is not None:
        return row
    clocks = open_clocks(session, ts)
    for other in clocks:
        if other is not row and other.running_since is not None:
            _store(other, timing.bank(_data(other), now))
    if not clocks or clocks[0] is not row:
        row.entered_at = now
    if row.started_at is None:
        row.started_at = row.entered_at = now
        log_session_event(session, ts, "section_start", at=now, skill=skill)
    if held:
        _store(row, timing.bank(_data(row), now))
        if row.held_since is None:
            row.held_since = now
    else:
        row.held_since = None
        if ts.paused_at is None and row.running_since is None:
            row.running_since = now
    session.flush()
    return row


def close_section(
    session: so.Session, ts: TestSession, row: SectionClock, at: datetime, reason: str
) -> None:
    """Close a section for good at `at` (its deadline when time ran out).

    When time ran out, what the candidate gave in the section but never submitted is kept
    first (`signals.section_timed_out`, connected where the app is built: it needs the storage)."""
    if reason == "time_up":
        section_timed_out.send(ts, session=session, skill=row.skill, at=at)
    clock = timing.bank(_data(row), at)
    _store(row, clock)
    row.closed_at, row.close_reason = at, reason
    log_session_event(
        session,
        ts,
        "section_closed",
        at=at,
        skill=row.skill,
        reason=reason,
        elapsed_seconds=round(clock.elapsed_seconds),
    )
    session.flush()


def expire(
    session: so.Session, ts: TestSession, now: datetime, timeout: float = TIMEOUT
) -> list[SectionClock]:
    """Close every open section whose time ran out (the kiosk need not be there); return them."""
    if ts.status is not SessionStatus.IN_PROGRESS:
        return []
    closed = []
    for row in open_clocks(session, ts):
        clock = _data(row)
        if timing.is_expired(clock, now, ts.last_heartbeat_at, timeout, timing.GRACE_SECONDS):
            deadline = timing.expired_at(clock, ts.last_heartbeat_at, timeout) or now
            close_section(session, ts, row, min(deadline, now), "time_up")
            closed.append(row)
    return closed


def close_all_expired(
    session: so.Session, now: datetime, timeout: float = TIMEOUT
) -> list[tuple[int, str]]:
    """Close the expired sections of every session in progress; return (session, skill)."""
    running = session.scalars(
        sa.select(TestSession)
        .join(SectionClock, SectionClock.session_id == TestSession.id)
        .where(
            TestSession.status == SessionStatus.IN_PROGRESS,
            SectionClock.started_at.is_not(None),
            SectionClock.closed_at.is_(None),
        )
        .distinct()
    )
    return [(ts.id, row.skill) for ts in list(running) for row in expire(session, ts, now, timeout)]


def close_open(session: so.Session, ts: TestSession, now: datetime, reason: str) -> None:
    """Close every open section (the test was finished or ended)."""
    for row in open_clocks(session, ts):
        close_section(session, ts, row, now, reason)


def sync(
    session: so.Session, ts: TestSession, now: datetime, timeout: float = TIMEOUT
) -> float | None:
    """Bring a session's clocks up to date on a request from its kiosk.

    Time that ran out closes the section; after a silence longer than the timeout the clock
    restarts now (the silence was not counted) and the outage is recorded. Return the outage
    in seconds, if there was one."""
    expire(session, ts, now, timeout)
    gap = timing.outage_seconds(ts.last_heartbeat_at, now, timeout)
    if gap is not None:
        # A reconnecting kiosk may send a heartbeat and queued answers at once: the row lock
        # lets one of them record the outage, the others see it done.
        session.flush()  # nothing pending on the session row is lost by the refresh
        session.refresh(ts, with_for_update=True)
        gap = timing.outage_seconds(ts.last_heartbeat_at, now, timeout)
    if gap is not None and ts.last_heartbeat_at is not None and ts.paused_at is None:
        row = open_clock(session, ts)
        for running in open_clocks(session, ts):
            _store(running, timing.give_back_outage(_data(running), ts.last_heartbeat_at, now))
        log_session_event(
            session,
            ts,
            "outage",
            at=now,
            since=ts.last_heartbeat_at.isoformat(),
            seconds=round(gap),
            skill=row.skill if row is not None else None,
        )
    if ts.last_heartbeat_at is None or ts.last_heartbeat_at < now:
        ts.last_heartbeat_at = now
    return gap


def answer_refusal(
    session: so.Session, ts: TestSession, skill: str, now: datetime, timeout: float = TIMEOUT
) -> str | None:
    """Return why an answer to an item of `skill` may not be stored now (None: it may).

    A section whose time ran out is closed here and then, not only when someone looks."""
    if ts.paused_at is not None:
        return "paused"
    row = clock_of(session, ts, skill)
    if row is None or row.started_at is None:
        return None
    if row.closed_at is None:
        clock = _data(row)
        if not timing.is_expired(clock, now, ts.last_heartbeat_at, timeout, timing.GRACE_SECONDS):
            return None
        deadline = timing.expired_at(clock, ts.last_heartbeat_at, timeout) or now
        close_section(session, ts, row, min(deadline, now), "time_up")
    return "time_up" if row.close_reason == "time_up" else "section_closed"


def status(
    session: so.Session, ts: TestSession, now: datetime, timeout: float = TIMEOUT
) -> ClockStatus:
    """Return the time left in the open section, as the kiosk and the console show it."""
    row = open_clock(session, ts)
    last = ts.last_heartbeat_at
    clock = _data(row) if row is not None else None
    return ClockStatus(
        skill=row.skill if row is not None else None,
        remaining_seconds=timing.remaining(clock, now, last, timeout) if clock else None,
        allowed_seconds=clock.allowed_seconds if clock else None,
        is_paused=ts.paused_at is not None,
        connection=timing.connection_state(last, now, timeout),
    )


def _require_running(ts: TestSession) -> None:
    if ts.status is not SessionStatus.IN_PROGRESS:
        raise ClockError("not_in_progress", "the session is not in progress")


def pause(
    session: so.Session, ts: TestSession, actor: User, now: datetime, timeout: float = TIMEOUT
) -> None:
    """Pause a session: its clock stands still and the kiosk shows a pause screen."""
    _require_running(ts)
    if ts.paused_at is not None:
        raise ClockError("already_paused", "the session is already paused")
    expire(session, ts, now, timeout)
    row = open_clock(session, ts)
    until = timing.counted_until(now, ts.last_heartbeat_at, timeout)
    for running in open_clocks(session, ts):
        _store(running, timing.bank(_data(running), until))
    ts.paused_at = now
    log_session_event(session, ts, "pause", actor=actor, at=now, skill=row and row.skill)
    record_event(session, actor, "session.pause", "test_session", ts.id)
    session.flush()


def resume(session: so.Session, ts: TestSession, actor: User, now: datetime) -> None:
    """End a pause: the clock runs again from now."""
    _require_running(ts)
    if ts.paused_at is None:
        raise ClockError("not_paused", "the session is not paused")
    paused_seconds = round((now - ts.paused_at).total_seconds())
    row = open_clock(session, ts)
    if row is not None and row.held_since is None:  # a held clock waits for its interview
        _store(row, timing.start(_data(row), now))
    ts.paused_at = None
    log_session_event(session, ts, "resume", actor=actor, at=now, paused_seconds=paused_seconds)
    record_event(session, actor, "session.resume", "test_session", ts.id, paused=paused_seconds)
    session.flush()


def add_extra_time(
    session: so.Session,
    ts: TestSession,
    actor: User,
    minutes: int,
    reason: str,
    note: str,
    now: datetime,
    scope: str = "current",
) -> list[str]:
    """Grant (or, when negative, take back) extra time as an accommodation; return the sections.

    `scope` "current": the section in progress; "rest": it and every section still to come."""
    _require_running(ts)
    if reason not in EXTRA_TIME_REASONS:
        raise ClockError("bad_reason", "choose a reason from the list")
    if reason == "other" and not note.strip():
        raise ClockError("note_required", "describe the reason")
    if not isinstance(minutes, int) or minutes == 0 or not -120 <= minutes <= 120:
        raise ClockError("bad_minutes", "minutes must be between -120 and 120, not 0")
    expire(session, ts, now)
    current = open_clock(session, ts)
    if scope == "current":
        rows = [current] if current is not None else []
    elif scope == "rest":
        started = {c.skill for c in clocks_of(session, ts) if c.started_at is not None}
        sections = get_purpose(ts.purpose_code).sections
        upcoming = [s.skill for s in sections if s.skill not in started]
        rows = ([current] if current is not None else []) + [
            _clock_row(session, ts, skill) for skill in upcoming
        ]
    else:
        raise ClockError("bad_scope", "unknown scope")
    rows = [r for r in rows if r.limit_seconds is not None]
    if not rows:
        raise ClockError("no_section", "no timed section is open or still to come")
    if any((r.extra_seconds or 0.0) + minutes * 60 < 0 for r in rows):
        raise ClockError("below_zero", "cannot take back more extra time than was given")
    for row in rows:
        row.extra_seconds = (row.extra_seconds or 0.0) + minutes * 60
    skills = [r.skill for r in rows]
    log_session_event(
        session,
        ts,
        "extra_time",
        actor=actor,
        at=now,
        minutes=minutes,
        reason=reason,
        note=note.strip()[:200],
        skills=skills,
    )
    record_event(
        session,
        actor,
        "session.extra_time",
        "test_session",
        ts.id,
        minutes=minutes,
        reason=reason,
        skills=skills,
    )
    session.flush()
    return skills


def end_session(
    session: so.Session, ts: TestSession, actor: User, reason: str, note: str, now: datetime
) -> None:
    """End a session early for a stated reason: it is cancelled and yields no result."""
    if ts.status not in (SessionStatus.IN_PROGRESS, SessionStatus.CREATED):
        raise ClockError("not_in_progress", "the session has already ended")
    if reason not in END_REASONS:
        raise ClockError("bad_reason", "choose a reason from the list")
    if reason == "other" and not note.strip():
        raise ClockError("note_required", "describe the reason")
    close_open(session, ts, now, "ended")
    ts.status, ts.paused_at = SessionStatus.CANCELLED, None
    ts.start_code_hash = None  # an unused start code stops working too
    log_session_event(
        session, ts, "ended", actor=actor, at=now, reason=reason, note=note.strip()[:200]
    )
    record_event(session, actor, "session.end", "test_session", ts.id, reason=reason)
    session.flush()
