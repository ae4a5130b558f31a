"""Public verification: the page a QR code opens, the JSON API, keys and the status list."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from attest.certificates.requirements import profile_codes
from attest.certificates.status_service import NoSigningKey, current_status_list
from attest.certificates.verify import (
    judge_requirement,
    published_jwks,
    verify_code,
    verify_payload,
)
from attest.database import db_session

bp = Blueprint("verify", __name__)
MAX_INPUT = 1024


def _page(result):
    status = 404 if result.status == "not_found" else 200
    asked = request.args.get("profile", "")[:64]
    try:
        judgement = judge_requirement(result, asked) if asked else None
    except KeyError:
        asked, judgement = "", None  # an unknown profile is simply not judged
    return render_template(
        "verify/result.html",
        result=result,
        facts=result.facts,
        profiles=profile_codes(),
        asked=asked,
        judgement=judgement,
    ), status


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
    document = result.as_json()
    asked = request.args.get("profile")
    if asked is not None:
        try:
            judgement = judge_requirement(result, asked[:64])
        except KeyError:
            known = ", ".join(code for code, _title in profile_codes())
            return jsonify(error="unknown_profile", message=f"profile must be one of: {known}"), 400
        document["requirement"] = (
            None
            if judgement is None
            else {
                "profile": judgement.code,
                "title": judgement.title,
                "meets": judgement.meets,
                "shortfalls": [
                    {"skill": s, "level": got, "needed": need}
                    for s, got, need in judgement.shortfalls
                ],
            }
        )
    response = jsonify(document)
    response.headers["Cache-Control"] = "no-store"
    return response, status


@bp.route("/.well-known/jwks.json")
def jwks():
    response = jsonify(published_jwks(db_session()))
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.route("/status/attestations")
def status_list():
    try:
        token, ttl = current_status_list(db_session())
    except NoSigningKey:
        current_app.logger.error("status list requested but no active signing key")
        return jsonify(error="unavailable", message="no status list is published yet"), 503
    return Response(
        token,
        mimetype="application/statuslist+cwt",
        headers={"Cache-Control": f"public, max-age={ttl}"},
    )
