"""Home page and health check."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from flask_login import current_user

from attest.models import Role
from attest.request_session import read_only

bp = Blueprint("web", __name__)


@bp.route("/")
def home():
    if not current_user.is_authenticated:
        return render_template("home.html")
    if current_user.role is Role.ADMIN:
        return redirect(url_for("admin.index"))
    if current_user.role is Role.PROCTOR:
        return redirect(url_for("proctor.dashboard"))
    if current_user.role is Role.AUTHOR:
        return redirect(url_for("admin.items.queue"))
    if current_user.role is Role.PANELLIST:
        return redirect(url_for("panels.mine"))
    return redirect(url_for("examiner.queue_page"))


@bp.route("/healthz")
def healthz():
    """Tell that the process is alive (no dependencies checked)."""
    return {"status": "ok"}


@bp.route("/readyz")
@read_only
def readyz():
    """Tell whether the database (and Redis, when configured) answer; 503 when one does not."""
    import sqlalchemy as sa

    from attest.redis_client import app_redis
    from attest.request_session import db_session

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


@bp.route("/.well-known/security.txt")
def security_txt():
    """Say where to report a vulnerability (RFC 9116); not served until a contact is set."""
    from datetime import UTC, datetime, timedelta

    contact = current_app.config.get("SECURITY_CONTACT")
    if not contact:
        abort(404)
    if "://" not in contact and not contact.startswith("mailto:"):
        contact = f"mailto:{contact}"
    expires = (datetime.now(UTC) + timedelta(days=180)).replace(microsecond=0)
    public = current_app.config["PUBLIC_URL"].rstrip("/")
    lines = [
        f"Contact: {contact}",
        f"Expires: {expires.isoformat().replace('+00:00', 'Z')}",
        "Preferred-Languages: nl, en",
        f"Canonical: {public}/.well-known/security.txt",
    ]
    response = current_app.response_class("\n".join(lines) + "\n", mimetype="text/plain")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.route("/attestations/<int:attestation_id>/credential.jwt")
def old_credential_url(attestation_id: int):
    """The Verifiable Credential download moved to the proctor pages (staff URL; 308)."""
    return redirect(url_for("proctor.credential", attestation_id=attestation_id), code=308)
