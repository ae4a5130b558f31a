"""The `attest` command line (also reachable as `flask --app wsgi ...`): one module per command
group; each command parses its options, runs one service in one transaction and prints."""

from __future__ import annotations

from flask import Flask
from flask.cli import FlaskGroup

from attest.cli.appeals import appeals_group
from attest.cli.appointments import appointments_group
from attest.cli.attestations import attestations_group
from attest.cli.audit import audit_group
from attest.cli.bank import bank_group
from attest.cli.calibrate import calibrate_command
from attest.cli.db import db_group
from attest.cli.demo import demo_group
from attest.cli.export import export_command
from attest.cli.keys import keys_group
from attest.cli.kiosks import kiosks_group
from attest.cli.panels import panels_group
from attest.cli.partners import partners_group
from attest.cli.purposes import purposes_group
from attest.cli.retention import retention_group
from attest.cli.sessions import sessions_group
from attest.cli.storage import storage_group
from attest.cli.users import users_group
from attest.cli.verify import verify_command

COMMANDS = (
    db_group,
    storage_group,
    bank_group,
    users_group,
    keys_group,
    attestations_group,
    kiosks_group,
    sessions_group,
    demo_group,
    verify_command,
    calibrate_command,
    audit_group,
    retention_group,
    export_command,
    appeals_group,
    purposes_group,
    panels_group,
    appointments_group,
    partners_group,
)


def main() -> None:
    """Entry point of the `attest` console script."""
    from attest import create_app

    cli = FlaskGroup(
        create_app=lambda: create_app(),
        add_default_commands=True,
        help="Attest: NT2 level tests and attestations.",
    )
    for command in COMMANDS:
        cli.add_command(command)
    cli.main(prog_name="attest")


def register_cli(app: Flask) -> None:
    """Attach the command groups to the app's `flask` CLI."""
    for command in COMMANDS:
        app.cli.add_command(command)
