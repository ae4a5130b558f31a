"""Test sessions, the items planned in them, responses and per-skill results."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.ext.hybrid import hybrid_property

from attest.engine import Base
from attest.models._types import UTCDateTime, enum_by_value, utcnow
from attest.models.candidate import Candidate
from attest.models.item import ItemVersion
from attest.models.org import Centre, Kiosk


class SessionStatus(enum.Enum):
    CREATED = "created"  # start code issued, not yet used
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"  # candidate finished; receptive parts scored
    CANCELLED = "cancelled"


class TestSession(Base):
    __tablename__ = "test_session"
    __test__ = False  # not a pytest class

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    candidate_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("candidate.id"), index=True)
    centre_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("centre.id"), index=True)
    purpose_code: so.Mapped[str] = so.mapped_column(sa.String(64))
    status: so.Mapped[SessionStatus] = so.mapped_column(
        enum_by_value(SessionStatus), default=SessionStatus.CREATED
    )
    start_code_hash: so.Mapped[str | None] = so.mapped_column(sa.String(64), unique=True)
    start_code_expires_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    start_code_used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    kiosk_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("kiosk.id"))
    language: so.Mapped[str | None] = so.mapped_column(sa.String(8))
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    started_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    completed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # An appeal holds the answers and recordings back from retention until it is closed.
    appeal_opened_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    appeal_closed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # Set by `attest retention run` when the answers and recordings were deleted.
    responses_purged_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # Accommodations a proctor switches on for the kiosk pages of this session (WCAG 1.4.4/1.4.6)
    is_large_text: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    is_high_contrast: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    # Speaking held live by an examiner: the proctor chooses (examiner/interview_service.py).
    is_examiner_led: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    # Kept by the server (attest.assessment.session_clock): a paused session's clocks stand
    # still; the last request or heartbeat of its kiosk tells connected from lost.
    paused_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    last_heartbeat_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    sound_checked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # Retake rules (attest.assessment.retake): the fee of this attempt and whether it was paid
    # (recorded; no payment provider), and an admin's reason when the rules forbade the attempt.
    fee_cents: so.Mapped[int | None] = so.mapped_column()
    is_fee_paid: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    retake_exception_reason: so.Mapped[str | None] = so.mapped_column(sa.String(300))
    retake_exception_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", name="fk_test_session_retake_exception_by")
    )

    candidate: so.Mapped[Candidate] = so.relationship()
    centre: so.Mapped[Centre] = so.relationship()
    kiosk: so.Mapped[Kiosk | None] = so.relationship()
    items: so.Mapped[list[SessionItem]] = so.relationship(
        back_populates="session", order_by="SessionItem.position"
    )
    results: so.Mapped[list[SkillResult]] = so.relationship(back_populates="session")

    def __repr__(self) -> str:
        return f"<TestSession #{self.id} {self.status.value}>"


class SessionItem(Base):
    """An item version planned at a position of a session: pins the version the candidate sees."""

    __tablename__ = "session_item"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    session_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("test_session.id"))
    position: so.Mapped[int]
    skill: so.Mapped[str] = so.mapped_column(sa.String(16))
    item_version_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("item_version.id"))
    # A pilot item is shown like any other but left out of the candidate's score: its answers
    # only feed calibration (`attest calibrate`).
    is_pilot: so.Mapped[bool] = so.mapped_column(default=False)
    shown_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # How often the kiosk was allowed to play the item's audio (the server grants each play).
    play_count: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    # The order the options (or fragments) were shown in, {"options": ["c", "a", ...]}, drawn
    # per session and item (attest.assessment.shuffle); None: the bank order.
    display_order: so.Mapped[dict | None] = so.mapped_column(sa.JSON)

    session: so.Mapped[TestSession] = so.relationship(back_populates="items")
    item_version: so.Mapped[ItemVersion] = so.relationship()
    response: so.Mapped[Response | None] = so.relationship(back_populates="session_item")

    __table_args__ = (
        sa.UniqueConstraint("session_id", "position", name="uq_session_item_position"),
    )

    def __repr__(self) -> str:
        return f"<SessionItem #{self.session_id}:{self.position}>"


class Response(Base):
    """The candidate's answer to one session item: one row per item, updated idempotently."""

    __tablename__ = "response"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    session_item_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("session_item.id"), unique=True
    )
    value: so.Mapped[dict] = so.mapped_column(sa.JSON)
    score: so.Mapped[float | None]
    answered_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    session_item: so.Mapped[SessionItem] = so.relationship(back_populates="response")

    def __repr__(self) -> str:
        return f"<Response item#{self.session_item_id}>"


class SkillResult(Base):
    __tablename__ = "skill_result"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    session_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("test_session.id"))
    skill: so.Mapped[str] = so.mapped_column(sa.String(16))
    level: so.Mapped[str] = so.mapped_column(sa.String(8))
    theta: so.Mapped[float | None]
    standard_error: so.Mapped[float | None]
    raw_score: so.Mapped[float]
    max_score: so.Mapped[float]
    method: so.Mapped[str] = so.mapped_column(sa.String(120))
    # P(level) for below_A1..the test's ceiling; a most likely level under 0.80 is flagged.
    probabilities: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    is_uncertain: so.Mapped[bool] = so.mapped_column(default=False)
    # The cut-score store's version that scored a receptive skill (None: rated by examiners, or
    # scored before versions were recorded); see attest/assessment/cut_scores.py.
    cut_scores_version: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    session: so.Mapped[TestSession] = so.relationship(back_populates="results")

    __table_args__ = (sa.UniqueConstraint("session_id", "skill", name="uq_skill_result"),)

    def __repr__(self) -> str:
        return f"<SkillResult #{self.session_id} {self.skill}={self.level}>"


class Recording(Base):
    """An audio answer uploaded by a kiosk, stored once and referenced by its response."""

    __tablename__ = "recording"

    id: so.Mapped[str] = so.mapped_column(sa.String(32), primary_key=True)
    session_item_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("session_item.id"), index=True)
    content_type: so.Mapped[str] = so.mapped_column(sa.String(64))
    size_bytes: so.Mapped[int]
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    storage_key: so.Mapped[str] = so.mapped_column(sa.String(300))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # What the server heard when it decoded the audio (None: not decoded).
    duration_ms: so.Mapped[int | None]
    level_dbfs: so.Mapped[float | None]  # RMS of the loudest second
    speech_ms: so.Mapped[int | None]  # time above the speech threshold
    # "silent", "truncated" or "undecodable": shown to the proctor, never scored as zero.
    flag: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    # The turn (1-based) a recording answers in a semi-direct conversation; None for a task of
    # one recording. One recording per turn: the first kept stands (the timing is fixed).
    turn: so.Mapped[int | None]

    session_item: so.Mapped[SessionItem] = so.relationship()

    __table_args__ = (sa.UniqueConstraint("session_item_id", "turn", name="uq_recording_turn"),)

    def __repr__(self) -> str:
        return f"<Recording {self.id} item#{self.session_item_id}>"


class SectionAttempt(Base):
    """The adaptive engine's state for one skill section of a session, and how it ended.

    `state` holds every decision (item chosen, estimate and standard error after each answer,
    stopping reason), so a result can be explained to a candidate who appeals. Its ``log`` (one
    entry per answer) is stored apart, one `SectionLogEntry` row per answer, so that an answer
    writes one new row instead of re-serialising a log that grows with every answer:
    `stored_state` is the column as written per answer (its ``log`` holds only entries kept
    there before migration 0034, normally none), and `state` reads it with the whole log."""

    __tablename__ = "section_attempt"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    session_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("test_session.id"))
    skill: so.Mapped[str] = so.mapped_column(sa.String(16))
    stored_state: so.Mapped[dict] = so.mapped_column("state", sa.JSON)
    stopped_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("session_id", "skill", name="uq_section_attempt"),)

    @hybrid_property
    def state(self) -> dict:
        """The state with its whole log: entries kept in the state (sessions from before
        migration 0034), then the rows, in the order of the answers."""
        stored = self.stored_state
        session = so.object_session(self)
        if stored is None or self.id is None or session is None:
            return stored
        rows = session.scalars(
            sa.select(SectionLogEntry.entry)
            .where(SectionLogEntry.attempt_id == self.id)
            .order_by(SectionLogEntry.step)
        ).all()
        if not rows:
            return stored
        return {**stored, "log": list(stored.get("log") or []) + list(rows)}

    @state.inplace.setter
    def _state_setter(self, value: dict) -> None:
        self.stored_state = value

    @state.inplace.expression
    @classmethod
    def _state_expression(cls):
        return cls.stored_state

    def __repr__(self) -> str:
        return f"<SectionAttempt #{self.session_id} {self.skill}>"


class SectionLogEntry(Base):
    """One answer's entry of an adaptive section's log (what the engine chose and estimated),
    written once with the answer and never changed (migration 0034)."""

    __tablename__ = "section_log"

    attempt_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("section_attempt.id", ondelete="CASCADE"), primary_key=True
    )
    step: so.Mapped[int] = so.mapped_column(primary_key=True, autoincrement=False)
    entry: so.Mapped[dict] = so.mapped_column(sa.JSON)

    def __repr__(self) -> str:
        return f"<SectionLogEntry {self.attempt_id}:{self.step}>"


class SessionEvent(Base):
    """Something that happened in a session that the proctor must see or an appeal may need.

    Kinds are short stable codes ("outage", "focus_lost", "extra_time", "pause", "resume",
    "microphone_problem", "recording_flagged", ...); `detail` holds no personal data."""

    __tablename__ = "session_event"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    session_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("test_session.id"), index=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(40))
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))
    detail: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    # Events that call the proctor stay open until a proctor has seen to them.
    needs_proctor: so.Mapped[bool] = so.mapped_column(default=False)
    resolved_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    session: so.Mapped[TestSession] = so.relationship()

    def __repr__(self) -> str:
        return f"<SessionEvent {self.kind} session={self.session_id}>"


class SectionClock(Base):
    """The server's clock of one section of a session (rules in attest.assessment.timing).

    It starts when the section's first item is shown (a row may exist before, holding extra time
    granted in advance); `running_since` is set while it runs and
    `elapsed_seconds` holds what was counted before (pauses and outages bank the running time).
    Only the section on screen runs. `held_since` is set while the kiosk waits on an
    examiner-led interview: the clock stands still (the interview has its own timing) and
    neither a resume nor a reload lets it run until the kiosk shows a task of its own.
    `closed_at` ends the section for good: `close_reason` is time_up, done (the test was
    finished) or ended (by a proctor)."""

    __tablename__ = "section_clock"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    session_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("test_session.id"), index=True)
    skill: so.Mapped[str] = so.mapped_column(sa.String(16))
    limit_seconds: so.Mapped[float | None]
    extra_seconds: so.Mapped[float] = so.mapped_column(default=0.0)
    elapsed_seconds: so.Mapped[float] = so.mapped_column(default=0.0)
    started_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)  # None: not yet
    entered_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)  # last (re)entered
    running_since: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    held_since: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)  # interview on
    closed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    close_reason: so.Mapped[str | None] = so.mapped_column(sa.String(20))

    __table_args__ = (sa.UniqueConstraint("session_id", "skill", name="uq_section_clock"),)

    def __repr__(self) -> str:
        return f"<SectionClock #{self.session_id} {self.skill}>"
