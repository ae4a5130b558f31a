"""`attest audit verify|checkpoint`: the hash-chained audit trail."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from attest.cli.common import now, transaction


@click.group("audit", help="The hash-chained audit trail.")
def audit_group() -> None:
    pass


@audit_group.command(
    "verify",
    help="Check the audit chain, and its head against the signed checkpoints; exit 1 and say "
    "where it breaks.",
)
@click.option(
    "--checkpoints",
    "checkpoints_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="folder of checkpoint-*.json files (default: audit-checkpoints in the storage folder)",
)
@with_appcontext
def audit_verify(checkpoints_dir: Path | None) -> None:
    from attest.audit_checkpoints import checkpoint_dir, verify_with_checkpoints

    config = current_app.config
    directory = checkpoints_dir or checkpoint_dir(config["STORAGE_DIR"])
    with transaction() as session:
        count, anchored, problems = verify_with_checkpoints(session, directory, config["KEYS_DIR"])
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        click.echo(f"audit trail BROKEN: {len(problems)} problem(s) in {count} entries", err=True)
        raise SystemExit(1)
    if anchored:
        click.echo(f"audit trail intact: {count} entries, {anchored} signed checkpoint(s) hold")
    else:
        click.echo(f"audit trail intact: {count} entries")
        click.echo(
            f"warning: no checkpoints in {directory}: the end of the chain is not anchored "
            "(run `attest audit checkpoint` hourly)",
            err=True,
        )


@audit_group.command(
    "checkpoint",
    help="Sign the chain head (seq, hash, time) with the audit key and write it to the storage "
    "folder and the log (run it hourly from cron or a systemd timer).",
)
@with_appcontext
def audit_checkpoint() -> None:
    from attest.audit_checkpoints import write_checkpoint

    config = current_app.config
    with transaction() as session:
        path = write_checkpoint(session, config["STORAGE_DIR"], config["KEYS_DIR"], now())
    click.echo(f"checkpoint written: {path}")
