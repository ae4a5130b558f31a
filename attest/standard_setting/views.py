"""Standard-setting pages: the admin's panels under /admin/panels (blueprint `panels_admin`:
create, invite panellists, open rounds, read the feedback, adopt) and the panellist's own pages
under /panels (blueprint `panels`: sort the descriptors, judge each round, see the feedback).

Views parse the form, call one service of `services.py` and redirect; the request commits."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from attest.admin.item_key import key_lines
from attest.assessment import standard_setting as ss
from attest.assessment.cut_score_versions import store_in_force, versions
from attest.assessment.purposes import load_purposes
from attest.auth import roles_required
from attest.forms import EmptyForm
from attest.models import BenchmarkText, Panel, PanelJudgement, PanelMember, Role, User
from attest.request_session import db_session
from attest.standard_setting import services
from attest.standard_setting.descriptors import descriptors_for
from attest.vocabulary import LEVELS, RECEPTIVE, RESULT_LEVELS, SKILLS

admin_bp = Blueprint("panels_admin", __name__, url_prefix="/admin/panels")
bp = Blueprint("panels", __name__, url_prefix="/panels")

METHOD_LABELS = {
    "bookmark": _l("Bookmark (RP67)"),
    "angoff": _l("Gemodificeerde Angoff"),
    "basket": _l("Basket (CEFR-handleiding 2009)"),
    "benchmark": _l("Benchmarking van prestaties"),
}
SKILL_LABELS = {
    "listening": _l("luisteren"),
    "reading": _l("lezen"),
    "speaking": _l("spreken"),
    "writing": _l("schrijven"),
}
ERRORS = {
    "bad_name": _l("Geef het panel een naam (hoogstens 200 tekens)."),
    "bad_skill": _l("Kies een vaardigheid."),
    "bad_method": _l("Deze methode past niet bij deze vaardigheid."),
    "bad_purpose": _l("Dat testdoel bestaat niet."),
    "purpose_skill": _l("Dat testdoel toetst deze vaardigheid niet."),
    "bad_rounds": _l("Een panel heeft 2 of 3 rondes."),
    "bad_rp": _l("De antwoordkans ligt tussen 0,5 en 1."),
    "no_material": _l("Er is te weinig materiaal om te beoordelen (live items of benchmarks)."),
    "no_panel": _l("Dat panel bestaat niet."),
    "panel_closed": _l("De grenzen van dit panel zijn vastgesteld; het panel verandert niet meer."),
    "not_panellist": _l("Alleen een actieve account met de rol panellid kan deelnemen."),
    "bad_role_label": _l("Zeg wat het panellid inbrengt (bv. docent, examinator)."),
    "already_member": _l("Deze account zit al in het panel."),
    "last_round": _l("Dit was de laatste ronde van het panel."),
    "round_incomplete": _l("Nog niet elk panellid heeft deze ronde beoordeeld."),
    "not_member": _l("Je zit niet in dit panel."),
    "round_closed": _l("Deze ronde is niet (meer) open."),
    "already_submitted": _l("Je hebt deze ronde al ingediend."),
    "not_familiarised": _l("Plaats eerst de descriptoren op hun niveau; daarna oordeel je."),
    "not_ready": _l("Vaststellen kan pas na twee volledige rondes."),
    "bad_cuts": _l(
        "Deze grenzen kunnen niet worden vastgesteld: bij spreken en schrijven ligt elke grens "
        "boven band 0 en ten hoogste op band 4, stijgend van A1 naar B2."
    ),
    "store_changed": _l(
        "De grensscores zijn intussen gewijzigd door een andere vaststelling. Bekijk ze opnieuw."
    ),
    "bookmarks_out_of_order": _l("De bladwijzers mogen van A1 naar B2 niet teruggaan."),
    "bad_bookmark": _l("Een bladwijzer is een paginanummer uit het boekje."),
    "levels_missing": _l("Geef een oordeel voor elk niveau."),
    "items_missing": _l("Beoordeel elk item precies één keer."),
    "performances_missing": _l("Plaats elke prestatie op een niveau."),
    "descriptors_missing": _l("Plaats elke descriptor op een niveau."),
    "bad_probability": _l("Een kans ligt tussen 0 en 1."),
    "bad_level": _l("Kies een niveau uit de lijst."),
    "cuts_out_of_order": _l("De grenzen moeten van A1 naar B2 stijgen."),
    "bad_judgement": _l("Het formulier is onvolledig of ongeldig."),
}


def _now() -> datetime:
    return datetime.now(UTC)


def _refuse(exc: services.PanelError) -> None:
    flash(ERRORS.get(exc.code, _l("Dat kan niet.")), "error")


def _panel_or_404(panel_id: int) -> Panel:
    return db_session().get(Panel, panel_id) or abort(404)


# --- admin ----------------------------------------------------------------------------------


@admin_bp.route("/")
@roles_required(Role.ADMIN)
def index():
    panels = db_session().scalars(sa.select(Panel).order_by(Panel.id.desc())).all()
    return render_template(
        "standard_setting/admin_index.html",
        panels=panels,
        in_force=store_in_force(db_session()),
        versions=versions(db_session()),
        skills=SKILLS,
        methods=ss.METHODS,
        purposes=load_purposes(),
        form=EmptyForm(),
        **_labels(),
    )


@admin_bp.route("/", methods=["POST"])
@roles_required(Role.ADMIN)
def create():
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        panel = services.create_panel(
            db_session(),
            current_user,
            name=request.form.get("name", ""),
            skill=request.form.get("skill", ""),
            method=request.form.get("method", ""),
            purpose_code=request.form.get("purpose") or None,
            rounds=request.form.get("rounds", 2, type=int),
            now=_now(),
        )
    except services.PanelError as exc:
        _refuse(exc)
        return redirect(url_for("panels_admin.index"))
    flash(_("Panel aangemaakt."), "success")
    return redirect(url_for("panels_admin.detail", panel_id=panel.id))


@admin_bp.route("/<int:panel_id>")
@roles_required(Role.ADMIN)
def detail(panel_id: int):
    session = db_session()
    panel = _panel_or_404(panel_id)
    last = services.last_judged_round(session, panel) or 0
    reports = [services.round_report(session, panel, n) for n in range(1, last + 1)]
    member_ids = {m.user_id for m in panel.members}
    candidates = [
        u
        for u in session.scalars(
            sa.select(User).where(User.role == Role.PANELLIST, User.is_enabled.is_(True))
        )
        if u.id not in member_ids
    ]
    return render_template(
        "standard_setting/admin_panel.html",
        panel=panel,
        reports=reports,
        familiarisation=services.familiarisation_report(session, panel),
        candidates=candidates,
        submitted=_submitted(panel),
        form=EmptyForm(),
        **_labels(),
    )


@admin_bp.route("/<int:panel_id>/members", methods=["POST"])
@roles_required(Role.ADMIN)
def add_member(panel_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    user = db_session().get(User, request.form.get("user_id", 0, type=int))
    if user is None:
        flash(ERRORS["not_panellist"], "error")
        return redirect(url_for("panels_admin.detail", panel_id=panel_id))
    try:
        services.add_panellist(
            db_session(), current_user, panel_id, user, request.form.get("role_label", ""), _now()
        )
    except services.PanelError as exc:
        _refuse(exc)
    return redirect(url_for("panels_admin.detail", panel_id=panel_id))


@admin_bp.route("/<int:panel_id>/next-round", methods=["POST"])
@roles_required(Role.ADMIN)
def next_round(panel_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.open_next_round(
            db_session(), current_user, panel_id, request.form.get("current", 0, type=int)
        )
    except services.PanelError as exc:
        _refuse(exc)
    return redirect(url_for("panels_admin.detail", panel_id=panel_id))


@admin_bp.route("/<int:panel_id>/adopt", methods=["POST"])
@roles_required(Role.ADMIN)
def adopt(panel_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        row = services.adopt(db_session(), current_user, panel_id, _now())
    except services.PanelError as exc:
        _refuse(exc)
    else:
        flash(_("Grensscores vastgesteld als versie %(version)s.", version=row.version), "success")
    return redirect(url_for("panels_admin.detail", panel_id=panel_id))


# --- panellist ------------------------------------------------------------------------------


@bp.route("/")
@roles_required(Role.PANELLIST)
def mine():
    panels = db_session().scalars(
        sa.select(Panel)
        .join(PanelMember, PanelMember.panel_id == Panel.id)
        .where(PanelMember.user_id == current_user.id)
        .order_by(Panel.id.desc())
    )
    return render_template("standard_setting/mine.html", panels=list(panels), **_labels())


@bp.route("/<int:panel_id>")
@roles_required(Role.PANELLIST)
def panel_page(panel_id: int):
    session = db_session()
    panel = _panel_or_404(panel_id)
    member = _membership(panel)
    done = {
        j.round: j
        for j in session.scalars(
            sa.select(PanelJudgement).where(PanelJudgement.member_id == member.id)
        )
    }
    previous = panel.round - 1
    return render_template(
        "standard_setting/panel.html",
        panel=panel,
        done=done,
        familiarised=services.FAMILIARISATION in done,
        descriptors=descriptors_for(panel.skill),
        booklet=_booklet(panel),
        versions=services.booklet_versions(session, panel),
        key_lines=key_lines,
        texts=_texts(panel),
        feedback=services.round_report(session, panel, previous) if previous >= 1 else None,
        levels=LEVELS,
        placement_levels=RESULT_LEVELS,
        form=EmptyForm(),
        **_labels(),
    )


@bp.route("/<int:panel_id>/familiarisation", methods=["POST"])
@roles_required(Role.PANELLIST)
def familiarisation(panel_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    panel = _panel_or_404(panel_id)
    sort = {d.id: request.form.get(f"d-{d.id}", "") for d in descriptors_for(panel.skill)}
    try:
        services.submit_familiarisation(db_session(), current_user, panel_id, sort, _now())
    except services.PanelError as exc:
        _refuse(exc)
    else:
        flash(_("Je indeling is bewaard."), "success")
    return redirect(url_for("panels.panel_page", panel_id=panel_id))


@bp.route("/<int:panel_id>/rounds/<int:round_no>", methods=["POST"])
@roles_required(Role.PANELLIST)
def judge(panel_id: int, round_no: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    panel = _panel_or_404(panel_id)
    try:
        data = _judgement_from_form(panel)
        services.submit_judgement(db_session(), current_user, panel_id, round_no, data, _now())
    except services.PanelError as exc:
        _refuse(exc)
    else:
        flash(_("Je oordelen voor ronde %(round)s zijn bewaard.", round=round_no), "success")
    return redirect(url_for("panels.panel_page", panel_id=panel_id))


# --- helpers --------------------------------------------------------------------------------


def _labels() -> dict:
    return {"method_labels": METHOD_LABELS, "skill_labels": SKILL_LABELS, "receptive": RECEPTIVE}


def _membership(panel: Panel) -> PanelMember:
    member = next((m for m in panel.members if m.user_id == current_user.id), None)
    return member or abort(404)


def _submitted(panel: Panel) -> dict[int, set[int]]:
    """Return, per round, the member ids that submitted (0: familiarisation)."""
    out: dict[int, set[int]] = {}
    for round_no, member_id in db_session().execute(
        sa.select(PanelJudgement.round, PanelJudgement.member_id).where(
            PanelJudgement.panel_id == panel.id
        )
    ):
        out.setdefault(round_no, set()).add(member_id)
    return out


def _booklet(panel: Panel) -> list:
    if panel.method == "bookmark":
        return list(ss.ordered_item_booklet(panel.material, panel.response_probability))
    return sorted(panel.material)


def _texts(panel: Panel) -> dict[str, BenchmarkText]:
    if panel.method != "benchmark":
        return {}
    rows = db_session().scalars(
        sa.select(BenchmarkText).where(BenchmarkText.id.in_(list(panel.material)))
    )
    return {t.id: t for t in rows}


def _judgement_from_form(panel: Panel) -> dict:
    form = request.form
    try:
        if panel.method == "bookmark":
            return {"bookmarks": {lv: int(form.get(f"bookmark-{lv}", "")) for lv in LEVELS}}
        if panel.method == "angoff":
            return {
                "probabilities": {
                    lv: {i: float(form.get(f"p-{lv}-{i}", "")) for i in panel.material}
                    for lv in LEVELS
                }
            }
        if panel.method == "basket":
            return {"baskets": {i: form.get(f"basket-{i}", "") for i in panel.material}}
        return {"placements": {p: form.get(f"place-{p}", "") for p in panel.material}}
    except ValueError:
        raise services.PanelError("bad_judgement", "malformed form") from None
