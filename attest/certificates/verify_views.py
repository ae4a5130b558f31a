"""Public verification: the page a QR code opens, the typed-code lookup, the JSON API, keys,
the status list and the CRL. Lookups are rate limited per client and per typed code."""

from __future__ import annotations

import base64
import threading
from collections import OrderedDict
from datetime import UTC, datetime
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    render_template,
    request,
)
from flask_limiter.util import get_remote_address

from attest import public_urls as urls
from attest.admissions import photo_for_code
from attest.certificates.cert_code import parse_code
from attest.certificates.forms import VerifyForm, profile_choices
from attest.certificates.key_service import CRL_FILE
from attest.certificates.openapi import openapi_document
from attest.certificates.requirement_text import judgement_json
from attest.certificates.requirements import decided_by, profile_codes
from attest.certificates.status_service import NoSigningKey, current_status_list
from attest.certificates.verify import (
    judge_requirement,
    log_lookup,
    parse_lease_start,
    published_jwks,
    verify_code,
    verify_payload,
)
from attest.extensions import csrf
from attest.i18n import current_language
from attest.limits import ClientLimit, count_failure, hashed
from attest.request_session import db_session, lookup_reader, read_only

bp = Blueprint("verify", __name__)
MAX_INPUT = 1024


def _client_limit() -> str:
    return current_app.config["VERIFY_LIMIT_CLIENT"]


def _code_limit() -> str:
    return current_app.config["VERIFY_LIMIT_CODE"]


def _code_key(raw: object) -> str:
    """Rate-limit key of a typed code: the canonical code, so that spelling the same code
    another way (case, dashes, prefix, O for 0) counts against the same limit, pseudonymised
    as in the logs."""
    raw = raw if isinstance(raw, str) else ""
    canonical = parse_code(raw)
    if canonical is None:
        canonical = "malformed:" + "".join(ch for ch in raw.upper() if ch.isalnum())[:40]
    return hashed(canonical)


def _form_only() -> bool:
    """Showing the empty lookup form looks nothing up: it does not count."""
    return request.method == "GET" and request.endpoint == "verify.lookup"


# One direct count per request (attest.limits.ClientLimit), Flask-Limiter's keys and headers.
client_limit = ClientLimit(_client_limit, "verify-client", exempt_when=_form_only)


def _count_failure(code: object) -> None:
    """Count a failed typed lookup against its code, the same count for the form and the API,
    and answer 429 past the limit; a right code with the right birth date consumes nothing and
    is never refused by it."""
    retry_after = count_failure(_code_limit(), "verify-code", _code_key(code))
    if retry_after:
        g.retry_after = retry_after
        abort(429)


def _log(route: str, result, code: str) -> None:
    log_lookup(route, result, code, get_remote_address(), current_app.config["SECRET_KEY"])


def _judge(result, asked: str, lease_text: str):
    try:
        lease_start = parse_lease_start(lease_text[:32])
    except ValueError:
        lease_start = None  # the page then asks for the date again
    try:
        return asked, (judge_requirement(result, asked, lease_start) if asked else None)
    except KeyError:
        return "", None  # an unknown profile is simply not judged


def _form(*, empty: bool = False) -> VerifyForm:
    form = VerifyForm(formdata=None) if empty else VerifyForm()
    form.profile.choices = profile_choices(blank=True)
    return form


def _photo_uri(result) -> str | None:
    """The holder's test-day photo as a data: URI, for a valid attestation only; called only
    after the typed code AND the birth date matched (never for the QR page)."""
    if not result.is_valid or not result.facts:
        return None
    jpeg = photo_for_code(db_session(), result.facts["code"])
    if jpeg is None:
        return None
    return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")


def _page(
    result,
    asked: str,
    lease_text: str,
    form: VerifyForm | None = None,
    *,
    photo_uri: str | None = None,
):
    status = 404 if result.status == "not_found" else 200
    asked, judgement = _judge(result, asked[:64], lease_text)
    html = render_template(
        "verify/result.html",
        result=result,
        facts=result.facts,
        profiles=profile_codes(),
        lease_profiles=[c for c, _t in profile_codes() if decided_by(c) == "lease_start"],
        asked=asked,
        lease_start=lease_text[:32],
        judgement=judgement,
        form=form,
        photo_uri=photo_uri,
    )
    # The page names the holder (and a typed lookup, their birth date): no cache may keep it.
    return html, status, {"Cache-Control": "no-store"}


@bp.route(f"{urls.CODE_PAGE}<path:code>")
def page(code: str):
    """Show the lookup form with the code from the printed short URL; the birth date is asked."""
    form = _form()
    form.code.data = code[:64]
    return render_template("verify/lookup.html", form=form)


@bp.route(urls.LOOKUP_PAGE, methods=["GET", "POST"])
@read_only
@client_limit
def lookup():
    """Look up a typed code with the holder's birth date."""
    form = _form()
    if request.method == "GET":
        return render_template("verify/lookup.html", form=form)
    if not form.validate_on_submit():
        abort(400)  # only a missing or stale CSRF token gets here: the fields are free text
    result = verify_code(lookup_reader(), form.code.data or "", form.birth_date.data or "")
    _log("typed", result, form.code.data or "")
    if result.status == "not_found":
        _count_failure(form.code.data)
        return _page(result, "", "", _form(empty=True))  # nothing of the input is echoed
    # Code and birth date matched: the page may show the holder's photo (never cached).
    return _page(
        result,
        form.profile.data or "",
        form.lease_start.data or "",
        form,
        photo_uri=_photo_uri(result),
    )


@bp.route(f"{urls.PAYLOAD_PAGE}<path:payload>")
@read_only
@client_limit
def payload_page(payload: str):
    """Open the page from a scanned QR code (the URL carries the signed payload)."""
    text = payload[:MAX_INPUT]
    result = verify_payload(lookup_reader(), text, datetime.now(UTC))
    _log("qr", result, "")
    asked, lease_text = request.args.get("profile", ""), request.args.get("lease_start", "")
    if result.facts is None or asked or lease_text:
        return _page(result, asked, lease_text)
    # The plain page of a found attestation is kept per (payload, language, everything the
    # lookup read): a revocation, a supersession, a key's new state change what is read, so
    # the page kept for the old state is never shown again.
    key = (text, current_language(), result.status, result.state)
    html = _RESULT_PAGES.get(key)
    if html is None:
        html, _status, _headers = _page(result, "", "")
        _RESULT_PAGES.put(key, html)
    return html, 200, {"Cache-Control": "no-store"}


class _Pages:
    """A bounded, thread-safe LRU of rendered pages in this process."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._pages: OrderedDict[tuple, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> str | None:
        with self._lock:
            html = self._pages.get(key)
            if html is not None:
                self._pages.move_to_end(key)
            return html

    def put(self, key: tuple, html: str) -> None:
        with self._lock:
            self._pages[key] = html
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


_RESULT_PAGES = _Pages(512)


@bp.route(urls.API_VERIFY, methods=["POST"])
@read_only
@csrf.exempt
@client_limit
def api():
    """Verify a typed code with the birth date, as JSON; optionally judge one profile."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        message = 'the body must be a JSON object: {"code": "...", "birth_date": "YYYY-MM-DD"}'
        return jsonify(error="bad_request", message=message), 400
    code, birth, asked = (body.get(k) for k in ("code", "birth_date", "profile"))
    try:
        lease_start = parse_lease_start(body.get("lease_start"))
    except ValueError:
        message = "lease_start must be the start date of the lease, YYYY-MM-DD"
        return jsonify(error="bad_lease_start", message=message), 400
    for name, value in (("code", code), ("birth_date", birth)):
        if not isinstance(value, str):  # the form of the call, which says nothing of the data
            return jsonify(error="bad_field", message=f"{name} must be given, as text"), 400
    if asked is not None and (not isinstance(asked, str) or asked not in dict(profile_codes())):
        known = ", ".join(c for c, _title in profile_codes())
        return jsonify(error="unknown_profile", message=f"profile must be one of: {known}"), 400
    result = verify_code(lookup_reader(), code, birth)
    _log("api", result, code)
    if result.status == "not_found":
        _count_failure(code)
    document = result.as_json()
    if asked is not None:
        judgement = judge_requirement(result, asked, lease_start)
        document["requirement"] = None if judgement is None else judgement_json(judgement)
    response = jsonify(document)
    response.headers["Cache-Control"] = "no-store"
    return response, 404 if result.status == "not_found" else 200


@bp.route(urls.API_PROFILES)
def profiles():
    """List the requirement profiles a verifier or partner can ask about."""
    return jsonify(profiles=[{"code": c, "title": t} for c, t in profile_codes()])


@bp.route(urls.API_OPENAPI)
def openapi():
    """Serve the OpenAPI 3 document of the public and partner API."""
    return jsonify(openapi_document(current_app.config["PUBLIC_URL"]))


@bp.route(urls.JWKS)
@read_only
def jwks():
    response = jsonify(published_jwks(db_session()))
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.route(urls.STATUS_LIST)
@read_only
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


@bp.route(urls.CRL)
def crl():
    """Serve the CRL that the offline root published (`attest keys crl`)."""
    path = Path(current_app.config["KEYS_DIR"]) / CRL_FILE
    if not path.is_file():
        abort(404)
    return Response(
        path.read_bytes(),
        mimetype="application/pkix-crl",
        headers={"Cache-Control": "public, max-age=3600"},
    )


@bp.app_errorhandler(429)
def too_many(exc):
    """Answer a breached rate limit: JSON for the API, a Dutch page for people."""
    if urls.is_api(request.path):
        response = jsonify(error="rate_limited", message="too many requests; try again later")
    else:
        response = current_app.make_response(render_template("verify/too_many.html"))
    response.status_code = 429
    response.headers["Cache-Control"] = "no-store"  # a refusal is about this moment only
    if "retry_after" in g:  # a limit counted by the view itself (Flask-Limiter sets its own)
        response.headers["Retry-After"] = str(g.retry_after)
    return response
