"""`attest kiosks enrol-link|instructions-audio`: kiosks."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from attest.cli.common import now, transaction
from attest.models import Centre, Kiosk


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
        token = create_enrolment_link_token(kiosk, now())
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
