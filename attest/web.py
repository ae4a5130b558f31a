"""Home page and health check."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
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
    return render_template("examiner/index.html")


@bp.route("/healthz")
def healthz():
    return {"status": "ok"}
