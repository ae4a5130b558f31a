"""Access to the request-scoped database session from views and services glue."""

from __future__ import annotations

import sqlalchemy.orm as so
from flask import current_app


def db_session() -> so.Session:
    """Return the scoped session of the current app."""
    return current_app.extensions["attest_session"]()


def lookup_reader():
    """Where a public lookup reads: the app's LookupConnections (attest.engine), one statement
    in autocommit that sees every commit made before it, without the request's ORM session;
    the session when there are none (an in-memory SQLite database)."""
    return current_app.extensions["attest_lookups"] or db_session()


def read_only(view):
    """Mark a view that only reads the database (e.g. public verification): on SQLite its
    transaction takes no write lock, so it never waits for writers, and SQLite refuses a write
    in it (attest.engine._sqlite_do_begin). Put it right under the route decorator."""
    view.attest_read_only = True
    return view


def in_read_only_view() -> bool:
    """Tell whether the current request is served by a view marked read_only."""
    from flask import has_request_context, request

    if not has_request_context() or request.endpoint is None:
        return False
    view = current_app.view_functions.get(request.endpoint)
    return getattr(view, "attest_read_only", False)


def on_rollback(undo) -> None:
    """Run `undo()` if this request's transaction does not commit (a rollback, or a commit that
    fails): for side effects outside the database, such as a file already stored."""
    from flask import g

    g.setdefault("undo_on_rollback", []).append(undo)


def after_commit(action, failed=None) -> None:
    """Run `action()` once this request's transaction has committed, never when it rolls back
    or its commit fails: for what tells the outside world about the change (an e-mail with a
    link to a booking), which must not go out for a change that was never saved.

    If `action` raises, `failed(exc)` runs (it may use and commit the session again, e.g. to
    undo a booking whose mail could not be sent) and may return a response that replaces the
    one the view made; without `failed` the error is logged (its type only) and ignored."""
    from flask import g

    g.setdefault("after_commit", []).append((action, failed))


def run_after_commit(actions, response):
    """Run the after-commit actions of a committed request, in order; return the response to
    send (a `failed` callback's, if one returned one)."""
    import logging

    for action, failed in actions or []:
        try:
            action()
        except Exception as exc:  # noqa: BLE001 - committed: the request's answer must go out
            # the type only: an SMTP error can name the recipient
            log = logging.getLogger("attest")
            log.warning("after-commit action failed: %s", type(exc).__name__)
            if failed is not None:
                replacement = failed(exc)
                if replacement is not None:
                    response = replacement
    return response


def run_undo(undos) -> None:
    """Run the undo callbacks of a failed request, newest first; one failing stops none."""
    import logging

    for undo in reversed(undos or []):
        try:
            undo()
        except Exception:  # noqa: BLE001 - cleanup must go on; the failure is logged
            logging.getLogger("attest").exception("cleanup after a rollback failed")
