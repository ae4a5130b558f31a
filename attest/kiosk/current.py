"""The kiosk and the test session of the current request, for every kiosk route: the request
hooks that recognise a registered kiosk (its device cookie) and show the display modes of its
session, and the helpers the pages and JSON calls share (the session in progress, the clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import abort, current_app, g, redirect, render_template, request, url_for
from flask import session as web_session

from attest.assessment import session_clock
from attest.auth.kiosks import kiosk_with_session
from attest.database import db_session
from attest.kiosk import bp
from attest.models import SessionStatus, TestSession

LAST_SEEN_STEP = timedelta(minutes=1)  # how stale a kiosk's "last seen" may be


def now() -> datetime:
    return datetime.now(UTC)


def heartbeat_timeout() -> float:
    """Seconds without a sign of life after which a kiosk's section clock stops."""
    return float(current_app.config["KIOSK_HEARTBEAT_TIMEOUT_SECONDS"])


@bp.before_request
def require_registered_kiosk():
    if request.endpoint == "kiosk.enrol":
        return None
    token = request.cookies.get(current_app.config["KIOSK_COOKIE_NAME"])
    # the session in progress is read with the kiosk, in one query (see current_session)
    g.kiosk, g.kiosk_ts_row = kiosk_with_session(db_session(), token, web_session.get("kiosk_ts"))
    if g.kiosk is None:
        return render_template("kiosk/not_registered.html"), 403
    at, seen = now(), g.kiosk.last_seen_at
    if seen is None or at - seen >= LAST_SEEN_STEP:  # a day is shown: no write per request
        g.kiosk.last_seen_at = at
    return None


@bp.context_processor
def display_modes() -> dict[str, str]:
    """Classes of the large-text and high-contrast modes a proctor chose for this session."""
    ts = current_session() if g.get("kiosk") is not None else None
    if ts is None:  # the last page after finishing keeps the modes of the session
        return {"display_classes": web_session.get("kiosk_display", "")}
    return {"display_classes": display_classes(ts)}


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
