"""What an examiner sees: the queue and the blind scoring page (no name, no candidate or
session identifier, not the other rating; live work and seeded benchmarks look the same)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.assessment.conversation import recording_ids
from attest.assessment.formats.productive import count_words
from attest.assessment.rubrics import Rubric
from attest.examiner.assignments import is_calibrated, rubric_of
from attest.examiner.quality import open_calibration, seed_benchmark
from attest.examiner.scoring import allocate_waiting, latest_rating
from attest.models import AssignmentKind, PerformanceStatus, RatingAssignment, Recording, User


@dataclass(frozen=True)
class QueueEntry:
    token: str
    skill: str
    level: str
    task_type: str
    is_adjudication: bool
    is_calibration: bool
    assigned_at: datetime
    age_hours: float

    def as_json(self) -> dict[str, Any]:
        return {
            "token": self.token,
            "skill": self.skill,
            "level": self.level,
            "task_type": self.task_type,
            "deciding_rating": self.is_adjudication,
            "calibration": self.is_calibration,
            "assigned_at": self.assigned_at.isoformat(),
            "age_hours": round(self.age_hours, 1),
        }


@dataclass(frozen=True)
class Queue:
    entries: list[QueueEntry]
    is_calibrated: bool
    calibration_open: bool


def queue_for(session: so.Session, examiner: User, now: datetime) -> Queue:
    """Fill the examiner's queue (allocation, seeded benchmarks) and return its open work."""
    if examiner.centre_id is not None:
        allocate_waiting(session, examiner.centre_id, now)
    seed_benchmark(session, examiner, now)
    rows = session.scalars(
        sa.select(RatingAssignment)
        .where(RatingAssignment.examiner_id == examiner.id, RatingAssignment.completed_at.is_(None))
        .order_by(RatingAssignment.assigned_at, RatingAssignment.id)
    ).all()
    entries = [
        QueueEntry(
            token=a.token,
            skill=a.performance.skill,
            level=a.performance.task_level,
            task_type=a.performance.task_type,
            is_adjudication=a.kind is AssignmentKind.ADJUDICATION,
            is_calibration=a.kind is AssignmentKind.CALIBRATION,
            assigned_at=a.assigned_at,
            age_hours=(now - a.assigned_at).total_seconds() / 3600,
        )
        for a in rows
    ]
    return Queue(
        entries,
        is_calibrated(session, examiner.id),
        open_calibration(session, examiner) is not None,
    )


@dataclass(frozen=True)
class ConversationTurn:
    """One turn of a semi-direct conversation as the examiner hears it: what the interlocutor
    said (its clip and transcript), then the candidate's answer (its recording, if any)."""

    number: int
    say: str
    has_clip: bool
    has_answer: bool
    duration_ms: int | None


@dataclass(frozen=True)
class BlindTask:
    """Everything the scoring page shows: the task, the performance and the rubric."""

    token: str
    skill: str
    level: str
    rubric: Rubric
    stem: str
    text: str | None
    points: list[str]
    written: str | None
    word_count: int | None
    has_audio: bool
    duration_ms: int | None
    is_adjudication: bool
    is_calibration: bool
    own_bands: dict[str, int] | None
    is_closed: bool
    # A semi-direct conversation: its turns in order (empty for other tasks).
    turns: tuple[ConversationTurn, ...] = ()


def blind_task(session: so.Session, assignment: RatingAssignment) -> BlindTask:
    """Return what the examiner may see of an assignment, and nothing that identifies anyone."""
    perf = assignment.performance
    content = perf.response.session_item.item_version.content
    value = perf.response.value.get("v")
    written = value if isinstance(value, str) else None
    own = latest_rating(session, assignment)
    recording = recording_of(session, assignment)
    closed = assignment.kind in (AssignmentKind.LIVE, AssignmentKind.ADJUDICATION) and (
        perf.round != assignment.round
        or perf.status is PerformanceStatus.FINAL
        or (
            perf.status is PerformanceStatus.ADJUDICATION and assignment.kind is AssignmentKind.LIVE
        )
    )
    return BlindTask(
        token=assignment.token,
        skill=perf.skill,
        level=perf.task_level,
        rubric=rubric_of(perf),
        stem=str(content.get("stem", "")),
        text=content.get("text"),
        points=list(content.get("points") or []),
        written=written,
        word_count=count_words(written) if written is not None else None,
        has_audio=isinstance(value, dict) and "recording_id" in value,
        duration_ms=recording.duration_ms if recording is not None else None,
        is_adjudication=assignment.kind is AssignmentKind.ADJUDICATION,
        is_calibration=assignment.kind is AssignmentKind.CALIBRATION,
        own_bands=dict(own.bands) if own else None,
        is_closed=closed or (assignment.kind is AssignmentKind.CALIBRATION and own is not None),
        turns=_turns(session, content, value),
    )


def _turns(
    session: so.Session, content: dict[str, Any], value: Any
) -> tuple[ConversationTurn, ...]:
    ids = recording_ids(value)
    if ids is None:
        return ()
    turns = []
    for number, turn in enumerate(content.get("turns") or [], start=1):
        rec_id = ids[number - 1] if number <= len(ids) else None
        recording = session.get(Recording, rec_id) if rec_id else None
        turns.append(
            ConversationTurn(
                number=number,
                say=str(turn.get("say", "")),
                has_clip=bool(turn.get("audio")),
                has_answer=recording is not None,
                duration_ms=recording.duration_ms if recording is not None else None,
            )
        )
    return tuple(turns)


def turn_recording_of(
    session: so.Session, assignment: RatingAssignment, turn: int
) -> Recording | None:
    """Return the candidate's recording of one turn of a conversation performance."""
    ids = recording_ids(assignment.performance.response.value.get("v")) or []
    rec_id = ids[turn - 1] if 1 <= turn <= len(ids) else None
    return session.get(Recording, rec_id) if rec_id else None


def turn_clip_of(assignment: RatingAssignment, turn: int) -> str | None:
    """Return the media path of the interlocutor's clip of one turn, if the task has it."""
    turns = assignment.performance.response.session_item.item_version.content.get("turns") or []
    return turns[turn - 1].get("audio") if 1 <= turn <= len(turns) else None


def recording_of(session: so.Session, assignment: RatingAssignment) -> Recording | None:
    """Return the recording an assignment's performance refers to."""
    value = assignment.performance.response.value.get("v")
    if not (isinstance(value, dict) and "recording_id" in value):
        return None
    return session.get(Recording, value["recording_id"])
