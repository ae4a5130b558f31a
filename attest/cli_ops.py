"""Operations commands: `attest audit verify|checkpoint`, `attest retention run`, `attest export`,
`attest appeals open|close`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from attest.cli import transaction


def _now() -> datetime:
    return datetime.now(UTC)


@click.group("audit", help="The hash-chained audit trail.")
def audit_group() -> None:
    pass


@audit_group.command(
    "verify",
    help="Check the audit chain, and its head against the signed checkpoints; exit 1 and say "
    "where it breaks.",
)
@click.option(
    "--checkpoints",
    "checkpoints_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="folder of checkpoint-*.json files (default: audit-checkpoints in the storage folder)",
)
@with_appcontext
def audit_verify(checkpoints_dir: Path | None) -> None:
    from attest.audit_checkpoints import checkpoint_dir, verify_with_checkpoints

    config = current_app.config
    directory = checkpoints_dir or checkpoint_dir(config["STORAGE_DIR"])
    with transaction() as session:
        count, anchored, problems = verify_with_checkpoints(session, directory, config["KEYS_DIR"])
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        click.echo(f"audit trail BROKEN: {len(problems)} problem(s) in {count} entries", err=True)
        raise SystemExit(1)
    if anchored:
        click.echo(f"audit trail intact: {count} entries, {anchored} signed checkpoint(s) hold")
    else:
        click.echo(f"audit trail intact: {count} entries")
        click.echo(
            f"warning: no checkpoints in {directory}: the end of the chain is not anchored "
            "(run `attest audit checkpoint` hourly)",
            err=True,
        )


@audit_group.command(
    "checkpoint",
    help="Sign the chain head (seq, hash, time) with the audit key and write it to the storage "
    "folder and the log (run it hourly from cron or a systemd timer).",
)
@with_appcontext
def audit_checkpoint() -> None:
    from attest.audit_checkpoints import write_checkpoint

    config = current_app.config
    with transaction() as session:
        path = write_checkpoint(session, config["STORAGE_DIR"], config["KEYS_DIR"], _now())
    click.echo(f"checkpoint written: {path}")


@click.group("retention", help="Delete or anonymise personal data that is due.")
def retention_group() -> None:
    pass


@retention_group.command("run", help="Apply the retention periods (RETENTION_* settings).")
@click.option("--dry-run", is_flag=True, help="report what is due without changing anything")
@with_appcontext
def retention_run(dry_run: bool) -> None:
    from attest.retention import delete_files, policy_from_config, run_retention
    from attest.storage import storage_for

    with transaction() as session:
        report = run_retention(
            session, policy_from_config(current_app.config), _now(), dry_run=dry_run
        )
        if dry_run:
            session.rollback()
    delete_files(storage_for(current_app.config), report)
    click.echo(report.summary())


@click.command("export", help="Write a candidate's data (JSON and sealed PDFs) as a zip.")
@click.argument("candidate_id", type=int)
@click.option("--out", "out_path", required=True, help="the .zip file to write")
@with_appcontext
def export_command(candidate_id: int, out_path: str) -> None:
    from attest.audit import record_event
    from attest.models import Candidate
    from attest.storage import storage_for
    from attest.subject_access import export_candidate

    with transaction() as session:
        candidate = session.get(Candidate, candidate_id)
        if candidate is None:
            raise click.BadParameter(f"no candidate with id {candidate_id}")
        data = export_candidate(session, storage_for(current_app.config), candidate)
        record_event(session, None, "candidate.export", "candidate", candidate.id, via="cli")
    Path(out_path).write_bytes(data)
    click.echo(f"wrote {len(data)} bytes to {out_path}")


@click.group("appeals", help="Appeals hold a test's answers and recordings back from retention.")
def appeals_group() -> None:
    pass


def _set_appeal(session_id: int, field: str, action: str) -> None:
    from attest.audit import record_event
    from attest.models import TestSession

    with transaction() as session:
        ts = session.get(TestSession, session_id)
        if ts is None:
            raise click.BadParameter(f"no test session with id {session_id}")
        is_open = ts.appeal_opened_at is not None and (
            ts.appeal_closed_at is None or ts.appeal_closed_at < ts.appeal_opened_at
        )
        if is_open == (field == "appeal_opened_at"):
            raise click.UsageError(
                "an appeal is already open" if is_open else "no appeal is open for this test"
            )
        setattr(ts, field, _now())
        record_event(session, None, action, "test_session", ts.id)
    click.echo(f"{action} for test session {session_id}")


@appeals_group.command("open", help="Mark an appeal open for a test session.")
@click.argument("session_id", type=int)
@with_appcontext
def appeals_open(session_id: int) -> None:
    _set_appeal(session_id, "appeal_opened_at", "appeal.open")


@appeals_group.command("close", help="Mark the appeal of a test session closed.")
@click.argument("session_id", type=int)
@with_appcontext
def appeals_close(session_id: int) -> None:
    _set_appeal(session_id, "appeal_closed_at", "appeal.close")


@click.command("set-role", help="Give a staff account another role (audited; its sessions end).")
@click.argument("username")
@click.argument("role", type=click.Choice(["admin", "proctor", "examiner"]))
@click.option("--centre", "centre_code", help="centre code (proctors and examiners)")
@with_appcontext
def users_set_role(username: str, role: str, centre_code: str | None) -> None:
    import sqlalchemy as sa

    from attest.auth.services import AccountError, change_role
    from attest.models import Centre, Role, User

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


OPS_COMMANDS = (audit_group, retention_group, export_command, appeals_group)
