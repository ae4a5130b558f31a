"""`attest export`: a candidate's data (subject access) as a zip."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from attest.cli.common import transaction


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
