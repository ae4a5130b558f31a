"""`attest calibrate`: item difficulties from completed sessions."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from attest.cli.common import actor, now, transaction

# why an adoption was refused, for the command line (the admin page says it in Dutch)
REFUSED = {
    "nothing_selected": "no item given to adopt",
    "bank_changed": "another adoption changed the bank meanwhile",
    "bad_anchoring": "unknown anchoring",
    "unknown": "not in the proposal (item id/v<version>, as the table prints it)",
    "old_version": "not the item's current version",
    "status": "only pilot and live items can be adopted",
    "anchor": "a live item holds the scale with --anchoring fixed; use --anchoring mean",
    "too_little_data": "too few responses for a dependable value",
    "outside_band": "the proposed difficulty lies outside the level's band; revise the level",
    "reason_needed": "flagged (misfit, low point-biserial or DIF): give --reason ITEM=TEXT "
    "(at least 10 characters)",
    "reason_too_long": "the reason is longer than 500 characters",
}


@click.command(
    "calibrate",
    help="Calibrate item difficulties (Rasch, anchored on the live items) from completed "
    "sessions and print fit, DIF and flags; items are not changed unless --adopt names them "
    "(a new bank version, as the admin page /admin/items/calibration makes).",
)
@click.option("--min-responses", default=30, show_default=True, help="flag items with fewer")
@click.option("--skill", "skills", multiple=True, help="only this skill (repeatable)")
@click.option(
    "--anchoring", type=click.Choice(["fixed", "mean"]), default="fixed", show_default=True
)
@click.option("--reference", help="DIF reference language (default: the most frequent)")
@click.option("--focal", help="DIF focal language (default: all other languages)")
@click.option("--write", is_flag=True, help="keep the report in instance/calibration/<date>.yaml")
@click.option(
    "--adopt",
    "adopt_keys",
    multiple=True,
    metavar="ITEM/vN",
    help="adopt this item version's proposed difficulty (repeatable): one new bank version",
)
@click.option(
    "--reason",
    "reasons",
    multiple=True,
    metavar="ITEM/vN=TEXT",
    help="why a flagged item is adopted anyway (needed for misfit, point-biserial, DIF flags)",
)
@click.option("--note", default="", help="a note kept with the bank version")
@click.option("--by", "username", help="the admin adopting (required with --adopt; audited)")
@with_appcontext
def calibrate_command(
    min_responses, skills, anchoring, reference, focal, write, adopt_keys, reasons, note, username
) -> None:
    from attest.assessment.calibration_service import (
        calibrate_bank,
        table_lines,
        write_calibration,
    )

    if adopt_keys:
        _adopt(adopt_keys, reasons, note, username, anchoring)
        return
    if reasons or username:
        raise click.UsageError("--reason and --by go with --adopt")

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


def _adopt(keys, reason_args, note: str, username: str | None, anchoring: str) -> None:
    """Adopt through the service the admin page uses, in one transaction: all or nothing."""
    from attest.assessment.calibration_adoption import AdoptionRefused, adopt
    from attest.models import Role

    reasons = {}
    for arg in reason_args:
        key, sep, text = arg.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"expected ITEM/vN=TEXT, got {arg!r}", param_hint="--reason")
        if key.strip() not in keys:
            raise click.BadParameter(
                f"{key.strip()} is not adopted (--adopt)", param_hint="--reason"
            )
        reasons[key.strip()] = text
    if not username:
        raise click.UsageError("--adopt needs --by ADMIN (the adoption is audited)")
    try:
        with transaction() as session:
            user = actor(session, username)
            if user.role is not Role.ADMIN or not user.is_active:
                raise click.BadParameter(f"{username} is not an active admin", param_hint="--by")
            adoption = adopt(
                session,
                now(),
                user,
                list(keys),
                Path(current_app.config["BANK_DIR"]),
                note=note,
                anchoring=anchoring,
                reasons=reasons,
            )
            lines = [
                f"bank version {adoption.id}: {len(adoption.items)} item(s) adopted"
                f" (anchoring {anchoring})"
            ]
            lines += [
                f"  {r['item']} v{r['version_from']} -> v{r['version_to']}: "
                f"{r['difficulty_from']:.2f} -> {r['difficulty_to']:.2f}"
                + (
                    f", {r['status_from']} -> {r['status_to']}"
                    if r["status_from"] != r["status_to"]
                    else ""
                )
                for r in adoption.items
            ]
    except AdoptionRefused as exc:
        where = f"{exc.item}: " if exc.item else ""
        raise click.ClickException(
            f"nothing adopted: {where}{REFUSED.get(exc.code, exc.code)}"
        ) from None
    click.echo("\n".join(lines))
