"""Staff login (Flask-Login), role checks and kiosk device tokens."""

from __future__ import annotations

from functools import wraps
from typing import Callable, TypeVar

from flask import Flask, abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from attest.models import Role, User

F = TypeVar("F", bound=Callable)


def setup_login(app: Flask) -> None:
    """Configure Flask-Login: loader, login view and message."""
    from attest.database import db_session
    from attest.extensions import login_manager

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Meld je aan om deze pagina te zien.")
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        if not user_id.isdigit():
            return None
        user = db_session().get(User, int(user_id))
        return user if user is not None and user.is_enabled else None


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
