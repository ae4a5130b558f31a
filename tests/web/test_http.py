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
