"""Admin item browser: filter the bank, preview an item as the kiosk shows it, see versions."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from attest.admin import item_queries, report_figures
from attest.admin.forms import ReviewStepForm
from attest.admin.item_key import key_lines
from attest.admin.review_labels import (
    ADOPTION_REFUSALS,
    REFUSALS,
    STATE_LABELS,
    STEP_LABELS,
)
from attest.assessment import calibration_adoption, purpose_quality_service, review_service
from attest.assessment.bank_sync import db_history
from attest.assessment.cut_score_versions import cut_scores_in_force
from attest.assessment.formats import get_format
from attest.auth import roles_required
from attest.charts import characteristic_curve
from attest.forms import EmptyForm
from attest.models import Item, Role
from attest.request_session import db_session
from attest.vocabulary import RECEPTIVE

# Nested in the admin blueprint: /admin/items/..., endpoints admin.items.*
bp = Blueprint("items", __name__, url_prefix="/items")


@bp.route("/")
@roles_required(Role.ADMIN, Role.AUTHOR)
def index():
    filters = {name: request.args.get(name, "")[:32] for name in item_queries.FILTERS}
    return render_template(
        "admin/items/index.html",
        rows=item_queries.list_items(db_session(), filters),
        filters=filters,
        choices=item_queries.filter_choices(db_session()),
        state_labels=STATE_LABELS,
    )


@bp.route("/queue")
@roles_required(Role.ADMIN, Role.AUTHOR)
def queue():
    """The items waiting for the person logged in: to review, to check, (admin) to pilot."""
    return render_template(
        "admin/items/queue.html",
        entries=review_service.queue_for(db_session(), current_user),
        step_labels=STEP_LABELS,
        state_labels=STATE_LABELS,
    )


@bp.route("/<item_id>/step", methods=["POST"])
@roles_required(Role.ADMIN, Role.AUTHOR)
def step(item_id: str):
    """Take a review workflow step on the item (review_service.take_step guards it)."""
    form = ReviewStepForm()
    form.step.choices = list(review_service.BROWSER_STEPS)
    if not form.validate_on_submit():
        abort(400)
    try:
        review_service.take_step(
            db_session(),
            item_id[:64],
            form.step.data,
            current_user,
            datetime.now(UTC),
            expected_state=form.expected_state.data or None,
            note=form.note.data or "",
            changes=form.changes.data or "",
        )
    except review_service.StepRefused as exc:
        db_session().rollback()
        if exc.code == "unknown_item":
            abort(404)
        flash(REFUSALS[exc.code], "error")
        return redirect(url_for(".detail", item_id=item_id[:64]), code=303)
    flash(STEP_LABELS[form.step.data], "success")
    return redirect(url_for(".detail", item_id=item_id[:64]), code=303)


@bp.route("/<item_id>")
@roles_required(Role.ADMIN, Role.AUTHOR)
def detail(item_id: str):
    item = db_session().get(Item, item_id[:64]) or abort(404)
    version_no = request.args.get("version", type=int) or item.current_version
    version = next((v for v in item.versions if v.version == version_no), None) or abort(404)
    cuts = cut_scores_in_force(db_session(), item.skill).cuts if item.skill in RECEPTIVE else None
    return render_template(
        "admin/items/detail.html",
        icc=characteristic_curve(version.difficulty, cuts) if cuts else None,
        item=item,
        version=version,
        data=get_format(version.format).render_data(version.content),
        key=key_lines(version.content),
        usage=item_queries.version_usage(db_session(), item),
        history=db_history(item),
        step_labels=STEP_LABELS,
        state_labels=STATE_LABELS,
        step_form=_step_form(item),
    )


def _step_form(item: Item) -> ReviewStepForm | None:
    steps = review_service.steps_for(item, current_user)
    if not steps:
        return None
    form = ReviewStepForm(formdata=None)
    form.step.choices = [(s, STEP_LABELS[s]) for s in steps]
    form.expected_state.data = item.review_state or ""
    return form


@bp.route("/report")
@roles_required(Role.ADMIN)
def report():
    """Show the psychometric report of a receptive skill: item statistics and information."""
    skill = request.args.get("skill", "reading")
    if skill not in RECEPTIVE:
        abort(404)
    data = item_queries.psychometric_report(db_session(), skill, datetime.now(UTC))
    decisions = purpose_quality_service.decision_rows(db_session(), skill)
    return render_template(
        "admin/items/report.html",
        skill=skill,
        skills=RECEPTIVE,
        decisions=decisions,
        figure=report_figures.figure,
        **data,
    )


def _anchoring(value: str | None) -> str:
    return value if value in calibration_adoption.ANCHORINGS else "fixed"


@bp.route("/calibration")
@roles_required(Role.ADMIN)
def calibration():
    """The calibration proposal per item: difficulty, drift, fit, point-biserial, DIF, flags;
    `?anchoring=mean` re-calibrates the live items too."""
    anchoring = _anchoring(request.args.get("anchoring"))
    return render_template(
        "admin/items/calibration.html",
        proposal=calibration_adoption.proposal(
            db_session(), datetime.now(UTC), anchoring=anchoring
        ),
        refusals=ADOPTION_REFUSALS,
        form=EmptyForm(),
        adoptions=item_queries.adoptions(db_session()),
        seen_version=calibration_adoption.latest_version(db_session()),
        min_reason=calibration_adoption.MIN_REASON,
    )


@bp.route("/calibration", methods=["POST"])
@roles_required(Role.ADMIN)
def adopt_calibration():
    """Adopt the selected items' proposed difficulties as a new bank version."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    anchoring = _anchoring(request.form.get("anchoring"))
    keys = [k[:80] for k in request.form.getlist("item")][:2000]
    reasons = {k: request.form.get(f"reason-{k}", "")[:2000] for k in keys}
    seen = request.form.get("seen_version", "")
    try:
        adoption = calibration_adoption.adopt(
            db_session(),
            datetime.now(UTC),
            current_user,
            keys,
            Path(current_app.config["BANK_DIR"]),
            note=request.form.get("note", "")[:2000],
            anchoring=anchoring,
            reasons=reasons,
            seen_version=int(seen) if seen.isdigit() else None,
        )
    except calibration_adoption.AdoptionRefused as exc:
        db_session().rollback()
        flash(f"{ADOPTION_REFUSALS[exc.code]} {exc.item}".strip(), "error")
        return redirect(url_for(".calibration", anchoring=anchoring), code=303)
    flash(
        _("Bankversie %(v)s: %(n)s items overgenomen.", v=adoption.id, n=len(adoption.items)),
        "success",
    )
    return redirect(url_for(".calibration", anchoring=anchoring), code=303)


@bp.route("/media/<path:relpath>")
@roles_required(Role.ADMIN, Role.AUTHOR)
def media(relpath: str):
    return send_from_directory(Path(current_app.config["BANK_DIR"]) / "media", relpath)
