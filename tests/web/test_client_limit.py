"""The verification routes count their per-client limit with one direct `limits` hit
(attest.limits.ClientLimit) instead of Flask-Limiter's decorator (issue 14, item 2). It must
behave as Flask-Limiter's shared limit did: the same storage keys (so counts carry over), the
same headers on every answer, 429 past the limit, one count shared by the QR page, the form and
the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Blueprint

from attest.extensions import limiter
from attest.limits import ClientLimit
from tests.factories import make_attestation
from tests.web.helpers import verify_api, verify_typed

LIMIT_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After")


def _twin_routes(app):
    """Two test routes counting '5 per minute' under their own scopes: one through
    Flask-Limiter's shared limit, one through ClientLimit."""
    bp = Blueprint("limit_twins", __name__)

    @bp.route("/_test/flask-limiter")
    @limiter.shared_limit("5 per minute", scope="twin-a")
    def by_flask_limiter():
        return "ok"

    @bp.route("/_test/client-limit")
    @ClientLimit(lambda: "5 per minute", "twin-b")
    def by_client_limit():
        return "ok"

    app.register_blueprint(bp)


def test_the_same_headers_and_refusal_as_flask_limiter(app, db):
    _twin_routes(app)
    client = app.test_client()
    for n in range(7):
        ours = client.get("/_test/client-limit")
        theirs = client.get("/_test/flask-limiter")
        assert ours.status_code == theirs.status_code == (200 if n < 5 else 429), n
        for name in LIMIT_HEADERS:
            assert name in ours.headers and name in theirs.headers, (n, name)
        for name in ("X-RateLimit-Limit", "X-RateLimit-Remaining"):
            assert ours.headers[name] == theirs.headers[name], (n, name)
        for name in ("X-RateLimit-Reset", "Retry-After"):  # the same window, read a moment apart
            assert abs(int(ours.headers[name]) - int(theirs.headers[name])) <= 1, (n, name)
    assert ours.headers["X-RateLimit-Remaining"] == "0"


def test_the_storage_keys_are_flask_limiters(app, db):
    _twin_routes(app)
    client = app.test_client()
    client.get("/_test/client-limit")
    client.get("/_test/flask-limiter")
    keys = list(limiter.limiter.storage.storage)  # the in-memory counters
    ours = [k for k in keys if "/twin-b/" in k]
    theirs = [k for k in keys if "/twin-a/" in k]
    assert len(ours) == len(theirs) == 1
    assert ours[0].replace("/twin-b/", "/twin-a/") == theirs[0]


def test_the_qr_page_the_form_and_the_api_share_one_count(app, db, client):
    att = make_attestation(db, app.config, now=datetime.now(UTC) - timedelta(days=1))
    db.commit()
    from tests.web.test_verify_lookup_connections import _path

    app.config["VERIFY_LIMIT_CLIENT"] = "3 per minute"
    first = client.get(_path(app, att))
    assert first.status_code == 200 and first.headers["X-RateLimit-Remaining"] == "2"
    assert verify_api(client, att.code, "1990-04-12").headers["X-RateLimit-Remaining"] == "1"
    assert verify_typed(client, att.code, "1990-04-12").status_code == 200
    refused = client.get(_path(app, att))
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "DEMO-attest" not in refused.get_data(as_text=True)
    assert "Content-Security-Policy" in refused.headers
    assert client.get("/v").status_code == 200  # the empty form counts nothing
