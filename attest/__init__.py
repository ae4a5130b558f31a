"""Attest: NT2 level tests and verifiable attestations. create_app() builds the Flask app."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:  # Flask is imported lazily so that `import attest.<domain module>` stays pure
    from flask import Flask


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Create and configure the Flask application."""
    from flask import Flask

    from attest.config import default_instance_path, load_config, shipped_dir

    instance_path = Path(
        (config or {}).get("INSTANCE_PATH")
        or os.environ.get("ATTEST_INSTANCE_PATH")
        or default_instance_path()
    ).resolve()
    app = Flask(
        __name__,
        instance_path=str(instance_path),
        template_folder=str(shipped_dir("templates")),
    )
    app.config.update(load_config(instance_path, config))
    instance_path.mkdir(parents=True, exist_ok=True)
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    from attest import engine as dbmod
    from attest import field_crypto
    from attest.extensions import babel, csrf, limiter, login_manager
    from attest.i18n import locale_of_request, select_timezone

    derived = field_crypto.derive_key(app.config["SECRET_KEY"])
    field_crypto.configure(app.config["FIELD_KEY"] or derived, also_open=derived)
    from attest.request_session import in_read_only_view

    engine = dbmod.make_engine(app.config["DATABASE_URL"], read_only=in_read_only_view)
    app.extensions["attest_engine"] = engine
    app.extensions["attest_session"] = dbmod.make_session_factory(engine)
    # The public verification routes read through these, outside the ORM session (one
    # statement in autocommit); an in-memory SQLite database is read through the session.
    app.extensions["attest_lookups"] = (
        dbmod.LookupConnections(engine) if dbmod.is_file_database(engine) else None
    )

    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_STRATEGY", "fixed-window")
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "attest-limits")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    # Redis down: count in this process (Flask-Limiter logs the switch) rather than answer 500.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    limiter.init_app(app)
    from attest.limits import install_limit_headers

    install_limit_headers(app)  # of the limits counted without Flask-Limiter's decorator
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=locale_of_request, timezone_selector=select_timezone)
    _install_fast_gettext(app)
    _install_math_filter(app)

    from attest.auth import setup_login

    setup_login(app)
    from attest.wiring import connect_main_path

    connect_main_path(app)  # the issuing service; who reacts to the main path's signals
    _bound_integer_paths(app)
    _sync_once(app)
    _register_blueprints(app)
    _check_limits_once(app)
    _register_template_helpers(app)

    from attest.errors import register_error_handlers

    register_error_handlers(app)

    from attest.cli import register_cli

    register_cli(app)
    from attest.logs import configure_logging, install_request_logging

    if app.config["LOG_FORMAT"] in ("json", "text"):  # "none": leave logging to the host
        configure_logging(json_format=app.config["LOG_FORMAT"] == "json")
    logging.getLogger("attest").setLevel(logging.INFO)
    install_request_logging(app)
    from attest.audit_checkpoints import install_checkpoint_trigger

    install_checkpoint_trigger(app)
    # Registered last, so it runs first of the after_request hooks (Flask runs them in reverse):
    # a commit that fails turns the response into a 503, and the security headers, the request
    # id and the access line (with the commit's time) must describe that response.
    _register_request_transaction(app)
    return app


def _sync_once(app: Flask) -> None:
    """Let Flask ask once per function, not per call, whether a hook or view is a coroutine
    (it asks for every hook of every request; the answer never changes for a function)."""
    sync = app.ensure_sync
    checked: dict = {}

    def ensure_sync(func):
        kept = checked.get(func)
        if kept is None:
            kept = sync(func)
            if kept is func:  # plain functions only: an async one keeps its own wrapping
                checked[func] = func
        return kept

    app.ensure_sync = ensure_sync  # type: ignore[method-assign]


def _bound_integer_paths(app: Flask) -> None:
    """Make every `<int:...>` path segment fit a database integer: a larger number is a 404.

    A number past SQLite's 64-bit range reached the driver and gave an OverflowError (500); no
    row of ours has an id or position beyond a 32-bit signed integer (PostgreSQL's `integer`).
    """
    from werkzeug.routing import IntegerConverter

    class DatabaseInteger(IntegerConverter):
        def __init__(self, url_map, *args, **kwargs):
            kwargs.setdefault("max", 2**31 - 1)
            super().__init__(url_map, *args, **kwargs)

    app.url_map.converters["int"] = DatabaseInteger


def _check_limits_once(app: Flask) -> None:
    """Let Flask-Limiter check a request's limits once, not twice, when it can.

    It checks every request before the view (application and default limits, none of which
    this app sets) and again in each limit decorator (the limits of our views). With no
    application, default or blueprint limits, the first pass finds nothing to count for any
    request yet costs as much as the second: it is left out. Set any of them (e.g.
    RATELIMIT_DEFAULT) and it stays."""
    from attest.extensions import limiter

    manager = limiter.limit_manager
    if manager.application_limits or manager.default_limits or manager._blueprint_limits:
        return
    hooks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in hooks:
        hooks.remove(limiter._check_request_limit)


def _register_request_transaction(app: Flask) -> None:
    """Commit once per request when the response succeeds, otherwise roll back."""
    import sqlalchemy as sa
    from flask import g

    from attest.request_session import in_read_only_view, run_after_commit, run_undo

    @app.after_request
    def commit_session(response):
        session = app.extensions["attest_session"]
        succeeded = response.status_code < 400 or g.get("commit_on_error")
        if not session.registry.has():  # the request never used the database (e.g. /healthz)
            after = g.pop("after_commit", None)
            return run_after_commit(after, response) if succeeded else response
        pending = session.new or session.dirty or session.deleted or "undo_on_rollback" in g
        if (
            not pending
            and "after_commit" not in g
            and (not session().in_transaction() or in_read_only_view())
        ):
            # Nothing began, or a view that only reads (on SQLite its transaction refuses any
            # write): nothing to commit; the teardown's remove() ends the read transaction.
            return response
        if succeeded:
            try:
                session.commit()
            except (sa.exc.OperationalError, sa.exc.InterfaceError):
                # Not acknowledged: the client keeps its data and retries.
                from attest.errors import database_unavailable

                g.pop("after_commit", None)  # nothing was saved: nothing to tell anyone
                run_undo(g.pop("undo_on_rollback", None))
                return database_unavailable()
            except Exception:
                g.pop("after_commit", None)
                session.rollback()
                run_undo(g.pop("undo_on_rollback", None))
                raise
            g.pop("undo_on_rollback", None)  # committed: what was stored stays
            # Mails about what was saved go out now, never before the commit.
            return run_after_commit(g.pop("after_commit", None), response)
        g.pop("after_commit", None)
        session.rollback()
        run_undo(g.pop("undo_on_rollback", None))
        return response

    @app.teardown_appcontext
    def remove_session_with_the_app_context(exc):
        """Outside a request too (a CLI command, a script or test in `app.app_context()`), the
        scoped session ends with the app context: no transaction, and on SQLite no write lock,
        outlives it. (A request's own teardown below removed it already.)"""
        session = app.extensions["attest_session"]
        if session.registry.has():
            session.remove()

    @app.teardown_request
    def remove_session(exc):
        session = app.extensions["attest_session"]
        if exc is not None:
            g.pop("after_commit", None)
            session.rollback()
            run_undo(g.pop("undo_on_rollback", None))
        session.remove()


def _install_fast_gettext(app: Flask) -> None:
    """Let templates translate through one catalogue lookup per request, not one per string."""
    from attest.i18n import request_translations

    # Jinja's newstyle wrappers escape and interpolate the variables themselves.
    def gettext(msgid: str) -> str:
        return request_translations().ugettext(msgid)

    def ngettext(singular: str, plural: str, n: int) -> str:
        return request_translations().ungettext(singular, plural, n)

    app.jinja_env.install_gettext_callables(gettext=gettext, ngettext=ngettext, newstyle=True)


def _install_math_filter(app: Flask) -> None:
    """``{{ text | math }}``: an item text, its formulas as MathML (assessment.mathml)."""
    from markupsafe import Markup

    from attest.assessment.mathml import to_html

    def math(text: object) -> Markup:
        return Markup(to_html(str(text))) if text is not None else Markup("")

    app.jinja_env.filters["math"] = math


def _register_blueprints(app: Flask) -> None:
    from attest.admin.views import bp as admin_bp  # with items, answers, reports, trust
    from attest.appointments.views import bp as appointments_bp
    from attest.appointments.views import public_bp as booking_bp
    from attest.auth.views import bp as auth_bp
    from attest.certificates.partner_views import bp as partner_bp
    from attest.certificates.verify_views import bp as verify_bp
    from attest.examiner import interview_views  # noqa: F401  (routes on the examiner blueprint)
    from attest.examiner.admin_views import bp as examiner_admin_bp
    from attest.examiner.views import bp as examiner_bp
    from attest.kiosk import bp as kiosk_bp
    from attest.proctor.views import bp as proctor_bp
    from attest.standard_setting.views import admin_bp as panels_admin_bp
    from attest.standard_setting.views import bp as panels_bp
    from attest.web import bp as web_bp

    for bp in (
        web_bp,
        auth_bp,
        admin_bp,
        proctor_bp,
        kiosk_bp,
        verify_bp,
        examiner_bp,
        examiner_admin_bp,
        partner_bp,
        appointments_bp,
        booking_bp,
        panels_admin_bp,
        panels_bp,
    ):
        app.register_blueprint(bp)


def _register_template_helpers(app: Flask) -> None:
    from flask import request

    from attest import i18n

    helpers = {
        "skill_label": i18n.skill_label,
        "level_label": i18n.level_label,
        "format_date": i18n.format_day,
    }

    @app.context_processor
    def inject_helpers() -> dict[str, Any]:
        language = i18n.current_language()
        return {
            "current_locale": i18n.current_language_tag(),
            "text_direction": i18n.direction(language),
            **helpers,
        }

    _lazy_current_user(app)

    # Computed once: every response gets the same headers (a view may set its own first).
    common = (
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        (
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; media-src 'self'; "
            "style-src 'self'; script-src 'self'; frame-ancestors 'none'",
        ),
    )
    hsts = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    cacheable = ("static", "verify.")

    @app.after_request
    def security_headers(response):
        req = request._get_current_object()
        headers = response.headers
        present = {key.lower() for key in headers.keys()}
        for key, value in common:
            if key.lower() not in present:
                headers.add(key, value)
        if req.is_secure and "strict-transport-security" not in present:
            headers.add(*hsts)
        endpoint = req.endpoint
        if endpoint and not endpoint.startswith(cacheable) and "cache-control" not in present:
            headers.add("Cache-Control", "no-store")
        return response


def _lazy_current_user(app: Flask) -> None:
    """Give templates Flask-Login's `current_user` proxy instead of the user itself: its own
    context processor loads the user (session, database) for every page rendered, also the
    public ones that never look at it; the proxy loads it when a template first does."""
    from flask_login import current_user
    from flask_login.utils import _user_context_processor

    processors = app.template_context_processors[None]
    if _user_context_processor in processors:
        processors[processors.index(_user_context_processor)] = lambda: {
            "current_user": current_user
        }
