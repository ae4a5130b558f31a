"""Kiosk routes around the items: heartbeat, countdown status, audio plays, sound check, pause
screen and focus reports. Routes of the kiosk blueprint (attest.kiosk)."""

from __future__ import annotations

from flask import g, jsonify, redirect, render_template, request, url_for
from flask import session as web_session
from flask_babel import gettext as _
from flask_babel import ngettext

from attest.assessment import delivery, session_clock
from attest.assessment.purposes import get_purpose
from attest.examiner import interview_service as interviews
from attest.forms import EmptyForm
from attest.kiosk import bp, control
from attest.kiosk.current import current_session, heartbeat_timeout, now, session_or_home
from attest.kiosk.json_bodies import json_object, optional, required
from attest.request_session import db_session


@bp.route("/heartbeat", methods=["POST"])
def heartbeat():
    """The kiosk's sign of life (every few seconds): answer with the state and the time left."""
    ts = current_session()
    if ts is None:
        return jsonify(state="ended", next_url=url_for("kiosk.home"))
    skill = optional(json_object(), "skill", "text")
    clock = session_clock.status(db_session(), ts, now(), heartbeat_timeout())
    state = "running"
    if ts.paused_at is not None:
        state = "paused"
    elif skill is not None and skill in session_clock.closed_skills(db_session(), ts):
        state = "moved_on"  # the section on screen is over: the kiosk goes on, and says why
        web_session["kiosk_notice"] = "time_up"
    elif _interview_over(
        ts,
        optional(json_object(), "position", "whole"),
        waiting=optional(json_object(), "interview", "bool") is True,
    ):
        state = "moved_on"  # the examiner finished the interview on screen (or none is held)
    return jsonify(
        state=state,
        skill=clock.skill,
        remaining_seconds=clock.remaining_seconds,
        allowed_seconds=clock.allowed_seconds,
        next_url=url_for("kiosk.paused" if state == "paused" else "kiosk.resume"),
    )


def _interview_over(ts, position: int | None, waiting: bool) -> bool:
    """Tell whether the task on screen is an interview the examiner has finished (its recording
    is the task's answer) or, for a kiosk `waiting` on the interview page, whether the task is
    no longer held by an examiner (the proctor switched back before the interview began)."""
    if position is None or not (waiting or ts.is_examiner_led):
        return False
    try:
        item = delivery.session_item(db_session(), ts, position)
    except delivery.DeliveryError:
        return False
    if not interviews.is_interview_item(ts, item):
        return waiting
    return item.response is not None


@bp.route("/focus", methods=["POST"])
def focus():
    """The kiosk page lost focus or left full screen: recorded for the proctor."""
    ts = current_session()
    if ts is None:
        return jsonify(error="no_session"), 409
    payload = json_object()
    how = required(payload, "how", "text")
    if how not in control.FOCUS_KINDS:
        return jsonify(error="bad_request", message="unknown focus event"), 400
    position = optional(payload, "position", "whole")
    position = position if position is not None and 0 < position < 10_000 else None
    event = control.report_focus_loss(db_session(), ts, how, position, now())
    return jsonify(recorded=event is not None), 201 if event is not None else 200


@bp.route("/item/<int:position>/play", methods=["POST"])
def play(position: int):
    """Ask the server for one play of the item's clip; a play beyond the limit is refused."""
    ts = current_session()
    if ts is None:
        return jsonify(allowed=False, error="no_session", message=_("De test is gestopt.")), 409
    session = db_session()
    try:
        sitem = delivery.session_item(session, ts, position)
    except delivery.DeliveryError:
        return jsonify(allowed=False, error="no_such_item"), 404
    audio = sitem.item_version.media.get("audio")
    if not audio:
        return jsonify(allowed=False, error="no_audio"), 404
    limit = control.max_plays_for(ts, sitem.skill)
    refusal = session_clock.answer_refusal(session, ts, sitem.skill, now(), heartbeat_timeout())
    if refusal is not None:
        g.commit_on_error = True
        message = _("De tijd voor dit deel is om.") if refusal == "time_up" else _("Even wachten.")
        return jsonify(allowed=False, error=refusal, message=message), 409
    granted, plays = control.grant_play(session, sitem, limit)
    if not granted:
        return jsonify(
            allowed=False,
            error="limit",
            plays=plays,
            max_plays=limit,
            message=_played_label(plays),
        ), 409
    left = max(limit - plays, 0) if limit else None
    return jsonify(
        allowed=True,
        plays=plays,
        max_plays=limit,
        # what to show once the clip has played, in the plural form of the candidate's language
        label_left=_left_label(left) if left else "",
        label_done=_played_label(plays),
        src=url_for("kiosk.media", relpath=audio),
    )


def _left_label(left: int) -> str:
    return ngettext(
        "Je mag het fragment nog %(n)s keer beluisteren.",
        "Je mag het fragment nog %(n)s keer beluisteren.",
        left,
        n=left,
    )


def _played_label(plays: int) -> str:
    return ngettext(
        "Je hebt dit fragment al %(n)s keer beluisterd. Meer mag niet.",
        "Je hebt dit fragment al %(n)s keer beluisterd. Meer mag niet.",
        plays,
        n=plays,
    )


@bp.route("/sound-check", methods=["GET", "POST"])
def sound_check():
    """Before the first listening item: the candidate plays a sample and says whether it works."""
    ts = session_or_home()
    form = EmptyForm()
    after = request.args.get("next", type=int)
    target = url_for("kiosk.item", position=after) if after else url_for("kiosk.resume")
    called = False
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("kiosk/sound_check.html", form=form, called=False), 400
        if request.form.get("result") == "ok":
            control.confirm_sound(db_session(), ts, now())
            return redirect(target)
        control.report_sound_problem(db_session(), ts, now())
        called = True
    return render_template("kiosk/sound_check.html", form=form, called=called, ts=ts)


@bp.route("/paused")
def paused():
    """The pause screen: it waits (heartbeats) until the proctor lets the test go on."""
    ts = session_or_home()
    if ts.paused_at is None:
        return redirect(url_for("kiosk.resume"))
    purpose = get_purpose(ts.purpose_code)
    return render_template("kiosk/paused.html", ts=ts, purpose=purpose, form=EmptyForm())
