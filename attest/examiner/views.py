"""Examiner pages: the blind queue and scoring page, calibration, own statistics. The admin pages
about examiners are `admin_views.py` (under /admin/examiners); their old URLs under
/examiner/admin/ redirect there."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    has_request_context,
    redirect,
    render_template,
    request,
    send_file,
    send_from_directory,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from attest.assessment.audio_checks import seekable_webm
from attest.auth import roles_required
from attest.examiner import admin_queries, quality, queue, scoring
from attest.examiner.blocked import blocked_work
from attest.examiner.charts import quality_charts
from attest.examiner.forms import bands_form, bands_of
from attest.forms import EmptyForm
from attest.models import Role
from attest.proctor.services import visible_centre_ids
from attest.request_session import db_session
from attest.storage import StorageError, storage_for

bp = Blueprint("examiner", __name__, url_prefix="/examiner")

ERRORS = {
    "not_yours": _l("Deze opdracht staat niet in jouw wachtrij."),
    "closed": _l("Deze beoordeling is afgesloten en kan niet meer veranderen."),
    "bad_bands": _l("Kies voor elk criterium een band."),
    "no_set": _l("De kalibratieset is nog leeg. Vraag de beheerder om benchmarks."),
    "not_final": _l("Alleen een prestatie met een eindbeoordeling kan dit."),
    "already_benchmark": _l("Deze prestatie is al een benchmark."),
    "no_reason": _l("Geef een reden voor de herbeoordeling."),
    "reason_too_long": _l("Gebruik hoogstens 500 tekens."),
    "no_pair": _l("Er is geen nieuw paar gekalibreerde examinatoren beschikbaar in dit centrum."),
    "not_examiner": _l("Alleen examinatoren worden gekalibreerd."),
}


def _now() -> datetime:
    return datetime.now(UTC)


@bp.route("/")
@roles_required(Role.EXAMINER)
def queue_page():
    work = queue.queue_for(db_session(), current_user, _now())
    return render_template("examiner/queue.html", queue=work, form=EmptyForm())


@bp.route("/queue.json")
@roles_required(Role.EXAMINER)
def queue_json():
    work = queue.queue_for(db_session(), current_user, _now())
    return {
        "is_calibrated": work.is_calibrated,
        "items": [e.as_json() for e in work.entries],
    }


@bp.route("/score/<token>", methods=["GET", "POST"])
@roles_required(Role.EXAMINER)
def score(token: str):
    assignment = scoring.assignment_for(db_session(), current_user, token) or abort(404)
    task = queue.blind_task(db_session(), assignment)
    form = bands_form(task.rubric)
    if form.validate_on_submit():
        try:
            scoring.submit_rating(
                db_session(),
                assignment,
                current_user,
                bands_of(form, task.rubric),
                _now(),
            )
        except scoring.ScoringError as exc:
            db_session().rollback()
            flash(ERRORS[exc.code], "error")
            return render_template("examiner/score.html", task=task, form=form), 409
        flash(_("Beoordeling bewaard."), "success")
        return redirect(url_for("examiner.queue_page"))
    if not form.is_submitted() and task.own_bands:
        for code, band in task.own_bands.items():
            getattr(form, f"band_{code}").data = str(band)
    status = 400 if form.is_submitted() else 200
    return render_template("examiner/score.html", task=task, form=form), status


@bp.route("/media/<token>")
@roles_required(Role.EXAMINER)
def media(token: str):
    assignment = scoring.assignment_for(db_session(), current_user, token) or abort(404)
    return _recording_file(assignment, queue.recording_of(db_session(), assignment) or abort(404))


@bp.route("/media/<token>/turn/<int:turn>")
@roles_required(Role.EXAMINER)
def turn_media(token: str, turn: int):
    """The candidate's answer to one turn of a semi-direct conversation."""
    assignment = scoring.assignment_for(db_session(), current_user, token) or abort(404)
    recording = queue.turn_recording_of(db_session(), assignment, turn) or abort(404)
    return _recording_file(assignment, recording)


@bp.route("/media/<token>/turn/<int:turn>/interlocutor")
@roles_required(Role.EXAMINER)
def turn_clip(token: str, turn: int):
    """The interlocutor's clip of one turn (the bank's media, as the kiosk played it)."""
    assignment = scoring.assignment_for(db_session(), current_user, token) or abort(404)
    relpath = queue.turn_clip_of(assignment, turn) or abort(404)
    bank = Path(current_app.config["BANK_DIR"])
    return send_from_directory(bank / "media", relpath, max_age=3600)


def _recording_file(assignment, recording):
    """Send a candidate's recording (seekable, never cached)."""
    try:
        data = storage_for(current_app.config).get(recording.storage_key)
    except StorageError:
        current_app.logger.warning("recording of assignment %s missing", assignment.id)
        abort(404)
    if "webm" in recording.content_type:
        data = seekable_webm(data)  # MediaRecorder's WebM has no duration: the player showed none
    # conditional: byte ranges, so the examiner can seek and replay a part
    response = send_file(io.BytesIO(data), mimetype=recording.content_type, conditional=True)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/calibration", methods=["GET", "POST"])
@roles_required(Role.EXAMINER)
def calibration():
    if EmptyForm().validate_on_submit():
        try:
            quality.start_calibration(db_session(), current_user, _now())
        except scoring.ScoringError as exc:
            flash(ERRORS[exc.code], "error")
            return redirect(url_for("examiner.calibration")), 303
        flash(_("De kalibratieset staat in je wachtrij."), "success")
        return redirect(url_for("examiner.queue_page"))
    attempts = admin_queries.calibration_attempts(db_session(), current_user)
    return render_template("examiner/calibration.html", attempts=attempts, form=EmptyForm())


@bp.route("/stats")
@roles_required(Role.EXAMINER)
def stats():
    q = quality.examiner_quality(db_session(), current_user)
    return render_template("examiner/stats.html", q=q, charts=quality_charts(q), own=True)


@bp.route("/stats.json")
@roles_required(Role.EXAMINER)
def stats_json():
    return admin_queries.quality_json(quality.examiner_quality(db_session(), current_user))


@bp.app_context_processor
def _blocked_banner() -> dict:
    """Tell an admin, on every staff page, that work waits without an eligible examiner."""
    if not has_request_context() or "_user_id" not in session:
        return {}  # a mail rendered by a CLI command, or nobody signed in: no user to load
    if not (current_user and current_user.is_authenticated and current_user.role is Role.ADMIN):
        return {}
    return {"blocked_count": len(blocked_work(db_session(), visible_centre_ids(current_user)))}


# The admin pages about examiners moved from /examiner/admin/... to /admin/examiners/...
_MOVED = {"examiners": "", "turnaround": "/turnaround", "performances": "/performances"}


@bp.route("/admin/<page>", methods=["GET", "POST"])
@bp.route("/admin/<page>/<path:rest>", methods=["GET", "POST"])
def old_admin_url(page: str, rest: str = ""):
    """Redirect an old admin URL to its new place, keeping the query (308: a POST stays one)."""
    if page not in _MOVED:
        abort(404)
    target = "/admin/examiners" + _MOVED[page] + (f"/{rest}" if rest else "")
    if page == "examiners" and not rest:
        target += "/"
    query = request.query_string.decode("latin-1")
    return redirect(request.script_root + target + (f"?{query}" if query else ""), code=308)
