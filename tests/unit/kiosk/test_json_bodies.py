"""Reading the kiosk's JSON calls (attest.kiosk.json_bodies): a value of the right type, or a
400 that names the field; no database, a bare Flask app with Babel."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_babel import Babel
from werkzeug.exceptions import HTTPException

from attest.kiosk.json_bodies import json_object, optional, required


@pytest.fixture
def bare_app() -> Flask:
    app = Flask(__name__)
    Babel(app)
    return app


def refusal(call) -> tuple[int, dict]:
    with pytest.raises(HTTPException) as caught:
        call()
    response = caught.value.response
    return response.status_code, response.get_json()


def test_a_body_that_is_no_object_is_refused(bare_app):
    for body in ("[1, 2]", "3", "not json"):
        with bare_app.test_request_context(
            method="POST", data=body, content_type="application/json"
        ):
            status, answer = refusal(json_object)
            assert status == 400 and answer["error"] == "bad_request" and answer["message"]


def test_an_object_is_read(bare_app):
    with bare_app.test_request_context(method="POST", json={"session": 3}):
        assert json_object() == {"session": 3}


@pytest.mark.parametrize(
    ("kind", "good", "bad"),
    [
        ("text", "a", 1),
        ("whole", 3, True),
        ("whole", 0, 1.5),
        ("number", 1.5, False),
        ("bool", False, 0),
        ("texts", {"choice": ["a"]}, {"choice": "a"}),
    ],
)
def test_each_kind_takes_its_type_and_refuses_another(bare_app, kind, good, bad):
    with bare_app.test_request_context():
        assert optional({"f": good}, "f", kind) == good
        assert required({"f": good}, "f", kind) == good
        status, answer = refusal(lambda: optional({"f": bad}, "f", kind))
        assert status == 400 and answer["error"] == "bad_field" and "f" in answer["message"]


def test_a_missing_field_is_none_when_optional_and_refused_when_required(bare_app):
    with bare_app.test_request_context():
        assert optional({}, "key", "text") is None
        assert optional({"key": None}, "key", "text") is None
        status, answer = refusal(lambda: required({"key": None}, "key", "text"))
        assert status == 400 and answer["error"] == "missing_field" and "key" in answer["message"]
