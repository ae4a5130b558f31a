"""HTTP basics: health and readiness, security headers, no caching of staff pages."""

import sqlalchemy as sa


def test_health_and_readiness(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    assert client.get("/readyz").get_json() == {"status": "ok", "database": "ok"}


def test_readiness_fails_when_the_database_does_not_answer(app, monkeypatch):
    def broken(*args, **kwargs):
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(sa.orm.Session, "execute", broken)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503 and response.get_json()["database"] == "unreachable"


def test_readiness_checks_redis_when_configured(app):
    app.config["REDIS_URL"] = "redis://127.0.0.1:6379/15"
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 200 and answer.get_json()["redis"] == "ok"
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 503 and answer.get_json()["redis"] == "unreachable"


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP
    secure = client.get("/login", base_url="https://attest.example")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_a_nul_character_anywhere_is_a_clear_400_and_changes_nothing(client, db):
    """PostgreSQL refuses NUL in text; the app must refuse it first, with a message."""
    from attest.models import AuditEvent, LoginThrottle
    from tests.web.helpers import csrf

    token = csrf(client)
    before = [
        db.scalar(sa.select(sa.func.count()).select_from(m)) for m in (AuditEvent, LoginThrottle)
    ]
    form = client.post("/login", data={"username": "\x00", "password": "x", "csrf_token": token})
    assert form.status_code == 400 and "nulteken" in form.get_data(as_text=True)
    query = client.get("/login?lang=%00")
    assert query.status_code == 400
    api = client.post("/api/v1/verify", json={"code": "ATT-\u0000", "birth_date": "1990-01-01"})
    assert api.status_code == 400 and api.get_json()["error"] == "invalid_character"
    after = [
        db.scalar(sa.select(sa.func.count()).select_from(m)) for m in (AuditEvent, LoginThrottle)
    ]
    assert after == before


def test_security_txt_names_the_configured_contact(app, client):
    assert client.get("/.well-known/security.txt").status_code == 404  # no contact: no file
    app.config["SECURITY_CONTACT"] = "security@hvn.example"
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    fields = dict(line.split(": ", 1) for line in response.get_data(as_text=True).splitlines())
    assert fields["Contact"] == "mailto:security@hvn.example"
    assert fields["Expires"].endswith("Z") and fields["Preferred-Languages"] == "nl, en"
    assert fields["Canonical"].endswith("/.well-known/security.txt")


def test_a_number_in_the_path_beyond_any_row_is_a_404_not_a_crash(app, client, db):
    """A path number past SQLite's 64-bit range once reached the driver (OverflowError, 500)."""
    from tests.factories import make_user
    from tests.web.helpers import login

    proctor = make_user(db)
    db.commit()
    login(client, proctor.username)
    for number in (2**31, 2**63, 99999999999999999999999):
        assert client.get(f"/proctor/sessions/{number}").status_code == 404
    assert client.get("/proctor/sessions/2147483647").status_code == 404  # in range, no such row
