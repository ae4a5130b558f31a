"""Proctor console and session controls: live list, pause, resume, extra time, end, calls.

Routes on the proctor blueprint (`attest.proctor.bp`; imported by proctor.views)."""

from __future__ import annotations

from datetime import datetime

from flask import abort, current_app, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from attest.assessment import session_clock
from attest.assessment.session_events import resolve_event
from attest.auth import roles_required
from attest.forms import EmptyForm
from attest.i18n import format_day, skill_label
from attest.models import SessionEvent
from attest.proctor import STAFF, bp, console, services
from attest.proctor import now as _now
from attest.proctor.forms import EndSessionForm, ExtraTimeForm
from attest.proctor.labels import CALL_LABELS, CONNECTION_LABELS
from attest.request_session import db_session

CLOCK_MESSAGES = {
    "not_in_progress": _l("Deze sessie loopt niet (meer)."),
    "already_paused": _l("De sessie is al gepauzeerd."),
    "not_paused": _l("De sessie is niet gepauzeerd."),
    "bad_reason": _l("Kies een reden uit de lijst."),
    "note_required": _l("Beschrijf de reden in de toelichting."),
    "bad_minutes": _l("Geef een aantal minuten tussen -120 en 120, niet 0."),
    "bad_scope": _l("Kies voor welk deel de extra tijd geldt."),
    "no_section": _l("Er loopt geen getimed deel en er volgt er ook geen meer."),
    "below_zero": _l("Je kunt niet meer tijd terugnemen dan er extra gegeven is."),
}


def _timeout() -> float:
    return float(current_app.config["KIOSK_HEARTBEAT_TIMEOUT_SECONDS"])


def _session_or_404(session_id: int):
    return services.session_for(db_session(), current_user, session_id) or abort(404)


def _back(ts_id: int):
    return redirect(url_for("proctor.test_session", session_id=ts_id) + "#controls", 303)


def _refused(ts_id: int, exc: session_clock.ClockError):
    db_session().rollback()  # bad input changes nothing
    flash(str(CLOCK_MESSAGES.get(exc.code, exc)), "error")
    return _back(ts_id)


@bp.route("/console")
@roles_required(*STAFF)
def console_page():
    rows = console.live_sessions(db_session(), current_user, _now(), _timeout())
    return render_template(
        "proctor/console.html",
        rows=[_row_json(r, _now()) for r in rows],
        form=EmptyForm(),
        connection_labels=CONNECTION_LABELS,
    )


@bp.route("/console.json")
@roles_required(*STAFF)
def console_json():
    now = _now()
    rows = console.live_sessions(db_session(), current_user, now, _timeout())
    return jsonify(now=now.isoformat(), sessions=[_row_json(r, now) for r in rows])


def _row_json(row: console.ConsoleRow, now: datetime) -> dict:
    ts, clock = row.session, row.clock
    last = ts.last_heartbeat_at
    return {
        "id": ts.id,
        "candidate": ts.candidate.display_name,
        "purpose": row.purpose_title,
        "status": ts.status.value,
        "skill": clock.skill,
        "section": skill_label(clock.skill) if clock.skill else "",
        "remaining_seconds": None
        if clock.remaining_seconds is None
        else round(clock.remaining_seconds),
        "paused": clock.is_paused,
        "connection": clock.connection if ts.status.value == "in_progress" else "never",
        "connection_label": str(CONNECTION_LABELS[clock.connection])
        if ts.status.value == "in_progress"
        else str(_l("wacht op startcode")),
        "last_heartbeat_at": last.isoformat() if last else None,
        "last_heartbeat_seconds": round((now - last).total_seconds()) if last else None,
        "last_heartbeat_label": format_day(last) if last else "",
        "kiosk": ts.kiosk.name if ts.kiosk else "",
        "calls": [str(CALL_LABELS.get(kind, kind)) for kind in row.calls],
        "focus_losses": row.focus_losses,
        "url": url_for("proctor.test_session", session_id=ts.id),
        "pause_url": url_for("proctor.pause", session_id=ts.id),
        "resume_url": url_for("proctor.resume", session_id=ts.id),
    }


@bp.route("/sessions/<int:session_id>/pause", methods=["POST"])
@roles_required(*STAFF)
def pause(session_id: int):
    ts = _session_or_404(session_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        session_clock.pause(db_session(), ts, current_user, _now(), _timeout())
    except session_clock.ClockError as exc:
        return _refused(ts.id, exc)
    flash(_("De sessie is gepauzeerd: de tijd staat stil."), "success")
    return _back(ts.id)


@bp.route("/sessions/<int:session_id>/resume", methods=["POST"])
@roles_required(*STAFF)
def resume(session_id: int):
    ts = _session_or_404(session_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        session_clock.resume(db_session(), ts, current_user, _now())
    except session_clock.ClockError as exc:
        return _refused(ts.id, exc)
    flash(_("De sessie loopt weer."), "success")
    return _back(ts.id)


@bp.route("/sessions/<int:session_id>/extra-time", methods=["POST"])
@roles_required(*STAFF)
def extra_time(session_id: int):
    ts = _session_or_404(session_id)
    form = ExtraTimeForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        flash(str(CLOCK_MESSAGES["bad_minutes"]), "error")
        return _back(ts.id)
    try:
        skills = session_clock.add_extra_time(
            db_session(),
            ts,
            current_user,
            form.minutes.data,
            form.reason.data,
            form.note.data or "",
            _now(),
            form.scope.data,
        )
    except session_clock.ClockError as exc:
        return _refused(ts.id, exc)
    flash(
        _(
            "%(minutes)s minuten extra tijd voor: %(sections)s.",
            minutes=form.minutes.data,
            sections=", ".join(skill_label(s) for s in skills),
        ),
        "success",
    )
    return _back(ts.id)


@bp.route("/sessions/<int:session_id>/end", methods=["POST"])
@roles_required(*STAFF)
def end(session_id: int):
    ts = _session_or_404(session_id)
    form = EndSessionForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        flash(str(CLOCK_MESSAGES["bad_reason"]), "error")
        return _back(ts.id)
    try:
        session_clock.end_session(
            db_session(), ts, current_user, form.reason.data, form.note.data or "", _now()
        )
    except session_clock.ClockError as exc:
        return _refused(ts.id, exc)
    flash(_("De sessie is beëindigd."), "success")
    return _back(ts.id)


@bp.route("/sessions/<int:session_id>/events/<int:event_id>/resolve", methods=["POST"])
@roles_required(*STAFF)
def resolve_call(session_id: int, event_id: int):
    ts = _session_or_404(session_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    event = db_session().get(SessionEvent, event_id)
    if event is None or event.session_id != ts.id:
        abort(404)
    if event.resolved_at is None:
        resolve_event(db_session(), event, current_user, _now())
    return _back(ts.id)
