"""Examiner pages: the blind queue and scoring page, calibration, own statistics; and the admin
pages for examiner quality, turnaround, benchmarks and re-marks on appeal."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    send_file,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from attest.assessment import allocation
from attest.assessment.audio_checks import seekable_webm
from attest.auth import roles_required
from attest.database import db_session
from attest.examiner import admin_queries, quality, queue, scoring
from attest.examiner.blocked import blocked_work
from attest.examiner.charts import quality_charts
from attest.examiner.forms import RemarkForm, bands_form, bands_of
from attest.forms import EmptyForm
from attest.models import Performance, Role, User
from attest.proctor.services import visible_centre_ids
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
                current_app.config,
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
    recording = queue.recording_of(db_session(), assignment) or abort(404)
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


# Admin pages -------------------------------------------------------------------------------


def _examiner_or_404(user_id: int) -> User:
    user = db_session().get(User, user_id)
    if user is None or user.role is not Role.EXAMINER:
        abort(404)
    return user


@bp.route("/admin/examiners")
@roles_required(Role.ADMIN)
def admin_examiners():
    rows = [
        quality.examiner_quality(db_session(), u)
        for u in quality.examiners_of(db_session(), visible_centre_ids(current_user))
    ]
    calibrated = admin_queries.calibrated_ids(db_session())
    return render_template(
        "examiner/admin_examiners.html", rows=rows, calibrated=calibrated, form=EmptyForm()
    )


@bp.route("/admin/examiners/<int:user_id>")
@roles_required(Role.ADMIN)
def admin_examiner(user_id: int):
    q = quality.examiner_quality(db_session(), _examiner_or_404(user_id))
    return render_template("examiner/stats.html", q=q, charts=quality_charts(q), own=False)


@bp.route("/admin/examiners/<int:user_id>/exempt", methods=["POST"])
@roles_required(Role.ADMIN)
def exempt(user_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    quality.exempt_from_calibration(db_session(), _examiner_or_404(user_id), current_user, _now())
    flash(_("De examinator mag nu live beoordelen."), "success")
    return redirect(url_for("examiner.admin_examiners"))


@bp.route("/admin/examiners/<int:user_id>/senior", methods=["POST"])
@roles_required(Role.ADMIN)
def toggle_senior(user_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    admin_queries.toggle_senior(db_session(), _examiner_or_404(user_id), current_user)
    return redirect(url_for("examiner.admin_examiners"))


@bp.route("/admin/turnaround")
@roles_required(Role.ADMIN)
def turnaround():
    centres = visible_centre_ids(current_user)
    rows, summary = quality.turnaround(db_session(), centres, _now())
    return render_template(
        "examiner/turnaround.html",
        rows=rows,
        summary=summary,
        blocked=blocked_work(db_session(), centres),
        blocked_reasons=BLOCKED_REASONS,
    )


BLOCKED_REASONS = {
    allocation.NO_EXAMINER: _l("er is geen gekalibreerde examinator in dit centrum"),
    allocation.TOO_FEW_EXAMINERS: _l(
        "te weinig examinatoren: de anderen namen de test af of beoordeelden deze prestatie al"
    ),
    allocation.PAIRS_USED: _l(
        "elk vrij paar examinatoren beoordeelde al een andere opdracht van deze kandidaat; "
        "voeg examinatoren toe"
    ),
    allocation.NO_SENIOR: _l("er is geen senior examinator in dit centrum"),
    allocation.SENIORS_RATED_IT: _l(
        "elke senior examinator beoordeelde deze prestatie al; maak een andere examinator senior"
    ),
}


@bp.app_context_processor
def _blocked_banner() -> dict:
    """Tell an admin, on every staff page, that work waits without an eligible examiner."""
    if "_user_id" not in session:  # nobody signed in (e.g. public pages): no user to load
        return {}
    if not (current_user and current_user.is_authenticated and current_user.role is Role.ADMIN):
        return {}
    return {"blocked_count": len(blocked_work(db_session(), visible_centre_ids(current_user)))}


@bp.route("/admin/performances")
@roles_required(Role.ADMIN)
def performances():
    rows = admin_queries.performances(db_session())
    return render_template("examiner/performances.html", rows=rows, form=RemarkForm())


@bp.route("/admin/performances/<int:performance_id>/benchmark", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def benchmark(performance_id: int):
    perf = db_session().get(Performance, performance_id) or abort(404)
    rubric = scoring.rubric_of(perf)
    form = bands_form(rubric, with_calibration=True)
    if form.validate_on_submit():
        try:
            quality.mark_benchmark(
                db_session(),
                perf,
                current_user,
                bands_of(form, rubric),
                bool(form.is_calibration.data),
                _now(),
            )
        except scoring.ScoringError as exc:
            db_session().rollback()
            flash(ERRORS[exc.code], "error")
            return redirect(url_for("examiner.performances")), 303
        flash(_("Benchmark bewaard."), "success")
        return redirect(url_for("examiner.performances"))
    if not form.is_submitted() and perf.final_bands:
        for code, band in perf.final_bands.items():
            getattr(form, f"band_{code}").data = str(int(band))
    status = 400 if form.is_submitted() else 200
    return render_template("examiner/benchmark.html", perf=perf, rubric=rubric, form=form), status


@bp.route("/admin/performances/<int:performance_id>/remark", methods=["POST"])
@roles_required(Role.ADMIN)
def remark(performance_id: int):
    perf = db_session().get(Performance, performance_id) or abort(404)
    form = RemarkForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(url_for("examiner.performances")), 303
    try:
        scoring.request_remark(db_session(), perf, current_user, form.reason.data, _now())
    except scoring.ScoringError as exc:
        db_session().rollback()
        flash(ERRORS[exc.code], "error")
        return redirect(url_for("examiner.performances")), 303
    flash(_("De prestatie gaat naar een nieuw paar examinatoren."), "success")
    return redirect(url_for("examiner.performances"))
