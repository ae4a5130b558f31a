"""Calibration of the bank from stored responses: matrix building, anchoring, report, CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
import yaml

from attest.assessment.calibration_service import (
    calibrate_bank,
    collect_responses,
    table_lines,
    write_calibration,
)
from attest.cli.calibrate import calibrate_command
from attest.models import (
    ItemVersion,
)
from tests.integration.conftest import LIVE, N_SESSIONS, PILOT_TRUE  # noqa: F401


def test_matrix_has_one_row_per_completed_session_and_one_column_per_version(db, bank_data):
    data = collect_responses(db, "reading")
    assert data.matrix.shape == (N_SESSIONS, 16 + 2 + 1)
    assert "R-LIVE-00/v1" in data.item_ids and "R-LIVE-00/v2" in data.item_ids
    assert set(data.anchors) == {f"R-LIVE-{k:02d}/v{2 if k == 0 else 1}" for k in range(16)}
    assert data.statuses["R-PILOT-1/v1"] == "pilot"
    assert np.isnan(data.matrix).sum() == N_SESSIONS * 6 + (N_SESSIONS - 100)
    assert collect_responses(db, "listening") is None


def test_pilot_items_land_on_the_bank_scale_and_anchors_stay(db, bank_data, now):
    result = calibrate_bank(db, now, skills=["reading", "listening"], min_responses=150)
    (cal,) = result.skills
    report = cal.report
    assert report.anchoring == "fixed" and report.converged
    assert report.population_mean == pytest.approx(0.3, abs=0.2)
    for k, b in enumerate(LIVE):
        item = report.item(f"R-LIVE-{k:02d}/v{2 if k == 0 else 1}")
        assert item.is_anchor and item.difficulty == pytest.approx(b)
    assert report.item("R-PILOT-1/v1").difficulty == pytest.approx(0.8, abs=0.3)
    old = report.item("R-LIVE-00/v1")
    assert not old.is_anchor and old.n == 100 and "few_responses" in old.flags
    assert report.groups == ("nl", "other")
    assert result.not_calibrated == {"listening": "no scored responses in completed sessions"}


def test_dif_against_a_language_is_reported(db, bank_data, now):
    (cal,) = calibrate_bank(db, now, skills=["reading"], reference="nl", focal="ar").skills
    dif = cal.report.item("R-PILOT-2/v1").dif
    assert cal.report.groups == ("nl", "ar")
    assert dif.delta < -1.5 and dif.category in ("B", "C")
    assert cal.report.item("R-PILOT-1/v1").dif.category != "C"


def test_report_is_written_as_yaml_and_never_overwritten(db, bank_data, now, tmp_path):
    result = calibrate_bank(db, now, skills=["reading"])
    first = write_calibration(result, tmp_path / "calibration")
    second = write_calibration(result, tmp_path / "calibration")
    assert first.name == f"{now:%Y-%m-%d}.yaml" and second.name == f"{now:%Y-%m-%d}-2.yaml"
    record = yaml.safe_load(first.read_text(encoding="utf-8"))
    items = {it["item_id"]: it for it in record["skills"]["reading"]["items"]}
    assert items["R-LIVE-05/v1"]["old_difficulty"] == pytest.approx(LIVE[5], abs=1e-4)
    assert items["R-PILOT-1/v1"]["status"] == "pilot"
    lines = table_lines(result)
    assert any(line.startswith(" R-PILOT-1/v1") for line in lines)
    assert any(line.startswith("*R-LIVE-05/v1") for line in lines)


def test_calibration_changes_no_item(db, bank_data, now):
    before = db.execute(sa.select(ItemVersion.id, ItemVersion.difficulty)).all()
    calibrate_bank(db, now)
    assert db.execute(sa.select(ItemVersion.id, ItemVersion.difficulty)).all() == before


def test_cli_prints_the_table_and_writes_the_record(app, db, bank_data):
    db.commit()
    result = app.test_cli_runner().invoke(calibrate_command, ["--skill", "reading", "--write"])
    assert result.exit_code == 0, result.output
    assert "R-PILOT-1/v1" in result.output and "anchoring fixed" in result.output
    written = list(Path(app.instance_path).glob("calibration/*.yaml"))
    assert len(written) == 1 and f"report written to {written[0]}" in result.output
