"""Partner API: an organisation asks, by INSZ and profile, whether a valid attestation meets it."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from attest import public_urls as urls
from attest.certificates.partner import PartnerError, check_requirement, hash_key, partner_for_key
from attest.extensions import csrf, limiter
from attest.limit_keys import hashed_client_address
from attest.request_session import db_session

bp = Blueprint("partner", __name__, url_prefix=urls.PARTNER_API)


def _bearer() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _key_of_caller() -> str:
    """Rate-limit per API key (hashed), or per client address when none is sent."""
    token = _bearer()
    return f"key:{hash_key(token)[:16]}" if token else f"addr:{hashed_client_address()}"


@bp.route("/checks", methods=["POST"])
@csrf.exempt
@limiter.limit(lambda: current_app.config["PARTNER_LIMIT"], key_func=_key_of_caller)
def check():
    """Answer yes/no with the attestation code and test date; every lookup is audited."""
    body = request.get_json(silent=True)
    try:
        org = partner_for_key(db_session(), _bearer())
        if not isinstance(body, dict):
            raise PartnerError("bad_request", "send a JSON object with insz, profile and purpose")
        answer = check_requirement(
            db_session(),
            org,
            body.get("insz"),
            body.get("profile"),
            body.get("purpose"),
            body.get("lease_start"),
        )
    except PartnerError as exc:
        current_app.logger.info("partner lookup refused: %s", exc.code)
        response = jsonify(error=exc.code, message=exc.message)
        if exc.status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="attest-partner"'
        return response, exc.status
    current_app.logger.info("partner lookup org=%s meets=%s", org.id, answer.meets)
    response = jsonify(answer.as_json())
    response.headers["Cache-Control"] = "no-store"
    return response
