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
from flask_login import current_user, login_user, logout_user

from attest.audit import record_event
from attest.auth import roles_required, start_session
from attest.auth.forms import LoginForm
from attest.auth.services import (
    LoginRefused,
    ThrottlePolicy,
    authenticate,
    record_login_failure,
)
from attest.database import db_session
from attest.models import Role

bp = Blueprint("auth", __name__)


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
        policy = ThrottlePolicy(
            max_failures=current_app.config["LOGIN_MAX_FAILURES"],
            lock_seconds=current_app.config["LOGIN_LOCK_SECONDS"],
        )
        try:
            user = authenticate(
                db_session(),
                form.username.data,
                form.password.data,
                request.remote_addr or "unknown",
                datetime.now(UTC),
                policy,
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
            language = session.get("lang")
            session.clear()  # nothing from before the login carries over (fixation)
            if language:
                session["lang"] = language
            login_user(user)
            start_session(user)
            record_event(db_session(), user, "auth.login", "user", user.id)
            return redirect(target)
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        record_event(db_session(), current_user, "auth.logout", "user", current_user.id)
    logout_user()
    flash(_("Je bent afgemeld."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/logout-everywhere", methods=["POST"])
@roles_required(Role.ADMIN, Role.PROCTOR, Role.EXAMINER)
def logout_everywhere():
    """End every session of this account, on every device."""
    current_user.session_epoch += 1
    record_event(db_session(), current_user, "user.logout_everywhere", "user", current_user.id)
    logout_user()
    session.clear()
    flash(_("Je bent overal afgemeld."), "info")
    return redirect(url_for("auth.login"))
