"""Staff login (Flask-Login), role checks and kiosk device tokens."""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import Callable, TypeVar

from flask import Flask, abort
from flask.sessions import SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from attest.auth import login_protocol  # noqa: F401 - Flask-Login's protocol on User
from attest.models import EndedSession, Role, User

F = TypeVar("F", bound=Callable)


def setup_login(app: Flask) -> None:
    """Configure Flask-Login: loader, login view and message."""
    from attest.extensions import login_manager
    from attest.request_session import db_session

    app.session_interface = _SessionInterface()
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Meld je aan om deze pagina te zien.")
    login_manager.session_protection = "strong"
    login_manager._session_identifier_generator = _client_identifier

    @app.before_request
    def enforce_session_limits():
        """End staff sessions that idled too long, are too old, or were ended everywhere."""
        from flask import flash, redirect, request, session, url_for
        from flask_babel import gettext as _
        from flask_login import logout_user

        if "_user_id" not in session:
            return None
        now = time.time()
        cfg = app.config
        user = current_user._get_current_object()
        expired = (
            not user.is_authenticated
            or session.get("epoch") != user.session_epoch
            or _was_ended(session.get("sid"))
            or now - session.get("login_at", 0) > cfg["SESSION_MAX_HOURS"] * 3600
            or now - session.get("seen_at", 0) > cfg["SESSION_IDLE_MINUTES"] * 60
        )
        if expired:
            logout_user()
            session.clear()
            flash(_("Je sessie is afgelopen. Meld je opnieuw aan."), "info")
            if request.method == "GET" and request.endpoint != "auth.login":
                return redirect(url_for("auth.login", next=request.full_path))
            return None
        # Refresh the activity mark (a new cookie) at most once a minute, and often enough
        # that activity keeps even a short idle limit from ending a session in use.
        if now - session.get("seen_at", 0) > min(60.0, cfg["SESSION_IDLE_MINUTES"] * 6):
            session["seen_at"] = now
        return None

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        if not user_id.isdigit():
            return None
        user = db_session().get(User, int(user_id))
        return user if user is not None and user.is_enabled else None


def _client_identifier() -> str:
    """What Flask-Login's strong protection binds a session to: the client address as the WSGI
    server (or ProxyFix, for ATTEST_TRUSTED_PROXIES) determined it, never a header the client
    writes itself (Flask-Login's own takes X-Forwarded-For as sent), and the user agent."""
    from flask import request

    base = f"{request.remote_addr}|{request.headers.get('User-Agent', '')}"
    return hashlib.sha512(base.encode("utf-8", "replace")).hexdigest()


def _sid_hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def _was_ended(sid: object) -> bool:
    """Whether the session was ended by logging out (or carries no id at all)."""
    from attest.request_session import db_session

    if not isinstance(sid, str) or not sid:
        return True
    return db_session().get(EndedSession, _sid_hash(sid)) is not None


def end_session(max_hours: float) -> None:
    """Record on the server that the current staff session has ended, so that a copy of its
    cookie (taken before logging out) no longer opens anything; forget ended sessions that
    would have expired by now anyway."""
    import sqlalchemy as sa
    from flask import session
    from sqlalchemy.dialects import postgresql, sqlite

    from attest.request_session import db_session

    sid, login_at = session.get("sid"), session.get("login_at")
    now = datetime.now(UTC)
    db = db_session()
    db.execute(sa.delete(EndedSession).where(EndedSession.expires_at < now))
    if isinstance(sid, str) and sid and isinstance(login_at, int | float):
        expires = datetime.fromtimestamp(login_at, UTC) + timedelta(hours=max_hours)
        if expires > now:
            # one statement: two simultaneous logouts of one session both succeed
            dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
            row = {"sid_hash": _sid_hash(sid), "expires_at": expires}
            db.execute(dialect.insert(EndedSession).values(**row).on_conflict_do_nothing())


def cookie_secure(app: Flask) -> bool:
    """Mark cookies Secure when configured, or whenever the request came over TLS."""
    from flask import has_request_context, request

    return bool(app.config["SESSION_COOKIE_SECURE"]) or (
        has_request_context() and request.is_secure
    )


class _SessionInterface(SecureCookieSessionInterface):
    def get_cookie_secure(self, app: Flask) -> bool:
        return cookie_secure(app)

    def get_signing_serializer(self, app: Flask):
        """Flask's serializer, built once per secret key (and fallbacks), not per request: it
        is immutable, and building it (key derivation set-up) cost as much as a small view."""
        fallbacks = app.config["SECRET_KEY_FALLBACKS"]
        key = (app.secret_key, tuple(fallbacks) if fallbacks else ())
        kept = self._serializers.get(key)
        if kept is None:
            kept = super().get_signing_serializer(app)
            if kept is not None:
                self._serializers = {key: kept}  # one secret at a time: forget the old
        return kept

    _serializers: dict = {}


def start_session(user: User) -> None:
    """Mark the fresh session with the user's epoch and the login time (for the limits)."""
    from flask import session

    now = time.time()
    session["epoch"] = user.session_epoch
    session["login_at"] = session["seen_at"] = now
    # A fresh random value makes the signed cookie of every login new, so a cookie captured
    # before the login (fixation) or from an earlier login can never be the current one.
    session["sid"] = secrets.token_urlsafe(16)


def begin_login(user: User, target: str) -> None:
    """Rotate the session at a successful password: nothing from before carries over but the
    language; staff who need a second step are only *pending* until they pass it."""
    from flask import session

    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    session["mfa"] = {
        "uid": user.id,
        "epoch": user.session_epoch,
        "at": time.time(),
        "next": target,
        "sid": secrets.token_urlsafe(16),
    }


def pending_user(max_age_seconds: int) -> tuple[User, str] | None:
    """Return the user waiting for the second step and where to send them, or None."""
    from flask import session

    from attest.request_session import db_session

    pending = session.get("mfa")
    if not isinstance(pending, dict) or not isinstance(pending.get("uid"), int):
        return None
    if time.time() - pending.get("at", 0) > max_age_seconds:
        session.pop("mfa", None)
        return None
    user = db_session().get(User, pending["uid"])
    if user is None or not user.is_enabled or user.session_epoch != pending.get("epoch"):
        session.pop("mfa", None)
        return None
    return user, str(pending.get("next") or "/")


def complete_login(user: User) -> None:
    """Turn a pending (or password-only) login into a staff session with a new identity."""
    from flask import session
    from flask_login import login_user

    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    login_user(user)
    start_session(user)


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Allow a view only to logged-in staff with one of the roles (401 → login, else 403)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args, **kwargs):
            from attest.extensions import login_manager

            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
