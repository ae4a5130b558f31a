"""Admin item browser: filter the bank, preview an item as the kiosk shows it, see versions."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, request, send_from_directory

from attest.admin import item_queries
from attest.admin.item_key import key_lines
from attest.assessment import purpose_quality_service
from attest.assessment.cut_score_versions import cut_scores_in_force
from attest.assessment.formats import get_format
from attest.auth import roles_required
from attest.charts import characteristic_curve
from attest.models import Item, Role
from attest.request_session import db_session
from attest.vocabulary import RECEPTIVE

# Nested in the admin blueprint: /admin/items/..., endpoints admin.items.*
bp = Blueprint("items", __name__, url_prefix="/items")


@bp.route("/")
@roles_required(Role.ADMIN)
def index():
    filters = {name: request.args.get(name, "")[:32] for name in item_queries.FILTERS}
    return render_template(
        "admin/items/index.html",
        rows=item_queries.list_items(db_session(), filters),
        filters=filters,
        choices=item_queries.filter_choices(db_session()),
    )


@bp.route("/<item_id>")
@roles_required(Role.ADMIN)
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
    )


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
        "admin/items/report.html", skill=skill, skills=RECEPTIVE, decisions=decisions, **data
    )


@bp.route("/media/<path:relpath>")
@roles_required(Role.ADMIN)
def media(relpath: str):
    return send_from_directory(Path(current_app.config["BANK_DIR"]) / "media", relpath)
