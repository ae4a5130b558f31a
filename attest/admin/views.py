"""Admin pages: register kiosks (this browser, or by a one-time link) and list staff."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from attest.admin.answer_views import bp as answers_bp
from attest.admin.forms import KioskForm
from attest.admin.item_views import bp as items_bp
from attest.admin.report_views import bp as reports_bp
from attest.admin.studio_views import bp as studio_bp
from attest.admin.trust_views import bp as trust_bp
from attest.audit import record_event
from attest.auth import roles_required
from attest.auth.kiosks import (
    KioskError,
    create_enrolment_link_token,
    register_kiosk,
    set_kiosk_cookie,
)
from attest.forms import EmptyForm
from attest.models import Candidate, Centre, Kiosk, Role, User
from attest.request_session import db_session

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _kiosk_form() -> KioskForm:
    form = KioskForm()
    form.centre.choices = [
        SelectChoice(c.id, c.name)
        for c in db_session().scalars(sa.select(Centre).order_by(Centre.name))
    ]
    return form


@bp.route("/")
@roles_required(Role.ADMIN)
def index():
    session = db_session()
    kiosks = session.scalars(sa.select(Kiosk).order_by(Kiosk.centre_id, Kiosk.name)).all()
    users = session.scalars(sa.select(User).order_by(User.role, User.username)).all()
    return render_template(
        "admin/index.html", kiosks=kiosks, users=users, form=_kiosk_form(), link_form=EmptyForm()
    )


@bp.route("/kiosks", methods=["POST"])
@roles_required(Role.ADMIN)
def register_this_browser():
    form = _kiosk_form()
    if not form.validate_on_submit():
        flash(_("Kies een centrum en geef de kiosk een naam."), "error")
        return redirect(url_for("admin.index")), 303
    centre = db_session().get(Centre, form.centre.data) or abort(400)
    try:
        kiosk, token = register_kiosk(db_session(), centre, form.name.data)
    except KioskError:
        flash(_("Er bestaat al een kiosk met die naam in dit centrum."), "error")
        return redirect(url_for("admin.index")), 303
    record_event(db_session(), current_user, "kiosk.register", "kiosk", kiosk.id)
    flash(_("Deze browser is nu geregistreerd als kiosk %(name)s.", name=kiosk.name), "success")
    return set_kiosk_cookie(redirect(url_for("admin.index")), token)


@bp.route("/kiosks/<int:kiosk_id>/link", methods=["POST"])
@roles_required(Role.ADMIN)
def enrolment_link(kiosk_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    kiosk = db_session().get(Kiosk, kiosk_id) or abort(404)
    token = create_enrolment_link_token(kiosk, datetime.now(UTC))
    record_event(db_session(), current_user, "kiosk.enrolment_link", "kiosk", kiosk.id)
    link = url_for("kiosk.enrol", token=token, _external=True)
    return render_template("admin/enrolment_link.html", kiosk=kiosk, link=link)


@bp.route("/candidates/<int:candidate_id>/export.zip")
@roles_required(Role.ADMIN)
def candidate_export(candidate_id: int):
    """Subject-access request: the candidate's data as JSON plus the sealed PDFs (audited)."""
    from attest.storage import storage_for
    from attest.subject_access import export_candidate

    candidate = db_session().get(Candidate, candidate_id) or abort(404)
    data = export_candidate(db_session(), storage_for(current_app.config), candidate)
    record_event(db_session(), current_user, "candidate.export", "candidate", candidate.id)
    return Response(
        data,
        mimetype="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="attest-candidate-{candidate.id}.zip"'
        },
    )


@bp.route("/kiosk-languages")
@roles_required(Role.ADMIN)
def kiosk_languages():
    """Per kiosk language: do the general instructions have audio, and of what provenance."""
    from dataclasses import replace
    from pathlib import Path

    from attest.assessment.instruction_audio import HUMAN, audio_dir, instruction_provenance
    from attest.assessment.studio import approved_clip, instruction_media_path
    from attest.kiosk.languages import INSTRUCTIONS, SPOKEN_INSTRUCTIONS

    rows, studio = [], {}
    for row in instruction_provenance(
        Path(current_app.root_path) / "translations",
        audio_dir(Path(current_app.static_folder or "")),
    ):
        # an approved studio recording is what the kiosk plays (not yet exported to the files)
        recorded = approved_clip(db_session(), instruction_media_path(row.language.code))
        if recorded is not None:
            row = replace(row, kind=HUMAN, voice=None, is_current=True,
                          paragraphs=len(SPOKEN_INSTRUCTIONS))  # fmt: skip
            studio[row.language.code] = recorded
        rows.append(row)
    return render_template(
        "admin/kiosk_languages.html", rows=rows, total=len(INSTRUCTIONS), studio=studio
    )


# The other admin pages are blueprints of their own, nested in this one: their URLs start with
# /admin, their endpoints with "admin." (admin.items.index, admin.trust.partners, ...).
for _child in (items_bp, answers_bp, reports_bp, trust_bp, studio_bp):
    bp.register_blueprint(_child)
