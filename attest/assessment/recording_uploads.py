"""Resumable chunked upload of spoken answers: the kiosk declares the whole (size, SHA-256,
chunk count), sends chunks each with its own SHA-256 in any order and as often as it needs,
asks which chunks the server holds, and completes; only then is the recording stored."""

from __future__ import annotations

import hashlib
import math
import re
from datetime import datetime
from typing import Any, Mapping

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.assessment.formats import get_format
from attest.assessment.recordings import (
    MAX_BYTES,
    RecordingError,
    require_recording_item,
    store_recording,
)
from attest.models import Recording, RecordingChunk, RecordingUpload, SessionItem, TestSession
from attest.storage import DirectoryStorage

MAX_CHUNK_BYTES = 1024 * 1024
CONTENT_TYPES = ("audio/webm", "audio/ogg", "audio/mp4")
DURATION_SLACK_MS = 5000  # a kiosk's timer may run a little over the task's maximum
_UPLOAD_ID = re.compile(r"^[A-Za-z0-9_-]{16,40}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class MissingChunks(RecordingError):
    """Completion asked for while chunks are missing; `missing` lists their indexes."""

    def __init__(self, missing: list[int]) -> None:
        super().__init__("missing_chunks", f"{len(missing)} chunk(s) missing: send them first")
        self.missing = missing


def _whole(value: Any, low: int, high: int, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise RecordingError("bad_upload", f"{name}: expected a whole number from {low} to {high}")
    return value


def begin_upload(
    session: so.Session,
    item: SessionItem,
    upload_id: str,
    meta: Mapping[str, Any],
    max_recording_seconds: int,
    now: datetime,
) -> RecordingUpload:
    """Start an upload, or return the same upload when the kiosk starts it again (resume).

    A conversation's upload names its ``turn`` (1-based) in ``meta``; its duration is checked
    against that turn's answer time."""
    turn = meta.get("turn")
    if turn is not None:
        turn = _whole(turn, 0, 99, "turn")  # the task's own range is checked next
    require_recording_item(item, turn)
    if turn is not None:
        max_recording_seconds = get_format(item.item_version.format).recording_seconds(
            item.item_version.content, turn
        )
    if not isinstance(upload_id, str) or not _UPLOAD_ID.match(upload_id):
        raise RecordingError("bad_upload", "upload id: expected 16 to 40 letters, digits, - or _")
    content_type = str(meta.get("content_type", "")).split(";")[0].strip().lower()
    if content_type not in CONTENT_TYPES:
        raise RecordingError("not_audio", f"content type: expected one of {CONTENT_TYPES}")
    size = _whole(meta.get("size"), 1, MAX_BYTES, "size")
    chunk_size = _whole(meta.get("chunk_size"), 1024, MAX_CHUNK_BYTES, "chunk_size")
    count = _whole(meta.get("chunk_count"), 1, MAX_BYTES, "chunk_count")
    if count != math.ceil(size / chunk_size):
        raise RecordingError("bad_upload", "chunk_count does not match size and chunk_size")
    max_ms = max_recording_seconds * 1000 + DURATION_SLACK_MS
    duration = _whole(meta.get("duration_ms"), 0, max_ms, "duration_ms")
    sha = str(meta.get("sha256", "")).lower()
    if not _SHA256.match(sha):
        raise RecordingError("bad_upload", "sha256: expected 64 hexadecimal digits")
    upload = session.get(RecordingUpload, upload_id)
    if upload is not None:
        if upload.session_item_id != item.id or (upload.sha256, upload.size_bytes, upload.turn) != (
            sha,
            size,
            turn,
        ):
            raise RecordingError("conflict", "this upload id belongs to another recording")
        return upload
    upload = RecordingUpload(
        id=upload_id,
        session_item_id=item.id,
        content_type=content_type,
        size_bytes=size,
        sha256=sha,
        chunk_size=chunk_size,
        chunk_count=count,
        duration_ms=duration,
        created_at=now,
        turn=turn,
    )
    session.add(upload)
    session.flush()
    return upload


def upload_for(session: so.Session, item: SessionItem, upload_id: str) -> RecordingUpload:
    """Return an upload of this session item, or raise RecordingError("no_upload")."""
    upload = session.get(RecordingUpload, upload_id) if _UPLOAD_ID.match(upload_id) else None
    if upload is None or upload.session_item_id != item.id:
        raise RecordingError("no_upload", "unknown upload: start it again")
    return upload


def received(upload: RecordingUpload) -> list[int]:
    """Indexes of the chunks the server holds."""
    return [chunk.index for chunk in upload.chunks]


def upload_state(upload: RecordingUpload) -> dict[str, Any]:
    """What the kiosk needs to resume: which chunks are here, and the recording once complete."""
    return {
        "upload_id": upload.id,
        "received": received(upload),
        "chunk_count": upload.chunk_count,
        "complete": upload.recording_id is not None,
        "recording_id": upload.recording_id,
        "turn": upload.turn,
    }


def store_chunk(
    session: so.Session,
    storage: DirectoryStorage,
    upload: RecordingUpload,
    index: int,
    data: bytes,
    declared_sha256: str | None,
    now: datetime,
) -> RecordingChunk | None:
    """Keep one chunk whose checksum matches; the same chunk again changes nothing.

    Returns None when the upload is already complete (a late retry)."""
    if upload.recording_id is not None:
        return None
    if not 0 <= index < upload.chunk_count:
        raise RecordingError("bad_chunk", f"chunk index: expected 0 to {upload.chunk_count - 1}")
    last = upload.size_bytes - upload.chunk_size * (upload.chunk_count - 1)
    expected = last if index == upload.chunk_count - 1 else upload.chunk_size
    if len(data) != expected:
        raise RecordingError("bad_chunk", f"chunk {index}: expected {expected} bytes")
    digest = hashlib.sha256(data).hexdigest()
    if not declared_sha256 or declared_sha256.strip().lower() != digest:
        raise RecordingError("checksum", f"chunk {index}: the checksum does not match; send again")
    chunk = next((c for c in upload.chunks if c.index == index), None)
    if chunk is not None and chunk.sha256 == digest:
        return chunk
    key = f"uploads/{now:%Y/%m}/{upload.session_item.session_id}/{upload.id}/{index}"
    storage.put(key, data)
    if chunk is None:
        chunk = RecordingChunk(upload=upload, index=index)
        session.add(chunk)
    chunk.size_bytes, chunk.sha256, chunk.storage_key, chunk.received_at = (
        len(data),
        digest,
        key,
        now,
    )
    session.flush()
    return chunk


def complete_upload(
    session: so.Session, storage: DirectoryStorage, upload: RecordingUpload, now: datetime
) -> Recording:
    """Join the chunks, check the whole against the declared SHA-256 and store the recording
    (decoded and flagged when silent or truncated). Completing twice returns the same one."""
    if upload.recording is not None:
        return upload.recording
    missing = sorted(set(range(upload.chunk_count)) - set(received(upload)))
    if missing:
        raise MissingChunks(missing)
    data = b"".join(storage.get(chunk.storage_key) for chunk in upload.chunks)
    if hashlib.sha256(data).hexdigest() != upload.sha256:
        # Every chunk matched its own checksum, so the kiosk declared a different whole: it
        # starts a new upload rather than the server keeping a recording nobody can vouch for.
        raise RecordingError("checksum", "the whole recording does not match its checksum")
    recording = store_recording(
        session,
        storage,
        upload.session_item,
        data,
        upload.sha256,
        now,
        upload.duration_ms,
        turn=upload.turn,
    )
    upload.recording_id, upload.completed_at = recording.id, now
    session.flush()
    return recording


def salvage_unsent(
    session: so.Session,
    storage: DirectoryStorage,
    ts: TestSession,
    now: datetime,
    skill: str | None = None,
) -> dict[str, int]:
    """Keep what a candidate gave but never submitted, when a session closes without them
    (time up, ended by the proctor, a kiosk that never came back).

    A writing draft becomes the answer; an upload whose chunks all arrived is completed and
    becomes the answer (flagged like any recording); an upload with chunks missing calls the
    proctor ("recording_flagged", reason "incomplete"). Items already answered are left alone.
    Call it while the session is still in progress, just before closing it (or one section of
    it: `skill`; session_clock calls it so when a section's time runs out). Returns counts."""
    from attest.assessment import conversation, delivery
    from attest.assessment.answer_capture import unanswered_drafts
    from attest.assessment.formats.productive import RECORDING_FIELD, TEXT_FIELD
    from attest.assessment.session_events import log_session_event

    counts = {"drafts": 0, "recordings": 0, "incomplete": 0}
    for draft in unanswered_drafts(session, ts):
        if draft.text.strip() and skill in (None, draft.session_item.skill):
            delivery.record_answer(
                session,
                ts,
                draft.session_item.position,
                {TEXT_FIELD: [draft.text]},
                now,
                closing=True,
            )
            counts["drafts"] += 1
    query = (
        sa.select(RecordingUpload)
        .join(SessionItem, SessionItem.id == RecordingUpload.session_item_id)
        .where(SessionItem.session_id == ts.id, RecordingUpload.recording_id.is_(None))
        .order_by(RecordingUpload.created_at.desc())
    )
    if skill is not None:
        query = query.where(SessionItem.skill == skill)
    uploads = session.scalars(query).all()
    done: set[tuple[int, int | None]] = set()
    turns_kept: dict[int, SessionItem] = {}
    for upload in uploads:  # the latest attempt per task (per turn of a conversation) counts
        item = upload.session_item
        if (item.id, upload.turn) in done or item.response is not None:
            continue
        done.add((item.id, upload.turn))
        try:
            recording = complete_upload(session, storage, upload, now)
        except RecordingError as exc:
            missing = getattr(exc, "missing", [])
            log_session_event(
                session,
                ts,
                "recording_flagged",
                at=now,
                position=item.position,
                reason="incomplete",
                missing_chunks=len(missing),
                chunk_count=upload.chunk_count,
            )
            counts["incomplete"] += 1
        else:
            if upload.turn is not None:
                turns_kept[item.id] = item
                continue
            delivery.record_answer(
                session, ts, item.position, {RECORDING_FIELD: [recording.id]}, now, closing=True
            )
            counts["recordings"] += 1
    # A conversation cut short keeps the turns answered so far as its one performance.
    query = (
        sa.select(SessionItem)
        .join(Recording, Recording.session_item_id == SessionItem.id)
        .where(SessionItem.session_id == ts.id, Recording.turn.is_not(None))
    )
    if skill is not None:
        query = query.where(SessionItem.skill == skill)
    for item in {**{i.id: i for i in session.scalars(query)}, **turns_kept}.values():
        if item.response is None:
            fields = conversation.response_fields(session, item)
            delivery.record_answer(session, ts, item.position, fields, now, closing=True)
            counts["recordings"] += 1
    session.flush()
    return counts
