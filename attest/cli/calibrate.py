"""`attest calibrate`: item difficulties from completed sessions."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from attest.cli.common import now, transaction


@click.command(
    "calibrate",
    help="Calibrate item difficulties (Rasch, anchored on the live items) from completed "
    "sessions and print fit, DIF and flags; items are not changed.",
)
@click.option("--min-responses", default=30, show_default=True, help="flag items with fewer")
@click.option("--skill", "skills", multiple=True, help="only this skill (repeatable)")
@click.option(
    "--anchoring", type=click.Choice(["fixed", "mean"]), default="fixed", show_default=True
)
@click.option("--reference", help="DIF reference language (default: the most frequent)")
@click.option("--focal", help="DIF focal language (default: all other languages)")
@click.option("--write", is_flag=True, help="keep the report in instance/calibration/<date>.yaml")
@with_appcontext
def calibrate_command(min_responses, skills, anchoring, reference, focal, write) -> None:
    from attest.assessment.calibration_service import (
        calibrate_bank,
        table_lines,
        write_calibration,
    )

    with transaction() as session:
        result = calibrate_bank(
            session,
            now(),
            skills=list(skills) or None,
            min_responses=min_responses,
            anchoring=anchoring,
            reference=reference,
            focal=focal,
        )
    click.echo("\n".join(table_lines(result)))
    if write:
        path = write_calibration(result, Path(current_app.instance_path) / "calibration")
        click.echo(f"report written to {path}")
