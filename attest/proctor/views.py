"""Proctor pages: candidates, sessions with start codes, results and attestations."""

from __future__ import annotations

from functools import partial

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as web_session
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from attest.admissions import admission_of
from attest.assessment import session_clock
from attest.assessment.delivery import (
    DeliveryError,
    UnfitAudio,
    check_audio_fit,
    renew_start_code,
)
from attest.assessment.purposes import load_purposes
from attest.assessment.results import attestation_for_session, levels_of, ratings_pending
from attest.assessment.session_events import events_of, open_calls
from attest.assessment.studio import provenance_to_enforce
from attest.auth import roles_required
from attest.certificates.issuing import IssueChoice, IssueError, issue_attestation, issuer_of
from attest.certificates.requirements import profile_codes
from attest.certificates.vc_service import CredentialError, credential_jwt
from attest.examiner import interview_service as interviews
from attest.examiner.assignments import ScoringError
from attest.forms import EmptyForm
from attest.kiosk.languages import kiosk_language
from attest.models import Attestation, AttestationStatus, SessionStatus
from attest.proctor import STAFF, bp, retakes, services
from attest.proctor import now as _now
from attest.proctor.forms import (
    ADMISSION_DOCUMENTS,
    CandidateForm,
    DisplayModesForm,
    EndSessionForm,
    ExtraTimeForm,
    IssueForm,
    SpeakingModeForm,
    StartSessionForm,
)
from attest.proctor.labels import (
    DETAIL_LABELS,
    EVENT_HELP,
    EVENT_LABELS,
    STATUS_LABELS,
    STOP_LABELS,
)
from attest.request_session import db_session, on_rollback
from attest.storage import storage_for

# What kiosk calls say to the proctor (kinds and reasons of session events).
CALL_LABELS = {
    "microphone_problem": _l("Probleem met de microfoon"),
    "recording_flagged": _l("Opname nakijken"),
}
CALL_REASONS = {
    "silent": _l("er is (bijna) niets te horen"),
    "no_microphone": _l("geen microfoon gevonden"),
    "denied": _l("de microfoon is geblokkeerd"),
    "truncated": _l("de opname is onvolledig"),
    "undecodable": _l("de opname is onleesbaar"),
    "incomplete": _l("de opname is niet volledig aangekomen"),
}

FIELD_MESSAGES = {
    "required": _l("Dit veld is verplicht."),
    "too_long": _l("Dit is te lang."),
    "bidi_control": _l("Bevat een onzichtbaar teken dat de leesrichting verandert."),
    "bad_character": _l("Bevat een teken dat niet in een naam hoort (cijfers of symbolen)."),
    "mononym_in_given": _l(
        "Heeft het identiteitsdocument maar één naam? Vul die in bij Familienaam en laat "
        "Voornamen leeg."
    ),
    "no_letters": _l("Een naam moet letters bevatten."),
    "future": _l("De geboortedatum ligt in de toekomst."),
    "age": _l("De leeftijd moet tussen 12 en 120 jaar liggen."),
    "insz_format": _l("Verwacht 11 cijfers, bijvoorbeeld 85.07.30-033.28."),
    "insz_check": _l("De controlecijfers kloppen niet: controleer het rijksregisternummer."),
    "insz_birth_date": _l("Het rijksregisternummer past niet bij de geboortedatum."),
    "document_type": _l("Kies een type document uit de lijst."),
    "document_number": _l(
        "Vul het documentnummer in, of minstens de laatste 4 letters of cijfers"
        " (alleen letters, cijfers, spaties, '.', '-' of '/')."
    ),
}
# Name errors that show the offending character ("%(char)s") and name the field ("%(field)s").
NAME_MESSAGES = {
    "required": _l(
        "%(field)s is verplicht. Heeft het identiteitsdocument maar één naam, vul die dan hier in."
    ),
    "control": _l("%(field)s bevat een onzichtbaar stuurteken (%(char)s): typ de naam opnieuw."),
    "digit": _l("%(field)s bevat een cijfer (%(char)s): een naam heeft geen cijfers."),
    "symbol": _l("%(field)s bevat een teken dat niet in een naam hoort: %(char)s"),
    "joiner": _l(
        "%(field)s bevat een onzichtbaar verbindingsteken (%(char)s) dat niet binnen een woord "
        "staat."
    ),
    "unprintable": _l(
        "%(field)s bevat een teken (%(char)s) dat het attest niet kan afdrukken. Schrijf de naam "
        "zoals in Latijnse letters op het identiteitsdocument."
    ),
}
NAME_FIELDS = {"family_name": _l("Familienaam"), "given_names": _l("Voornamen")}
CALL_MESSAGES = {
    "storage_error": _l(
        "Een opname kon niet worden opgeslagen (opslag vol of onbereikbaar). De kiosk bewaart "
        "ze en probeert opnieuw; verwittig de beheerder."
    ),
}
ISSUE_MESSAGES = {
    "not_completed": _l("de test is nog niet afgerond"),
    "awaiting_ratings": _l("spreken of schrijven wacht nog op de eindbeoordeling van examinatoren"),
    "already_issued": _l("voor deze test is al een attest uitgereikt"),
    "no_key": _l("er is geen actieve ondertekeningssleutel; vraag de beheerder"),
    "storage": _l("het attest kon niet worden opgeslagen; probeer later opnieuw"),
    "unknown_requirement": _l("kies een vereiste uit de lijst"),
    "lease_start": _l("vul voor sociale huur de startdatum van het huurcontract in"),
    "uncertain": _l(
        "een resultaat is onzeker: bevestig het met een reden, of overweeg een nieuwe test"
    ),
}


def _issue_form(formdata=None) -> IssueForm:
    form = IssueForm(formdata=formdata)
    form.requirement.choices = [SelectChoice("", _("geen vereiste vermelden"))] + [
        SelectChoice(code, title) for code, title in profile_codes()
    ]
    return form


def unfit_audio_message(exc: UnfitAudio) -> str:
    """Return the proctor's message for a live purpose refused for its clips."""
    return _(
        "Deze test kan nu niet starten: %(n)s van de %(total)s luisterfragmenten van "
        "\u201c%(purpose)s\u201d zijn geen goedgekeurde opnames van een mens (bv. %(examples)s). "
        "Een beheerder neemt ze op in de audiostudio; tot dan kan deze test niet live "
        "afgenomen worden.",
        n=len(exc.unfit),
        total=exc.clips,
        purpose=exc.purpose.title,
        examples=", ".join(exc.unfit[:3]),
    )


def _retake_message(exc: retakes.RetakeRefused) -> str:
    day = format_date(exc.decision.next_allowed_on)
    if exc.decision.reason == "too_many":
        text = _(
            "Een nieuwe poging voor dit doel kan pas vanaf %(date)s: hoogstens %(n)d pogingen "
            "per 12 maanden.",
            date=day,
            n=exc.rule.max_attempts_per_12_months,
        )
    else:
        text = _(
            "Een nieuwe poging voor dit doel kan pas vanaf %(date)s: tussen twee pogingen liggen "
            "minstens %(days)d dagen.",
            date=day,
            days=exc.rule.min_days_between,
        )
    return text + " " + _("Een beheerder kan een uitzondering toestaan, met een reden.")


def _field_message(field: str, code: str, details: dict[str, str]) -> str:
    if field in NAME_FIELDS and code in NAME_MESSAGES:
        return str(NAME_MESSAGES[code]) % {
            "field": NAME_FIELDS[field],
            "char": details.get(field, ""),
        }
    return str(FIELD_MESSAGES[code])


@bp.route("/")
@roles_required(*STAFF)
def dashboard():
    query = request.args.get("q", "")[:200]
    candidates = services.search_candidates(db_session(), current_user, query)
    return render_template("proctor/dashboard.html", candidates=candidates, query=query)


@bp.route("/candidates/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new_candidate():
    form = CandidateForm()
    if form.validate_on_submit():
        data = services.CandidateInput(
            form.family_name.data or "",
            form.given_names.data or "",
            form.birth_date.data,
            form.insz.data or "",
            form.id_document_type.data,
            form.id_document_number.data or "",
            bool(form.is_new_person.data),
        )
        centre_id = current_user.centre_id
        if centre_id is None:
            flash(
                _("Je account hoort bij geen centrum: je kunt geen kandidaten inschrijven."),
                "error",
            )
            return render_template("proctor/candidate_form.html", form=form), 400
        try:
            candidate = services.register_candidate(
                db_session(), data, current_user, centre_id, _now().date()
            )
        except services.CandidateInvalid as exc:
            for field, code in exc.errors.items():
                getattr(form, field).errors = [_field_message(field, code, exc.details)]
        except services.DuplicateCandidate as exc:
            return render_template("proctor/candidate_form.html", form=form, duplicate=exc), 409
        else:
            flash(_("Kandidaat ingeschreven."), "success")
            return redirect(url_for("proctor.candidate", candidate_id=candidate.id))
    status = 400 if form.is_submitted() else 200
    return render_template("proctor/candidate_form.html", form=form), status


def _live_purpose_choices() -> list[SelectChoice]:
    """Offer only live purposes: a draft one cannot start a session (delivery refuses it)."""
    return [SelectChoice(p.code, p.title) for p in load_purposes().values() if p.is_live]


@bp.route("/candidates/<int:candidate_id>")
@roles_required(*STAFF)
def candidate(candidate_id: int):
    cand = services.candidate_for(db_session(), current_user, candidate_id) or abort(404)
    form = StartSessionForm()
    form.purpose.choices = _live_purpose_choices()
    return render_template(
        "proctor/candidate.html",
        candidate=cand,
        form=form,
        sessions=services.sessions_of(db_session(), cand),
    )


@bp.route("/candidates/<int:candidate_id>/sessions", methods=["POST"])
@roles_required(*STAFF)
def start_session(candidate_id: int):
    cand = services.candidate_for(db_session(), current_user, candidate_id) or abort(404)
    form = StartSessionForm()
    form.purpose.choices = _live_purpose_choices()
    if not form.validate_on_submit():
        abort(400)
    try:
        ts, code = retakes.start_attempt(
            db_session(),
            cand,
            form.purpose.data,
            current_user,
            _now(),
            current_app.config["START_CODE_MINUTES"],
            is_fee_paid=bool(form.is_fee_paid.data),
            exception_reason=form.exception_reason.data or "",
            audio_provenance=provenance_to_enforce(current_app.config),
        )
    except retakes.RetakeRefused as exc:
        flash(_retake_message(exc), "error")
        return redirect(url_for("proctor.candidate", candidate_id=cand.id)), 303
    except UnfitAudio as exc:
        flash(unfit_audio_message(exc), "error")
        return redirect(url_for("proctor.candidate", candidate_id=cand.id)), 303
    web_session[f"start_code_{ts.id}"] = code  # shown once on the next page
    return redirect(url_for("proctor.test_session", session_id=ts.id))


@bp.route("/sessions/<int:session_id>")
@roles_required(*STAFF)
def test_session(session_id: int):
    ts = services.session_for(db_session(), current_user, session_id) or abort(404)
    session = db_session()
    timeout = float(current_app.config["KIOSK_HEARTBEAT_TIMEOUT_SECONDS"])
    if ts.status is SessionStatus.IN_PROGRESS:
        session_clock.expire(session, ts, _now(), timeout)  # looking closes what ran out
    return render_template(
        "proctor/session.html",
        ts=ts,
        start_code=web_session.pop(f"start_code_{ts.id}", None),
        levels=levels_of(ts),
        attempts=services.section_attempts(session, ts),
        attestation=attestation_for_session(session, ts),
        pending=ratings_pending(session, ts),
        form=EmptyForm(),
        issue_form=_issue_form(),
        uncertain=[r.skill for r in ts.results if r.is_uncertain],
        clock=session_clock.status(session, ts, _now(), timeout),
        clocks=session_clock.clocks_of(session, ts),
        events=events_of(session, ts),
        event_labels=EVENT_LABELS,
        event_help=EVENT_HELP,
        detail_labels=DETAIL_LABELS,
        status_labels=STATUS_LABELS,
        stop_labels=STOP_LABELS,
        purpose=load_purposes().get(ts.purpose_code),
        extra_form=ExtraTimeForm(formdata=None),
        end_form=EndSessionForm(formdata=None),
        calls=open_calls(db_session(), ts),
        call_messages=CALL_MESSAGES,
        call_labels=CALL_LABELS,
        call_reasons=CALL_REASONS,
        language=kiosk_language(ts.language),
        display_form=DisplayModesForm(
            large_text=ts.is_large_text, high_contrast=ts.is_high_contrast
        ),
        speaking_form=SpeakingModeForm(formdata=None, examiner_led=ts.is_examiner_led),
        admission=admission_of(session, ts),
        document_labels={c.value: c.label for c in ADMISSION_DOCUMENTS},
        unfit_audio=_unfit_audio_of(ts),
    )


def _unfit_audio_of(ts) -> str | None:
    """Return why a kiosk would refuse to start this session for its clips (None if it would
    not): the same check as at the kiosk, so the proctor sees the reason the candidate is not
    told."""
    provenance = provenance_to_enforce(current_app.config)
    purpose = load_purposes().get(ts.purpose_code)
    if provenance is None or purpose is None or ts.status is not SessionStatus.CREATED:
        return None
    try:
        check_audio_fit(db_session(), purpose, provenance)
    except UnfitAudio as exc:
        return unfit_audio_message(exc)
    return None


@bp.route("/sessions/<int:session_id>/code", methods=["POST"])
@roles_required(*STAFF)
def new_code(session_id: int):
    ts = services.session_for(db_session(), current_user, session_id) or abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        code = renew_start_code(
            db_session(), ts, current_user, _now(), current_app.config["START_CODE_MINUTES"]
        )
    except DeliveryError:
        flash(_("Deze sessie is al afgelopen: een nieuwe startcode is niet mogelijk."), "error")
    else:
        web_session[f"start_code_{ts.id}"] = code
    return redirect(url_for("proctor.test_session", session_id=ts.id))


@bp.route("/sessions/<int:session_id>/attestation", methods=["POST"])
@roles_required(*STAFF)
def issue(session_id: int):
    ts = services.session_for(db_session(), current_user, session_id) or abort(404)
    form = _issue_form(request.form)
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        flash(_("Het attest kan niet worden uitgereikt: controleer de datum en de reden."), "error")
        return redirect(url_for("proctor.test_session", session_id=ts.id)), 303
    choice = IssueChoice(
        requirement=form.requirement.data or None,
        lease_start=form.lease_start.data,
        uncertain_reason=form.uncertain_reason.data or "",
    )
    try:
        att = issue_attestation(
            db_session(), ts, current_user, _now(), issuer_of(current_app), choice
        )
    except IssueError as exc:
        db_session().rollback()  # nothing half-issued: no row without its stored PDF
        if (
            exc.code == "already_issued"
            and attestation_for_session(db_session(), ts).status is AttestationStatus.VALID
        ):
            # A double-click, or another proctor at the same time: the request that came
            # first issued it (this one waited for it), and both are answered with that one.
            flash(_("Attest uitgereikt."), "success")
            return redirect(url_for("proctor.test_session", session_id=ts.id))
        current_app.logger.warning("attestation not issued for session %s: %s", ts.id, exc)
        flash(
            _("Het attest kan niet worden uitgereikt: %(reason)s", reason=ISSUE_MESSAGES[exc.code]),
            "error",
        )
        return redirect(url_for("proctor.test_session", session_id=ts.id)), 303
    # The sealed PDF is stored before the row commits: if the commit fails, remove the file.
    on_rollback(partial(storage_for(current_app.config).delete, att.pdf_path))
    flash(_("Attest uitgereikt."), "success")
    return redirect(url_for("proctor.test_session", session_id=ts.id))


@bp.route("/sessions/<int:session_id>/attestation.pdf")
@roles_required(*STAFF)
def attestation_pdf(session_id: int):
    ts = services.session_for(db_session(), current_user, session_id) or abort(404)
    att = attestation_for_session(db_session(), ts) or abort(404)
    data = storage_for(current_app.config).get(att.pdf_path)
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="attest-{att.code}.pdf"'},
    )


@bp.route("/sessions/<int:session_id>/display", methods=["POST"])
@roles_required(*STAFF)
def display_modes(session_id: int):
    """Switch large text and high contrast on or off for the session's kiosk pages."""
    ts = services.session_for(db_session(), current_user, session_id) or abort(404)
    form = DisplayModesForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        changes = services.set_display_modes(
            db_session(),
            ts,
            current_user,
            large_text=bool(form.large_text.data),
            high_contrast=bool(form.high_contrast.data),
        )
    except services.DisplayModeError:
        flash(_("Deze sessie is afgelopen: de weergave kan niet meer veranderen."), "error")
        return redirect(url_for("proctor.test_session", session_id=ts.id)), 303
    if changes:
        flash(_("Weergave op de kiosk aangepast."), "success")
    return redirect(url_for("proctor.test_session", session_id=ts.id))


@bp.route("/sessions/<int:session_id>/speaking-mode", methods=["POST"])
@roles_required(*STAFF)
def speaking_mode(session_id: int):
    """Let a live examiner hold the speaking tasks of this session (or the kiosk alone)."""
    ts = services.session_for(db_session(), current_user, session_id) or abort(404)
    form = SpeakingModeForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        changed = interviews.set_examiner_led(
            db_session(), ts, current_user, bool(form.examiner_led.data)
        )
    except ScoringError:
        flash(_("Het spreken is al begonnen: wie het afneemt, kan niet meer veranderen."), "error")
        return redirect(url_for("proctor.test_session", session_id=ts.id)), 303
    if changed:
        flash(_("Afname van het spreken aangepast."), "success")
    return redirect(url_for("proctor.test_session", session_id=ts.id))


@bp.route("/attestations/<int:attestation_id>/credential.jwt")
@roles_required(*STAFF)
def credential(attestation_id: int):
    """Download the attestation as an Open Badges 3.0 VC-JWT (for the holder's wallet)."""
    att = db_session().get(Attestation, attestation_id)
    if att is None or services.session_for(db_session(), current_user, att.session_id) is None:
        abort(404)  # another centre's attestation does not exist for this user
    try:
        token = credential_jwt(db_session(), att, _now(), issuer_of(current_app))
    except CredentialError:
        abort(409)
    return Response(
        token,
        mimetype="application/jwt",
        headers={"Content-Disposition": f'attachment; filename="attest-{att.code}.jwt"'},
    )


@bp.context_processor
def _synthetic_audio() -> dict:
    """Offer the proctor pages the number of clips played with a synthetic voice (a notice)."""
    return {
        "synthetic_clips": _synthetic_clip_count,
        "synthetic_audio_allowed": lambda: current_app.config["SYNTHETIC_AUDIO"] == "allow",
    }


def _synthetic_clip_count() -> int:
    from pathlib import Path

    from attest.assessment.provenance import ProvenanceError, load_provenance
    from attest.assessment.studio import synthetic_in_use

    try:
        provenance = load_provenance(Path(current_app.config["BANK_DIR"]))
    except ProvenanceError:
        return 0
    return synthetic_in_use(db_session(), provenance)


from attest.proctor import admission_views, console_views  # noqa: E402,F401  (routes on bp)
