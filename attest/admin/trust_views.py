"""Admin pages for trust: find and revoke attestations, partner organisations and their API
keys. (The Verifiable Credential export, for proctors too, is `proctor.credential`.)"""

from __future__ import annotations

from datetime import UTC, datetime, time

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from attest.admin.forms import FindAttestationForm, PartnerForm, RevokeForm
from attest.auth import roles_required
from attest.certificates.partner import (
    PartnerError,
    create_partner,
    renew_key,
    set_enabled,
    set_may_see_photo,
)
from attest.certificates.requirements import profile_codes
from attest.certificates.revocation import (
    RevocationError,
    attestation_by_code,
    revoke_attestation,
)
from attest.forms import EmptyForm
from attest.models import Attestation, AttestationStatus, PartnerOrganisation, Role
from attest.request_session import db_session

# Nested in the admin blueprint: /admin/attestations, /admin/partners, endpoints admin.trust.*
bp = Blueprint("trust", __name__)

REVOKE_MESSAGES = {
    "bad_reason": _l("Kies een reden: fraude, fout of ingetrokken."),
    "not_valid": _l("Dit attest is niet (meer) geldig en kan niet worden ingetrokken."),
    "future": _l("De datum van intrekking mag niet in de toekomst liggen."),
    "before_issue": _l("De datum van intrekking ligt vóór de uitreiking."),
    "note_too_long": _l("De toelichting is te lang (maximaal 300 tekens)."),
    "bad_date": _l("Geef een geldige datum (jjjj-mm-dd)."),
}


def _now() -> datetime:
    return datetime.now(UTC)


@bp.route("/attestations", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def attestations():
    form = FindAttestationForm()
    if form.validate_on_submit():
        att = attestation_by_code(db_session(), form.code.data)
        if att is not None:
            return redirect(url_for("admin.trust.attestation", attestation_id=att.id))
        flash(_("Geen attest met die code."), "error")
    recent = db_session().scalars(
        sa.select(Attestation)
        .where(Attestation.status != AttestationStatus.VALID)
        .order_by(Attestation.id.desc())
        .limit(50)
    )
    return render_template("admin/attestations.html", form=form, recent=list(recent))


@bp.route("/attestations/<int:attestation_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def attestation(attestation_id: int):
    att = db_session().get(Attestation, attestation_id) or abort(404)
    form = RevokeForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            revoked_at = _revocation_moment(form.revoked_on.data)
            revoke_attestation(
                db_session(),
                att,
                current_user,
                form.reason.data,
                revoked_at,
                _now(),
                note=form.note.data or "",
            )
        except RevocationError as exc:
            db_session().rollback()
            flash(REVOKE_MESSAGES[exc.code], "error")
            return render_template("admin/attestation.html", att=att, form=form), 422
        flash(_("Attest ingetrokken."), "success")
        return redirect(url_for("admin.trust.attestation", attestation_id=att.id))
    return render_template("admin/attestation.html", att=att, form=form)


def _revocation_moment(text: str | None) -> datetime:
    """Return the start of the given day in UTC, or now when no date is given."""
    if not text:
        return _now()
    try:
        day = datetime.strptime(text.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise RevocationError("bad_date", "bad date") from None
    return datetime.combine(day, time.min, tzinfo=UTC)


@bp.route("/partners", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def partners():
    form = PartnerForm()
    new_key = None
    status = 200
    if form.validate_on_submit():
        try:
            org, new_key = create_partner(
                db_session(), form.name.data, form.profiles.data, current_user
            )
        except PartnerError as exc:
            db_session().rollback()
            flash(_partner_message(exc.code), "error")
            status = 422
        else:
            flash(_("Organisatie %(name)s aangemaakt.", name=org.name), "success")
    elif request.method == "POST":
        status = 422
    orgs = db_session().scalars(sa.select(PartnerOrganisation).order_by(PartnerOrganisation.name))
    return render_template(
        "admin/partners.html",
        form=form,
        orgs=list(orgs),
        new_key=new_key,
        titles=dict(profile_codes()),
        action_form=EmptyForm(),
    ), status


def _partner_message(code: str) -> str:
    return {
        "bad_name": _("Geef de organisatie een naam (maximaal 200 tekens)."),
        "duplicate_name": _("Er bestaat al een organisatie met die naam."),
        "bad_profiles": _("Kies minstens één vereiste."),
    }.get(code, code)


@bp.route("/partners/<int:org_id>/key", methods=["POST"])
@roles_required(Role.ADMIN)
def renew_partner_key(org_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    org = db_session().get(PartnerOrganisation, org_id) or abort(404)
    api_key = renew_key(db_session(), org, current_user)
    orgs = db_session().scalars(sa.select(PartnerOrganisation).order_by(PartnerOrganisation.name))
    form = PartnerForm(formdata=None)
    flash(_("Nieuwe sleutel voor %(name)s; de oude werkt niet meer.", name=org.name), "success")
    return render_template(
        "admin/partners.html",
        form=form,
        orgs=list(orgs),
        new_key=api_key,
        titles=dict(profile_codes()),
        action_form=EmptyForm(),
    )


@bp.route("/partners/<int:org_id>/enabled", methods=["POST"])
@roles_required(Role.ADMIN)
def toggle_partner(org_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    org = db_session().get(PartnerOrganisation, org_id) or abort(404)
    set_enabled(db_session(), org, not org.is_enabled, current_user)
    return redirect(url_for("admin.trust.partners"))


@bp.route("/partners/<int:org_id>/photo", methods=["POST"])
@roles_required(Role.ADMIN)
def toggle_partner_photo(org_id: int):
    """Switch whether the organisation's agreement lets the API return the holder's photo."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    org = db_session().get(PartnerOrganisation, org_id) or abort(404)
    set_may_see_photo(db_session(), org, not org.may_see_photo, current_user)
    if org.may_see_photo:
        flash(_("%(name)s krijgt voortaan de foto van de houder.", name=org.name), "success")
    else:
        flash(_("%(name)s krijgt geen foto van de houder meer.", name=org.name), "success")
    return redirect(url_for("admin.trust.partners"))
