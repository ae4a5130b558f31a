"""`attest bank check|load|audio|exposure|export|import`: the item bank."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from attest.cli.common import load_bank, now, transaction


@click.group("bank", help="The item bank.")
def bank_group() -> None:
    pass


@bank_group.command("check", help="Validate and lint the bank files without importing anything.")
@click.argument("path", required=False)
@click.option("--dir", "directory", help="bank directory (default: ATTEST_BANK_DIR)")
@with_appcontext
def bank_check(path: str | None, directory: str | None) -> None:
    from attest.assessment import provenance as prov
    from attest.assessment.lint import lint, summarize
    from attest.assessment.purposes import load_purposes

    bank = load_bank(path or directory)  # schema errors: printed, exit 1
    findings = [str(finding) for finding in lint(bank)]
    try:
        clips = prov.load_provenance(bank.root)
    except prov.ProvenanceError as exc:
        findings.append(f"media/{prov.PROVENANCE_FILE}: {exc}")
        clips = {}
    findings += [
        f"media/{media}: no entry in media/{prov.PROVENANCE_FILE} (synthetic or human?)"
        for media in prov.missing_provenance(bank, clips)
    ]
    for finding in findings:
        click.echo(finding, err=True)
    if findings:
        click.echo(f"{len(findings)} lint finding(s); see question_banks/README.md", err=True)
        raise SystemExit(1)
    click.echo("\n".join(summarize(bank)))
    sources = prov.clip_sources(bank, clips)
    table = prov.purpose_audio(load_purposes().values(), bank, sources)
    click.echo("audio provenance per purpose (human: recorded by a person and approved):")
    click.echo("\n".join(prov.format_audio_table(table)))


@bank_group.command("load", help="Validate the bank and bring the database in line with it.")
@click.option("--dir", "directory", help="bank directory (default: ATTEST_BANK_DIR)")
@with_appcontext
def bank_load(directory: str | None) -> None:
    from attest.assessment.bank_sync import ReviewConflict, sync_bank

    bank = load_bank(directory)
    try:
        with transaction() as session:
            report = sync_bank(session, bank, now())
    except ReviewConflict as exc:
        click.echo(f"nothing loaded; review histories differ:\n{exc}", err=True)
        raise SystemExit(1) from None
    click.echo(f"item bank: {report.summary()}")


@bank_group.command(
    "review-export",
    help="Write the review steps, statuses and adopted difficulties of the database back to "
    "the bank files (<file>.review.yaml, status: and difficulty: in the item files).",
)
@click.option("--dir", "directory", help="bank directory (default: ATTEST_BANK_DIR)")
@with_appcontext
def bank_review_export(directory: str | None) -> None:
    from attest.assessment.bank_sync import ReviewConflict
    from attest.assessment.review_export import ExportConflict, export_review

    bank = load_bank(directory)
    try:
        with transaction() as session:
            report = export_review(session, bank)
    except (ReviewConflict, ExportConflict) as exc:
        click.echo(f"nothing written:\n{exc}", err=True)
        raise SystemExit(1) from None
    for source in report.files:
        click.echo(f"written: {(bank.root / source).as_posix()}")
    click.echo(f"item bank: {report.summary()}")


@bank_group.command(
    "audio",
    help="Generate listening audio from transcripts and the interlocutor clips of semi-direct "
    "conversations (synthetic; needs espeak-ng).",
)
@click.option("--force", is_flag=True, help="regenerate files that exist")
@click.option("--dir", "directory", help="bank directory (default: ATTEST_BANK_DIR)")
@with_appcontext
def bank_audio(force: bool, directory: str | None) -> None:
    from attest.assessment.audio import generate_audio

    written = generate_audio(Path(directory or current_app.config["BANK_DIR"]), force=force)
    click.echo(f"{len(written)} audio files written")


@bank_group.command(
    "studio-export",
    help="Write the audio studio's approved recordings and their provenance into the bank files.",
)
@click.option("--dir", "directory", help="bank directory (default: ATTEST_BANK_DIR)")
@with_appcontext
def bank_studio_export(directory: str | None) -> None:
    from attest.assessment import provenance as prov
    from attest.assessment.instruction_audio import audio_dir
    from attest.assessment.studio import export_instructions, export_to_bank
    from attest.storage import storage_for

    root = Path(directory or current_app.config["BANK_DIR"])
    clips = dict(prov.load_provenance(root))
    spoken = audio_dir(Path(current_app.static_folder or ""))
    with transaction() as session:
        written = export_to_bank(session, storage_for(current_app.config), root)
        instructions = export_instructions(session, storage_for(current_app.config), spoken)
    clips.update(written)
    if written:
        prov.write_provenance(root, clips)
    click.echo(f"{len(written)} approved recording(s) written to {root / 'media'}")
    for code, source in instructions:
        click.echo(
            f"spoken instructions {code}: {source.speaker} ({source.region}), approved by "
            f"{source.approved_by}, written to {spoken}"
        )


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

    bank = load_bank(directory, require_review=False)  # QTI carries no workflow
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
