"""Kiosk JSON endpoints behind kiosk.js: queued answers, writing drafts, microphone checks and
resumable chunked recording uploads. Every call names the session it belongs to, so a queue left
over from an earlier candidate on this kiosk can never write into the current session."""

from __future__ import annotations

from flask import g, jsonify, request, url_for

from attest import recording_upload_http as upload_http
from attest.assessment import answer_capture, delivery
from attest.assessment.formats import get_format
from attest.examiner import interview_service as interviews
from attest.kiosk import bp
from attest.kiosk.current import current_session, heartbeat_timeout, now
from attest.kiosk.json_bodies import fail, json_object, optional, required
from attest.kiosk.messages import ANSWER_MESSAGES
from attest.models import Recording, SessionItem, TestSession
from attest.request_session import db_session


def _session_in_progress() -> TestSession:
    """The kiosk's current session (else a 409 answer: no test here)."""
    ts = current_session()
    if ts is None:
        fail(409, "wrong_session", "no session in progress here")
    return ts


def _session_of_call(claimed: object) -> TestSession:
    """The kiosk's current session, if it is the one the call names (kiosk.js always names it:
    a queue left by an earlier candidate must not write into this session)."""
    ts = _session_in_progress()
    if claimed is not None and (isinstance(claimed, bool) or claimed != ts.id):
        fail(409, "wrong_session", "not the session in progress here")
    return ts


def _item(ts: TestSession, position: int) -> SessionItem:
    try:
        return delivery.session_item(db_session(), ts, position)
    except delivery.DeliveryError:
        fail(404, "no_such_item", "no question at this position")


def _refused(exc: Exception, status: int = 400):
    code = getattr(exc, "code", "bad_request")
    if code == "time_up":
        g.commit_on_error = True  # the section's closing (and what it kept) stays; the call not
    message = ANSWER_MESSAGES.get(code)
    return jsonify(error=code, message=str(message) if message else str(exc)), status


@bp.route("/item/<int:position>/answer", methods=["POST"])
def answer(position: int):
    """Store a queued answer once per key and say where the candidate goes next."""
    _session_in_progress()
    body = json_object()
    ts = _session_of_call(optional(body, "session", "whole"))
    fields = required(body, "fields", "texts")
    if interviews.is_interview_item(ts, _item(ts, position)):
        fail(409, "interview", "the examiner records this task")
    try:
        _response, applied = answer_capture.submit_answer(
            db_session(),
            ts,
            position,
            fields,
            optional(body, "key", "text"),
            now(),
            heartbeat_timeout=heartbeat_timeout(),
        )
    except delivery.DeliveryError as exc:
        status = {"no_such_item": 404, "time_up": 409, "section_closed": 409, "paused": 409}
        return _refused(exc, status.get(exc.code, 400))
    nxt = delivery.next_position(db_session(), ts, now())
    target = url_for("kiosk.item", position=nxt) if nxt else url_for("kiosk.finish")
    return jsonify(stored=True, duplicate=not applied, next_url=target)


@bp.route("/item/<int:position>/draft", methods=["POST"])
def draft(position: int):
    """Keep the latest text of a writing task (debounced saves while the candidate types)."""
    _session_in_progress()
    body = json_object()
    ts = _session_of_call(optional(body, "session", "whole"))
    text, seq = required(body, "text", "text"), required(body, "seq", "whole")
    try:
        saved = answer_capture.save_draft(db_session(), ts, position, text, seq, now())
    except delivery.DeliveryError as exc:
        status = {"no_such_item": 404, "time_up": 409, "section_closed": 409, "paused": 409}
        return _refused(exc, status.get(exc.code, 400))
    return jsonify(saved=True, seq=saved.seq)


@bp.route("/item/<int:position>/microphone", methods=["POST"])
def microphone_check(position: int):
    """Record the result of the microphone check; a failed one calls the proctor."""
    _session_in_progress()
    body = json_object()
    ts = _session_of_call(optional(body, "session", "whole"))
    try:
        event = answer_capture.report_microphone(
            db_session(),
            ts,
            position,
            required(body, "ok", "bool"),
            optional(body, "reason", "text"),
            optional(body, "level_dbfs", "number"),
            now(),
        )
    except delivery.DeliveryError as exc:
        status = {"no_such_item": 404, "time_up": 409, "section_closed": 409, "paused": 409}
        return _refused(exc, status.get(exc.code, 400))
    return jsonify(recorded=True, proctor_called=bool(event and event.needs_proctor))


@bp.route("/item/<int:position>/uploads", methods=["POST"])
def upload_begin(position: int):
    """Start (or resume) a chunked upload; the answer lists the chunks the server holds."""
    _session_in_progress()
    body = json_object()
    ts = _session_of_call(optional(body, "session", "whole"))
    for name in ("upload_id", "content_type", "sha256"):
        required(body, name, "text")
    for name in ("size", "chunk_size", "chunk_count", "duration_ms"):
        required(body, name, "whole")
    optional(body, "turn", "whole")
    item = _item(ts, position)
    if interviews.is_interview_item(ts, item):
        fail(409, "interview", "the examiner records this task")
    version = item.item_version
    return upload_http.begin(
        item,
        body.get("upload_id"),
        body,
        get_format(version.format).recording_seconds(version.content),
        now(),
    )


def _upload(position: int, upload_id: str):
    claimed = request.headers.get("X-Attest-Session", type=int)
    if claimed is None and request.is_json:
        body = request.get_json(silent=True)
        claimed = optional(body, "session", "whole") if isinstance(body, dict) else None
    ts = _session_of_call(claimed)
    return upload_http.find(_item(ts, position), upload_id)


@bp.route("/item/<int:position>/uploads/<upload_id>", methods=["GET"])
def upload_status(position: int, upload_id: str):
    """Which chunks the server holds (to resume after a reload or a lost connection)."""
    return upload_http.state(_upload(position, upload_id))


@bp.route("/item/<int:position>/uploads/<upload_id>/chunks/<int:index>", methods=["PUT"])
def upload_chunk(position: int, upload_id: str, index: int):
    """Receive one chunk (raw body, X-Content-SHA256 header); a damaged chunk is refused."""
    return upload_http.receive_chunk(_upload(position, upload_id), index, now())


@bp.route("/item/<int:position>/uploads/<upload_id>/complete", methods=["POST"])
def upload_complete(position: int, upload_id: str):
    """Join, check and store the recording; acknowledge it with its id (and any flag)."""
    return upload_http.complete(_upload(position, upload_id), now(), _acknowledgement)


def _acknowledgement(rec: Recording) -> dict:
    return {
        "recording_id": rec.id,
        "sha256": rec.sha256,
        "size": rec.size_bytes,
        "duration_ms": rec.duration_ms,
        "flag": rec.flag,
    }
