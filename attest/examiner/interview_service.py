"""The examiner-led interview (issue 18): a live examiner holds a speaking task with the
candidate, following the task's interlocutor frame (attest/assessment/interlocutor_frames.py),
records both voices as one recording on the examiner's tablet and gives a provisional rating at
the end. That rating becomes rating 1 of the usual double marking when the session's
performances are queued (``seed_provisional_ratings``); the recording then goes to a second
examiner, never the live one (allocation excludes anyone already assigned, and the unique index
uq_rating_assignment_live_rater backs it), who rates blind. Agreement, adjudication and re-marks
follow as for any performance (attest/examiner/scoring.py)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.exc import IntegrityError

from attest.assessment import allocation, delivery, rubrics
from attest.assessment.formats import get_format
from attest.assessment.formats.productive import RECORDING_FIELD
from attest.assessment.interlocutor_frames import Frame, load_frames
from attest.audit import record_event
from attest.engine import lock_row
from attest.examiner import allocation_view
from attest.examiner.assignments import ScoringError, assign
from attest.examiner.band_thresholds import thresholds_for
from attest.models import (
    AssignmentKind,
    Interview,
    Performance,
    Rating,
    Recording,
    Role,
    SessionItem,
    SessionStatus,
    TestSession,
    User,
)
from attest.vocabulary import SPEAKING

INTERVIEW_TASK_TYPE = "dialogue"  # interaction applies: the candidate talks with the examiner


def is_interview_item(ts: TestSession, item: SessionItem) -> bool:
    """Tell whether a task of this session is held by a live examiner: every one-recording
    speaking task of an examiner-led session (semi-direct conversations stay at the kiosk)."""
    if not ts.is_examiner_led or item.skill != SPEAKING:
        return False
    fmt = get_format(item.item_version.format)
    return fmt.takes_recording and not fmt.turn_count(item.item_version.content)


def set_examiner_led(session: so.Session, ts: TestSession, actor: User, on: bool) -> bool:
    """Let a live examiner hold the session's speaking tasks (or not); the proctor decides
    before the first speaking task is answered or interviewed. Return whether it changed."""
    # the session row is locked before anything is read: an examiner opening an interview at
    # the same moment (start_interview locks it too) is either seen here or sees the change
    ts = lock_row(session, TestSession, ts.id)
    if ts.is_examiner_led == on:
        return False
    if ts.status not in (SessionStatus.CREATED, SessionStatus.IN_PROGRESS):
        raise ScoringError("session_over", "the test is no longer in progress")
    started = session.scalar(
        sa.select(sa.func.count())
        .select_from(SessionItem)
        .where(
            SessionItem.session_id == ts.id,
            SessionItem.skill == SPEAKING,
            sa.or_(
                SessionItem.response.has(),
                sa.exists().where(Interview.session_item_id == SessionItem.id),
            ),
        )
    )
    if started:
        raise ScoringError("speaking_started", "the speaking section has begun")
    ts.is_examiner_led = on
    session.flush()
    record_event(session, actor, "session.examiner_led", "test_session", ts.id, on=on)
    return True


def frame_of(item: SessionItem) -> Frame:
    """Return the interlocutor frame of a task (its own, else its level's default)."""
    frame = load_frames().for_task(item.item_version.item_id, item.item_version.level)
    if frame is None:  # the loader guarantees a default per level
        raise ScoringError("no_frame", "no interlocutor frame for this task")
    return frame


def rubric_for_level(level: str) -> rubrics.Rubric:
    """Return the rubric of an interview at a level: the dialogue rubric (interaction)."""
    return rubrics.rubric_for(SPEAKING, INTERVIEW_TASK_TYPE, level)


def rubric_of_item(item: SessionItem) -> rubrics.Rubric:
    """Return the rubric of an interview: the dialogue rubric at the task's level."""
    return rubric_for_level(item.item_version.level)


def current_task(session: so.Session, ts: TestSession) -> SessionItem | None:
    """Return the interview task the kiosk is on (its first unanswered task), if it is one."""
    if ts.status is not SessionStatus.IN_PROGRESS or not ts.is_examiner_led:
        return None
    position = delivery.first_unanswered(session, ts)
    if position is None:
        return None
    item = delivery.session_item(session, ts, position)
    return item if is_interview_item(ts, item) else None


def interview_of(session: so.Session, item: SessionItem) -> Interview | None:
    """Return the interview of a task, if one was started."""
    return session.scalar(sa.select(Interview).where(Interview.session_item_id == item.id))


def tablet_state(session: so.Session, ts: TestSession, examiner: User) -> tuple[str, int | None]:
    """Return what the examiner's tablet page shows of a session, as a state and the position
    of the task the kiosk is on (no personal data; the page polls it to notice changes made
    elsewhere): over (the test no longer in progress), waiting (the kiosk is not on an
    interview task), open (the task waits for an examiner), taken (another examiner holds it),
    held (the examiner's own interview; recorded or not, the page itself knows)."""
    if ts.status not in (SessionStatus.CREATED, SessionStatus.IN_PROGRESS):
        return "over", None
    item = current_task(session, ts)
    if item is None:
        return "waiting", None
    interview = interview_of(session, item)
    if interview is None:
        return "open", item.position
    return ("held" if interview.examiner_id == examiner.id else "taken"), item.position


def examiner_may_hold(ts: TestSession, examiner: User) -> bool:
    """Tell whether an examiner may hold interviews of this session (an enabled examiner of its
    centre)."""
    return (
        examiner.role is Role.EXAMINER
        and examiner.is_enabled
        and (examiner.centre_id == ts.centre_id)
    )


def why_not_interviewer(session: so.Session, ts: TestSession, examiner: User) -> str | None:
    """Return why an examiner of the centre may not hold the session's interviews now (None:
    they may). The live examiner's provisional rating is rating 1, so they meet the bar of a
    rater: the rating allocation's own rule (allocation.may_rate: calibrated or exempted, of
    the centre, not the test's proctor)."""
    rater = allocation_view.examiner_of(session, examiner)
    if allocation.may_rate(allocation_view.session_task(ts), rater):
        return None
    return "not_calibrated" if not rater.is_calibrated else "may_not_rate"


def start_interview(
    session: so.Session, ts: TestSession, item: SessionItem, examiner: User, now: datetime
) -> Interview:
    """Open the interview of a task for an examiner; the same examiner again gets the same one.

    The task's row is locked first and uq_interview_session_item_id backs it: two examiners
    opening the task at the same moment get one interview, the second is refused."""
    if not examiner_may_hold(ts, examiner):
        raise ScoringError("not_examiner", "only an examiner of the centre holds interviews")
    refusal = why_not_interviewer(session, ts, examiner)
    if refusal is not None:
        raise ScoringError(refusal, "the examiner may not rate this task now")
    if not is_interview_item(ts, item):
        raise ScoringError("not_interview", "this task is not held by an examiner")
    # the proctor may be switching the session back to the kiosk at this moment
    # (set_examiner_led locks the session row): decide on the row as it is now. The session
    # row first, then the task's, as delivery and scoring lock them (one order: no deadlock)
    ts = lock_row(session, TestSession, ts.id)
    lock_row(session, SessionItem, item.id)
    if not is_interview_item(ts, item):
        raise ScoringError("not_interview", "this task is not held by an examiner")
    interview = interview_of(session, item)
    if interview is None:
        frame = frame_of(item)
        interview = Interview(
            session_item_id=item.id,
            session_id=ts.id,
            examiner_id=examiner.id,
            frame_id=frame.id,
            frame_version=load_frames().version,
            started_at=now,
        )
        try:
            with session.begin_nested():
                session.add(interview)
        except IntegrityError:
            interview = interview_of(session, item)
            if interview is None:
                raise
        else:
            record_event(
                session,
                examiner,
                "interview.start",
                "interview",
                interview.id,
                session_id=ts.id,
                frame=frame.id,
            )
    if interview.examiner_id != examiner.id:
        raise ScoringError("taken", "another examiner holds this interview")
    return interview


def attach_recording(session: so.Session, interview: Interview, recording: Recording) -> None:
    """Keep the interview's one recording; the same one again changes nothing, another is
    refused (one recording per task: the interview's row is locked while it decides)."""
    interview = lock_row(session, Interview, interview.id)
    if recording.session_item_id != interview.session_item_id:
        raise ScoringError("not_yours", "the recording is not of this task")
    if interview.recording_id is None:
        interview.recording_id = recording.id
        session.flush()
    elif interview.recording_id != recording.id:
        raise ScoringError("recorded", "this interview already has its recording")


def finish_interview(
    session: so.Session,
    interview: Interview,
    examiner: User,
    bands: Mapping[str, Any],
    now: datetime,
) -> Interview:
    """Store the live examiner's provisional rating (once) and the recording as the task's
    answer, so the kiosk goes on. The same bands again (a double-click) change nothing; other
    bands after the first are refused: the provisional rating is final as rating 1."""
    interview = lock_row(session, Interview, interview.id)
    if interview.examiner_id != examiner.id:
        raise ScoringError("not_yours", "another examiner holds this interview")
    item = interview.session_item
    rubric = rubric_of_item(item)
    problems = rubric.check(bands)
    if problems:
        raise ScoringError("bad_bands", "a band is missing or out of range", problems)
    clean = {code: int(bands[code]) for code in rubric.codes}
    if interview.provisional_bands is not None:
        if interview.provisional_bands == clean:
            return interview
        raise ScoringError("closed", "the provisional rating is given and cannot change")
    if interview.recording_id is None:
        raise ScoringError("no_recording", "record the conversation first")
    ts = item.session
    try:
        delivery.record_answer(
            session,
            ts,
            item.position,
            {RECORDING_FIELD: [interview.recording_id]},
            now,
            closing=True,
        )
    except delivery.DeliveryError as exc:  # the proctor ended the test meanwhile
        raise ScoringError("session_over", "the test is no longer in progress") from exc
    interview.provisional_bands = clean
    # the band thresholds of the cut-score version that will score the test's speaking
    interview.provisional_level = rubrics.task_level(
        clean, item.item_version.level, thresholds_for(session, ts, item.item_version.item.skill)[1]
    )
    interview.finished_at = now
    session.flush()
    record_event(
        session,
        examiner,
        "interview.rate",
        "interview",
        interview.id,
        session_id=ts.id,
        position=item.position,
    )
    return interview


def rated_items(session: so.Session, ts: TestSession) -> set[int]:
    """Return the ids of the session's tasks whose interview has its provisional rating."""
    return set(
        session.scalars(
            sa.select(Interview.session_item_id).where(
                Interview.session_id == ts.id, Interview.provisional_bands.is_not(None)
            )
        )
    )


def is_provisional(session: so.Session, perf: Performance, examiner_id: int, rnd: int) -> bool:
    """Tell whether an examiner's live rating of a performance is an interview's provisional
    rating (rating 1 of round 1), which is given once and never corrected."""
    if rnd != 1:
        return False
    found = session.scalar(
        sa.select(Interview.id).where(
            Interview.session_item_id == perf.response.session_item_id,
            Interview.examiner_id == examiner_id,
        )
    )
    return found is not None


def seed_provisional_ratings(session: so.Session, perfs: list[Performance], now: datetime) -> int:
    """Store each interviewed performance's provisional rating as rating 1: a live assignment
    of the live examiner, completed, with the bands given at the end of the interview."""
    seeded = 0
    for perf in perfs:
        interview = session.scalar(
            sa.select(Interview).where(
                Interview.session_item_id == perf.response.session_item_id,
                Interview.provisional_bands.is_not(None),
            )
        )
        if interview is None:
            continue
        assignment = assign(session, perf, interview.examiner_id, AssignmentKind.LIVE, now)
        assignment.completed_at = interview.finished_at or now
        session.add(
            Rating(
                assignment_id=assignment.id,
                performance_id=perf.id,
                examiner_id=interview.examiner_id,
                round=perf.round,
                kind=AssignmentKind.LIVE,
                version=1,
                bands=dict(interview.provisional_bands or {}),
                level=interview.provisional_level or "",
                created_at=interview.finished_at or now,
            )
        )
        seeded += 1
    session.flush()
    return seeded
