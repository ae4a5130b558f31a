"""`attest demo setup`: migrate, load the bank, demo accounts, kiosk and key."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from attest import public_urls, totp
from attest.cli.common import load_bank, now, transaction
from attest.demo import DEMO_USERS


@click.group("demo", help="Demo set-up.")
def demo_group() -> None:
    pass


@demo_group.command("setup", help="Migrate, load the bank, create demo accounts, kiosk and key.")
@with_appcontext
def demo_setup() -> None:
    from attest.demo import setup_demo
    from attest.migrate import upgrade

    upgrade(current_app.extensions["attest_engine"])
    bank = load_bank(None)
    with transaction() as session:
        done = setup_demo(session, bank, now(), current_app.config)
    click.echo("\n".join(_instructions(done)))


def _instructions(done) -> list[str]:
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    lines = [
        "",
        "Attest demo is ready.",
        f"  item bank: {done.bank_summary}",
        f"  benchmark texts (standard setting): {done.benchmarks}",
        f"  demo signing key kid={done.key.kid} (PDFs say DEMO)",
        "  listening clips: synthetic (espeak-ng); the demo runs with ATTEST_SYNTHETIC_AUDIO=allow"
        + ("" if current_app.config["SYNTHETIC_AUDIO"] == "allow" else " (`make run` sets it)"),
        "",
        f"  staff login:  {base}/login",
    ]
    lines += [f"    {u:<10} {p:<18} ({r.value})" for u, r, _n, p in DEMO_USERS]
    if done.totp_secrets:
        lines += [
            "",
            "  second step (TOTP) for these accounts: add the key to an authenticator app,",
            "  or print the current code with: oathtool --totp -b <key>",
        ]
        issuer = current_app.config["ISSUER_NAME"]
        for username, secret in done.totp_secrets.items():
            lines.append(f"    {username:<10} {secret}")
            lines.append(f"      {totp.provisioning_uri(secret, username, issuer)}")
    lines += [
        "",
        "  kiosk: open this one-time link in the browser that will be the kiosk",
        f"    {base}/kiosk/enrol/{done.kiosk_token}",
        f"  verification: {public_urls.code_url(base, '<attestation code>')}   "
        f"API: POST {public_urls.url(base, public_urls.API_VERIFY)}",
        "",
    ]
    return lines
