"""`attest db upgrade`: apply the migrations."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.group("db", help="Database migrations.")
def db_group() -> None:
    pass


@db_group.command("upgrade", help="Apply all migrations.")
@with_appcontext
def db_upgrade() -> None:
    from attest.migrate import upgrade

    upgrade(current_app.extensions["attest_engine"])
    click.echo("database is up to date")
