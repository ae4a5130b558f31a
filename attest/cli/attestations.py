"""`attest attestations revoke`: issued attestations."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from attest.cli.common import actor, by_option, moment, now, transaction


@click.group("attestations", help="Issued attestations.")
def attestations_group() -> None:
    pass


@attestations_group.command("revoke", help="Revoke an attestation (fraud, error or withdrawn).")
@click.argument("code")
@click.option("--reason", required=True, type=click.Choice(["fraud", "error", "withdrawn"]))
@click.option("--date", "on", help="revoked from (ISO date/time, UTC; default now)")
@click.option("--note", default="", help="shown on the verification page; no personal data")
@by_option
@with_appcontext
def attestations_revoke(code, reason, on, note, username) -> None:
    from attest.certificates.revocation import (
        RevocationError,
        attestation_by_code,
        revoke_attestation,
    )

    try:
        with transaction() as session:
            att = attestation_by_code(session, code)
            if att is None:
                raise click.BadParameter(f"no attestation with code {code!r}", param_hint="CODE")
            revoke_attestation(
                session,
                att,
                actor(session, username),
                reason,
                moment(on, "--date"),
                now(),
                note=note,
            )
    except RevocationError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"revoked {att.code} ({reason}) from {att.revoked_at:%Y-%m-%d %H:%M} UTC")
