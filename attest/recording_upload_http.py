"""The HTTP side of resumable chunked recording uploads, shared by the kiosk's spoken answers
(attest.kiosk.capture) and the examiner's interview recording (attest.examiner.interview_views).

The rules of an upload are attest.assessment.recording_uploads; here is what both JSON APIs do
alike: read a chunk (the raw body, at most MAX_CHUNK_BYTES, with its X-Content-SHA256 header),
answer with the upload's state, and turn each refusal into the same JSON body and status code
(400 refused, 404 unknown upload, 409 chunks missing, 413 chunk too large, 503 storage). The
callers decide whose upload it is (their session and task rules) and what a completed
recording becomes. Logs name the upload's id only: never a candidate, a session or a name."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from flask import abort, current_app, jsonify, make_response, request

from attest.assessment import recording_uploads
from attest.assessment.recordings import RecordingError
from attest.models import Recording, RecordingUpload, SessionItem
from attest.request_session import db_session
from attest.storage import StorageError, storage_for

SHA256_HEADER = "X-Content-SHA256"
UPLOAD_ID_CHARS = 40  # longer ids are cut before the look-up (the rules allow 16 to 40)


def refusal(exc: RecordingError, status: int = 400):
    """The JSON answer to a refused upload call: its stable code and its message."""
    return jsonify(error=exc.code, message=str(exc)), status


def state(upload: RecordingUpload):
    """The JSON answer that lists the chunks the server holds (to resume after a reload)."""
    return jsonify(recording_uploads.upload_state(upload))


def begin(
    item: SessionItem,
    upload_id: Any,
    meta: Mapping[str, Any],
    max_recording_seconds: int,
    now: datetime,
):
    """Start (or resume) an upload for a task; answer with its state, or refuse (400)."""
    try:
        upload = recording_uploads.begin_upload(
            db_session(), item, upload_id, meta, max_recording_seconds, now
        )
    except RecordingError as exc:
        return refusal(exc)
    return state(upload)


def find(item: SessionItem, upload_id: str) -> RecordingUpload:
    """Return the task's upload of this id, else stop the request with a JSON 404."""
    try:
        return recording_uploads.upload_for(db_session(), item, upload_id[:UPLOAD_ID_CHARS])
    except RecordingError as exc:
        abort(make_response(*refusal(exc, 404)))


def receive_chunk(upload: RecordingUpload, index: int, now: datetime, *, label: str = "upload"):
    """Store one chunk from the raw request body, checked against its X-Content-SHA256
    header; a chunk over MAX_CHUNK_BYTES is refused (413), a damaged one too (400). `label`
    names the kind of upload in the log."""
    data = request.get_data(cache=False)
    if len(data) > recording_uploads.MAX_CHUNK_BYTES:
        return jsonify(error="too_large", message="the chunk is too large"), 413
    try:
        recording_uploads.store_chunk(
            db_session(),
            storage_for(current_app.config),
            upload,
            index,
            data,
            request.headers.get(SHA256_HEADER),
            now,
        )
    except RecordingError as exc:
        return refusal(exc)
    except StorageError:
        current_app.logger.error("chunk of %s %s not stored", label, upload.id)
        return jsonify(error="storage", message="the chunk could not be stored"), 503
    return state(upload)


def complete(
    upload: RecordingUpload,
    now: datetime,
    answer: Callable[[Recording], Mapping[str, Any]],
    *,
    keep: Callable[[Recording], object] | None = None,
    label: str = "upload",
):
    """Join, check and store the recording, let `keep` attach it where it belongs (in the same
    try: its RecordingError or StorageError is answered alike; any other error is the
    caller's), and acknowledge it with `answer(recording)`. Missing chunks: 409 with their
    indexes; a refused recording: 400; storage: 503."""
    try:
        rec = recording_uploads.complete_upload(
            db_session(), storage_for(current_app.config), upload, now
        )
        if keep is not None:
            keep(rec)
    except recording_uploads.MissingChunks as exc:
        return jsonify(error=exc.code, message=str(exc), missing=exc.missing), 409
    except RecordingError as exc:
        return refusal(exc)
    except StorageError:
        current_app.logger.error("%s %s could not be completed", label, upload.id)
        return jsonify(error="storage", message="the recording could not be stored"), 503
    return jsonify(answer(rec))
