"""The public QTI corpus (tests/data/qti): every item ends as tests/data/qti/expected.yaml says.

Each package folder is zipped and read twice: with ``approximate=True`` (the fields and named
approximations are compared with the table) and without it (items with a scoring approximation
must then be refused, naming it). A package with a refused item writes nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from attest.assessment.bank import load_bank
from attest.assessment.qti import QtiError, assess_package, install_package
from tests.unit.assessment.qti.packages import dir_members, make_zip, small_bank, snapshot

CORPUS = Path(__file__).resolve().parents[3] / "data" / "qti"
PACKAGES = CORPUS / "packages"
EXPECTED = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
DEFAULTS = {"skill": "reading", "level": "A2", "domain": "onderwijs"}
FIELDS = (
    "format", "stem", "text", "media", "options", "answer", "gaps", "sentence", "prompts",
    "fragments", "scoring",
)  # fmt: skip
ITEM_ROOT = re.compile(rb"<(qti-assessment-item|assessmentItem)\b")
CASES = [(package, member) for package, items in EXPECTED.items() for member in items]


@pytest.fixture(scope="module")
def assessed(tmp_path_factory) -> dict[tuple[str, bool], dict]:
    """Return {(package, approximate): {member: outcome}} for every corpus package."""
    tmp = tmp_path_factory.mktemp("corpus")
    found = {}
    for folder in sorted(PACKAGES.iterdir()):
        package = make_zip(tmp / f"{folder.name}.zip", dir_members(folder))
        for approximate in (False, True):
            imported = assess_package(package, defaults=DEFAULTS, approximate=approximate)
            assert not imported.report.problems, imported.report.text()
            found[folder.name, approximate] = {o.member: o for o in imported.report.items}
    return found


def test_the_corpus_is_large_enough_and_licensed():
    folders = [p for p in PACKAGES.iterdir() if (p / "imsmanifest.xml").is_file()]
    assert len(folders) >= 5
    assert len(CASES) >= 60
    items = [p for p in PACKAGES.rglob("*.xml") if ITEM_ROOT.search(p.read_bytes())]
    assert len(items) == len(CASES)  # every item file has its expected outcome
    versions = {
        re.search(rb'xmlns="http://www.imsglobal.org/xsd/(\w+)"', p.read_bytes()).group(1)
        for p in items
    }
    assert versions == {b"imsqtiasi_v3p0", b"imsqti_v2p2", b"imsqti_v2p1"}
    sources = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    for folder in folders:
        assert f"`{folder.name}`" in sources
    for licence in re.findall(r"`(licenses/[^`]+)`", sources):
        assert (CORPUS / licence).is_file(), licence


@pytest.mark.parametrize(("package", "member"), CASES)
def test_item_outcome(assessed, package, member):
    expected = EXPECTED[package][member]
    outcome = assessed[package, True][member]
    strict = assessed[package, False][member]
    assert outcome.status == expected["outcome"], outcome.line()
    if outcome.status == "refused":
        for reason in expected["reasons"]:
            assert any(reason in actual for actual in outcome.reasons), outcome.line()
        assert strict.status == "refused"
        return
    assert outcome.approximations == expected.get("approximations", [])
    if expected.get("without_approximate") == "refused":
        assert strict.status == "refused"
        assert "scores differently in Attest (accept with --approximate)" in strict.line()
    else:
        assert strict.status == outcome.status
    for key in FIELDS:
        assert outcome.entry.get(key) == expected.get(key), key


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_package_imports_only_without_refusals(name, tmp_path):
    package = make_zip(tmp_path / f"{name}.zip", dir_members(PACKAGES / name))
    bank = small_bank(tmp_path / "nl")
    before = snapshot(bank)
    refused = [m for m, e in EXPECTED[name].items() if e["outcome"] == "refused"]
    if refused:
        with pytest.raises(QtiError) as caught:
            install_package(package, bank, defaults=DEFAULTS, approximate=True)
        assert str(caught.value).endswith(f"{name}.zip: nothing imported")
        for member in refused:
            assert f"({member}, QTI " in str(caught.value)
        assert snapshot(bank) == before
        return
    report = install_package(package, bank, defaults=DEFAULTS, approximate=True, check=True)
    assert report.checked_only and snapshot(bank) == before  # --check writes nothing
    report = install_package(package, bank, defaults=DEFAULTS, approximate=True)
    assert report.items == len(EXPECTED[name])
    assert len(load_bank(bank).items) == 1 + len(EXPECTED[name])
