"""Public verification: the page a QR code opens and the JSON API."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template

from attest.certificates.verify import verify_code
from attest.database import db_session

bp = Blueprint("verify", __name__)


@bp.route("/v/<path:code>")
def page(code: str):
    result = verify_code(db_session(), code[:64])
    status = 404 if result.status == "not_found" else 200
    return render_template("verify/result.html", result=result), status


@bp.route("/api/v1/attestations/<path:code>")
def api(code: str):
    result = verify_code(db_session(), code[:64])
    status = 404 if result.status == "not_found" else 200
    response = jsonify(result.as_json())
    response.headers["Cache-Control"] = "no-store"
    return response, status
