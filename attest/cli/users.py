"""`attest users create|reset-2fa|set-role`: staff accounts."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from attest.cli.common import transaction
from attest.models import Centre, Role, User


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


@users_group.command(
    "set-role", help="Give a staff account another role (audited; its sessions end)."
)
@click.argument("username")
@click.argument("role", type=click.Choice(["admin", "proctor", "examiner", "author", "panellist"]))
@click.option("--centre", "centre_code", help="centre code (proctors and examiners)")
@with_appcontext
def users_set_role(username: str, role: str, centre_code: str | None) -> None:

    from attest.auth.services import AccountError, change_role

    with transaction() as session:
        user = session.scalar(sa.select(User).where(User.username == username.strip().lower()))
        if user is None:
            raise click.BadParameter(f"no account {username!r}", param_hint="USERNAME")
        centre = None
        if centre_code:
            centre = session.scalar(sa.select(Centre).where(Centre.code == centre_code))
            if centre is None:
                raise click.BadParameter(f"no centre {centre_code!r}", param_hint="--centre")
        try:
            change_role(session, user, Role(role), None, centre)
        except AccountError as exc:
            raise click.UsageError(str(exc)) from None
    click.echo(f"{username} is now {role}")
