"""`attest sessions close-expired`: test sessions."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from attest.cli.common import now, transaction


@click.group("sessions", help="Test sessions.")
def sessions_group() -> None:
    pass


@sessions_group.command(
    "close-expired", help="Close every section whose time ran out (run it every minute or so)."
)
@with_appcontext
def sessions_close_expired() -> None:
    from attest.assessment.session_clock import close_all_expired

    with transaction() as session:
        closed = close_all_expired(
            session, now(), float(current_app.config["KIOSK_HEARTBEAT_TIMEOUT_SECONDS"])
        )
    for session_id, skill in closed:
        click.echo(f"session {session_id}: {skill} closed, time is up")
    click.echo(f"{len(closed)} section(s) closed")
