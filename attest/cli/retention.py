"""`attest retention run`: delete or anonymise personal data that is due."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from attest.cli.common import now, transaction


@click.group("retention", help="Delete or anonymise personal data that is due.")
def retention_group() -> None:
    pass


@retention_group.command("run", help="Apply the retention periods (RETENTION_* settings).")
@click.option("--dry-run", is_flag=True, help="report what is due without changing anything")
@with_appcontext
def retention_run(dry_run: bool) -> None:
    from attest.retention import delete_files, policy_from_config, run_retention
    from attest.storage import storage_for

    with transaction() as session:
        report = run_retention(
            session, policy_from_config(current_app.config), now(), dry_run=dry_run
        )
        if dry_run:
            session.rollback()
    delete_files(storage_for(current_app.config), report)
    click.echo(report.summary())
