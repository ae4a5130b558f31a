"""Store spoken answers: check what arrives (size, real content type, checksum), then keep it."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.exc import IntegrityError

from attest.assessment.audio_checks import check_recording
from attest.assessment.formats import get_format
from attest.assessment.session_events import log_session_event
from attest.engine import lock_row
from attest.models import Recording, SessionItem
from attest.storage import DirectoryStorage

MAX_BYTES = 8 * 1024 * 1024  # ~10 minutes of Opus speech; far above any task's maximum
# Container signatures: what the bytes are, whatever the browser claims.
SIGNATURES = {
    "audio/webm": (b"\x1a\x45\xdf\xa3",),
    "audio/ogg": (b"OggS",),
    "audio/mp4": (b"ftyp",),  # at offset 4
}


class RecordingError(ValueError):
    """An upload that cannot be accepted; `code` is a stable reason."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def sniff_content_type(data: bytes) -> str | None:
    """Return the audio container type the bytes really are, or None."""
    for content_type, magics in SIGNATURES.items():
        for magic in magics:
            if content_type == "audio/mp4" and data[4:8] == magic:
                return content_type
            if data.startswith(magic):
                return content_type
    return None


def require_recording_item(item: SessionItem, turn: int | None = None) -> None:
    """Refuse a recording for an item that does not take one (only speaking tasks do), and a
    turn the task does not have (a conversation's recordings each name their turn, 1-based;
    other tasks' name none): the same rule for the single upload and the chunked one."""
    fmt = get_format(item.item_version.format)
    if not fmt.takes_recording:
        raise RecordingError("not_speaking", "only speaking tasks take recordings")
    turns = fmt.turn_count(item.item_version.content)
    if turns and (turn is None or not 1 <= turn <= turns):
        raise RecordingError("bad_turn", f"turn: expected a whole number from 1 to {turns}")
    if not turns and turn is not None:
        raise RecordingError("bad_turn", "turn: this task is answered in one recording")


def turn_recording(session: so.Session, item: SessionItem, turn: int) -> Recording | None:
    """Return the recording kept for one turn of a conversation, if any."""
    return session.scalar(
        sa.select(Recording).where(Recording.session_item_id == item.id, Recording.turn == turn)
    )


def store_recording(
    session: so.Session,
    storage: DirectoryStorage,
    item: SessionItem,
    data: bytes,
    declared_sha256: str | None,
    now: datetime,
    expected_ms: int | None = None,
    turn: int | None = None,
) -> Recording:
    """Check and store one recording for a session item; return its database row.

    The audio is decoded and measured: a silent, truncated or undecodable recording is kept
    (the candidate's answer stands) but flagged, and the proctor is called to listen. The
    checksum the kiosk computed must come with it, as with a chunked upload: a recording
    nobody can vouch for is not kept.

    A conversation turn (``turn``) keeps its first recording: a second one for the same turn
    (a retry from a reloaded kiosk) returns the first, and two at the same moment meet the
    unique constraint uq_recording_turn, the loser returning the winner's."""
    require_recording_item(item, turn)
    if turn is not None:
        # Read-decide-write: the task's row is locked before the turn is read (SQLite: the
        # write lock every writing transaction holds), and uq_recording_turn backs it up.
        item = lock_row(session, SessionItem, item.id)
        kept = turn_recording(session, item, turn)
        if kept is not None:
            return kept
    if not declared_sha256:
        raise RecordingError(
            "checksum_missing", "send the SHA-256 of the recording (header X-Content-SHA256)"
        )
    if not data:
        raise RecordingError("empty", "the recording is empty")
    if len(data) > MAX_BYTES:
        raise RecordingError("too_large", f"the recording is larger than {MAX_BYTES} bytes")
    content_type = sniff_content_type(data)
    if content_type is None:
        raise RecordingError("not_audio", "the upload is not WebM, Ogg or MP4 audio")
    digest = hashlib.sha256(data).hexdigest()
    if declared_sha256 is not None and declared_sha256.lower() != digest:
        raise RecordingError("checksum", "the checksum does not match: the upload was damaged")
    verdict = check_recording(data, expected_ms)
    rec_id = secrets.token_urlsafe(16)
    key = f"recordings/{now:%Y/%m}/{item.session_id}/{rec_id}"
    storage.put(key, data)
    recording = Recording(
        id=rec_id,
        session_item_id=item.id,
        content_type=content_type,
        size_bytes=len(data),
        sha256=digest,
        storage_key=key,
        created_at=now,
        duration_ms=verdict.duration_ms,
        level_dbfs=verdict.level_dbfs,
        speech_ms=verdict.speech_ms,
        flag=verdict.flag,
        turn=turn,
    )
    if turn is None:
        session.add(recording)
        session.flush()
    else:
        try:
            with session.begin_nested():
                session.add(recording)
        except IntegrityError:
            storage.delete(key)  # the loser's copy; the winner's recording stands
            kept = turn_recording(session, item, turn)
            if kept is None:
                raise
            return kept
    if verdict.flag is not None:
        log_session_event(
            session,
            item.session,
            "recording_flagged",
            at=now,
            position=item.position,
            recording=rec_id,
            reason=verdict.flag,
            duration_ms=verdict.duration_ms,
            expected_ms=expected_ms,
            level_dbfs=verdict.level_dbfs,
        )
    return recording
