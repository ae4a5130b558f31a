"""Malformed and hostile packages are refused with a message naming the member; nothing written."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest

from attest.assessment.bank import load_bank
from attest.assessment.qti import QtiError, export_bank, install_package
from attest.assessment.qti import package as package_module
from tests.unit.assessment.qti.packages import make_zip, small_bank, snapshot

ITEM = "items/nl-lz-a1-0001.xml"
ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE qti-assessment-item [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0" identifier="x">&xxe;
</qti-assessment-item>"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<manifest xmlns="http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1">&lol3;</manifest>"""
HOTSPOT_22 = b"""<?xml version="1.0" encoding="UTF-8"?>
<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p2" identifier="HOTSPOT-7"
    title="Kaart" adaptive="false" timeDependent="false">
  <responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier"/>
  <itemBody>
    <hotspotInteraction responseIdentifier="RESPONSE" maxChoices="1">
      <prompt>Waar is het station?</prompt>
      <object type="image/png" data="kaart.png"/>
      <hotspotChoice identifier="A" shape="circle" coords="10,10,5"/>
    </hotspotInteraction>
  </itemBody>
</assessmentItem>"""
GAP_MATCH_30 = b"""<?xml version="1.0" encoding="UTF-8"?>
<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0" identifier="GGM-3"
    title="Plan" adaptive="false" time-dependent="false">
  <qti-item-body><qti-graphic-gap-match-interaction response-identifier="R"/></qti-item-body>
</qti-assessment-item>"""


@pytest.fixture
def bank(tmp_path) -> Path:
    return small_bank(tmp_path / "nl")


@pytest.fixture
def members(bank, tmp_path) -> dict[str, bytes]:
    """Return the members of a valid package (the small bank exported)."""
    out = tmp_path / "valid.zip"
    export_bank(load_bank(bank), out)
    with zipfile.ZipFile(out) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _refused(bank: Path, package: Path, *expected: str) -> str:
    before = snapshot(bank)
    with pytest.raises(QtiError) as caught:
        install_package(package, bank)
    message = str(caught.value)
    for text in expected:
        assert text in message, message
    assert snapshot(bank) == before
    return message


def test_the_valid_package_is_accepted(bank, members, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    install_package(make_zip(tmp_path / "valid.zip", members), other)
    assert [i.id for i in load_bank(other).items] == ["nl-lz-a1-0001"]


def test_broken_xml(bank, members, tmp_path):
    members[ITEM] = members[ITEM][:-40]
    _refused(
        bank, make_zip(tmp_path / "p.zip", members), f"{ITEM}, QTI 3.0): refused: not well-formed"
    )


def test_doctype_with_external_entity(bank, members, tmp_path):
    members[ITEM] = ENTITY
    _refused(bank, make_zip(tmp_path / "p.zip", members), f"{ITEM}, QTI 3.0): refused: ", "DTD")


def test_deeply_nested_xml(bank, members, tmp_path):
    members[ITEM] = b"<a>" * 100_000 + b"</a>" * 100_000
    _refused(
        bank,
        make_zip(tmp_path / "p.zip", members),
        f"{ITEM}, QTI 3.0): refused: elements nested more than",
    )


def test_billion_laughs(bank, members, tmp_path):
    members["imsmanifest.xml"] = LAUGHS
    _refused(bank, make_zip(tmp_path / "p.zip", members), "p.zip: imsmanifest.xml: refused")


@pytest.mark.parametrize(
    "name",
    ["../evil.yaml", "items/../../evil.yaml", "/etc/evil.xml", "C:/evil.xml", "items\\evil.xml"],
)
def test_member_path_outside_the_package(bank, members, tmp_path, name):
    members[name] = b"<x/>"
    message = _refused(bank, make_zip(tmp_path / "p.zip", members), "points outside the package")
    assert name in message
    assert not (tmp_path / "evil.yaml").exists()


def test_symlink_member(bank, members, tmp_path):
    package = make_zip(tmp_path / "p.zip", members)
    make_zip(
        tmp_path / "link.zip",
        {"media/link.ogg": b"/etc/passwd"},
        external_attr=(stat.S_IFLNK | 0o777) << 16,
    )
    with zipfile.ZipFile(tmp_path / "link.zip") as src, zipfile.ZipFile(package, "a") as dst:
        info = src.infolist()[0]
        dst.writestr(info, src.read(info))
    _refused(bank, package, "media/link.ogg: member is a symbolic link")


def test_zip_bomb(bank, members, tmp_path):
    members["media/bomb.ogg"] = bytes(20 * 1024 * 1024)
    _refused(bank, make_zip(tmp_path / "p.zip", members), "media/bomb.ogg: compression ratio")


def test_too_many_members(bank, members, tmp_path):
    members.update({f"junk/{n:05d}.txt": b"" for n in range(2001)})
    _refused(bank, make_zip(tmp_path / "p.zip", members), "members; at most 2000")


def test_too_large_in_total(bank, members, tmp_path, monkeypatch):
    monkeypatch.setattr(package_module, "MAX_TOTAL_BYTES", 1000)
    members["media/big.ogg"] = bytes(range(256)) * 8
    _refused(bank, make_zip(tmp_path / "p.zip", members), "unpacks to more than")


def test_manifest_refers_to_a_missing_file(bank, members, tmp_path):
    del members[ITEM]
    _refused(
        bank,
        make_zip(tmp_path / "p.zip", members),
        f"p.zip: imsmanifest.xml: resource nl-lz-a1-0001 refers to {ITEM}, which is not",
    )


def test_manifest_reference_outside_the_package(bank, members, tmp_path):
    members["imsmanifest.xml"] = members["imsmanifest.xml"].replace(
        f'href="{ITEM}" />'.encode(), b'href="../../etc/passwd" />', 1
    )
    _refused(bank, make_zip(tmp_path / "p.zip", members), "points outside the package")


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        ("../media/none.png", f"{ITEM}, QTI 3.0): refused: refers to media/none.png, which is not"),
        ("../../../etc/x.png", "points outside the package"),
        ("http://evil.example/x.png", "refers to the external media 'http://evil.example/x.png'"),
        ("file:///etc/passwd", "refers to the external media 'file:///etc/passwd'"),
    ],
)
def test_media_outside_the_package_or_missing(bank, members, tmp_path, src, expected):
    members[ITEM] = members[ITEM].replace(
        b"<qti-choice-interaction",
        f'<p><img src="{src}" alt=""/></p><qti-choice-interaction'.encode(),
    )
    _refused(bank, make_zip(tmp_path / "p.zip", members), expected)


def test_not_a_zip(bank, tmp_path):
    package = tmp_path / "p.zip"
    package.write_bytes(b"PK\x03\x04 not really")
    _refused(bank, package, "p.zip: not a readable zip file")


def test_no_manifest(bank, members, tmp_path):
    del members["imsmanifest.xml"]
    _refused(bank, make_zip(tmp_path / "p.zip", members), "no imsmanifest.xml")


def test_unsupported_interactions_name_the_items(bank, members, tmp_path):
    members["items/hotspot.xml"] = HOTSPOT_22
    members["items/ggm.xml"] = GAP_MATCH_30
    members["imsmanifest.xml"] = members["imsmanifest.xml"].replace(
        b"</resources>",
        b'<resource identifier="H" type="imsqti_item_xmlv2p2" href="items/hotspot.xml"/>'
        b'<resource identifier="G" type="imsqti_item_xmlv3p0" href="items/ggm.xml"/></resources>',
    )
    message = _refused(
        bank,
        make_zip(tmp_path / "p.zip", members),
        "item HOTSPOT-7 (items/hotspot.xml, QTI 2.2): refused: qti-hotspot-interaction is not",
        "item GGM-3 (items/ggm.xml, QTI 3.0): refused: qti-graphic-gap-match-interaction is not",
        "item nl-lz-a1-0001 (items/nl-lz-a1-0001.xml, QTI 3.0): imported faithfully",
    )
    assert "nothing imported" in message


def test_an_item_the_bank_rejects_stops_the_whole_import(bank, members, tmp_path):
    members["imsmanifest.xml"] = members["imsmanifest.xml"].replace(
        b'domain="winkelen"', b'domain="x"'
    )
    _refused(
        bank,
        make_zip(tmp_path / "p.zip", members),
        "item nl-lz-a1-0001 (items/nl-lz-a1-0001.xml, QTI 3.0): refused: field domain: expected "
        "one of wonen",
    )
