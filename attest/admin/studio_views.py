"""Admin audio studio: record or upload a human voice for each listening clip, approve it.

The list shows every listening item's clip with what the kiosk plays today (an approved studio
recording, or the bank's file with its provenance). The page of one item records in the browser
(static/audio-studio.js: MediaRecorder with a level meter) or takes a file, trims and normalises
it on the server (attest.assessment.studio) and lists the recordings waiting for a second
admin's approval."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from attest.admin.forms import StudioUploadForm
from attest.assessment import studio
from attest.assessment.provenance import ProvenanceError, load_provenance
from attest.assessment.studio_audio import TARGET_LUFS, StudioAudioError
from attest.audit import record_event
from attest.auth import roles_required
from attest.forms import EmptyForm
from attest.models import Item, ItemVersion, Role, StudioClip
from attest.request_session import db_session
from attest.storage import StorageError, storage_for

# Nested in the admin blueprint: /admin/studio/..., endpoints admin.studio.*
bp = Blueprint("studio", __name__, url_prefix="/studio")


def _ref_path(ref) -> str | None:
    return ref.get("path") if isinstance(ref, dict) else ref


def item_clips(version: ItemVersion) -> list[tuple[str, str, str]]:
    """Return an item's clips as (media key, media path, the words to speak): the listening
    clip ("audio", its transcript) and each interlocutor turn of a conversation ("turns.N.audio",
    what the interlocutor says)."""
    media, content = version.media or {}, version.content or {}
    clips = []
    if _ref_path(media.get("audio")):
        clips.append(("audio", _ref_path(media["audio"]), content.get("transcript") or ""))
    turns = content.get("turns") if isinstance(content.get("turns"), list) else []
    for n, turn in enumerate(turns):
        path = _ref_path(media.get(f"turns.{n}.audio"))
        if path:
            clips.append((f"turns.{n}.audio", path, (turn or {}).get("say", "")))
    return clips


def _studio_items() -> list[tuple[Item, ItemVersion]]:
    """Return every item with a clip to record (listening items, conversation turns)."""
    rows = db_session().execute(
        sa.select(Item, ItemVersion)
        .join(
            ItemVersion,
            sa.and_(ItemVersion.item_id == Item.id, ItemVersion.version == Item.current_version),
        )  # fmt: skip
        .order_by(Item.level, Item.id)
    )
    return [(item, version) for item, version in rows if item_clips(version)]


def _bank_provenance() -> dict:
    try:
        return load_provenance(Path(current_app.config["BANK_DIR"]))
    except ProvenanceError:
        return {}


@bp.route("/")
@roles_required(Role.ADMIN)
def index():
    approved = studio.approved_clips(db_session())
    pending = {
        path: count
        for path, count in db_session().execute(
            sa.select(StudioClip.media_path, sa.func.count())
            .where(StudioClip.approved_at.is_(None))
            .group_by(StudioClip.media_path)
        )
    }
    bank = _bank_provenance()
    rows = []
    for item, version in _studio_items():
        for key, path, _text in item_clips(version):
            rows.append(
                (item, key, path, approved.get(path), bank.get(path), pending.get(path, 0))
            )
    return render_template("admin/studio/index.html", rows=rows)


def _item_clip(item_id: str) -> tuple[Item, ItemVersion, str, str, str]:
    """Return the item, its current version and the clip `?clip=<media key>` names (default:
    its first clip) as key, path and words to speak; 404 when there is no such clip."""
    item = db_session().get(Item, item_id[:64]) or abort(404)
    version = next((v for v in item.versions if v.version == item.current_version), None)
    clips = item_clips(version) if version else []
    wanted = request.args.get("clip", "")[:40]
    chosen = next((c for c in clips if c[0] == wanted), None) if wanted else (clips or [None])[0]
    if chosen is None:
        abort(404)
    return item, version, *chosen


def _item_page(item_id: str, form: StudioUploadForm, status: int = 200):
    item, version, key, path, text = _item_clip(item_id)
    recordings = (
        db_session()
        .scalars(
            sa.select(StudioClip)
            .where(StudioClip.media_path == path)
            .order_by(StudioClip.id.desc())
        )
        .all()
    )
    page = render_template(
        "admin/studio/item.html",
        item=item,
        version=version,
        path=path,
        key=key,
        text=text,
        clips=item_clips(version),
        form=form,
        approve_form=EmptyForm(),
        recordings=recordings,
        current=studio.approved_clip(db_session(), path),
        bank=_bank_provenance().get(path),
        target=TARGET_LUFS,
    )
    return page, status


@bp.route("/<item_id>")
@roles_required(Role.ADMIN)
def item(item_id: str):
    return _item_page(item_id, StudioUploadForm())


@bp.route("/<item_id>", methods=["POST"])
@roles_required(Role.ADMIN)
def upload(item_id: str):
    """Store a recording of one bank clip, held to the duration its item's level allows."""
    item, version, key, path, _text = _item_clip(item_id)
    return _save_upload(
        StudioUploadForm(),
        path,
        lambda form, status: _item_page(item_id, form, status),
        url_for("admin.studio.item", item_id=item.id, clip=key),
        level=version.level,
    )


upload.takes_file = True  # a recording in a form: MAX_CONTENT_LENGTH, not MAX_FORM_BYTES


def _save_upload(
    form: StudioUploadForm,
    media_path: str,
    page: Callable[[StudioUploadForm, int], Any],
    back: str,
    *,
    level: str | None = None,
    max_seconds: float | None = None,
):
    """The one path of a studio upload (a bank clip, or a kiosk language's instructions):
    check the form, store the recording for a second admin's approval and go `back`; a refusal
    shows the `page` again (422) with the reason. The duration limit is the item's `level`'s,
    or `max_seconds` for audio of no item. The uploaded file is closed on every path."""
    try:
        if not form.validate_on_submit():
            if "csrf_token" in form.errors:
                abort(400)
            return page(form, 422)
        try:
            clip = studio.store_clip(
                db_session(),
                storage_for(current_app.config),
                media_path=media_path,
                level=level,
                data=form.audio.data.read(),
                speaker=form.speaker.data.strip(),
                region=form.region.data,
                actor=current_user,
                now=datetime.now(UTC),
                start=float(form.start.data) if form.start.data is not None else None,
                end=float(form.end.data) if form.end.data is not None else None,
                max_seconds=max_seconds,
            )
        except (StudioAudioError, studio.StudioError) as exc:
            flash(_upload_error(exc), "error")
            return page(form, 422)
    finally:
        _close_upload(form)
    record_event(
        db_session(), current_user, "studio.record", "studio_clip", clip.id, path=media_path
    )
    flash(
        _(
            "Opname bewaard (%(seconds)s s, %(lufs)s LUFS). Een andere beheerder keurt ze goed.",
            seconds=format(clip.duration_s, ".1f"),
            lufs=format(clip.loudness_lufs, ".1f"),
        ),
        "success",
    )
    return redirect(back), 303


def _close_upload(form: StudioUploadForm) -> None:
    """Close the uploaded file (a large upload is a temporary file), if one came."""
    if isinstance(form.audio.data, FileStorage):
        form.audio.data.close()


def _upload_error(exc: Exception) -> str:
    """Return the Dutch-first message for a refused recording."""
    code = getattr(exc, "code", "")
    messages = {
        "empty": _("Het bestand is leeg."),
        "not_audio": _("Dit bestand is geen audio die de server kan lezen."),
        "damaged": _("Het audiobestand is beschadigd."),
        "sample_rate": _("De samplefrequentie is te laag: neem op met minstens 16 kHz."),
        "trim": _("Begin en einde vallen niet binnen de opname."),
        "too_long": _("De opname is te lang voor dit niveau."),
        "too_short": _("De opname is te kort: minstens 1 seconde."),
        "silent": _("De opname is stil: er is geen stem te horen."),
        "peaks": _("De opname oversteuert na normalisatie; neem opnieuw op, verder van de micro."),
        "speaker": _("Geef de spreker een pseudoniem zoals spk-7, geen naam."),
        "region": _("Kies de uitspraak: Vlaams of Nederlands."),
    }
    return f"{messages.get(code, _('De opname is geweigerd.'))} ({exc})"


@bp.route("/clips/<int:clip_id>/approve", methods=["POST"])
@roles_required(Role.ADMIN)
def approve(clip_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    clip = db_session().get(StudioClip, clip_id) or abort(404)
    back = _page_of(clip)
    try:
        studio.approve(db_session(), clip_id, current_user, datetime.now(UTC))
    except studio.StudioError as exc:
        if exc.code == "approved":
            flash(_("Deze opname was al goedgekeurd."), "info")
            return redirect(back), 303
        if exc.code == "four_eyes":
            flash(_("Een andere beheerder dan wie opnam, keurt de opname goed."), "error")
            return redirect(back), 303
        abort(404)
    record_event(db_session(), current_user, "studio.approve", "studio_clip", clip_id)
    flash(_("Opname goedgekeurd: de kiosk speelt nu deze stem."), "success")
    return redirect(back), 303


def _page_of(clip: StudioClip) -> str:
    """Return the studio page of this recording's media path (for the way back)."""
    if clip.media_path.startswith(studio.INSTRUCTIONS_PREFIX):
        code = clip.media_path[len(studio.INSTRUCTIONS_PREFIX) :].removesuffix(".ogg")
        return url_for("admin.studio.instructions", code=code)
    for item, version in _studio_items():
        for key, path, _text in item_clips(version):
            if path == clip.media_path:
                return url_for("admin.studio.item", item_id=item.id, clip=key)
    abort(404)


@bp.route("/clips/<int:clip_id>/audio")
@roles_required(Role.ADMIN)
def clip_audio(clip_id: int):
    clip = db_session().get(StudioClip, clip_id) or abort(404)
    try:
        path = storage_for(current_app.config).path(clip.storage_key)
    except StorageError:
        abort(404)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype="audio/ogg")


def _language(code: str):
    from attest.kiosk.languages import kiosk_language

    return kiosk_language(code[:16]) or abort(404)


def _instructions_page(code: str, form: StudioUploadForm, status: int = 200):
    from attest.assessment.instruction_audio import instruction_paragraphs, load_translations

    lang = _language(code)
    path = studio.instruction_media_path(lang.code)
    recordings = (
        db_session()
        .scalars(
            sa.select(StudioClip)
            .where(StudioClip.media_path == path)
            .order_by(StudioClip.id.desc())
        )
        .all()
    )
    paragraphs = instruction_paragraphs(
        load_translations(Path(current_app.root_path) / "translations", lang.code)
    )
    page = render_template(
        "admin/studio/instructions.html",
        language=lang,
        path=path,
        paragraphs=paragraphs,
        form=form,
        approve_form=EmptyForm(),
        recordings=recordings,
        current=studio.approved_clip(db_session(), path),
        target=TARGET_LUFS,
        max_seconds=studio.INSTRUCTIONS_MAX_SECONDS,
    )
    return page, status


@bp.route("/instructions/<code>")
@roles_required(Role.ADMIN)
def instructions(code: str):
    """Record or upload one kiosk language's spoken general instructions."""
    return _instructions_page(code, StudioUploadForm())


@bp.route("/instructions/<code>", methods=["POST"])
@roles_required(Role.ADMIN)
def upload_instructions(code: str):
    """Store a recording of one kiosk language's instructions (their own duration limit)."""
    lang = _language(code)
    return _save_upload(
        StudioUploadForm(),
        studio.instruction_media_path(lang.code),
        lambda form, status: _instructions_page(code, form, status),
        url_for("admin.studio.instructions", code=lang.code),
        max_seconds=studio.INSTRUCTIONS_MAX_SECONDS,
    )


upload_instructions.takes_file = True
