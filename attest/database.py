"""Access to the request-scoped database session from views and services glue."""

from __future__ import annotations

import sqlalchemy.orm as so
from flask import current_app


def db_session() -> so.Session:
    """Return the scoped session of the current app."""
    return current_app.extensions["attest_session"]()
