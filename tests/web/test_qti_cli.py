"""`attest bank export --qti` and `attest bank import --qti` through the CLI (with the app, so
under web/ rather than with the pure QTI tests in tests/unit/assessment/qti/)."""

from __future__ import annotations

from attest.assessment.bank import load_bank
from tests.unit.assessment.qti.packages import make_zip, small_bank, snapshot


def test_export_then_import_through_the_cli(app, tmp_path):
    source = small_bank(tmp_path / "source")
    target = tmp_path / "nl"
    target.mkdir()
    runner = app.test_cli_runner()
    out = tmp_path / "bank.zip"
    result = runner.invoke(args=["bank", "export", "--qti", str(out), "--dir", str(source)])
    assert result.exit_code == 0, result.output
    assert "1 items written" in result.output
    empty = snapshot(target)
    args = ["bank", "import", "--qti", str(out), "--dir", str(target)]
    result = runner.invoke(args=[*args, "--check"])
    assert result.exit_code == 0, result.output
    assert "bank.zip: 1 item(s): 1 faithful, 0 with approximations, 0 refused" in result.output
    assert "item nl-lz-a1-0001 (items/nl-lz-a1-0001.xml, QTI 3.0): imported faithfully" in (
        result.output
    )
    assert "check only: 1 items would be imported; nothing written" in result.output
    assert snapshot(target) == empty
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert [i.id for i in load_bank(target).items] == ["nl-lz-a1-0001"]

    before = snapshot(target)
    bad = make_zip(tmp_path / "bad.zip", {"../evil.xml": b"<x/>"})
    result = runner.invoke(args=["bank", "import", "--qti", str(bad), "--dir", str(target)])
    assert result.exit_code == 1
    assert "bad.zip: ../evil.xml: member path points outside the package" in result.output
    assert snapshot(target) == before
