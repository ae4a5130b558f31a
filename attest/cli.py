"""The `attest` command group (also reachable as `flask --app wsgi ...`)."""

from __future__ import annotations

import logging
import sys
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Iterator

import click
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from attest import public_urls, totp
from attest.models import Centre, Kiosk, Role, User
from attest.names import display_name

DEMO_USERS = (
    ("admin", Role.ADMIN, "Beheerder Demo", "demo-admin-pass"),
    ("proctor", Role.PROCTOR, "Toezichter Demo", "demo-proctor-pass"),
    ("examiner1", Role.EXAMINER, "Examinator Een", "demo-examiner-1"),
    ("examiner2", Role.EXAMINER, "Examinator Twee", "demo-examiner-2"),
    ("examiner3", Role.EXAMINER, "Senior Examinator Drie", "demo-examiner-3"),
    ("examiner4", Role.EXAMINER, "Examinator Vier", "demo-examiner-4"),
    ("examiner5", Role.EXAMINER, "Examinator Vijf", "demo-examiner-5"),
    ("examiner6", Role.EXAMINER, "Senior Examinator Zes", "demo-examiner-6"),
)
# Seniors give the deciding rating when the other two disagree. Enough examiners for every
# purpose to finish: a candidate's tasks each need a pair not used on another of their tasks
# (A2 volledig: five tasks, four regular examiners give six pairs), and an adjudication needs a
# senior who did not rate the task (two seniors).
DEMO_SENIORS = ("examiner3", "examiner6")
DEMO_CENTRE = ("HVN-DEMO", "Huis van het Nederlands Demo")
DEMO_KIOSK = "kiosk-1"


def _now() -> datetime:
    return datetime.now(UTC)


@contextmanager
def transaction() -> Iterator[so.Session]:
    """Run a command in one transaction: commit on success, roll back on any error."""
    session = current_app.extensions["attest_session"]()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        current_app.extensions["attest_session"].remove()


def main() -> None:
    """Entry point of the `attest` console script."""
    from attest import create_app
    from attest.cli_appointments import APPOINTMENT_COMMANDS
    from attest.cli_ops import OPS_COMMANDS
    from attest.cli_purposes import PURPOSE_COMMANDS

    cli = FlaskGroup(
        create_app=lambda: create_app(),
        add_default_commands=True,
        help="Attest: NT2 level tests and attestations.",
    )
    for command in COMMANDS + OPS_COMMANDS + PURPOSE_COMMANDS + APPOINTMENT_COMMANDS:
        cli.add_command(command)
    cli.main(prog_name="attest")


def register_cli(app: Flask) -> None:
    """Attach the command groups to the app's `flask` CLI."""
    from attest.cli_appointments import APPOINTMENT_COMMANDS
    from attest.cli_ops import OPS_COMMANDS, users_set_role
    from attest.cli_purposes import PURPOSE_COMMANDS

    if "set-role" not in users_group.commands:
        users_group.add_command(users_set_role)

    for command in COMMANDS + OPS_COMMANDS + PURPOSE_COMMANDS + APPOINTMENT_COMMANDS:
        app.cli.add_command(command)


@click.group("db", help="Database migrations.")
def db_group() -> None:
    pass


@db_group.command("upgrade", help="Apply all migrations.")
@with_appcontext
def db_upgrade() -> None:
    from attest.migrate import upgrade

    upgrade(current_app.extensions["attest_engine"])
    click.echo("database is up to date")


@click.group("bank", help="The item bank.")
def bank_group() -> None:
    pass


def _load_bank(directory: str | None):
    from attest.assessment.bank import BankError, load_bank

    root = Path(directory or current_app.config["BANK_DIR"])
    try:
        return load_bank(root)
    except BankError as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(1) from None


@bank_group.command("check", help="Validate and lint the bank files without importing anything.")
@click.argument("path", required=False)
@click.option("--dir", "directory", help="bank directory (default: ATTEST_BANK_DIR)")
@with_appcontext
def bank_check(path: str | None, directory: str | None) -> None:
    from attest.assessment.lint import lint, summarize

    bank = _load_bank(path or directory)  # schema errors: printed, exit 1
    findings = lint(bank)
    for finding in findings:
        click.echo(str(finding), err=True)
    if findings:
        click.echo(f"{len(findings)} lint finding(s); see question_banks/README.md", err=True)
        raise SystemExit(1)
    click.echo("\n".join(summarize(bank)))


@bank_group.command("load", help="Validate the bank and bring the database in line with it.")
@click.option("--dir", "directory", help="bank directory (default: ATTEST_BANK_DIR)")
@with_appcontext
def bank_load(directory: str | None) -> None:
    from attest.assessment.bank_sync import sync_bank

    bank = _load_bank(directory)
    with transaction() as session:
        report = sync_bank(session, bank, _now())
    click.echo(f"item bank: {report.summary()}")


@bank_group.command("audio", help="Generate listening audio from transcripts (needs espeak-ng).")
@click.option("--force", is_flag=True, help="regenerate files that exist")
@click.option("--dir", "directory", help="bank directory (default: ATTEST_BANK_DIR)")
@with_appcontext
def bank_audio(force: bool, directory: str | None) -> None:
    from attest.assessment.audio import generate_audio

    written = generate_audio(Path(directory or current_app.config["BANK_DIR"]), force=force)
    click.echo(f"{len(written)} audio files written")


@bank_group.command(
    "exposure",
    help="Report the adaptive engine's item exposure from the stored sections: per skill and "
    "engine mode, the sections counted, the highest exposure rates and the units the "
    "item-eligibility method is holding back (attest/assessment/exposure.py).",
)
@click.option("--top", default=5, show_default=True, help="busiest units to list")
@with_appcontext
def bank_exposure(top: int) -> None:
    from attest.assessment.adaptive import engine_for, exposure_counts
    from attest.assessment.exposure import adaptive_modes
    from attest.assessment.purposes import load_purposes

    with transaction() as session:
        for key, uses in adaptive_modes(load_purposes()).items():
            section = uses[0][1]  # one report per mode, for its first section
            engine, _ = engine_for(session, section)
            counts = exposure_counts(session, section, [u.id for u in engine.bank])
            rates = sorted(counts.rates().items(), key=lambda kv: -kv[1])[:top]
            held = counts.probabilities()
            click.echo(
                f"{key[0]} {key[1]}: {counts.tests:.0f} sections counted (faded), "
                f"{len(engine.bank)} units, {len(held)} held below eligibility 1 "
                f"(goal rate {counts.max_rate})"
            )
            for uid, rate in rates:
                click.echo(f"  {uid}: rate {rate:.3f}, eligible {held.get(uid, 1.0):.3f}")


@bank_group.command("export", help="Write the bank as a QTI 3.0 content package (docs/qti.md).")
@click.option("--qti", "out_zip", required=True, help="the .zip file to write")
@click.option("--dir", "directory", help="bank directory (default: ATTEST_BANK_DIR)")
@with_appcontext
def bank_export(out_zip: str, directory: str | None) -> None:
    from attest.assessment.qti import QtiError, export_bank

    bank = _load_bank(directory)
    try:
        count = export_bank(bank, Path(out_zip))
    except QtiError as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(1) from None
    click.echo(f"{count} items written to {out_zip}")


@bank_group.command(
    "import",
    help="Add the items of a QTI 3.0/2.2/2.1 package to the bank files, all or nothing "
    "(then run `attest bank load`; see docs/qti.md). Prints what became of each item.",
)
@click.option("--qti", "in_zip", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--dir", "directory", help="bank directory (default: ATTEST_BANK_DIR)")
@click.option("--skill", help="skill of items that carry no Attest metadata")
@click.option("--level", help="CEFR level of items that carry no Attest metadata")
@click.option("--domain", help="domain of items that carry no Attest metadata")
@click.option("--keep-layout", is_flag=True, help="put Attest items back in their own files")
@click.option(
    "--approximate",
    is_flag=True,
    help="accept items that Attest scores differently from the source (named per item)",
)
@click.option("--check", is_flag=True, help="dry run: report what would happen, write nothing")
@with_appcontext
def bank_import(in_zip, directory, skill, level, domain, keep_layout, approximate, check) -> None:
    from attest.assessment.qti import QtiError, install_package

    root = Path(directory or current_app.config["BANK_DIR"])
    defaults = {k: v for k, v in (("skill", skill), ("level", level), ("domain", domain)) if v}
    try:
        report = install_package(
            Path(in_zip),
            root,
            defaults=defaults,
            keep_layout=keep_layout,
            approximate=approximate,
            check=check,
        )
    except QtiError as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(1) from None
    if report.report is not None:
        click.echo(report.report.text())
    for old, new in sorted(report.renamed.items()):
        click.echo(f"  {old} -> {new}")
    if check:
        click.echo(f"check only: {report.items} items would be imported; nothing written")
    else:
        click.echo(f"{report.items} items imported, {len(report.written)} files written to {root}")


@click.group("users", help="Staff accounts.")
def users_group() -> None:
    pass


@users_group.command("create", help="Create a staff account.")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--centre", "centre_code", help="centre code (required for proctors, examiners)")
@click.option("--name", "display_name", help="name shown in the interface")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    envvar="ATTEST_NEW_PASSWORD",
)
@click.option("--senior", is_flag=True, help="a senior examiner (gives deciding ratings)")
@with_appcontext
def users_create(username, role, centre_code, display_name, password, senior) -> None:
    from attest.auth.services import AccountError, create_user

    with transaction() as session:
        centre = None
        if centre_code:
            centre = session.scalar(sa.select(Centre).where(Centre.code == centre_code))
            if centre is None:
                raise click.BadParameter(
                    f"no centre with code {centre_code!r}", param_hint="--centre"
                )
        try:
            user = create_user(
                session,
                username=username,
                password=password,
                role=Role(role),
                display_name=display_name,
                centre=centre,
            )
        except AccountError as exc:
            raise click.UsageError(str(exc)) from None
        if senior and user.role is not Role.EXAMINER:
            raise click.UsageError("--senior: only examiners can be senior")
        user.is_senior_examiner = senior
    click.echo(f"created {user.role.value} {user.username}" + (" (senior)" if senior else ""))


@users_group.command(
    "reset-2fa",
    help="Forget a user's TOTP secret and recovery codes (lost phone); they enrol again "
    "at their next login, and their open sessions end.",
)
@click.argument("username")
@with_appcontext
def users_reset_2fa(username: str) -> None:
    from attest.audit import record_event
    from attest.auth.second_factor import reset_second_factor

    with transaction() as session:
        user = session.scalar(sa.select(User).where(User.username == username.strip().lower()))
        if user is None:
            raise click.UsageError(f"no user {username!r}")
        reset_second_factor(session, user)
        record_event(session, None, "user.totp_reset", "user", user.id, via="cli")
    click.echo(f"second factor of {user.username} reset: they enrol again at their next login")


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


@click.group("keys", help="Issuing keys.")
def keys_group() -> None:
    pass


@keys_group.command("init", help="Create a root CA and an issuing key if none is active.")
@click.option("--demo", is_flag=True, help="a local DEMO key; its PDFs say DEMO visibly")
@with_appcontext
def keys_init(demo: bool) -> None:
    from attest.certificates.service import init_keys

    if not demo:
        raise click.UsageError(
            "only --demo keys can be made here; production keys come from "
            "the offline root CA (see README, Deployment)"
        )
    with transaction() as session:
        key, created = init_keys(
            session,
            Path(current_app.config["KEYS_DIR"]),
            _now(),
            demo=demo,
            public_url=current_app.config["PUBLIC_URL"],
        )
    click.echo(f"{'created' if created else 'kept'} issuing key kid={key.kid}")


def _moment(text: str | None, name: str) -> datetime:
    """Parse an ISO date or date-time (UTC when no zone is given); now when empty."""
    if not text:
        return _now()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter("use YYYY-MM-DD or YYYY-MM-DDTHH:MM", param_hint=name) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _actor(session: so.Session, username: str | None) -> User | None:
    if not username:
        return None
    user = session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise click.BadParameter(f"no user {username!r}", param_hint="--by")
    return user


_by_option = click.option("--by", "username", help="staff user on whose behalf (audit log)")
_root_option = click.option(
    "--root",
    "root_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="the offline root's PKCS#12 file (passphrase: ATTEST_ROOT_PASSPHRASE)",
)


def _key_operation(func):
    """Run a key command in one transaction and turn key errors into a clear message."""
    from functools import wraps

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
@_by_option
@with_appcontext
@_key_operation
def keys_root(session, out_dir: str, common_name: str, username: str | None) -> None:
    from attest.certificates.key_service import create_root
    from attest.certificates.keys import kid

    root = create_root(session, Path(out_dir), _now(), _actor(session, username), common_name)
    click.echo(f"created root CA {common_name} (fingerprint {kid(root.certificate)}) in {out_dir}")


@keys_group.command("issue", help="Certify a new document-signing key with the offline root.")
@_root_option
@_by_option
@with_appcontext
@_key_operation
def keys_issue(session, root_file: str, username: str | None) -> None:
    from attest.certificates.key_service import issue_signing_key, load_root

    row = issue_signing_key(
        session,
        load_root(Path(root_file)),
        Path(current_app.config["KEYS_DIR"]),
        _now(),
        _actor(session, username),
        public_url=current_app.config["PUBLIC_URL"],
    )
    click.echo(f"issued signing key kid={row.kid}")


@keys_group.command("rotate", help="Issue a new signing key and retire the active one(s).")
@_root_option
@_by_option
@with_appcontext
@_key_operation
def keys_rotate(session, root_file: str, username: str | None) -> None:
    from attest.certificates.key_service import load_root, rotate_signing_key

    new, retired = rotate_signing_key(
        session,
        load_root(Path(root_file)),
        Path(current_app.config["KEYS_DIR"]),
        _now(),
        _actor(session, username),
        public_url=current_app.config["PUBLIC_URL"],
    )
    click.echo(
        f"new signing key kid={new.kid}; retired: {', '.join(r.kid for r in retired) or '-'}"
    )


@keys_group.command("retire", help="Stop signing with a key; what it signed stays valid.")
@click.argument("kid")
@click.option("--at", "at", help="from when (ISO date/time, UTC; default now)")
@_by_option
@with_appcontext
@_key_operation
def keys_retire(session, kid: str, at: str | None, username: str | None) -> None:
    from attest.certificates.key_service import retire_key

    row = retire_key(session, kid, _moment(at, "--at"), _actor(session, username), _now())
    click.echo(f"retired key kid={row.kid} at {row.retired_at:%Y-%m-%d %H:%M} UTC")


@keys_group.command(
    "compromised", help="Mark a key compromised: what it signed from SINCE on is invalid."
)
@click.argument("kid")
@click.option("--since", required=True, help="compromise date (ISO date/time, UTC)")
@_by_option
@with_appcontext
@_key_operation
def keys_compromised(session, kid: str, since: str, username: str | None) -> None:
    from attest.certificates.key_service import mark_compromised

    row = mark_compromised(
        session, kid, _moment(since, "--since"), _actor(session, username), _now()
    )
    click.echo(
        f"key kid={row.kid} compromised since {row.compromised_at:%Y-%m-%d %H:%M} UTC; "
        "publish a new CRL with `attest keys crl`"
    )


@keys_group.command("crl", help="Sign and publish the CRL (served at /crl/issuing.crl).")
@_root_option
@click.option("--out", "out_file", type=click.Path(dir_okay=False), help="default: KEYS_DIR")
@_by_option
@with_appcontext
@_key_operation
def keys_crl(session, root_file: str, out_file: str | None, username: str | None) -> None:
    from attest.certificates.key_service import CRL_FILE, build_and_store_crl, load_root

    target = Path(out_file) if out_file else Path(current_app.config["KEYS_DIR"]) / CRL_FILE
    crl = build_and_store_crl(
        session, load_root(Path(root_file)), target, _now(), _actor(session, username)
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


@click.group("attestations", help="Issued attestations.")
def attestations_group() -> None:
    pass


@attestations_group.command("revoke", help="Revoke an attestation (fraud, error or withdrawn).")
@click.argument("code")
@click.option("--reason", required=True, type=click.Choice(["fraud", "error", "withdrawn"]))
@click.option("--date", "on", help="revoked from (ISO date/time, UTC; default now)")
@click.option("--note", default="", help="shown on the verification page; no personal data")
@_by_option
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
                _actor(session, username),
                reason,
                _moment(on, "--date"),
                _now(),
                note=note,
            )
    except RevocationError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"revoked {att.code} ({reason}) from {att.revoked_at:%Y-%m-%d %H:%M} UTC")


@click.group("kiosks", help="Kiosks.")
def kiosks_group() -> None:
    pass


@kiosks_group.command("enrol-link", help="Print a one-time link that makes a browser a kiosk.")
@click.argument("name")
@click.option("--centre", "centre_code", required=True)
@with_appcontext
def kiosks_enrol_link(name: str, centre_code: str) -> None:
    from attest.auth.kiosks import create_enrolment_link_token

    with transaction() as session:
        kiosk = session.scalar(
            sa.select(Kiosk).join(Centre).where(Kiosk.name == name, Centre.code == centre_code)
        )
        if kiosk is None:
            raise click.UsageError(f"no kiosk {name!r} in centre {centre_code!r}")
        token = create_enrolment_link_token(kiosk, _now())
    click.echo(f"{current_app.config['PUBLIC_URL'].rstrip('/')}/kiosk/enrol/{token}")


@kiosks_group.command(
    "instructions-audio",
    help="Speak the kiosk's general instructions in every language with an espeak-ng voice "
    "(needs espeak-ng, sox and compiled catalogues: make translations).",
)
@click.option("--force", is_flag=True, help="render every file again, even when up to date")
@with_appcontext
def kiosks_instructions_audio(force: bool) -> None:
    from attest.assessment.audio import AudioError
    from attest.assessment.instruction_audio import audio_dir, generate_instruction_audio
    from attest.kiosk.languages import KIOSK_LANGUAGES

    translations = Path(current_app.root_path) / "translations"
    try:
        written = generate_instruction_audio(
            translations, audio_dir(Path(current_app.static_folder or "")), force=force
        )
    except AudioError as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(1) from None
    for audio in written:
        click.echo(f"{audio.language}: {audio.path}")
    silent = [lang.code for lang in KIOSK_LANGUAGES if not lang.voice]
    click.echo(f"{len(written)} files written; no voice for: {', '.join(silent) or '-'}")


@click.group("sessions", help="Test sessions.")
def sessions_group() -> None:
    pass


@sessions_group.command(
    "close-expired", help="Close every section whose time ran out (run it every minute or so)."
)
@with_appcontext
def sessions_close_expired() -> None:
    from attest.assessment.session_clock import close_all_expired

    with transaction() as session:
        closed = close_all_expired(
            session, _now(), float(current_app.config["KIOSK_HEARTBEAT_TIMEOUT_SECONDS"])
        )
    for session_id, skill in closed:
        click.echo(f"session {session_id}: {skill} closed, time is up")
    click.echo(f"{len(closed)} section(s) closed")


@click.group("demo", help="Demo set-up.")
def demo_group() -> None:
    pass


@demo_group.command("setup", help="Migrate, load the bank, create demo accounts, kiosk and key.")
@with_appcontext
def demo_setup() -> None:
    from attest.assessment.bank_sync import sync_bank
    from attest.auth.kiosks import create_enrolment_link_token
    from attest.auth.passwords import hash_password
    from attest.certificates.service import init_keys
    from attest.migrate import upgrade

    upgrade(current_app.extensions["attest_engine"])
    bank = _load_bank(None)
    totp_secrets: dict[str, str] = {}
    with transaction() as session:
        report = sync_bank(session, bank, _now())
        centre = session.scalar(sa.select(Centre).where(Centre.code == DEMO_CENTRE[0]))
        if centre is None:
            centre = Centre(code=DEMO_CENTRE[0], name=DEMO_CENTRE[1])
            session.add(centre)
            session.flush()
        for username, role, name, password in DEMO_USERS:
            user = session.scalar(sa.select(User).where(User.username == username))
            if user is None:
                user = User(
                    username=username,
                    role=role,
                    display_name=name,
                    password_hash=hash_password(password),
                )
                session.add(user)
            user.centre = centre if role is not Role.ADMIN else None
            if role.value in current_app.config["TOTP_REQUIRED_ROLES"] and not user.has_totp:
                # Demo only: a confirmed secret printed below, so the demo logs in at once.
                user.totp_secret = totp.new_secret()
                user.totp_confirmed_at = _now()
            if user.totp_secret:
                totp_secrets[username] = user.totp_secret
        _calibrate_demo_examiners(session)
        kiosk = session.scalar(
            sa.select(Kiosk).where(Kiosk.centre_id == centre.id, Kiosk.name == DEMO_KIOSK)
        )
        if kiosk is None:
            kiosk = Kiosk(centre=centre, name=DEMO_KIOSK)
            session.add(kiosk)
        token = create_enrolment_link_token(kiosk, _now())
        key, _created = init_keys(
            session,
            Path(current_app.config["KEYS_DIR"]),
            _now(),
            demo=True,
            public_url=current_app.config["PUBLIC_URL"],
        )
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    lines = [
        "",
        "Attest demo is ready.",
        f"  item bank: {report.summary()}",
        f"  demo signing key kid={key.kid} (PDFs say DEMO)",
        "",
        f"  staff login:  {base}/login",
    ]
    lines += [f"    {u:<10} {p:<18} ({r.value})" for u, r, _n, p in DEMO_USERS]
    if totp_secrets:
        lines += [
            "",
            "  second step (TOTP) for these accounts: add the key to an authenticator app,",
            "  or print the current code with: oathtool --totp -b <key>",
        ]
        issuer = current_app.config["ISSUER_NAME"]
        for username, secret in totp_secrets.items():
            lines.append(f"    {username:<10} {secret}")
            lines.append(f"      {totp.provisioning_uri(secret, username, issuer)}")
    lines += [
        "",
        "  kiosk: open this one-time link in the browser that will be the kiosk",
        f"    {base}/kiosk/enrol/{token}",
        f"  verification: {public_urls.code_url(base, '<attestation code>')}   "
        f"API: POST {public_urls.url(base, public_urls.API_VERIFY)}",
        "",
    ]
    click.echo("\n".join(lines))


def _calibrate_demo_examiners(session: so.Session) -> None:
    """Let the demo examiners score at once: exempt them from calibration (audited, by the demo
    admin), and make two of them senior."""
    from attest.examiner.quality import exempt_from_calibration
    from attest.examiner.scoring import is_calibrated

    session.flush()
    admin = session.scalar(sa.select(User).where(User.username == DEMO_USERS[0][0]))
    for username, role, _name, _password in DEMO_USERS:
        if role is not Role.EXAMINER:
            continue
        user = session.scalar(sa.select(User).where(User.username == username))
        user.is_senior_examiner = username in DEMO_SENIORS
        if not is_calibrated(session, user.id):
            exempt_from_calibration(session, user, admin, _now())


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
                result = verify_pdf_offline(path.read_bytes(), jwks, status, _now())
            click.echo(f"seal: {'ok' if result.seal.ok else 'NOT OK'} ({result.seal.reason})")
            if not result.seal.ok:
                # Nothing the file says can be believed: no names, no status, one clear line.
                click.echo(f"verdict: NOT VALID: the seal is not intact ({result.seal.reason})")
                raise SystemExit(1)
            outcome, ok = result.payload, result.is_valid
        else:
            outcome = verify_offline(subject, jwks, status, _now())
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
            _now(),
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
)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
