"""`attest storage sweep`: stored files no row refers to."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from attest.cli.common import transaction


@click.group("storage", help="Stored files (sealed PDFs, recordings).")
def storage_group() -> None:
    pass


@storage_group.command(
    "sweep",
    help="Remove files that no database row refers to (left by a crash between writing a "
    "file and committing its row) and interrupted temporary files.",
)
@click.option("--min-age-minutes", default=10, show_default=True, type=click.IntRange(min=0))
@click.option("--dry-run", is_flag=True, help="only list what would be removed")
@with_appcontext
def storage_sweep(min_age_minutes: int, dry_run: bool) -> None:
    import time

    from attest.audit import record_event
    from attest.storage import storage_for
    from attest.storage_sweep import sweep_orphans

    with transaction() as session:
        report = sweep_orphans(
            session,
            storage_for(current_app.config),
            time.time(),
            min_age_minutes * 60,
            dry_run=dry_run,
        )
        if report.removed and not dry_run:
            record_event(session, None, "storage.sweep", "storage", "-", removed=report.removed)
    for key in report.removed:
        click.echo(("would remove " if dry_run else "removed ") + key)
    click.echo(report.summary())
