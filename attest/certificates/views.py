"""Public verification: the page a QR code opens, the JSON API, keys and the status list."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, jsonify, render_template

from attest.certificates.status_service import current_status_list
from attest.certificates.verify import published_jwks, verify_code, verify_payload
from attest.database import db_session

bp = Blueprint("verify", __name__)
MAX_INPUT = 1024


def _page(result):
    status = 404 if result.status == "not_found" else 200
    return render_template("verify/result.html", result=result, facts=result.facts), status


@bp.route("/v/<path:code>")
def page(code: str):
    return _page(verify_code(db_session(), code[:64]))


@bp.route("/V/<path:payload>")
def payload_page(payload: str):
    """Open the page from a scanned QR code (the URL carries the signed payload)."""
    return _page(verify_payload(db_session(), payload[:MAX_INPUT], datetime.now(UTC)))


@bp.route("/api/v1/attestations/<path:code>")
def api(code: str):
    result = verify_code(db_session(), code[:64])
    status = 404 if result.status == "not_found" else 200
    response = jsonify(result.as_json())
    response.headers["Cache-Control"] = "no-store"
    return response, status


@bp.route("/.well-known/jwks.json")
def jwks():
    response = jsonify(published_jwks(db_session()))
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.route("/status/attestations")
def status_list():
    token, ttl = current_status_list(db_session())
    return Response(
        token,
        mimetype="application/statuslist+cwt",
        headers={"Cache-Control": f"public, max-age={ttl}"},
    )
