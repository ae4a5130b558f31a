"""Structured JSON logs with a request id, and nothing personal in them.

Every request gets an id: the caller's `X-Request-ID` when it is a plain token (a proxy or load
balancer sets it), otherwise a fresh one. It is echoed in the response header and carried by
every log line written while the request runs, so one kiosk's trouble can be followed across
app processes. Each request also writes one access line (method, endpoint, status, duration).

Log lines never carry names, birth dates, INSZ or document numbers: paths that embed a signed
payload (/V/...) are shortened, query strings are left out, and a last-resort filter masks
anything shaped like an INSZ."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from attest.public_urls import PAYLOAD_PAGE

REQUEST_ID: ContextVar[str | None] = ContextVar("attest_request_id", default=None)
HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
_INSZ = re.compile(r"\b\d{2}[.\s]?\d{2}[.\s]?\d{2}[-\s]?\d{3}[.\s]?\d{2}\b")
_PAYLOAD_PATH = re.compile("^" + re.escape(PAYLOAD_PAGE))
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


def safe_path(path: str) -> str:
    """Return a request path fit for the logs (a QR payload in the path is cut off)."""
    if _PAYLOAD_PATH.match(path):
        return path[: len(PAYLOAD_PAGE)] + "…"
    return path[:200]


def mask(text: str) -> str:
    """Mask anything shaped like an INSZ (national register number)."""
    return _INSZ.sub("[insz]", text)


def new_request_id(offered: str | None) -> str:
    """Keep a well-formed offered id; otherwise make one."""
    if offered and _VALID_ID.match(offered):
        return offered
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Stamp each record with the id of the request being served (if any)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = REQUEST_ID.get()
        if request_id and not hasattr(record, "request_id"):
            record.request_id = request_id
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and extra fields.

    Written once per request at least (the access line), so it avoids work that does not
    change the output: the date and time down to the second are formatted once per second, and
    the encoder is made once."""

    _encode = json.JSONEncoder(ensure_ascii=False).encode
    _second: tuple[int, str] = (-1, "")

    def _timestamp(self, created: float) -> str:
        second = int(created)
        if self._second[0] != second:
            text = datetime.fromtimestamp(second, UTC).isoformat()
            self._second = (second, text[:-6])  # without "+00:00"
        millis = int((created - second) * 1000)
        return f"{self._second[1]}.{millis:03d}+00:00"

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "ts": self._timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": mask(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key[0] != "_":
                plain = value is None or isinstance(value, int | float)  # bool is an int
                doc[key] = value if plain else mask(str(value))
        if record.exc_info:
            doc["exception"] = mask(self.formatException(record.exc_info))
        return self._encode(doc)


def configure_logging(json_format: bool, level: int = logging.INFO) -> None:
    """Send the app's logs (and gunicorn's) to stderr, as JSON lines or as plain text."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, "_attest", False)), None)
    if handler is None:
        handler = logging.StreamHandler(sys.stderr)
        handler._attest = True  # type: ignore[attr-defined]
        handler.addFilter(RequestIdFilter())
        root.addHandler(handler)
    handler.setFormatter(
        JsonFormatter() if json_format else logging.Formatter("%(levelname)s %(name)s %(message)s")
    )
    logging.getLogger("attest").setLevel(level)
    # No line shows where a call was made (file, function, line) or the multiprocessing
    # process name: the logging module's documented switches not to collect them per record.
    logging._srcfile = None  # type: ignore[attr-defined]
    logging.logMultiprocessing = False


def install_request_logging(app) -> None:
    """Give each request an id, echo it, and write one access line when it ends."""
    from flask import g, request

    access = logging.getLogger("attest.access")

    @app.before_request
    def assign_request_id():
        g.request_id = new_request_id(request.headers.get(HEADER))
        g.request_started = time.perf_counter()
        REQUEST_ID.set(g.request_id)

    @app.after_request
    def echo_request_id(response):
        state = g._get_current_object()
        request_id = state.get("request_id")
        if request_id:
            req = request._get_current_object()
            response.headers[HEADER] = request_id
            access.info(
                "request",
                extra={
                    "method": req.method,
                    "path": safe_path(req.path),
                    "endpoint": req.endpoint or "-",
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - state.request_started) * 1000, 1),
                },
            )
        return response

    @app.teardown_request
    def forget_request_id(_exc):
        REQUEST_ID.set(None)
