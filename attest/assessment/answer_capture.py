"""Answers as the kiosk sends them: each submission carries a key so that a retry from the
kiosk's offline queue (or a re-posted form) is stored exactly once; writing tasks keep a draft
of the latest text while the candidate types; microphone checks that fail call the proctor."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Mapping

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
import sqlalchemy.orm as so

from attest.assessment import delivery, session_clock
from attest.assessment.formats import get_format
from attest.assessment.formats.productive import MAX_TEXT_CHARS
from attest.assessment.session_events import log_session_event
from attest.models import (
    AnswerReceipt,
    Response,
    ResponseDraft,
    SessionEvent,
    SessionItem,
    TestSession,
)

_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
MAX_SEQ = 2**62
MIC_REASONS = ("no_microphone", "silent", "denied")


def valid_key(key: Any) -> bool:
    """Return True for a well-formed answer key (16 to 64 letters, digits, - or _)."""
    return isinstance(key, str) and bool(_KEY.match(key))


def submit_answer(
    session: so.Session,
    ts: TestSession,
    position: int,
    raw: Mapping[str, object],
    key: str | None,
    now: datetime,
    heartbeat_timeout: float | None = None,
) -> tuple[Response | None, bool]:
    """Store an answer once per key; return (the response, whether this call applied it).

    A key seen before for the same item is acknowledged without touching the stored answer (the
    candidate may have changed it since); a key of another item is refused."""
    timeout = () if heartbeat_timeout is None else (heartbeat_timeout,)
    item = delivery.session_item(session, ts, position)
    if key is None:
        return delivery.record_answer(session, ts, position, raw, now, *timeout), True
    if not valid_key(key):
        raise delivery.DeliveryError("bad_key", "malformed answer key")
    seen = session.get(AnswerReceipt, key)
    if seen is not None:
        return _duplicate(seen, item)
    # Refused for time outside the savepoint: a section that ran out closes (keeping what was
    # saved in it) even though this answer is not stored.
    _refuse_when_closed(session, ts, item, now, timeout)
    savepoint = session.begin_nested()
    try:
        session.add(AnswerReceipt(key=key, session_item_id=item.id, received_at=now))
        session.flush()
    except sa_exc.IntegrityError:  # the same key arrived twice at once: the other one won
        savepoint.rollback()
        seen = session.get(AnswerReceipt, key)
        if seen is None:
            raise
        return _duplicate(seen, item)
    try:
        response = delivery.record_answer(session, ts, position, raw, now, *timeout)
    except delivery.DeliveryError:
        savepoint.rollback()
        raise
    savepoint.commit()
    if not get_format(item.item_version.format).keeps_drafts:  # only writing tasks do
        return response, True
    draft = session.scalar(sa.select(ResponseDraft).where(ResponseDraft.session_item_id == item.id))
    if draft is not None:
        session.delete(draft)
        session.flush()
    return response, True


def _duplicate(seen: AnswerReceipt, item: SessionItem) -> tuple[Response | None, bool]:
    if seen.session_item_id != item.id:
        raise delivery.DeliveryError("bad_key", "this answer key belongs to another question")
    return item.response, False


def _refuse_when_closed(
    session: so.Session,
    ts: TestSession,
    item: SessionItem,
    now: datetime,
    timeout: tuple[float, ...] = (),
) -> None:
    refusal = session_clock.answer_refusal(session, ts, item.skill, now, *timeout)
    if refusal is not None:
        raise delivery.DeliveryError(refusal, delivery.REFUSALS[refusal])


def save_draft(
    session: so.Session, ts: TestSession, position: int, text: Any, seq: Any, now: datetime
) -> ResponseDraft:
    """Keep the latest text of a writing task; an older or repeated save changes nothing."""
    if ts.status.value != "in_progress":
        raise delivery.DeliveryError("not_in_progress", "the session is not in progress")
    item = delivery.session_item(session, ts, position)
    if not get_format(item.item_version.format).keeps_drafts:
        raise delivery.DeliveryError("not_writing", "only writing tasks keep drafts")
    if not isinstance(text, str) or len(text) > MAX_TEXT_CHARS:
        raise delivery.DeliveryError("bad_response", f"expected at most {MAX_TEXT_CHARS} chars")
    if not isinstance(seq, int) or isinstance(seq, bool) or not 0 < seq < MAX_SEQ:
        raise delivery.DeliveryError("bad_seq", "seq: expected a positive whole number")
    _refuse_when_closed(session, ts, item, now)  # text typed after the deadline does not count
    draft = session.scalar(sa.select(ResponseDraft).where(ResponseDraft.session_item_id == item.id))
    if draft is None:
        draft = ResponseDraft(session_item_id=item.id, text=text, seq=seq, updated_at=now)
        session.add(draft)
    elif seq > draft.seq:
        draft.text, draft.seq, draft.updated_at = text, seq, now
    session.flush()
    return draft


def text_to_show(session: so.Session, item: SessionItem) -> tuple[str | None, int]:
    """The text a writing task shows on (re)load, and the seq of the draft it came from (0:
    none): the saved draft when it is newer than the submitted answer, else the answer."""
    draft = session.scalar(sa.select(ResponseDraft).where(ResponseDraft.session_item_id == item.id))
    answer = item.response
    if draft is not None and (answer is None or draft.updated_at >= answer.updated_at):
        return draft.text, draft.seq
    return (answer.value["v"] if answer is not None else None), 0


def report_microphone(
    session: so.Session,
    ts: TestSession,
    position: int,
    ok: bool,
    reason: str | None,
    level_dbfs: Any,
    now: datetime,
) -> SessionEvent | None:
    """Record a failed microphone check as a call for the proctor (once while one is open);
    a check that passes is recorded without a call."""
    item = delivery.session_item(session, ts, position)
    level = _level(level_dbfs)
    if ok:
        return log_session_event(session, ts, "microphone_ok", at=now, position=item.position)
    if reason not in MIC_REASONS:
        raise delivery.DeliveryError("bad_reason", f"reason: expected one of {MIC_REASONS}")
    open_call = session.scalar(
        sa.select(SessionEvent).where(
            SessionEvent.session_id == ts.id,
            SessionEvent.kind == "microphone_problem",
            SessionEvent.resolved_at.is_(None),
        )
    )
    if open_call is not None:
        return open_call
    event = log_session_event(
        session,
        ts,
        "microphone_problem",
        at=now,
        position=item.position,
        reason=reason,
        level_dbfs=level,
    )
    session.flush()
    return event


def _level(level_dbfs: Any) -> float | None:
    """A plausible level in dBFS (-200 to 10), else None: a meter may report nonsense, and an
    integer too large for a float must not fail the report."""
    if not isinstance(level_dbfs, int | float) or isinstance(level_dbfs, bool):
        return None
    try:
        level = float(level_dbfs)
    except OverflowError:
        return None
    return level if -200 <= level <= 10 else None


def unanswered_drafts(session: so.Session, ts: TestSession) -> list[ResponseDraft]:
    """Drafts of writing tasks never submitted (e.g. when time ran out), oldest position first:
    for whoever closes a section, to keep the candidate's text as the answer."""
    return list(
        session.scalars(
            sa.select(ResponseDraft)
            .join(SessionItem, SessionItem.id == ResponseDraft.session_item_id)
            .outerjoin(Response, Response.session_item_id == SessionItem.id)
            .where(SessionItem.session_id == ts.id, Response.id.is_(None))
            .order_by(SessionItem.position)
        )
    )
