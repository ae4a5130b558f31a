"""`attest purposes check`: decision accuracy per purpose and cut, and the share of human audio;
fails for a weak live purpose or a live purpose with synthetic clips (unless allowed)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from attest.assessment.cut_scores import load_store
from attest.assessment.decision_accuracy import BAR
from attest.assessment.purpose_quality import DEFAULT_POPULATION, PurposeQuality
from attest.cli.common import load_bank

HEADER = (
    f"{'purpose':<31} {'status':<6} {'skill':<9} {'mode':<8} {'cut':<3} {'items':>5} "
    f"{'Rudner':>7} {'exact':>6} {'consist':>7} {'f.pass':>6} {'f.fail':>6}  verdict"
)


def format_table(table: list[PurposeQuality]) -> list[str]:
    """Return one line per purpose, receptive section and decided cut."""
    lines = [HEADER]
    for row in table:
        for d in row.decisions:
            q = d.exact or d.rudner  # the errors of the exact figure where there is one
            exact = f"{d.exact.accuracy:6.3f}" if d.exact else f"{'-':>6}"
            verdict = "ok" if d.meets_bar else f"< {BAR:.2f}"
            lines.append(
                f"{row.purpose.code:<31} {row.purpose.status:<6} {d.skill:<9} {d.mode:<8} "
                f"{d.level:<3} {d.items:>5} {d.rudner.accuracy:7.3f} {exact} "
                f"{d.consistency:7.3f} {q.false_pass:6.3f} {q.false_fail:6.3f}  {verdict}"
            )
        if not row.decisions:
            lines.append(f"{row.purpose.code:<31} {row.purpose.status:<6} (no receptive section)")
    return lines


@click.group("purposes", help="Test purposes.")
def purposes_group() -> None:
    pass


@purposes_group.command(
    "check",
    help="Classification accuracy and consistency per purpose and decided cut (Rudner 2005; "
    "Lee 2010), and the share of human, approved audio; exit 1 when a live purpose is under "
    "0.90 at a cut it decides, or delivers synthetic clips while ATTEST_SYNTHETIC_AUDIO is not "
    "allow.",
)
@click.option("--dir", "directory", help="bank directory (default: ATTEST_BANK_DIR)")
@click.option("--db", "from_db", is_flag=True, help="use the database's live items instead")
@click.option("--mean", default=DEFAULT_POPULATION[0], show_default=True, help="ability mean")
@click.option("--sd", default=DEFAULT_POPULATION[1], show_default=True, help="ability sd")
@with_appcontext
def purposes_check(directory: str | None, from_db: bool, mean: float, sd: float) -> None:
    from attest.assessment import purpose_quality_service as service

    if sd <= 0:
        raise click.BadParameter("the ability sd must be positive", param_hint="--sd")
    store = None  # the package's file
    if from_db:
        session = current_app.extensions["attest_session"]()
        try:
            units = service.live_units_in_db(session)
            store = service.store_in_force(session)  # an adopted version, if any
        finally:
            current_app.extensions["attest_session"].remove()
    else:
        units = service.live_units_in_bank(load_bank(directory or None))
    table = service.purposes_quality(units, (mean, sd), store)
    adopted = store is not None and store.version != load_store().version
    where = f"version {store.version}" if adopted else "cut_scores.yaml"
    click.echo(f"population N({mean:g}, {sd:g}); cuts from {where}; bar {BAR:.2f}")
    click.echo("\n".join(format_table(table)))
    problems = [p for row in table for p in row.problems]
    problems += _audio_problems(directory, from_db)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise SystemExit(1)


def _audio_problems(directory: str | None, from_db: bool) -> list[str]:
    """Print the share of human, approved clips per purpose; return why a live purpose may not
    be live with its clips (none when ATTEST_SYNTHETIC_AUDIO=allow). With --db, the audio
    studio's approved recordings count as what delivery plays."""
    from attest.assessment import provenance as prov
    from attest.assessment.purposes import load_purposes

    bank = load_bank(directory or None)
    studio = {}
    if from_db:
        from attest.assessment.studio import studio_provenance

        session = current_app.extensions["attest_session"]()
        try:
            studio = studio_provenance(session)
        finally:
            current_app.extensions["attest_session"].remove()
    sources = prov.clip_sources(bank, prov.load_provenance(bank.root), studio)
    table = prov.purpose_audio(load_purposes().values(), bank, sources)
    synthetic = current_app.config["SYNTHETIC_AUDIO"]
    click.echo(f"audio: human and approved clips per purpose (synthetic audio: {synthetic})")
    click.echo("\n".join(prov.format_audio_table(table)))
    return [problem for row in table for problem in row.problems(synthetic)]
