"""Proctor pages: register candidates, start sessions, see results, issue attestations.

The package's face is its blueprint `bp`; `views.py` (candidates, sessions, results) and
`console_views.py` (the live console) put their routes on it."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint

from attest.models import Role

bp = Blueprint("proctor", __name__, url_prefix="/proctor")
STAFF = (Role.PROCTOR, Role.ADMIN)


def now() -> datetime:
    return datetime.now(UTC)
