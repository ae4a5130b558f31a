"""Operations commands: `attest audit verify`, `attest retention run`, `attest export`,
`attest appeals open|close`."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask.cli import with_appcontext

from attest.cli import transaction


def _now() -> datetime:
    return datetime.now(UTC)


@click.group("audit", help="The hash-chained audit trail.")
def audit_group() -> None:
    pass


@audit_group.command("verify", help="Check the audit chain; exit 1 and say where it breaks.")
@with_appcontext
def audit_verify() -> None:
    from attest.audit import verify_audit_trail

    with transaction() as session:
        count, problems = verify_audit_trail(session)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        click.echo(f"audit trail BROKEN: {len(problems)} problem(s) in {count} entries", err=True)
        raise SystemExit(1)
    click.echo(f"audit trail intact: {count} entries")


OPS_COMMANDS = (audit_group,)
