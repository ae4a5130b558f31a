"""Error pages: every refusal says what went wrong in Dutch (or English), as HTML or JSON."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, Request, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from attest.public_urls import is_api

MESSAGES = {
    400: _l("Het verzoek was niet volledig of niet geldig. Ga terug en probeer opnieuw."),
    403: _l("Je hebt geen toegang tot deze pagina."),
    404: _l("Deze pagina bestaat niet (meer)."),
    405: _l("Deze handeling is hier niet mogelijk."),
    413: _l(
        "Wat je stuurde is te groot. Stuur een kleiner bestand of minder tekst, of vraag hulp."
    ),
    429: _l("Te veel verzoeken na elkaar. Wacht even en probeer opnieuw."),
    500: _l("Er ging iets mis aan onze kant. Probeer het later opnieuw."),
}
DATABASE_MESSAGE = _l(
    "Even geen verbinding met de databank: er is niets bewaard. Probeer het over enkele "
    "seconden opnieuw."
)
CSRF_MESSAGE = _l(
    "Het formulier is verlopen of kwam niet van deze site. Laad de pagina opnieuw en probeer "
    "het nog eens."
)
NUL_MESSAGE = _l(
    "Wat je stuurde bevat een ongeldig teken (een nulteken). Verwijder het en probeer opnieuw."
)
SURROGATE_MESSAGE = _l(
    "Wat je stuurde bevat een ongeldig teken (een losse surrogaathelft in de JSON). Verwijder "
    "het en probeer opnieuw."
)
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Forms that upload the test-day photo (attest.photos refuses one over its MAX_BYTES itself,
# with a clear message, so the form may be a little larger than that).
PHOTO_ENDPOINTS = frozenset({"proctor.admit"})
PHOTO_FORM_BYTES = 5 * 1024 * 1024 + 256 * 1024
# Endpoints that answer scripts, not people reading a page.
JSON_ENDPOINTS = {"kiosk.recording"}


def wants_json() -> bool:
    """Tell whether the client expects a JSON answer (API paths, JSON uploads, Accept)."""
    if is_api(request.path) or request.endpoint in JSON_ENDPOINTS:
        return True
    if request.is_json:
        return True
    accept = request.accept_mimetypes
    return accept["application/json"] > accept["text/html"]


def _answer(status: int, code: str, message: str):
    if wants_json():
        return {"error": code, "message": message}, status
    return render_template("error.html", status=status, message=message), status


class AttestRequest(Request):
    """Hold forms to MAX_FORM_BYTES: they carry short text (the longest is a writing answer),
    while MAX_CONTENT_LENGTH is sized for raw uploads such as recordings. A view that takes a
    file in a form (the admin audio studio) says so with `view.takes_file = True` and is held
    to MAX_CONTENT_LENGTH only."""

    @property
    def max_content_length(self) -> int | None:
        limit = Request.max_content_length.fget(self)
        view = current_app.view_functions.get(self.endpoint or "") if current_app else None
        if current_app and self.mimetype in FORM_TYPES and not getattr(view, "takes_file", False):
            form_limit = current_app.config["MAX_FORM_BYTES"]
            if self.endpoint in PHOTO_ENDPOINTS:  # the form carries a test-day photo
                form_limit = max(form_limit, PHOTO_FORM_BYTES)
            return form_limit if limit is None else min(limit, form_limit)
        return limit

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ):
        """Werkzeug's stream for an uploaded file (a temporary file past 500 KB), kept so that
        close() closes it: when parsing stops half-way (a chunked upload found over
        MAX_CONTENT_LENGTH while reading, a part over its limit), the files spooled so far
        never reach `request.files`, and Werkzeug's own close() would leave them open."""
        stream = super()._get_file_stream(
            total_content_length, content_type, filename, content_length
        )
        self.__dict__.setdefault("_attest_file_streams", []).append(stream)
        return stream

    def close(self) -> None:
        """Close the uploaded files, also those of a form whose parsing was refused (Flask
        calls this when the request ends)."""
        try:
            super().close()
        finally:
            for stream in self.__dict__.pop("_attest_file_streams", ()):
                stream.close()

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True):
        """Parse JSON as Werkzeug does, but treat nesting deeper than the parser goes (a
        RecursionError, which Werkzeug lets through as a server error) as malformed JSON."""
        try:
            return super().get_json(force=force, silent=silent, cache=cache)
        except RecursionError:
            if cache:
                self._cached_json = (Ellipsis, None)
            if silent:
                return None
            return self.on_json_loading_failed(ValueError("JSON nested too deeply"))


def database_unavailable():
    """Answer 503 when the database connection failed; the request's work was rolled back."""
    current_app.logger.warning("database unavailable on %s %s", request.method, request.endpoint)
    current_app.extensions["attest_session"].rollback()
    response = current_app.make_response(_answer(503, "database", str(DATABASE_MESSAGE)))
    response.headers["Retry-After"] = "5"
    return response


def _has_nul(values) -> bool:
    return any("\x00" in value for value in values if isinstance(value, str))


def _has_lone_surrogate(value) -> bool:
    """Whether parsed JSON holds a lone UTF-16 surrogate ("\\ud800"): JSON may escape one, but
    it is no character, and no database can store it as text. Walked without recursion, as the
    parser allows nesting close to Python's recursion limit."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if any("\ud800" <= ch <= "\udfff" for ch in item):
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def refuse_nul_characters():
    """Refuse a NUL character anywhere in the input, or a lone surrogate in JSON, with a clear
    400: no field may hold one, and the databases refuse them in text (which would otherwise
    surface as a server error)."""
    req = request._get_current_object()  # once: this runs before every request
    found = (
        _has_nul(req.path and [req.path])
        or _has_nul((req.view_args or {}).values())
        or _has_nul(req.args.keys())
        or _has_nul(req.args.values())
    )
    mimetype = req.mimetype if req.headers.get("Content-Type") else ""
    if not found and mimetype in FORM_TYPES:
        found = _has_nul(req.form.keys()) or _has_nul(req.form.values())
    is_json = bool(mimetype) and req.is_json
    if not found and is_json:
        body = req.get_data(cache=True)
        found = b"\\u0000" in body or b"\x00" in body
    if found:
        return _answer(400, "invalid_character", str(NUL_MESSAGE))
    if is_json and _has_lone_surrogate(req.get_json(silent=True)):
        return _answer(400, "invalid_character", str(SURROGATE_MESSAGE))
    return None


def register_error_handlers(app: Flask) -> None:
    """Answer HTTP errors with a clear message instead of Werkzeug's default page; hold forms
    to their smaller size limit; refuse NUL characters in any input."""
    app.request_class = AttestRequest
    app.before_request(refuse_nul_characters)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return _answer(400, "csrf", str(CSRF_MESSAGE))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code is None or exc.code < 400 or exc.response is not None:
            return exc  # redirects raised with abort(), and ready-made responses
        message = MESSAGES.get(exc.code) or MESSAGES[400 if exc.code < 500 else 500]
        code = (exc.name or "error").lower().replace(" ", "_")
        response = current_app.make_response(_answer(exc.code, code, str(message)))
        for name, value in exc.get_headers():  # e.g. the Allow header of a 405
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(sa.exc.OperationalError)
    @app.errorhandler(sa.exc.InterfaceError)
    def database_error(exc: sa.exc.DBAPIError):
        return database_unavailable()

    @app.errorhandler(InternalServerError)
    def server_error(exc: InternalServerError):
        current_app.logger.error("unhandled error on %s %s", request.method, request.endpoint)
        return _answer(500, "internal_server_error", _(str(MESSAGES[500])))
