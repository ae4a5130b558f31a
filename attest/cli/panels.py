"""`attest panels load-benchmarks`: the benchmark texts standard-setting panels judge."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from attest.cli.common import transaction


@click.group("panels", help="Standard-setting panels.")
def panels_group() -> None:
    pass


@panels_group.command(
    "load-benchmarks",
    help="Load the benchmark performances (question_banks/calibration/<language>/writing.yaml) "
    "as the material of benchmarking rounds. Idempotent.",
)
@click.option("--dir", "directory", type=click.Path(file_okay=False, exists=True))
@with_appcontext
def load_benchmarks(directory: str | None) -> None:
    from attest.standard_setting.benchmarks import (
        BenchmarkFileError,
        calibration_dir,
        load_benchmark_texts,
    )

    root = Path(directory) if directory else calibration_dir(current_app.config["BANK_DIR"])
    try:
        with transaction() as session:
            report = load_benchmark_texts(session, root)
    except BenchmarkFileError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"benchmark texts: {report.summary()}")
