"""Home page and health check."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user

from attest.models import Role

bp = Blueprint("web", __name__)


@bp.route("/")
def home():
    if not current_user.is_authenticated:
        return render_template("home.html")
    if current_user.role is Role.ADMIN:
        return redirect(url_for("admin.index"))
    if current_user.role is Role.PROCTOR:
        return redirect(url_for("proctor.dashboard"))
    return redirect(url_for("examiner.queue_page"))


@bp.route("/healthz")
def healthz():
    """Tell that the process is alive (no dependencies checked)."""
    return {"status": "ok"}


@bp.route("/readyz")
def readyz():
    """Tell whether the database (and Redis, when configured) answer; 503 when one does not."""
    import sqlalchemy as sa

    from attest.database import db_session
    from attest.redis_client import app_redis

    body = {"status": "ok", "database": "ok"}
    try:
        db_session().execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        current_app.logger.warning("readiness check: database unreachable")
        body.update(status="unavailable", database="unreachable")
    client = app_redis()
    if client is not None:
        try:
            client.ping()
            body["redis"] = "ok"
        except Exception:  # any connection or protocol error means: not ready
            current_app.logger.warning("readiness check: redis unreachable")
            body.update(status="unavailable", redis="unreachable")
    return body, (200 if body["status"] == "ok" else 503)
