"""Request size limits and error answers: a clear message (HTML for people, JSON for scripts),
never Werkzeug's bare page, and nothing stored."""

from __future__ import annotations

import sqlalchemy as sa

from attest.models import Recording, Role
from tests.conftest import csrf_from
from tests.factories import make_user
from tests.web import test_recording_upload as recording_tests
from tests.web.helpers import login
from tests.web.test_recording_upload import WEBM, upload

speaking = recording_tests.speaking  # the fixture of a kiosk at a speaking task


def test_a_body_over_the_limit_gets_a_413_page_in_dutch(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"username": "x" * 4096, "password": "y", "csrf_token": token}
    )
    assert response.status_code == 413
    body = response.get_data(as_text=True)
    assert "te groot" in body and "<h1>" in body and "Request Entity Too Large" not in body


def test_the_413_answer_is_json_for_scripts(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post(
        "/.well-known/jwks.json", data=b"x" * 4096, headers={"Accept": "application/json"}
    )
    assert response.status_code in (405, 413)  # a GET-only API: refused either way, as JSON
    assert response.is_json and response.get_json()["message"]


def test_recording_over_the_limit_is_refused_as_json_and_nothing_is_stored(app, db, speaking):
    app.config["MAX_CONTENT_LENGTH"] = 2048
    kiosk_client, token = speaking
    response = upload(kiosk_client, token, WEBM * 2)
    assert response.status_code == 413
    assert response.get_json()["error"] == "request_entity_too_large"
    assert db.scalar(sa.select(sa.func.count()).select_from(Recording)) == 0


def test_a_form_field_over_the_form_memory_limit_is_refused(app, client):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"username": "u", "password": "p" * 2_000_000, "csrf_token": token}
    )
    assert response.status_code == 413


def test_missing_csrf_token_gets_a_message(db, client):
    user = make_user(db, role=Role.PROCTOR)
    db.commit()
    login(client, user.username)
    response = client.post("/proctor/candidates/new", data={"family_name": "x"})
    assert response.status_code == 400
    assert "formulier is verlopen" in response.get_data(as_text=True)


def test_unknown_page_and_wrong_method_answer_in_dutch(client):
    missing = client.get("/no-such-page")
    assert missing.status_code == 404 and "bestaat niet" in missing.get_data(as_text=True)
    wrong = client.get("/logout")
    assert wrong.status_code == 405 and "niet mogelijk" in wrong.get_data(as_text=True)


def test_raw_uploads_keep_the_larger_limit(app, db, speaking):
    kiosk_client, token = speaking
    big = WEBM + bytes(400 * 1024)  # over the form limit, under the upload limit
    assert len(big) > app.config["MAX_FORM_BYTES"]
    assert upload(kiosk_client, token, big).status_code == 201
