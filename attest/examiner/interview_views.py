"""The examiner's tablet page of an examiner-led interview, bound to one test session: the
interlocutor frame of the task the kiosk is on, a timer, one recording of the whole conversation
(uploaded in chunks as the kiosk's are, kept in the tablet's IndexedDB until acknowledged) and
the provisional rating. Routes of the examiner blueprint; the rules live in interviews.py."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from attest import recording_upload_http as upload_http
from attest.assessment.interlocutor_frames import load_frames
from attest.auth import roles_required
from attest.examiner import interview_service as interviews
from attest.examiner.assignments import ScoringError
from attest.examiner.forms import bands_form, bands_of
from attest.examiner.views import bp
from attest.forms import EmptyForm
from attest.models import Interview, Role, SessionStatus, TestSession
from attest.request_session import db_session

ERRORS = {
    "not_examiner": _l("Alleen een examinator van dit centrum neemt gesprekken af."),
    "not_calibrated": _l(
        "Je mag nog geen gesprekken afnemen: een gesprek afnemen is de eerste beoordeling geven, "
        "en dat mag pas na je kalibratie."
    ),
    "may_not_rate": _l(
        "Je mag deze kandidaat niet beoordelen (je was bijvoorbeeld proctor van deze test), dus "
        "ook dit gesprek niet afnemen."
    ),
    "not_interview": _l("De kiosk staat niet bij een gesprek met de examinator."),
    "taken": _l("Een andere examinator neemt dit gesprek af."),
    "not_yours": _l("Een andere examinator neemt dit gesprek af."),
    "recorded": _l("Dit gesprek heeft al een opname."),
    "no_recording": _l("Neem eerst het gesprek op."),
    "bad_bands": _l("Kies voor elk criterium een band."),
    "closed": _l("De voorlopige beoordeling is al gegeven en kan niet meer veranderen."),
    "session_over": _l("De test is niet meer bezig."),
}


STATUS_POLL_SECONDS = 4  # how often the tablet page asks whether it is still up to date


def _now() -> datetime:
    return datetime.now(UTC)


def _session(session_id: int) -> TestSession:
    """Return a test session of the examiner's centre, else 404."""
    ts = db_session().get(TestSession, session_id)
    if ts is None or not interviews.examiner_may_hold(ts, current_user):
        abort(404)
    return ts


def _own_interview(ts: TestSession, as_json: bool = False) -> Interview:
    """Return the examiner's own interview of the task the kiosk is on, else refuse (409)."""
    item = interviews.current_task(db_session(), ts)
    interview = interviews.interview_of(db_session(), item) if item else None
    if interview is None or interview.examiner_id != current_user.id:
        if as_json:
            refusal = jsonify(error="not_interview", message=str(ERRORS["not_interview"]))
            abort(make_response(refusal, 409))
        abort(409)
    return interview


def _json_session(session_id: int) -> TestSession:
    """Return the session of a JSON call from the tablet, or refuse in JSON (404)."""
    ts = db_session().get(TestSession, session_id)
    if ts is None or not interviews.examiner_may_hold(ts, current_user):
        abort(make_response(jsonify(error="no_session", message="unknown test session"), 404))
    return ts


@bp.route("/interviews")
@roles_required(Role.EXAMINER)
def interviews_page():
    """The examiner-led sessions in progress at the examiner's centre."""
    sessions = db_session().scalars(
        sa.select(TestSession)
        .where(
            TestSession.centre_id == current_user.centre_id,
            TestSession.is_examiner_led,
            TestSession.status == SessionStatus.IN_PROGRESS,
        )
        .order_by(TestSession.id)
    )
    rows = [(ts, interviews.current_task(db_session(), ts)) for ts in sessions]
    return render_template("examiner/interviews.html", rows=rows)


@bp.route("/interview/<int:session_id>", methods=["GET", "POST"])
@roles_required(Role.EXAMINER)
def interview_page(session_id: int):
    """The tablet page: start the interview of the current task, then frame and recorder."""
    ts = _session(session_id)
    item = interviews.current_task(db_session(), ts)
    interview = interviews.interview_of(db_session(), item) if item else None
    if request.method == "POST":
        if not EmptyForm().validate_on_submit():
            abort(400)
        if item is None:
            flash(ERRORS["not_interview"], "error")
            return redirect(url_for("examiner.interview_page", session_id=ts.id))
        try:
            interview = interviews.start_interview(db_session(), ts, item, current_user, _now())
        except ScoringError as exc:
            db_session().rollback()
            flash(ERRORS[exc.code], "error")
            return redirect(url_for("examiner.interview_page", session_id=ts.id)), 303
        return redirect(url_for("examiner.interview_page", session_id=ts.id))
    frame = load_frames().by_id(interview.frame_id) if interview else None
    # an examiner who may not rate the task sees why instead of the start button
    refusal = (
        interviews.why_not_interviewer(db_session(), ts, current_user)
        if item is not None and interview is None
        else None
    )
    state, position = interviews.tablet_state(db_session(), ts, current_user)
    form = bands_form(interviews.rubric_of_item(item)) if item else None
    return render_template(
        "examiner/interview.html",
        ts=ts,
        item=item,
        content=item.item_version.content if item else None,
        interview=interview,
        is_mine=interview is not None and interview.examiner_id == current_user.id,
        refusal=ERRORS[refusal] if refusal else None,
        frame=frame,
        rubric=interviews.rubric_of_item(item) if item else None,
        form=form,
        start_form=EmptyForm(),
        status_key=_status_key(state, position),
        status_seconds=STATUS_POLL_SECONDS,
        chunk_bytes=current_app.config.get("KIOSK_CHUNK_BYTES", 262144),
    )


def _status_key(state: str, position: int | None) -> str:
    return f"{state}:{position or ''}"


@bp.route("/interview/<int:session_id>/status")
@roles_required(Role.EXAMINER)
def interview_status(session_id: int):
    """The tablet page's poll (every few seconds): the state of the session's interview as
    the page would show it now, and a key the page compares with the one it was drawn with."""
    ts = _json_session(session_id)
    state, position = interviews.tablet_state(db_session(), ts, current_user)
    return jsonify(state=state, position=position, key=_status_key(state, position))


@bp.route("/interview/<int:session_id>/rate", methods=["POST"])
@roles_required(Role.EXAMINER)
def interview_rate(session_id: int):
    """The live examiner's provisional rating: rating 1 of the double marking."""
    ts = _session(session_id)
    interview = _own_interview(ts)
    rubric = interviews.rubric_of_item(interview.session_item)
    form = bands_form(rubric)
    if not form.validate_on_submit():
        flash(ERRORS["bad_bands"], "error")
        return redirect(url_for("examiner.interview_page", session_id=ts.id)), 303
    try:
        interviews.finish_interview(
            db_session(), interview, current_user, bands_of(form, rubric), _now()
        )
    except ScoringError as exc:
        db_session().rollback()
        flash(ERRORS[exc.code], "error")
        return redirect(url_for("examiner.interview_page", session_id=ts.id)), 303
    flash(
        _("Voorlopige beoordeling bewaard. De opname gaat naar een tweede examinator."), "success"
    )
    return redirect(url_for("examiner.interviews_page"))


@bp.route("/interview/<int:session_id>/uploads", methods=["POST"])
@roles_required(Role.EXAMINER)
def interview_upload_begin(session_id: int):
    """Start (or resume) the chunked upload of the interview's recording."""
    interview = _own_interview(_json_session(session_id), as_json=True)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(error="bad_request", message="expected a JSON object"), 400
    body.pop("turn", None)
    frame = load_frames().by_id(interview.frame_id)
    seconds = frame.total_seconds * 2 if frame else 1200  # the timer may be overrun
    return upload_http.begin(
        interview.session_item, str(body.get("upload_id")), body, seconds, _now()
    )


def _upload(ts: TestSession, upload_id: str):
    interview = _own_interview(ts, as_json=True)
    return interview, upload_http.find(interview.session_item, upload_id)


@bp.route("/interview/<int:session_id>/uploads/<upload_id>/chunks/<int:index>", methods=["PUT"])
@roles_required(Role.EXAMINER)
def interview_upload_chunk(session_id: int, upload_id: str, index: int):
    """Receive one chunk (raw body, X-Content-SHA256 header)."""
    _interview, upload = _upload(_json_session(session_id), upload_id)
    return upload_http.receive_chunk(upload, index, _now(), label="interview upload")


@bp.route("/interview/<int:session_id>/uploads/<upload_id>/complete", methods=["POST"])
@roles_required(Role.EXAMINER)
def interview_upload_complete(session_id: int, upload_id: str):
    """Join and store the recording and keep it as the interview's one recording."""
    interview, upload = _upload(_json_session(session_id), upload_id)
    try:
        return upload_http.complete(
            upload,
            _now(),
            lambda rec: {"recording_id": rec.id, "flag": rec.flag, "complete": True},
            keep=lambda rec: interviews.attach_recording(db_session(), interview, rec),
            label="interview upload",
        )
    except ScoringError as exc:  # attach_recording: not the examiner's, or already recorded
        db_session().rollback()
        return jsonify(error=exc.code, message=str(exc)), 409
