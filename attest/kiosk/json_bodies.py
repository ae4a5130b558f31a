"""Reading the kiosk's JSON calls (kiosk.js, kiosk-session.js): the body must be a JSON object
and each field must have its type; anything else is refused with a 400 whose message names the
field and what was expected (in the kiosk's language). Views stay thin: they ask for a field,
and get a value of the right type or a refusal."""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify, make_response, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _texts_per_field(value: Any) -> bool:
    return isinstance(value, dict) and all(
        isinstance(texts, list) and all(isinstance(text, str) for text in texts)
        for texts in value.values()
    )


# kind -> (test, what the message says is expected)
KINDS = {
    "text": (lambda value: isinstance(value, str), _l("een tekst")),
    "whole": (_whole, _l("een geheel getal")),
    "number": (_number, _l("een getal")),
    "bool": (lambda value: isinstance(value, bool), _l("een waarheidswaarde (waar of onwaar)")),
    "texts": (_texts_per_field, _l("per veld een lijst van teksten")),
}


def fail(status: int, error: str, message: str):
    """Stop the request with a JSON error (abort() alone would keep status 200)."""
    abort(make_response(jsonify(error=error, message=message), status))


def json_object() -> dict:
    """The request's body as a JSON object, else a 400 that says so."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        fail(
            400,
            "bad_request",
            _(
                "Het verzoek is onleesbaar: een object met velden werd verwacht. Laad de pagina "
                "opnieuw of roep de toezichter."
            ),
        )
    return body


def optional(body: dict, name: str, kind: str) -> Any:
    """The field's value, or None when it is missing or null; another type is refused."""
    value = body.get(name)
    if value is not None:
        test, expected = KINDS[kind]
        if not test(value):
            fail(
                400,
                "bad_field",
                _(
                    "Het veld %(field)s is ongeldig: verwacht %(expected)s.",
                    field=name,
                    expected=expected,
                ),
            )
    return value


def required(body: dict, name: str, kind: str) -> Any:
    """The field's value; a missing field, null or another type is refused."""
    value = optional(body, name, kind)
    if value is None:
        _test, expected = KINDS[kind]
        fail(
            400,
            "missing_field",
            _(
                "Het veld %(field)s ontbreekt: verwacht %(expected)s.",
                field=name,
                expected=expected,
            ),
        )
    return value
