"""Admission pages: the proctor checks the identity document and takes the test-day photo
before the session starts (attest.admissions); the photo is served only to staff who may see
the session, never cached."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from attest import admissions, id_documents, photos
from attest.auth import roles_required
from attest.proctor import STAFF, bp, services
from attest.proctor import now as _now
from attest.proctor.forms import AdmissionForm
from attest.request_session import db_session

DOCUMENT_MESSAGES = {
    "document_type": _l("Kies een type document uit de lijst."),
    "other_required": _l("Beschrijf welk document de kandidaat toont."),
    "control": _l("Bevat een onzichtbaar stuurteken: typ de tekst opnieuw."),
    "too_long": _l("Dit is te lang."),
    "country": _l("Kies het land van uitgifte uit de lijst."),
    "number_end": _l("Vul de laatste 4 letters of cijfers van het documentnummer in."),
    "required": _l("Vul de vervaldatum van het document in."),
    "expired": _l(
        "Dit document is verlopen. Een verlopen document wordt geweigerd, tenzij u hieronder "
        "een reden opgeeft."
    ),
}
PHOTO_MESSAGES = {
    "missing": _l("Neem een foto met de camera, of laad er een op als er geen camera is."),
    "empty": _l("Het fotobestand is leeg."),
    "too_big": _l("De foto is te groot: hoogstens 5 MB."),
    "type": _l("De foto moet een JPEG- of PNG-bestand zijn."),
    "unreadable": _l("Het fotobestand is beschadigd of onleesbaar."),
    "too_small": _l("De foto is te klein: minstens 120 beeldpunten breed en hoog."),
}
REFUSALS = {
    "already_admitted": _l("Deze kandidaat is al toegelaten tot deze sessie."),
    "session_started": _l("Deze sessie is al gestart of afgelopen: toelaten kan alleen vooraf."),
    "bad_booking": _l("Kies een afspraak van deze kandidaat uit de lijst."),
}


def _form(ts, formdata=None) -> AdmissionForm:
    form = AdmissionForm(formdata=formdata) if formdata is not None else AdmissionForm()
    form.country.choices = [SelectChoice("", _("Kies een land"))] + [
        SelectChoice(code, name) for code, name in id_documents.countries()
    ]
    form.booking.choices = [SelectChoice("", _("Zonder afspraak (walk-in)"))] + [
        SelectChoice(str(b.id), f"{b.slot.starts_at:%d-%m-%Y %H:%M} · {b.slot.purpose_code}")
        for b in admissions.bookings_for(db_session(), ts)
    ]
    return form


def _page(ts, form, status: int = 200):
    session = db_session()
    return (
        render_template(
            "proctor/admission.html",
            ts=ts,
            form=form,
            admission=admissions.admission_of(session, ts),
            previous=admissions.previous_admissions(session, ts)[:3],
        ),
        status,
    )


@bp.route("/sessions/<int:session_id>/admission", methods=["GET", "POST"])
@roles_required(*STAFF)
def admit(session_id: int):
    ts = services.session_for(db_session(), current_user, session_id) or abort(404)
    form = _form(ts)
    if request.method == "GET":
        return _page(ts, form)
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        return _page(ts, form, 400)
    ok = True
    try:
        doc = id_documents.check_document(
            id_documents.DocumentInput(
                form.document_type.data or "",
                form.other_type.data or "",
                form.country.data or "",
                form.number_end.data or "",
                form.expires_on.data,
                form.expired_reason.data or "",
            ),
            _now().date(),
        )
    except id_documents.DocumentInvalid as exc:
        ok = False
        for field, code in exc.errors.items():
            getattr(form, field).errors = [DOCUMENT_MESSAGES[code]]
    upload = request.files.get("photo")
    jpeg = b""
    try:
        if upload is None or not upload.filename:
            raise photos.PhotoInvalid("missing")
        jpeg = photos.prepare_photo(upload.read(photos.MAX_BYTES + 1))
    except photos.PhotoInvalid as exc:
        ok = False
        form.photo.errors = [PHOTO_MESSAGES[exc.code]]
    if not ok:
        return _page(ts, form, 400)
    booking = form.booking.data or ""
    data = admissions.AdmissionInput(
        doc,
        jpeg,
        "camera" if form.photo_source.data == "camera" else "upload",
        (int(booking) if booking.isdigit() else -1) if booking else None,
    )
    try:
        admissions.admit(db_session(), ts, data, current_user, _now())
    except admissions.AdmissionRefused as exc:
        db_session().rollback()
        if exc.code == "already_admitted":  # a double-click: the first request admitted
            flash(REFUSALS[exc.code], "success")
            return redirect(url_for("proctor.test_session", session_id=session_id)), 303
        flash(REFUSALS[exc.code], "error")
        ts = services.session_for(db_session(), current_user, session_id) or abort(404)
        return _page(ts, _form(ts, formdata=request.form), 409)
    flash(_("Kandidaat toegelaten."), "success")
    return redirect(url_for("proctor.test_session", session_id=session_id), 303)


@bp.route("/sessions/<int:session_id>/photo.jpg")
@roles_required(*STAFF)
def session_photo(session_id: int):
    """The test-day photo of a session's admission, for staff of its centre; never cached."""
    ts = services.session_for(db_session(), current_user, session_id) or abort(404)
    jpeg = admissions.photo_of(admissions.admission_of(db_session(), ts)) or abort(404)
    return Response(
        jpeg,
        mimetype="image/jpeg",
        headers={"Cache-Control": "no-store", "Content-Disposition": "inline"},
    )
