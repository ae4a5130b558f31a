"""`attest keys init|root|issue|rotate|retire|compromised|crl|list`: the issuing keys."""

from __future__ import annotations

from functools import wraps
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from attest.cli.common import actor, by_option, moment, now, transaction


@click.group("keys", help="Issuing keys.")
def keys_group() -> None:
    pass


@keys_group.command("init", help="Create a root CA and an issuing key if none is active.")
@click.option("--demo", is_flag=True, help="a local DEMO key; its PDFs say DEMO visibly")
@with_appcontext
def keys_init(demo: bool) -> None:
    from attest.certificates.key_service import init_keys

    if not demo:
        raise click.UsageError(
            "only --demo keys can be made here; production keys come from "
            "the offline root CA (see README, Deployment)"
        )
    with transaction() as session:
        key, created = init_keys(
            session,
            Path(current_app.config["KEYS_DIR"]),
            now(),
            demo=demo,
            public_url=current_app.config["PUBLIC_URL"],
        )
    click.echo(f"{'created' if created else 'kept'} issuing key kid={key.kid}")


_root_option = click.option(
    "--root",
    "root_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="the offline root's PKCS#12 file (passphrase: ATTEST_ROOT_PASSPHRASE)",
)


def _key_operation(func):
    """Run a key command in one transaction and turn key errors into a clear message."""

    @wraps(func)
    def wrapped(*args, **kwargs):
        from attest.certificates.key_service import KeyOperationError
        from attest.certificates.keys import KeyStoreError

        try:
            with transaction() as session:
                return func(session, *args, **kwargs)
        except (KeyOperationError, KeyStoreError) as exc:
            raise click.ClickException(str(exc)) from None

    return wrapped


@keys_group.command("root", help="Create the offline root CA (root.p12 + root.crt.pem in OUT).")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False))
@click.option("--name", "common_name", default="Attest Root CA", show_default=True)
@by_option
@with_appcontext
@_key_operation
def keys_root(session, out_dir: str, common_name: str, username: str | None) -> None:
    from attest.certificates.key_service import create_root
    from attest.certificates.keys import kid

    root = create_root(session, Path(out_dir), now(), actor(session, username), common_name)
    click.echo(f"created root CA {common_name} (fingerprint {kid(root.certificate)}) in {out_dir}")


@keys_group.command("issue", help="Certify a new document-signing key with the offline root.")
@_root_option
@by_option
@with_appcontext
@_key_operation
def keys_issue(session, root_file: str, username: str | None) -> None:
    from attest.certificates.key_service import issue_signing_key, load_root

    row = issue_signing_key(
        session,
        load_root(Path(root_file)),
        Path(current_app.config["KEYS_DIR"]),
        now(),
        actor(session, username),
        public_url=current_app.config["PUBLIC_URL"],
    )
    click.echo(f"issued signing key kid={row.kid}")


@keys_group.command("rotate", help="Issue a new signing key and retire the active one(s).")
@_root_option
@by_option
@with_appcontext
@_key_operation
def keys_rotate(session, root_file: str, username: str | None) -> None:
    from attest.certificates.key_service import load_root, rotate_signing_key

    new, retired = rotate_signing_key(
        session,
        load_root(Path(root_file)),
        Path(current_app.config["KEYS_DIR"]),
        now(),
        actor(session, username),
        public_url=current_app.config["PUBLIC_URL"],
    )
    click.echo(
        f"new signing key kid={new.kid}; retired: {', '.join(r.kid for r in retired) or '-'}"
    )


@keys_group.command("retire", help="Stop signing with a key; what it signed stays valid.")
@click.argument("kid")
@click.option("--at", "at", help="from when (ISO date/time, UTC; default now)")
@by_option
@with_appcontext
@_key_operation
def keys_retire(session, kid: str, at: str | None, username: str | None) -> None:
    from attest.certificates.key_service import retire_key

    row = retire_key(session, kid, moment(at, "--at"), actor(session, username), now())
    click.echo(f"retired key kid={row.kid} at {row.retired_at:%Y-%m-%d %H:%M} UTC")


@keys_group.command(
    "compromised", help="Mark a key compromised: what it signed from SINCE on is invalid."
)
@click.argument("kid")
@click.option("--since", required=True, help="compromise date (ISO date/time, UTC)")
@by_option
@with_appcontext
@_key_operation
def keys_compromised(session, kid: str, since: str, username: str | None) -> None:
    from attest.certificates.key_service import mark_compromised

    row = mark_compromised(session, kid, moment(since, "--since"), actor(session, username), now())
    click.echo(
        f"key kid={row.kid} compromised since {row.compromised_at:%Y-%m-%d %H:%M} UTC; "
        "publish a new CRL with `attest keys crl`"
    )


@keys_group.command("crl", help="Sign and publish the CRL (served at /crl/issuing.crl).")
@_root_option
@click.option("--out", "out_file", type=click.Path(dir_okay=False), help="default: KEYS_DIR")
@by_option
@with_appcontext
@_key_operation
def keys_crl(session, root_file: str, out_file: str | None, username: str | None) -> None:
    from attest.certificates.key_service import CRL_FILE, build_and_store_crl, load_root

    target = Path(out_file) if out_file else Path(current_app.config["KEYS_DIR"]) / CRL_FILE
    crl = build_and_store_crl(
        session, load_root(Path(root_file)), target, now(), actor(session, username)
    )
    click.echo(f"CRL with {len(list(crl))} revoked certificate(s) written to {target}")


@keys_group.command("list", help="List the signing keys with their dates.")
@with_appcontext
def keys_list() -> None:
    from attest.certificates.key_service import list_keys

    with transaction() as session:
        for row in list_keys(session):
            state = (
                "compromised" if row.compromised_at else "retired" if row.retired_at else "active"
            )
            click.echo(
                f"{row.kid}  {state:<11} created {row.created_at:%Y-%m-%d}"
                f"{'  DEMO' if row.is_demo else ''}  {row.subject}"
            )
