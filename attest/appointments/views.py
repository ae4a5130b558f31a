"""Appointment pages: the proctor's day of slots (blueprint `appointments`) and the public
booking page of a centre with its manage link (blueprint `booking`, no account)."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from attest.appointments import services
from attest.appointments.forms import (
    BookCandidateForm,
    MarkForm,
    PublicBookingForm,
    RescheduleForm,
    SlotForm,
)
from attest.appointments.mail_texts import manage_url, send_after_commit
from attest.appointments.rules import BookingStatus, SlotInvalid, holds_place
from attest.assessment.purposes import load_purposes
from attest.auth import roles_required
from attest.extensions import limiter
from attest.kiosk.languages import KIOSK_LANGUAGES
from attest.mail import mail_available
from attest.models import Centre, Role
from attest.proctor.services import recent_candidates
from attest.request_session import db_session

bp = Blueprint("appointments", __name__, url_prefix="/proctor/appointments")
public_bp = Blueprint("booking", __name__, url_prefix="/book")
STAFF = (Role.PROCTOR, Role.ADMIN)
ZONE = ZoneInfo("Europe/Brussels")
log = logging.getLogger(__name__)

SLOT_MESSAGES = {
    "duration": _l("De duur moet tussen 1 en 480 minuten liggen."),
    "capacity_low": _l("Een moment heeft minstens één plaats."),
    "capacity_kiosks": _l(
        "Meer plaatsen dan actieve kiosken in het centrum (%(kiosks)s): dat kan niet."
    ),
    "capacity_taken": _l("Er zijn al %(taken)s plaatsen geboekt: minder plaatsen kan niet."),
}
BOOKING_MESSAGES = {
    "no_slot": _l("Dat moment bestaat niet (meer). Kies een ander moment."),
    "past": _l("Dat moment is al voorbij."),
    "full": _l("Dat moment is intussen volzet. Kies een ander moment."),
    "token": _l("Deze link is ongeldig of werkt niet meer."),
    "expired": _l(
        "Deze aanvraag is vervallen: ze werd niet binnen 30 minuten bevestigd. Maak een nieuwe "
        "afspraak."
    ),
    "not_pending": _l("Deze afspraak kan niet meer bevestigd worden."),
    "not_open": _l("Deze afspraak kan niet meer gewijzigd worden."),
    "same_slot": _l("Kies een ander moment dan het huidige."),
    "no_booking": _l("Die afspraak bestaat niet."),
    "not_markable": _l(
        "Alleen een bevestigde afspraak kan als aanwezig of afwezig genoteerd worden."
    ),
    "too_early": _l("Aanwezigheid noteren kan pas vanaf een uur voor het begin."),
}
PERSON_MESSAGES = {
    "email": _l("Geef een geldig e-mailadres, bijvoorbeeld naam@voorbeeld.be."),
    "too_long": _l("Dit is te lang."),
    "future": _l("De geboortedatum ligt in de toekomst."),
    "age": _l("De leeftijd moet tussen 12 en 120 jaar liggen."),
    "required": _l("Dit veld is verplicht."),
}
STATUS_LABELS = {
    BookingStatus.PENDING: _l("wacht op bevestiging"),
    BookingStatus.CONFIRMED: _l("bevestigd"),
    BookingStatus.CANCELLED: _l("geannuleerd"),
    BookingStatus.NO_SHOW: _l("niet opgedaagd"),
    BookingStatus.ATTENDED: _l("aanwezig"),
}


def _now() -> datetime:
    return datetime.now(UTC)


def _booking_message(exc: services.BookingError, *, public: bool = False) -> str:
    """The refusal in words. On the public pages (anyone may type a name and birth date) a
    retake refusal states the purpose's rule only: when that person may book again, or that
    they hold a booking, is theirs to know (staff see the dates; the person has their mails)."""
    if exc.code == "retake" and public:
        if exc.rule.min_days_between:
            return _(
                "Met deze naam en geboortedatum kan nu geen afspraak voor deze test gemaakt "
                "worden. De herkansingsregels vragen minstens %(days)s dagen tussen twee pogingen "
                "en staan hoogstens %(most)s pogingen per 12 maanden toe; ook afspraken tellen "
                "mee. Hebt u al een afspraak, verzet of annuleer ze dan met de link in uw e-mail. "
                "Het centrum zegt u vanaf wanneer u opnieuw kunt boeken.",
                days=exc.rule.min_days_between,
                most=exc.rule.max_attempts_per_12_months,
            )
        return _(
            "Met deze naam en geboortedatum kan nu geen afspraak voor deze test gemaakt worden. "
            "De herkansingsregels staan hoogstens %(most)s pogingen per 12 maanden toe; ook "
            "afspraken tellen mee. Hebt u al een afspraak, verzet of annuleer ze dan met de link "
            "in uw e-mail. Het centrum zegt u vanaf wanneer u opnieuw kunt boeken.",
            most=exc.rule.max_attempts_per_12_months,
        )
    if exc.code == "retake" and exc.decision.reason == "before_booked":
        return _(
            "Er staat al een afspraak voor deze test op %(date)s; twee pogingen liggen te dicht "
            "bij elkaar (herkansingsregels). Verzet die afspraak of annuleer ze eerst.",
            date=format_date(exc.decision.next_allowed_on),
        )
    if exc.code == "retake":
        return _(
            "Voor deze test kunt u pas opnieuw een afspraak maken vanaf %(date)s "
            "(herkansingsregels).",
            date=format_date(exc.decision.next_allowed_on),
        )
    if exc.code == "person":
        return str(PERSON_MESSAGES.get(exc.detail, _l("Kijk dit veld na.")))
    return str(BOOKING_MESSAGES[exc.code])


def _to_day(centre_id: int, day: date | str):
    """Back to the day page (an admin of no centre keeps the centre chosen)."""
    day = day if isinstance(day, str) else day.isoformat()
    centre = centre_id if current_user.centre_id is None else None
    return redirect(url_for("appointments.day_view", day=day, centre=centre))


def _purpose_choices() -> list[SelectChoice]:
    return [SelectChoice(p.code, p.title) for p in load_purposes().values() if p.is_live]


def _purpose_titles() -> dict[str, str]:
    return {code: p.title for code, p in load_purposes().items()}


def _slot_label(slot, left: int) -> str:
    title = _purpose_titles().get(slot.purpose_code, slot.purpose_code)
    when = format_datetime(slot.starts_at, "EEEE d MMMM y, HH:mm")
    return _("%(when)s: %(purpose)s (nog %(n)s plaatsen)", when=when, purpose=title, n=left)


# ------------------------------------------------------------------------------------ proctor


def _centre_id() -> int | None:
    """The centre whose slots are shown: the user's; an admin of no centre picks one."""
    if current_user.centre_id is not None:
        return current_user.centre_id
    chosen = request.args.get("centre", type=int)
    if chosen is None or db_session().get(Centre, chosen) is None:
        return None
    return chosen


def _day_page(day: date, form: SlotForm | None = None, status: int = 200):
    centre_id = _centre_id()
    if centre_id is None:  # an admin of no centre: choose one first
        centres = db_session().scalars(sa.select(Centre).order_by(Centre.name)).all()
        return render_template("appointments/centres.html", centres=centres, day=day), status
    if form is None:
        form = SlotForm(formdata=None, day=day)
        form.purpose.choices = _purpose_choices()
    book_form = BookCandidateForm()
    book_form.candidate.choices = [
        SelectChoice(c.id, f"{c.display_name} ({format_date(c.birth_date)})")
        for c in recent_candidates(db_session(), current_user, 200)
    ]
    now = _now()
    rows = [
        {
            "slot": slot,
            "bookings": bookings,
            "time": format_datetime(slot.starts_at, "HH:mm"),
            "taken": sum(holds_place(b.status, b.pending_until, now) for b in bookings),
        }
        for slot, bookings in services.slots_of_day(db_session(), centre_id, day, ZONE)
    ]
    return render_template(
        "appointments/day.html",
        day=day,
        centre_id=centre_id,
        rows=rows,
        form=form,
        book_form=book_form,
        mark_form=MarkForm(),
        titles=_purpose_titles(),
        status_labels=STATUS_LABELS,
        kiosks=services.active_kiosks(db_session(), centre_id),
    ), status


@bp.route("/")
@roles_required(*STAFF)
def day_view():
    try:
        day = date.fromisoformat(request.args.get("day", ""))
    except ValueError:
        day = _now().astimezone(ZONE).date()
    return _day_page(day)


@bp.route("/slots", methods=["POST"])
@roles_required(*STAFF)
def create_slot():
    form = SlotForm()
    form.purpose.choices = _purpose_choices()
    if not form.validate_on_submit():
        return _day_page(form.day.data or _now().astimezone(ZONE).date(), form, 400)
    starts = datetime.combine(form.day.data, form.time.data, tzinfo=ZONE).astimezone(UTC)
    centre_id = _centre_id()
    if centre_id is None:
        return _day_page(form.day.data, form, 400)
    try:
        services.create_slot(
            db_session(), centre_id, current_user, starts, form.duration_minutes.data,
            form.purpose.data, form.capacity.data,
        )  # fmt: skip
    except SlotInvalid as exc:
        form.capacity.errors = [str(SLOT_MESSAGES[exc.code]) % exc.detail]
        return _day_page(form.day.data, form, 400)
    flash(_("Moment aangemaakt."), "success")
    return _to_day(centre_id, form.day.data)


@bp.route("/slots/<int:slot_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF)
def edit_slot(slot_id: int):
    slot = services.slot_for(db_session(), current_user, slot_id) or abort(404)
    local = slot.starts_at.astimezone(ZONE)
    form = SlotForm(
        day=local.date(), time=local.time(), duration_minutes=slot.duration_minutes,
        capacity=slot.capacity, purpose=slot.purpose_code,
    )  # fmt: skip
    form.purpose.choices = [SelectChoice(slot.purpose_code, _purpose_titles()[slot.purpose_code])]
    if form.validate_on_submit():
        starts = datetime.combine(form.day.data, form.time.data, tzinfo=ZONE).astimezone(UTC)
        try:
            services.update_slot(
                db_session(), slot.id, current_user, starts, form.duration_minutes.data,
                form.capacity.data, _now(),
            )  # fmt: skip
        except SlotInvalid as exc:
            form.capacity.errors = [str(SLOT_MESSAGES[exc.code]) % exc.detail]
        else:
            flash(_("Moment gewijzigd."), "success")
            return _to_day(slot.centre_id, form.day.data)
    status = 400 if form.is_submitted() else 200
    return render_template("appointments/slot_form.html", form=form, slot=slot), status


@bp.route("/slots/<int:slot_id>/bookings", methods=["POST"])
@roles_required(*STAFF)
def book_candidate(slot_id: int):
    from attest.proctor.services import candidate_for

    slot = services.slot_for(db_session(), current_user, slot_id) or abort(404)
    form = BookCandidateForm()
    if not form.validate_on_submit():
        abort(400)
    cand = candidate_for(db_session(), current_user, form.candidate.data or 0) or abort(404)
    day = slot.starts_at.astimezone(ZONE).date().isoformat()
    try:
        services.book_candidate(db_session(), slot.id, cand, current_user, _now())
    except services.BookingError as exc:
        flash(_booking_message(exc), "error")
        return _to_day(slot.centre_id, day), 303
    flash(_("Kandidaat ingeboekt."), "success")
    return _to_day(slot.centre_id, day)


@bp.route("/bookings/<int:booking_id>/mark", methods=["POST"])
@roles_required(*STAFF)
def mark_booking(booking_id: int):
    booking = services.booking_for(db_session(), current_user, booking_id) or abort(404)
    slot = booking.slot
    day = slot.starts_at.astimezone(ZONE).date().isoformat()
    form = MarkForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.mark(db_session(), current_user, booking_id, BookingStatus(form.status.data),
                      _now())  # fmt: skip
    except services.BookingError as exc:
        flash(_booking_message(exc), "error")
        return _to_day(slot.centre_id, day), 303
    return _to_day(slot.centre_id, day)


# ------------------------------------------------------------------------------------- public


def _booking_limit() -> str:
    return current_app.config["BOOKING_LIMIT"]


def _centre(code: str) -> Centre:
    return db_session().scalar(sa.select(Centre).where(Centre.code == code)) or abort(404)


def _closed():
    return render_template("appointments/closed.html"), 503


def _language_choices() -> list[SelectChoice]:
    return [SelectChoice(lang.code, lang.native_name) for lang in KIOSK_LANGUAGES]


@public_bp.route("/<code>", methods=["GET", "POST"])
@limiter.limit(_booking_limit, methods=["POST"])
def book(code: str):
    if not mail_available(current_app.config):
        return _closed()  # no confirmation link can be sent: no booking without one
    centre = _centre(code)
    now = _now()
    form = PublicBookingForm()
    form.language.choices = _language_choices()
    open_slots = services.open_slots(db_session(), centre.id, now)
    form.slot.choices = [SelectChoice(s.id, _slot_label(s, left)) for s, left in open_slots]
    if request.method == "GET":
        form.language.data = form.language.data or "nl"
    if form.validate_on_submit():
        person = services.PersonInput(
            form.family_name.data or "", form.given_names.data or "", form.birth_date.data,
            form.email.data or "", form.language.data or "nl", form.accommodation.data or "",
        )  # fmt: skip
        try:
            codes = tuple(choice.value for choice in form.language.choices)
            person = services.clean_person(person, now.date(), codes)
            booking, token = services.request_booking(
                db_session(), centre.id, form.slot.data or 0, person, now
            )
            # Sent once the booking is committed; if it cannot be, the booking is withdrawn.
            send_after_commit(
                "confirm", booking, booking.slot, token, failed=_withdrawer(booking.id)
            )
        except services.BookingError as exc:
            field = getattr(form, exc.field, None) if exc.field else None
            if field is not None:
                field.errors = [_booking_message(exc, public=True)]
            else:
                form.slot.errors = [_booking_message(exc, public=True)]
        else:
            return render_template("appointments/sent.html", centre=centre), 201
    status = 400 if form.is_submitted() else 200
    return render_template("appointments/book.html", form=form, centre=centre), status


def _withdrawer(booking_id: int):
    """The after-commit `failed` callback of a confirmation mail: nobody holds the booking's
    link, so the booking is withdrawn (its place is free, the person may book again at once)
    and the person is told that nothing was kept."""

    def withdraw(_exc: Exception):
        session = db_session()
        try:
            services.withdraw_unsent(session, booking_id)
            session.commit()
        except Exception:  # noqa: BLE001 - not withdrawn: it expires unconfirmed
            session.rollback()
            log.warning("booking %s not withdrawn after its mail failed: it expires", booking_id)
        page = render_template("appointments/mail_failed.html")
        return current_app.make_response((page, 503))

    return withdraw


def _manage_page(booking, status: int = 200, **context):
    when = format_datetime(booking.slot.starts_at, "EEEE d MMMM y, HH:mm") if booking else ""
    page = render_template(
        "appointments/manage.html", booking=booking, when=when, status_labels=STATUS_LABELS,
        titles=_purpose_titles(), **context,
    )  # fmt: skip
    return page, status


@public_bp.route("/manage/<token>", methods=["GET", "POST"])
@limiter.limit(_booking_limit, methods=["POST"])
def manage(token: str):
    session = db_session()
    booking = services.booking_by_token(session, token)
    if booking is None:
        return _manage_page(None, 404)
    now = _now()
    expired = booking.status is BookingStatus.PENDING and booking.pending_until <= now
    form = RescheduleForm()
    form.slot.choices = [
        SelectChoice(s.id, _slot_label(s, left))
        for s, left in services.open_slots(
            session, booking.slot.centre_id, now, booking.slot.purpose_code
        )
        if s.id != booking.slot_id
    ]
    if not form.validate_on_submit():
        return _manage_page(booking, 400 if form.is_submitted() else 200, form=form,
                            expired=expired)  # fmt: skip
    action = request.form.get("action")
    try:
        if action == "confirm":
            services.confirm(session, token, now)
            flash(_("Uw afspraak is bevestigd."), "success")
        elif action == "cancel":
            booking = services.cancel(session, token, now)
            # after the commit; the cancel stands without its notice if that fails
            send_after_commit("cancelled", booking, booking.slot)
            return _manage_page(booking, cancelled=True)
        elif action == "reschedule":
            booking, new_token = services.reschedule(session, token, form.slot.data or 0, now)
            # After the commit. If the mail fails, the page itself gives the new link: whoever
            # followed the old one may manage the booking anyway.
            link = manage_url(current_app.config, new_token)
            unsent = _manage_page(booking, moved=True, unsent_link=link)
            send_after_commit(
                "moved", booking, booking.slot, new_token,
                failed=lambda _exc: current_app.make_response(unsent),
            )  # fmt: skip
            return _manage_page(booking, moved=True)
        else:
            abort(400)
    except services.BookingError as exc:
        flash(_booking_message(exc, public=True), "error")
        status = 404 if exc.code == "token" else 409
        return _manage_page(booking, status, form=form, expired=expired)
    return redirect(url_for(".manage", token=token), 303)
