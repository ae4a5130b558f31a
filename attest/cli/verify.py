"""`attest verify`: verify a QR text or an attestation PDF offline."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path

import click

from attest.cli.common import now
from attest.names import display_name


@click.command(
    "verify",
    help="Verify a QR text or an attestation PDF offline (no database, "
    "no network), with the published keys and optionally the status list.",
)
@click.argument("subject")
@click.option(
    "--jwks",
    "jwks_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="the published keys (/.well-known/jwks.json), saved to a file",
)
@click.option(
    "--status-list",
    "status_file",
    type=click.Path(exists=True, dir_okay=False),
    help="the signed status list (/status/attestations), saved to a file",
)
def verify_command(subject: str, jwks_file: str, status_file: str | None) -> None:
    import json

    from attest.certificates.offline import JwksError, verify_offline
    from attest.certificates.offline_file import verify_pdf_offline

    try:
        jwks = json.loads(Path(jwks_file).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise click.UsageError(f"{jwks_file}: not a JSON document ({exc})") from None
    status = Path(status_file).read_bytes() if status_file else None
    path = Path(subject)
    try:
        if path.is_file():
            with _quiet_pyhanko():
                result = verify_pdf_offline(path.read_bytes(), jwks, status, now())
            click.echo(f"seal: {'ok' if result.seal.ok else 'NOT OK'} ({result.seal.reason})")
            if not result.seal.ok:
                # Nothing the file says can be believed: no names, no status, one clear line.
                click.echo(f"verdict: NOT VALID: the seal is not intact ({result.seal.reason})")
                raise SystemExit(1)
            outcome, ok = result.payload, result.is_valid
        else:
            outcome = verify_offline(subject, jwks, status, now())
            ok = outcome.is_valid
    except JwksError as exc:
        raise click.UsageError(f"{jwks_file}: {exc}") from None
    click.echo(f"status: {outcome.status} ({outcome.message})")
    if outcome.claims is not None:
        c = outcome.claims.claims
        family, given = outcome.claims.display_names()
        name = display_name(family, given)  # a mononym without a stray comma
        click.echo(f"code: {c.code}\nname: {name}\nbirth date: {c.birth_date}")
        if outcome.claims.is_family_name_truncated or outcome.claims.is_given_names_truncated:
            click.echo("note: a name is shortened (…); the printed attestation carries it in full")
        click.echo(
            f"test date: {c.test_date}\nlevels: "
            + ", ".join(f"{k} {v}" for k, v in sorted(c.levels.items()))
        )
    click.echo("verdict: valid" if ok else f"verdict: NOT VALID ({outcome.status})")
    raise SystemExit(0 if ok else 1)


@contextmanager
def _quiet_pyhanko():
    """Keep pyHanko's own warnings (with tracebacks, e.g. on an appended revision) out of the
    command's output: the verdict says what failed."""
    logger = logging.getLogger("pyhanko")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)
