"""QTI 3.0 export of the whole shipped bank, and import back: every item and media file equal."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from attest.assessment.bank import MEDIA_DIR, load_bank
from attest.assessment.formats import get_format
from attest.assessment.qti import QtiError, export_bank, install_package, read_package
from attest.assessment.qti.common import ATTEST_NS, CP_NS, QTI3_NS
from attest.assessment.qti.item_writer import item_element
from attest.assessment.qti.package import open_package, parse_item, parse_xml
from attest.assessment.qti.processing import gap_rule
from tests.unit.assessment.qti.packages import (
    BANK_ROOT,
    dir_members,
    make_zip,
    small_bank,
    snapshot,
)
from tests.unit.assessment.qti.qti3_profile import item_problems, manifest_problems

PACKAGES = Path(__file__).resolve().parents[3] / "data" / "qti" / "packages"
DEFAULTS = {"skill": "reading", "level": "A2", "domain": "onderwijs"}
INTERACTION = {
    "single_choice": "qti-choice-interaction",
    "multiple_response": "qti-choice-interaction",
    "text_entry": "qti-text-entry-interaction",
    "inline_choice": "qti-inline-choice-interaction",
    "matching": "qti-match-interaction",
    "ordering": "qti-order-interaction",
    "extended_text": "qti-extended-text-interaction",
    "audio_response": "qti-upload-interaction",
    "speaking_conversation": "qti-upload-interaction",
}


@pytest.fixture(scope="module")
def shipped():
    return load_bank(BANK_ROOT)


@pytest.fixture(scope="module")
def package(shipped, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("export") / "nl-bank.zip"
    assert export_bank(shipped, out) == len(shipped.items)
    return out


def _assert_same(original, imported, *, same_source: bool = True) -> None:
    assert [i.id for i in imported.items] == [i.id for i in original.items] or not same_source
    by_id = {i.id: i for i in imported.items}
    assert set(by_id) == {i.id for i in original.items}
    for spec in original.items:
        copy = by_id[spec.id]
        for f in dataclasses.fields(spec):
            if f.name == "review":  # the workflow history is the bank's, not QTI content
                continue
            if f.name == "source" and not same_source:
                continue
            assert getattr(copy, f.name) == getattr(spec, f.name), (spec.id, f.name)
        for path in spec.media.values():
            assert (imported.root / MEDIA_DIR / path).read_bytes() == (
                original.root / MEDIA_DIR / path
            ).read_bytes()


def test_whole_bank_round_trips_field_by_field(shipped, package, tmp_path):
    bank = tmp_path / "nl"
    bank.mkdir()
    report = install_package(package, bank, keep_layout=True)
    assert report.items == len(shipped.items)
    assert report.renamed == {}
    _assert_same(shipped, load_bank(bank))
    formats = {i.format for i in shipped.items}
    assert formats == set(INTERACTION), "the shipped bank should hold every format"
    assert shipped.testlets(), "the shipped bank should hold testlets"


def test_default_layout_puts_items_in_one_file_with_the_same_hashes(shipped, package, tmp_path):
    bank = tmp_path / "nl"
    bank.mkdir()
    install_package(package, bank)
    imported = load_bank(bank)
    _assert_same(shipped, imported, same_source=False)
    assert {i.source for i in imported.items} == {"imported/nl-bank.yaml"}


def test_export_is_deterministic(shipped, package, tmp_path):
    again = tmp_path / "again.zip"
    export_bank(shipped, again)
    assert again.read_bytes() == package.read_bytes()


def test_export_has_a_manifest_and_one_qti3_item_per_item(shipped, package):
    with zipfile.ZipFile(package) as zf:
        names = set(zf.namelist())
        manifest = parse_xml(zf.read("imsmanifest.xml"), "manifest")
        assert manifest.tag == f"{{{CP_NS}}}manifest"
        hrefs = {f.get("href") for f in manifest.iter(f"{{{CP_NS}}}file")}
        assert hrefs == names - {"imsmanifest.xml"}
        types = {r.get("type") for r in manifest.iter(f"{{{CP_NS}}}resource")}
        assert types == {"imsqti_item_xmlv3p0", "webcontent"}
        meta = {
            r.get("identifier"): r.find(f"{{{CP_NS}}}metadata/{{{ATTEST_NS}}}item")
            for r in manifest.iter(f"{{{CP_NS}}}resource")
            if r.get("type") == "imsqti_item_xmlv3p0"
        }
        for spec in shipped.items:
            root = parse_xml(zf.read(f"items/{spec.id}.xml"), spec.id)
            assert root.tag == f"{{{QTI3_NS}}}qti-assessment-item"
            assert root.get("identifier") == spec.id
            body = root.find(f"{{{QTI3_NS}}}qti-item-body")
            assert meta[spec.id].get("format") == spec.format
            assert body.find(f".//{{{QTI3_NS}}}{INTERACTION[spec.format]}") is not None
            if spec.format in ("single_choice", "multiple_response"):
                decl = root.find(f"{{{QTI3_NS}}}qti-response-declaration")
                assert decl.get("cardinality") == (
                    "single" if spec.format == "single_choice" else "multiple"
                )
                assert decl.find(f"{{{QTI3_NS}}}qti-correct-response") is not None
            transcript = spec.content.get("transcript")
            if transcript:
                # Kept in a rubric block for the scorer view, which no candidate is shown.
                blocks = body.findall(f"{{{QTI3_NS}}}qti-rubric-block")
                staff = {b.get("class"): b for b in blocks}
                assert staff["attest-transcript"].get("view") == "scorer"
                assert all("candidate" not in b.get("view").split() for b in blocks)
                for block in blocks:
                    body.remove(block)
                assert transcript.split("\n")[0] not in "".join(body.itertext())


def test_every_exported_item_keeps_to_the_qti3_profile(shipped, package):
    """The schema checks of qti3_profile.py (the official XSDs are not vendored; see there)."""
    with zipfile.ZipFile(package) as zf:
        manifest = parse_xml(zf.read("imsmanifest.xml"), "manifest")
        assert manifest_problems(manifest) == []
        found = {}
        for spec in shipped.items:
            problems = item_problems(parse_xml(zf.read(f"items/{spec.id}.xml"), spec.id))
            if problems:
                found[spec.id] = problems
        assert found == {}
        assert b"data-attest-" not in b"".join(zf.read(n) for n in zf.namelist())


def test_the_profile_check_can_fail():
    bad = parse_xml(
        f'<qti-assessment-item xmlns="{QTI3_NS}" identifier="x" title="x" time-dependent="no">'
        '<qti-item-body data-attest-format="single_choice"><audio controls="controls"/>'
        "</qti-item-body><qti-response-declaration/></qti-assessment-item>".encode(),
        "bad",
    )
    assert item_problems(bad) == [
        "qti-assessment-item: children out of the schema's order",
        "qti-assessment-item: time-dependent='no' is not an xs:boolean",
        "qti-item-body: data-* attribute data-attest-format (profiles restrict data-*)",
        "audio: controls='controls' is not an xs:boolean",
        "qti-response-declaration: required attribute cardinality missing",
        "qti-response-declaration: required attribute identifier missing",
    ]


def test_importing_a_package_twice_is_refused_and_changes_nothing(package, tmp_path):
    bank = tmp_path / "nl"
    bank.mkdir()
    install_package(package, bank)
    before = snapshot(bank)
    with pytest.raises(QtiError, match="exists already"):
        install_package(package, bank)
    with pytest.raises(QtiError, match="duplicate id"):
        install_package(package, bank, keep_layout=True)
    assert snapshot(bank) == before


def test_read_package_writes_nothing(package, tmp_path):
    imported = read_package(package)
    assert imported.item_count() == len(load_bank(BANK_ROOT).items)
    assert list(imported.files) == ["imported/nl-bank.yaml"]


def test_qti_package_imports_neither_flask_nor_sqlalchemy():
    probe = (
        "import sys, attest.assessment.qti; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'flask', 'sqlalchemy'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_text_entry_scores_and_case_rules_round_trip(tmp_path):
    """The crafted corpus package (tests/data/qti/packages/attest-text-entry): per-answer scores
    and case rules survive import, export (per-entry mapped-value and case-sensitive) and import."""
    source = PACKAGES / "attest-text-entry"
    bank = small_bank(tmp_path / "nl")
    install_package(make_zip(tmp_path / "te.zip", dir_members(source)), bank, defaults=DEFAULTS,
                    approximate=True)  # fmt: skip
    first = load_bank(bank)
    out = tmp_path / "out.zip"
    export_bank(first, out)
    with zipfile.ZipFile(out) as zf:
        for spec in first.items:
            root = parse_xml(zf.read(f"items/{spec.id}.xml"), spec.id)
            assert item_problems(root) == [], spec.id
        york = next(i for i in first.items if "York" in str(i.content))
        written = zf.read(f"items/{york.id}.xml").decode()
    assert '<qti-map-entry map-key="york" mapped-value="0.5" case-sensitive="true" />' in written
    assert '<qti-map-entry map-key="York" mapped-value="1.0" case-sensitive="true" />' in written
    again = tmp_path / "again"
    again.mkdir()
    install_package(out, again, keep_layout=True)
    _assert_same(first, load_bank(again))
    text_entry = get_format("text_entry")
    typed = ("York", "york", "YORK")
    assert [text_entry.score(york.content, {"1": t}) for t in typed] == [1.0, 0.5, 0.0]


@pytest.mark.parametrize(
    ("scoring", "operator"), [("all_or_nothing", "qti-min"), ("partial", "qti-divide")]
)
def test_a_variant_worth_less_is_scored_from_the_map_responses(scoring, operator):
    gaps = [
        {"prompt": "___", "accept": [{"text": "York", "case_sensitive": True}, "Lancaster"]},
        {"prompt": "___", "accept": ["Tudor", {"text": "Tudors", "score": 0.5}]},
    ]
    item = {"id": "nl-lz-a2-9999", "format": "text_entry", "stem": "Vul in.", "gaps": gaps,
            "scoring": scoring}  # fmt: skip
    root = parse_xml(ET.tostring(item_element(item, str, source="x.yaml")), "item")
    assert item_problems(root) == []
    setter = root.find(f"{{{QTI3_NS}}}qti-response-processing/{{{QTI3_NS}}}qti-set-outcome-value")
    assert setter is not None and setter[0].tag == f"{{{QTI3_NS}}}{operator}"
    maps = root.iter(f"{{{QTI3_NS}}}qti-map-response")
    assert [m.get("identifier") for m in maps] == ["RESPONSE_1", "RESPONSE_2"]
    for element in root.iter():  # the importer reads QTI 3.0 local names
        element.tag = element.tag.rsplit("}", 1)[-1]
    found = gap_rule(root, ["RESPONSE_1", "RESPONSE_2"])
    assert found.faithful and found.rule == scoring, found


def test_mathml_items_round_trip_and_keep_to_the_profile(tmp_path):
    """Formulas (attest-mathml corpus) survive import -> export -> import as MathML."""
    source = make_zip(tmp_path / "math.zip", dir_members(PACKAGES / "attest-mathml"))
    bank = small_bank(tmp_path / "nl")
    install_package(source, bank, defaults=DEFAULTS, approximate=True)
    imported = load_bank(bank)
    with_math = [i for i in imported.items if "<math" in str(i.content)]
    assert len(with_math) == 5
    out = tmp_path / "again.zip"
    export_bank(imported, out)
    with zipfile.ZipFile(out) as zf:
        for spec in with_math:
            xml = zf.read(f"items/{spec.id}.xml")
            assert b'<math xmlns="http://www.w3.org/1998/Math/MathML"' in xml
            assert item_problems(parse_xml(xml, spec.id)) == []
    again = tmp_path / "again"
    again.mkdir()
    install_package(out, again, keep_layout=True)
    _assert_same(imported, load_bank(again))


def test_attests_own_response_processing_reads_back_as_its_scoring_rule(shipped, package):
    """Every exported item with several gaps: the response processing Attest writes is read by
    the importer's evaluator (qti/processing.py) as exactly the item's own scoring rule."""
    opened = open_package(package)
    checked = 0
    for spec in shipped.items:
        gaps = spec.content.get("gaps")
        if spec.format not in ("text_entry", "inline_choice") or len(gaps) < 2:
            continue
        root, _ = parse_item(opened, f"items/{spec.id}.xml")
        tag = INTERACTION[spec.format]
        rids = [e.get("response-identifier") for e in root.iter(tag)]
        found = gap_rule(root, rids)
        assert found.faithful, (spec.id, found.what)
        assert found.rule == spec.content.get("scoring", "all_or_nothing"), spec.id
        checked += 1
    assert checked >= 5, "the shipped bank should hold items with several gaps"
