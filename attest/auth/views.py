"""Staff login and logout."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from attest import totp
from attest.audit import record_event
from attest.auth import (
    begin_login,
    complete_login,
    end_session,
    pending_user,
    roles_required,
)
from attest.auth.forms import CodeForm, LoginForm
from attest.auth.second_factor import (
    SecondFactorError,
    check_second_factor,
    confirm_enrolment,
    enrolment_secret,
    totp_required,
    unused_recovery_codes,
)
from attest.auth.services import (
    LoginRefused,
    ThrottlePolicy,
    address_policy,
    authenticate,
    record_login_failure,
)
from attest.models import Role
from attest.request_session import db_session

bp = Blueprint("auth", __name__)
CODE_MESSAGES = {
    "wrong": _l("Deze code is niet juist, al gebruikt of verlopen. Wacht op de volgende code."),
    "locked": _l("Te veel foute codes. Probeer het over enkele minuten opnieuw."),
    "unavailable": _l(
        "Je code kan nu niet gecontroleerd worden door een fout in de instellingen van de "
        "server. Gebruik een herstelcode en meld het aan de beheerder."
    ),
}


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc and target.startswith("/") else None


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("web.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        cfg = current_app.config
        policy = ThrottlePolicy(cfg["LOGIN_MAX_FAILURES"], cfg["LOGIN_LOCK_SECONDS"])
        try:
            user = authenticate(
                db_session(),
                form.username.data,
                form.password.data,
                request.remote_addr or "unknown",
                datetime.now(UTC),
                policy,
                address_policy(policy, cfg["LOGIN_ADDRESS_MAX_FAILURES"]),
            )
        except LoginRefused as refused:
            g.commit_on_error = True  # keep the failure count (and the audit entry)
            record_login_failure(db_session(), form.username.data, refused.locked)
            status = 429 if refused.locked else 401
            flash(
                _("Te veel mislukte pogingen. Probeer het over enkele minuten opnieuw.")
                if refused.locked
                else _("Gebruikersnaam of wachtwoord is niet juist."),
                "error",
            )
        else:
            target = _safe_next(request.args.get("next")) or url_for("web.home")
            if not totp_required(user, current_app.config["TOTP_REQUIRED_ROLES"]):
                complete_login(user)
                record_event(db_session(), user, "auth.login", "user", user.id)
                return redirect(target)
            begin_login(user, target)  # not logged in until the second step
            step = "auth.second_factor" if user.has_totp else "auth.enrol_totp"
            return redirect(url_for(step))
    return render_template("auth/login.html", form=form), status


def _code_policy() -> ThrottlePolicy:
    cfg = current_app.config
    return ThrottlePolicy(
        max_failures=cfg["TOTP_MAX_FAILURES"], lock_seconds=cfg["TOTP_LOCK_SECONDS"]
    )


def _pending():
    found = pending_user(current_app.config["MFA_PENDING_SECONDS"])
    if found is None:
        flash(_("Meld je opnieuw aan met je wachtwoord."), "info")
    return found


def _refused(form: CodeForm, user, error: SecondFactorError, action: str) -> int:
    g.commit_on_error = True  # keep the failure count
    record_event(db_session(), user, action, "user", user.id, reason=error.reason)
    form.code.errors = [str(CODE_MESSAGES.get(error.reason, CODE_MESSAGES["wrong"]))]
    return {"locked": 429, "unavailable": 503}.get(error.reason, 400)


@bp.route("/login/code", methods=["GET", "POST"])
def second_factor():
    """The second step: a code from the authenticator app, or a recovery code."""
    found = _pending()
    if found is None:
        return redirect(url_for("auth.login"))
    user, target = found
    if not user.has_totp:
        return redirect(url_for("auth.enrol_totp"))
    form, status = CodeForm(), 200
    if form.validate_on_submit():
        try:
            kind = check_second_factor(
                db_session(), user, form.code.data, datetime.now(UTC), _code_policy()
            )
        except SecondFactorError as error:
            status = _refused(form, user, error, "user.second_factor_refused")
        else:
            record_event(db_session(), user, "auth.login", "user", user.id, second_factor=kind)
            complete_login(user)
            if kind == "recovery":
                left = unused_recovery_codes(db_session(), user)
                flash(_("Je gebruikte een herstelcode. Er blijven er nog %(n)d.", n=left), "info")
            return redirect(target)
    elif form.is_submitted():
        status = 400
    return render_template("auth/second_factor.html", form=form), status


@bp.route("/login/enrol", methods=["GET", "POST"])
def enrol_totp():
    """First login of staff who need a second factor: scan the QR code, confirm with a code."""
    found = _pending()
    if found is None:
        return redirect(url_for("auth.login"))
    user, target = found
    if user.has_totp:
        return redirect(url_for("auth.second_factor"))
    secret = enrolment_secret(db_session(), user)
    form, status = CodeForm(), 200
    if form.validate_on_submit():
        try:
            codes = confirm_enrolment(
                db_session(), user, form.code.data, datetime.now(UTC), _code_policy()
            )
        except SecondFactorError as error:
            status = _refused(form, user, error, "user.totp_enrol_refused")
        else:
            record_event(db_session(), user, "user.totp_enrolled", "user", user.id)
            record_event(db_session(), user, "auth.login", "user", user.id, second_factor="totp")
            complete_login(user)
            return render_template("auth/recovery_codes.html", codes=codes, target=target)
    elif form.is_submitted():
        status = 400
    uri = totp.provisioning_uri(secret, user.username, current_app.config["ISSUER_NAME"])
    return render_template(
        "auth/enrol_totp.html", form=form, secret=secret, qr_src=totp.qr_data_uri(uri)
    ), status


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        record_event(db_session(), current_user, "auth.logout", "user", current_user.id)
        end_session(current_app.config["SESSION_MAX_HOURS"])
    logout_user()
    flash(_("Je bent afgemeld."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/logout-everywhere", methods=["POST"])
@roles_required(*Role)
def logout_everywhere():
    """End every session of this account, on every device."""
    current_user.session_epoch += 1
    record_event(db_session(), current_user, "user.logout_everywhere", "user", current_user.id)
    logout_user()
    session.clear()
    flash(_("Je bent overal afgemeld."), "info")
    return redirect(url_for("auth.login"))
