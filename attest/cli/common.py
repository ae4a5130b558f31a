"""What every command module of the `attest` CLI shares: the clock, one transaction per
command, the bank loader, and parsing of dates and acting users."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Iterator

import click
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from attest.models import User


def now() -> datetime:
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


def load_bank(directory: str | None, *, require_review: bool = True):
    """The bank files of `directory` (default: BANK_DIR); schema errors: printed, exit 1.

    Every item must have its review history (docs/authoring-brief.md, "Review workflow")
    unless `require_review=False` (a QTI export, which carries no workflow)."""
    from attest.assessment.bank import BankError
    from attest.assessment.bank import load_bank as load

    root = Path(directory or current_app.config["BANK_DIR"])
    try:
        return load(root, require_review=require_review)
    except BankError as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(1) from None


def moment(text: str | None, name: str) -> datetime:
    """Parse an ISO date or date-time (UTC when no zone is given); now when empty."""
    if not text:
        return now()
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter("use YYYY-MM-DD or YYYY-MM-DDTHH:MM", param_hint=name) from None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def actor(session: so.Session, username: str | None) -> User | None:
    """The staff user named by `--by`, or None."""
    if not username:
        return None
    user = session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise click.BadParameter(f"no user {username!r}", param_hint="--by")
    return user


by_option = click.option("--by", "username", help="staff user on whose behalf (audit log)")
