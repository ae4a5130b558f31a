"""`attest appeals open|close`: appeals hold a test's answers back from retention."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from attest.cli.common import now, transaction


@click.group("appeals", help="Appeals hold a test's answers and recordings back from retention.")
def appeals_group() -> None:
    pass


def _set_appeal(session_id: int, opening: bool) -> None:
    from attest.appeals import AppealError, set_appeal

    try:
        with transaction() as session:
            set_appeal(session, session_id, opening, now())
    except AppealError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"appeal.{'open' if opening else 'close'} for test session {session_id}")


@appeals_group.command("open", help="Mark an appeal open for a test session.")
@click.argument("session_id", type=int)
@with_appcontext
def appeals_open(session_id: int) -> None:
    _set_appeal(session_id, True)


@appeals_group.command("close", help="Mark the appeal of a test session closed.")
@click.argument("session_id", type=int)
@with_appcontext
def appeals_close(session_id: int) -> None:
    _set_appeal(session_id, False)
