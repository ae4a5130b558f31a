"""The kiosk's test session in the current request, and what every kiosk route shares with it:
the session in progress (its clocks brought up to date), the time, the heartbeat timeout, the
classes of the session's display modes. The request hooks that set `g.kiosk` are in pages.py."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, current_app, g, redirect, url_for
from flask import session as web_session

from attest.assessment import session_clock
from attest.models import SessionStatus, TestSession
from attest.request_session import db_session


def now() -> datetime:
    return datetime.now(UTC)


def heartbeat_timeout() -> float:
    """Seconds without a sign of life after which a kiosk's section clock stops."""
    return float(current_app.config["KIOSK_HEARTBEAT_TIMEOUT_SECONDS"])


def display_classes(ts: TestSession) -> str:
    modes = (("large-text", ts.is_large_text), ("high-contrast", ts.is_high_contrast))
    return " ".join(name for name, on in modes if on)


def current_session() -> TestSession | None:
    """Return this kiosk's session in progress, its clocks brought up to date (a request from
    the kiosk is a sign of life: see session_clock.sync)."""
    if "kiosk_ts_checked" in g:
        return g.kiosk_ts_checked
    ts_id = web_session.get("kiosk_ts")
    ts = g.get("kiosk_ts_row")
    if ts is None or ts.id != ts_id:
        ts = db_session().get(TestSession, ts_id) if isinstance(ts_id, int) else None
    if ts is None or ts.kiosk_id != g.kiosk.id or ts.status is not SessionStatus.IN_PROGRESS:
        ts = None
    else:
        session_clock.sync(db_session(), ts, now(), heartbeat_timeout())
    g.kiosk_ts_checked = ts
    return ts


def session_or_home() -> TestSession:
    """This kiosk's session in progress; without one, the request ends in a redirect home."""
    ts = current_session()
    if ts is None:
        abort(redirect(url_for("kiosk.home")))
    return ts
