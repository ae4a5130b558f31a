"""`attest panels load-benchmarks`: the 27 writing benchmark performances become the material of
a benchmarking panel; loading twice changes nothing, a changed text is updated, a bad file loads
nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
import yaml

from attest.models import BenchmarkText, Role
from attest.standard_setting import services
from attest.standard_setting.benchmarks import calibration_dir
from attest.standard_setting.descriptors import descriptor_key
from tests.factories import make_user


def test_the_benchmarks_load_once_and_make_a_benchmarking_panel(app, db, tmp_path):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["panels", "load-benchmarks"])
    assert first.exit_code == 0, first.output
    assert "27 added" in first.output
    again = runner.invoke(args=["panels", "load-benchmarks"])
    assert "0 added, 0 updated, 27 unchanged" in again.output
    row = db.get(BenchmarkText, "nl-bm-sc-a1-01")
    assert (row.skill, row.level, row.task_id) == ("writing", "A1", "nl-sc-a1-0002")
    assert "Samira" in row.text and row.bands["task_completion"] == 2

    source = calibration_dir(app.config["BANK_DIR"]) / "writing.yaml"
    entries = yaml.safe_load(source.read_text(encoding="utf-8"))
    entries[0]["text"] = "Dag Kris, ik ben ziek.\n"
    (tmp_path / "writing.yaml").write_text(yaml.safe_dump(entries), encoding="utf-8")
    changed = runner.invoke(args=["panels", "load-benchmarks", "--dir", str(tmp_path)])
    assert "0 added, 1 updated, 26 unchanged" in changed.output
    db.expire_all()
    assert db.get(BenchmarkText, "nl-bm-sc-a1-01").text == "Dag Kris, ik ben ziek.\n"

    del entries[1]["level"]
    (tmp_path / "writing.yaml").write_text(yaml.safe_dump(entries), encoding="utf-8")
    bad = runner.invoke(args=["panels", "load-benchmarks", "--dir", str(tmp_path)])
    assert bad.exit_code != 0 and "nl-bm-sc-a1-02" in bad.output

    admin = make_user(db, role=Role.ADMIN)
    panel = services.create_panel(
        db, admin, name="Schrijven", skill="writing", method="benchmark",
        now=datetime(2026, 12, 7, tzinfo=UTC),
    )  # fmt: skip
    assert len(panel.material) == 27
    assert panel.material["nl-bm-sc-a1-01"] == (2 + 1 + 1 + 1 + 2) / 5  # the mean agreed band
    assert db.scalar(sa.select(sa.func.count()).select_from(BenchmarkText)) == 27


def test_a_benchmarking_round_gives_cuts_on_the_band_scale_and_are_adopted(app, db):
    app.test_cli_runner().invoke(args=["panels", "load-benchmarks"])
    now = datetime(2026, 12, 7, tzinfo=UTC)
    admin = make_user(db, role=Role.ADMIN)
    panellists = [make_user(db, role=Role.PANELLIST) for _ in range(3)]
    panel = services.create_panel(
        db, admin, name="Schrijven", skill="writing", method="benchmark", now=now
    )
    agreed = {t.id: t.level for t in db.scalars(sa.select(BenchmarkText))}
    for user in panellists:
        services.add_panellist(db, admin, panel.id, user, "examinator", now)
        services.submit_familiarisation(db, user, panel.id, descriptor_key("writing"), now)
    for round_no in (1, 2):
        if round_no == 2:
            services.open_next_round(db, admin, panel.id, 1)
        for user in panellists:  # each places every benchmark at its agreed level
            services.submit_judgement(db, user, panel.id, round_no, {"placements": agreed}, now)
    report = services.round_report(db, panel, 2)
    assert report.exact_agreement == 1.0 and report.agreement_w == 1.0
    cuts = {level: report.summary[level].median for level in ("A2", "B1", "B2")}
    assert 1.0 < cuts["A2"] < cuts["B1"] < cuts["B2"] < 4.0  # on the 0-4 band scale
    assert report.summary["B1"].se == 0.0 and report.impact is None
    # Every benchmark is at A1 or above, so the panel set no A1 cut: A1 keeps the rubric's own
    # threshold (band 1), recorded as kept; the other levels take the panel's medians.
    assert "A1" not in report.summary
    adopted = services.adopt(db, admin, panel.id, now)
    entry = adopted.store["skills"]["writing"]
    assert entry["cuts"] == pytest.approx({"A1": 1.0, **cuts}, abs=1e-4)
    assert entry["record"]["kept"] == ["A1"]
