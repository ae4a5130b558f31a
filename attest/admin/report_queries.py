"""Gather the monitoring records from the database for attest/monitoring.py.

Only what the aggregates need leaves the database: a candidate id (to count people once, never
shown), the centre code, the purpose, the test month, levels, profiles met and two timestamps."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.certificates.requirements import judge_all
from attest.models import (
    Attestation,
    Centre,
    Performance,
    PerformanceStatus,
    SessionStatus,
    SkillResult,
    TestSession,
)
from attest.monitoring import Pending, Table, TestRecord, all_tables


def monitoring_records(session: so.Session, since: datetime | None = None) -> list[TestRecord]:
    """One record per completed test (optionally completed on or after `since`)."""
    query = (
        sa.select(
            TestSession.id,
            TestSession.candidate_id,
            TestSession.purpose_code,
            TestSession.completed_at,
            Centre.code,
        )
        .join(Centre, Centre.id == TestSession.centre_id)
        .where(TestSession.status == SessionStatus.COMPLETED)
    )
    if since is not None:
        query = query.where(TestSession.completed_at >= since)
    sessions = session.execute(query).all()
    ids = [s.id for s in sessions]
    levels: dict[int, dict[str, str]] = {}
    attested: dict[int, datetime] = {}
    for chunk in (ids[k : k + 1000] for k in range(0, len(ids), 1000)):
        for sid, skill, level in session.execute(
            sa.select(SkillResult.session_id, SkillResult.skill, SkillResult.level).where(
                SkillResult.session_id.in_(chunk)
            )
        ):
            levels.setdefault(sid, {})[skill] = level
        for sid, first in session.execute(
            sa.select(Attestation.session_id, sa.func.min(Attestation.issued_at))
            .where(Attestation.session_id.in_(chunk))
            .group_by(Attestation.session_id)
        ):
            attested[sid] = first
    records = []
    for s in sessions:
        result = levels.get(s.id, {})
        completed = s.completed_at
        test_day = completed.date() if completed else date.today()
        records.append(
            TestRecord(
                candidate_key=s.candidate_id,
                centre=s.code,
                purpose=s.purpose_code,
                month=f"{test_day:%Y-%m}",
                levels=result,
                # Social housing as for a lease starting on the test day; indications count
                # the level reached (they are never "met").
                profiles={
                    j.code: j.reaches for j in judge_all(result, test_day, lease_start=test_day)
                },
                completed_at=completed,
                attested_at=attested.get(s.id),
            )
        )
    return records


def pending_performances(session: so.Session) -> list[Pending]:
    """Speaking and writing performances waiting for their ratings or an adjudication.

    To count another kind of waiting work (say, recordings flagged for review), add a function
    session -> list[Pending] to PENDING_SOURCES."""
    rows = session.execute(
        sa.select(Centre.code, Performance.skill, Performance.waiting_since)
        .join(Centre, Centre.id == Performance.centre_id)
        .where(Performance.status.in_([PerformanceStatus.WAITING, PerformanceStatus.ADJUDICATION]))
    )
    return [Pending(centre=code, skill=skill, waiting_since=since) for code, skill, since in rows]


PENDING_SOURCES: list[Callable[[so.Session], list[Pending]]] = [pending_performances]


def monitoring_tables(session: so.Session, today: date) -> dict[str, Table]:
    """Every monitoring table, with small cells suppressed."""
    pending = [p for source in PENDING_SOURCES for p in source(session)]
    return all_tables(monitoring_records(session), pending, today)
