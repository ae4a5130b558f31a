"""Kiosk pages: enrolment, start code, language, instructions, one item per screen (and its
spoken answer), finish, media. Routes of the kiosk blueprint (attest.kiosk)."""

from __future__ import annotations

import math
import secrets
from datetime import timedelta
from functools import partial
from pathlib import Path

from flask import (
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    send_from_directory,
    url_for,
)
from flask import session as web_session

from attest.assessment import answer_capture, conversation, delivery, session_clock, studio
from attest.assessment.formats import get_format
from attest.assessment.instruction_audio import audio_dir, audio_filename
from attest.assessment.purposes import get_purpose
from attest.assessment.recordings import RecordingError, store_recording
from attest.assessment.session_events import log_session_event
from attest.assessment.shuffle import apply_order
from attest.auth.kiosks import KioskError, enrol_with_token, kiosk_with_session, set_kiosk_cookie
from attest.examiner import interview_service as interviews
from attest.forms import EmptyForm
from attest.kiosk import bp, control
from attest.kiosk.current import (
    current_session,
    display_classes,
    heartbeat_timeout,
    now,
    session_or_home,
)
from attest.kiosk.languages import KIOSK_LANGUAGES, instructions_for, kiosk_language
from attest.kiosk.messages import ANSWER_MESSAGES, CODE_MESSAGES, STORAGE_MESSAGE
from attest.models import SessionItem, TestSession
from attest.request_session import db_session, on_rollback
from attest.storage import StorageError, storage_for

LAST_SEEN_STEP = timedelta(minutes=1)  # how stale a kiosk's "last seen" may be
PREFETCH = 8  # questions fetched ahead: enough to keep going through a short outage
# the kiosk waiting for an interview beats this often: it goes on soon after the examiner ends
INTERVIEW_POLL_SECONDS = 4


@bp.before_request
def require_registered_kiosk():
    if request.endpoint == "kiosk.enrol":
        return None
    token = request.cookies.get(current_app.config["KIOSK_COOKIE_NAME"])
    # the session in progress is read with the kiosk, in one query (see current_session)
    g.kiosk, g.kiosk_ts_row = kiosk_with_session(db_session(), token, web_session.get("kiosk_ts"))
    if g.kiosk is None:
        return render_template("kiosk/not_registered.html"), 403
    at, seen = now(), g.kiosk.last_seen_at
    if seen is None or at - seen >= LAST_SEEN_STEP:  # a day is shown: no write per request
        g.kiosk.last_seen_at = at
    return None


@bp.context_processor
def display_modes() -> dict[str, str]:
    """Classes of the large-text and high-contrast modes a proctor chose for this session."""
    ts = current_session() if g.get("kiosk") is not None else None
    if ts is None:  # the last page after finishing keeps the modes of the session
        return {"display_classes": web_session.get("kiosk_display", "")}
    return {"display_classes": display_classes(ts)}


@bp.route("/enrol/<token>")
def enrol(token: str):
    try:
        kiosk, device_token = enrol_with_token(db_session(), token[:100], now())
    except KioskError:
        return render_template("kiosk/not_registered.html", bad_link=True), 403
    return set_kiosk_cookie(redirect(url_for("kiosk.home")), device_token)


@bp.route("/", methods=["GET", "POST"])
def home():
    if current_session() is not None:
        return redirect(url_for("kiosk.resume"))
    # a new candidate: forget the language and display modes of the one before
    web_session.pop("kiosk_display", None)
    if request.method == "GET":
        web_session.pop("lang", None)
    form, error, status = EmptyForm(), None, 200
    if request.method == "POST" and form.validate_on_submit():
        try:
            ts = delivery.redeem_start_code(
                db_session(),
                request.form.get("code", "")[:32],
                g.kiosk,
                now(),
                require_admission=current_app.config["ADMISSION"] == "required",
                audio_provenance=studio.provenance_to_enforce(current_app.config),
            )
        except delivery.DeliveryError as exc:
            # unfit_audio: "the test cannot start, ask the proctor"; the proctor's session page
            # says why (the live purpose can deliver clips that are not human and approved)
            code = "empty_bank" if exc.code == "unfit_audio" else exc.code
            error, status = CODE_MESSAGES.get(code, CODE_MESSAGES["unknown_code"]), 400
        else:
            web_session.clear()
            web_session["kiosk_ts"] = ts.id
            # a session resumed after a crash keeps its language and goes on where it was
            return redirect(url_for("kiosk.language" if ts.language is None else "kiosk.resume"))
    elif request.method == "POST":
        abort(400)
    return render_template("kiosk/start.html", form=form, error=error), status


@bp.route("/language", methods=["GET", "POST"])
def language():
    ts = session_or_home()
    form = EmptyForm()
    if request.method == "POST":
        choice = kiosk_language(request.form.get("language"))
        if not form.validate_on_submit() or choice is None:
            abort(400)
        ts.language = web_session["lang"] = choice.code
        return redirect(url_for("kiosk.instructions"))
    return render_template("kiosk/language.html", form=form, languages=KIOSK_LANGUAGES)


@bp.route("/instructions")
def instructions():
    """The general instructions in the chosen language, with their spoken version."""
    ts = session_or_home()
    lang = kiosk_language(ts.language)
    if lang is None:
        return redirect(url_for("kiosk.language"))
    web_session["lang"] = lang.code
    audio = audio_filename(lang.code)
    # An approved studio recording wins over the shipped (synthetic or exported) file.
    recorded = studio.approved_clip(db_session(), studio.instruction_media_path(lang.code))
    if recorded is not None:
        audio_url = url_for("kiosk.media", relpath=recorded.media_path)
    elif (audio_dir(Path(current_app.static_folder or "")) / audio).exists():
        audio_url = url_for("static", filename=f"audio/instructions/{audio}")
    else:
        audio_url = None
    sections = get_purpose(ts.purpose_code).sections
    return render_template(
        "kiosk/instructions.html",
        language=lang,
        paragraphs=instructions_for({section.skill for section in sections}),
        parts=[
            (s.skill, _minutes(s.time_limit_minutes), math.ceil(s.time_limit_minutes or 0))
            for s in sections
        ],  # the count picks the plural form (7.5 minutes reads as the plural of 8)
        audio_url=audio_url,
    )


def _minutes(limit: float | None) -> str | None:
    """Return a time limit in minutes for display (45, 7.5), None for an untimed part."""
    return None if limit is None else f"{limit:g}"


@bp.route("/resume")
def resume():
    ts = session_or_home()
    if ts.language is None:
        return redirect(url_for("kiosk.language"))
    web_session["lang"] = ts.language
    if ts.paused_at is not None:
        return redirect(url_for("kiosk.paused"))
    position = delivery.next_position(db_session(), ts, now())
    if position is None:
        return redirect(url_for("kiosk.finish"))
    return redirect(url_for("kiosk.item", position=position))


def kiosk_gate(session, ts: TestSession, sitem: SessionItem):
    """Return where the kiosk must go instead of showing an item (None: show it)."""
    if ts.paused_at is not None:
        return redirect(url_for("kiosk.paused"))
    clock = session_clock.clock_of(session, ts, sitem.skill)
    if clock is not None and clock.closed_at is not None:
        web_session["kiosk_notice"] = "time_up" if clock.close_reason == "time_up" else "closed"
        return redirect(url_for("kiosk.resume"))
    if sitem.item_version.media.get("audio") and ts.sound_checked_at is None:
        return redirect(url_for("kiosk.sound_check", next=sitem.position))
    return None


def can_go_back(outline: list[tuple[int, str]], sitem: SessionItem, adaptive: bool) -> bool:
    """Tell whether the item before may be shown again: in a linear test, within the section.

    `outline` is the session's (position, skill) list (delivery.item_outline)."""
    if adaptive or sitem.position <= 1:
        return False
    before = next((skill for pos, skill in outline if pos == sitem.position - 1), None)
    return before is not None and before == sitem.skill


@bp.route("/item/<int:position>", methods=["GET", "POST"])
def item(position: int):
    ts = session_or_home()
    session = db_session()
    try:
        sitem = delivery.session_item(session, ts, position)
    except delivery.DeliveryError:
        abort(404)
    error, status = None, 200
    held_by_examiner = interviews.is_interview_item(ts, sitem)
    if request.method == "POST":
        if not EmptyForm().validate_on_submit() or held_by_examiner:
            abort(400)  # an interview's answer comes from the examiner's tablet
        raw = request.form.to_dict(flat=False)
        key = (raw.pop("answer_key", None) or [None])[0] or None
        try:
            answer_capture.submit_answer(
                session, ts, position, raw, key, now(), heartbeat_timeout=heartbeat_timeout()
            )
        except delivery.DeliveryError as exc:
            if exc.code == "time_up":
                g.commit_on_error = True  # the section's closing is kept, the answer is not
                return render_template("kiosk/time_up.html", form=EmptyForm()), 409
            error, status = ANSWER_MESSAGES.get(exc.code, ANSWER_MESSAGES["no_answer"]), 400
        else:
            nxt = delivery.next_position(session, ts, now())
            target = url_for("kiosk.item", position=nxt) if nxt else url_for("kiosk.finish")
            return redirect(target)
    gate = kiosk_gate(session, ts, sitem)
    if gate is not None:
        return gate
    if request.headers.get("X-Attest-Prefetch") != "1":  # fetched ahead, not yet shown
        # an interview's time is the examiner's (its frame): the section's clock stands still
        session_clock.enter_section(session, ts, sitem.skill, now(), held=held_by_examiner)
        if sitem.shown_at is None:  # assigning it again would cost a flush for nothing
            sitem.shown_at = now()
    if held_by_examiner:
        return render_template(
            "kiosk/interview.html",
            ts=ts,
            position=position,
            sitem=sitem,
            content=sitem.item_version.content,
            clock=session_clock.status(session, ts, now(), heartbeat_timeout()),
            interview_poll_seconds=min(
                INTERVIEW_POLL_SECONDS, current_app.config["KIOSK_HEARTBEAT_SECONDS"]
            ),
        )
    version = sitem.item_version
    previous = sitem.response.value["v"] if sitem.response else None
    draft_seq = 0
    if get_format(version.format).keeps_drafts:
        previous, draft_seq = answer_capture.text_to_show(session, sitem)
    purpose = get_purpose(ts.purpose_code)
    outline = delivery.item_outline(session, ts)
    return render_template(
        "kiosk/item.html",
        ts=ts,
        position=position,
        adaptive=purpose.has_variable_length,
        # an adaptive test stops when the level is clear: show the most it can take
        total=delivery.maximum_length(purpose, outline),
        sitem=sitem,
        # the options in the order drawn for this candidate (stored with the session item)
        data=apply_order(
            get_format(version.format).render_data(version.content), sitem.display_order
        ),
        media=version.media,
        format=version.format,
        previous=previous,
        turns_kept=conversation.kept_turn_ids(session, sitem),
        draft_seq=draft_seq,
        answer_key=secrets.token_urlsafe(18),
        # planned items the kiosk may fetch ahead, to go on while the network is away
        ahead=[pos for pos, _skill in outline if position < pos <= position + PREFETCH],
        error=error,
        form=EmptyForm(),
        clock=session_clock.status(session, ts, now(), heartbeat_timeout()),
        can_go_back=can_go_back(outline, sitem, purpose.is_adaptive),
        max_plays=control.max_plays_for(ts, sitem.skill),
        notice=web_session.pop("kiosk_notice", None),
    ), status


@bp.route("/item/<int:position>/recording", methods=["POST"])
def recording(position: int):
    """Receive a spoken answer (raw audio body, X-Content-SHA256 header) and acknowledge it."""
    ts = current_session()
    if ts is None:
        return jsonify(error="no_session"), 409
    try:
        sitem = delivery.session_item(db_session(), ts, position)
    except delivery.DeliveryError:
        abort(404)
    try:
        rec = store_recording(
            db_session(),
            storage_for(current_app.config),
            sitem,
            request.get_data(cache=False),
            request.headers.get("X-Content-SHA256"),
            now(),
        )
    except RecordingError as exc:
        return jsonify(error=exc.code, message=str(exc)), 400
    except StorageError as exc:
        # Nothing was written (storage writes are atomic); tell the proctor, keep that record.
        current_app.logger.error("recording for session %s not stored: %s", ts.id, exc)
        log_session_event(db_session(), ts, "storage_error", position=position)
        g.commit_on_error = True
        return jsonify(error="storage", message=str(STORAGE_MESSAGE)), 503
    # The file is stored before the row commits: if the commit fails, remove the file.
    on_rollback(partial(storage_for(current_app.config).delete, rec.storage_key))
    return jsonify(recording_id=rec.id, sha256=rec.sha256, size=rec.size_bytes), 201


@bp.route("/finish", methods=["GET", "POST"])
def finish():
    ts = session_or_home()
    missing = delivery.next_position(db_session(), ts, now())
    form = EmptyForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        if missing is not None:
            return redirect(url_for("kiosk.item", position=missing))
        delivery.finish_session(db_session(), ts, now())
        lang, display = web_session.get("lang"), display_classes(ts)
        web_session.clear()
        web_session["lang"], web_session["kiosk_display"] = lang, display
        return redirect(url_for("kiosk.done"))
    return render_template("kiosk/finish.html", ts=ts, missing=missing, form=form)


@bp.route("/done")
def done():
    return render_template("kiosk/done.html")


@bp.route("/media/<path:relpath>")
def media(relpath: str):
    """Play a bank clip: the audio studio's newest approved human recording of that media path
    when there is one (attest.assessment.studio), otherwise the bank's own file."""
    session_or_home()
    # Both are revalidated on every play (no-cache, ETag; an unchanged clip costs a 304): an
    # approval changes what this URL serves, and a kiosk must never replay a synthetic clip it
    # cached before a human recording was approved. The ETags differ by source: the bank
    # file's (time, size, name) and the recording's SHA-256.
    recorded = studio.approved_clip(db_session(), relpath[:300])
    if recorded is not None:
        path = storage_for(current_app.config).path(recorded.storage_key)
        return send_file(path, mimetype="audio/ogg", max_age=0, etag=f"studio-{recorded.sha256}")
    bank = Path(current_app.config["BANK_DIR"])
    return send_from_directory(bank / "media", relpath, max_age=0)
