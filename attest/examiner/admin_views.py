"""Admin pages about examiners, under /admin/examiners: quality and calibration per examiner,
seniority, turnaround and blocked work, performances, benchmarks and re-marks on appeal.
Their old URLs under /examiner/admin/ redirect here (`views.old_admin_url`)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from attest.assessment import allocation
from attest.auth import roles_required
from attest.examiner import admin_queries, quality, scoring
from attest.examiner.blocked import blocked_work
from attest.examiner.charts import quality_charts
from attest.examiner.forms import RemarkForm, bands_form, bands_of
from attest.examiner.views import ERRORS
from attest.forms import EmptyForm
from attest.models import Performance, Role, User
from attest.proctor.services import visible_centre_ids
from attest.request_session import db_session

bp = Blueprint("examiner_admin", __name__, url_prefix="/admin/examiners")


def _now() -> datetime:
    return datetime.now(UTC)


def _examiner_or_404(user_id: int) -> User:
    user = db_session().get(User, user_id)
    if user is None or user.role is not Role.EXAMINER:
        abort(404)
    return user


@bp.route("/")
@roles_required(Role.ADMIN)
def index():
    rows = [
        quality.examiner_quality(db_session(), u)
        for u in quality.examiners_of(db_session(), visible_centre_ids(current_user))
    ]
    calibrated = admin_queries.calibrated_ids(db_session())
    return render_template(
        "examiner/admin_examiners.html", rows=rows, calibrated=calibrated, form=EmptyForm()
    )


@bp.route("/<int:user_id>")
@roles_required(Role.ADMIN)
def examiner(user_id: int):
    q = quality.examiner_quality(db_session(), _examiner_or_404(user_id))
    return render_template("examiner/stats.html", q=q, charts=quality_charts(q), own=False)


@bp.route("/<int:user_id>/exempt", methods=["POST"])
@roles_required(Role.ADMIN)
def exempt(user_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    quality.exempt_from_calibration(db_session(), _examiner_or_404(user_id), current_user, _now())
    flash(_("De examinator mag nu live beoordelen."), "success")
    return redirect(url_for("examiner_admin.index"))


@bp.route("/<int:user_id>/senior", methods=["POST"])
@roles_required(Role.ADMIN)
def toggle_senior(user_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    admin_queries.toggle_senior(db_session(), _examiner_or_404(user_id), current_user)
    return redirect(url_for("examiner_admin.index"))


@bp.route("/turnaround")
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


@bp.route("/performances")
@roles_required(Role.ADMIN)
def performances():
    rows = admin_queries.performances(db_session())
    return render_template("examiner/performances.html", rows=rows, form=RemarkForm())


@bp.route("/performances/<int:performance_id>/benchmark", methods=["GET", "POST"])
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
            return redirect(url_for("examiner_admin.performances")), 303
        flash(_("Benchmark bewaard."), "success")
        return redirect(url_for("examiner_admin.performances"))
    if not form.is_submitted() and perf.final_bands:
        for code, band in perf.final_bands.items():
            getattr(form, f"band_{code}").data = str(int(band))
    status = 400 if form.is_submitted() else 200
    return render_template("examiner/benchmark.html", perf=perf, rubric=rubric, form=form), status


@bp.route("/performances/<int:performance_id>/remark", methods=["POST"])
@roles_required(Role.ADMIN)
def remark(performance_id: int):
    perf = db_session().get(Performance, performance_id) or abort(404)
    form = RemarkForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(url_for("examiner_admin.performances")), 303
    try:
        scoring.request_remark(db_session(), perf, current_user, form.reason.data, _now())
    except scoring.ScoringError as exc:
        db_session().rollback()
        flash(ERRORS[exc.code], "error")
        return redirect(url_for("examiner_admin.performances")), 303
    flash(_("De prestatie gaat naar een nieuw paar examinatoren."), "success")
    return redirect(url_for("examiner_admin.performances"))
