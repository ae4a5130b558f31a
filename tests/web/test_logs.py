"""JSON log lines carry the request id (honoured or generated, echoed) and no personal data."""

from __future__ import annotations

import io
import json
import logging

import pytest

from attest.logs import JsonFormatter, RequestIdFilter, mask, new_request_id, safe_path


@pytest.fixture
def log_lines():
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


def test_an_offered_request_id_is_echoed_and_logged(client, log_lines):
    response = client.get("/healthz", headers={"X-Request-ID": "lb-1234567890abcdef"})
    assert response.headers["X-Request-ID"] == "lb-1234567890abcdef"
    access = [line for line in log_lines() if line["logger"] == "attest.access"]
    assert access[-1]["request_id"] == "lb-1234567890abcdef"
    assert access[-1]["endpoint"] == "web.healthz" and access[-1]["status"] == 200
    assert access[-1]["level"] == "INFO" and "duration_ms" in access[-1]


def test_a_missing_or_malformed_request_id_is_replaced(client):
    fresh = client.get("/healthz").headers["X-Request-ID"]
    bad = client.get("/healthz", headers={"X-Request-ID": "<script>x</script>"})
    assert len(fresh) == 32 and bad.headers["X-Request-ID"] not in ("", "<script>x</script>")
    assert new_request_id("a" * 65) != "a" * 65


def test_payload_paths_and_query_strings_stay_out_of_the_log(client, log_lines):
    client.get("/V/HC1NAMESANDBIRTHDATE?profile=taxi")
    line = [x for x in log_lines() if x["logger"] == "attest.access"][-1]
    assert line["path"] == "/V/…" and "NAMES" not in json.dumps(line)
    assert safe_path("/v/ATT-AAAA-BBBB") == "/v/ATT-AAAA-BBBB"


def test_insz_shaped_numbers_are_masked(log_lines):
    logging.getLogger("attest.test").warning("candidate 85.07.30-033.28 and 85073003328")
    line = log_lines()[-1]
    assert "[insz]" in line["message"] and "033" not in line["message"]
    assert mask("session 12345") == "session 12345"


def test_exceptions_are_one_json_line(log_lines):
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("attest.test").exception("failed")
    line = log_lines()[-1]
    assert line["message"] == "failed" and "RuntimeError: boom" in line["exception"]


def test_a_failed_commit_is_logged_and_answered_as_what_the_client_got(app, log_lines, monkeypatch):
    """The commit runs before the other after-request hooks: when it fails, the 503 the client
    gets carries the security headers and the request id, and the access line says 503."""
    import sqlalchemy as sa

    def broken(*args, **kwargs):
        raise sa.exc.OperationalError("COMMIT", {}, Exception("server closed the connection"))

    from attest.request_session import db_session

    @app.route("/test-reads-and-commits")
    def reads():  # a view that used the database: its transaction is committed
        db_session().execute(sa.text("SELECT 1"))
        return "ok"

    monkeypatch.setattr(sa.orm.Session, "commit", broken)
    response = app.test_client().get(
        "/test-reads-and-commits", headers={"X-Request-ID": "lb-commit-failed-01"}
    )
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert response.headers["X-Request-ID"] == "lb-commit-failed-01"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    line = [x for x in log_lines() if x["logger"] == "attest.access"][-1]
    assert line["status"] == 503 and line["request_id"] == "lb-commit-failed-01"


def test_only_a_transaction_that_may_have_written_is_committed(app, monkeypatch):
    """No commit for a request that never used the database or only read in a read-only view
    (the teardown ends that transaction); any other transaction is committed."""
    import sqlalchemy as sa

    from attest.request_session import db_session, read_only

    @app.route("/test-read-only")
    @read_only
    def reads_only():
        db_session().execute(sa.text("SELECT 1"))
        return "ok"

    @app.route("/test-reads")
    def reads():
        db_session().execute(sa.text("SELECT 1"))
        return "ok"

    commits = []
    original = sa.orm.Session.commit
    monkeypatch.setattr(sa.orm.Session, "commit", lambda s: commits.append(1) or original(s))
    client = app.test_client()
    for path, expected in (("/healthz", 0), ("/test-read-only", 0), ("/test-reads", 1)):
        commits.clear()
        assert client.get(path).status_code == 200
        assert len(commits) == expected, path
