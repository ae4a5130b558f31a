"""Export a validated item bank as a QTI 3.0 content package (IMS CP zip); see docs/qti.md."""

from __future__ import annotations

import os
import posixpath
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import yaml

from attest.assessment.bank import MEDIA_DIR, Bank
from attest.assessment.bank_rules import is_testlet, testlet_item
from attest.assessment.qti.common import ATTEST_NS, CP_NS, MANIFEST, QtiError
from attest.assessment.qti.item_writer import item_element, item_metadata

ITEMS_DIR = "items"
# A fixed timestamp makes the same bank give the same zip, byte for byte.
ZIP_DATE = (2020, 1, 1, 0, 0, 0)


def export_bank(bank: Bank, out_zip: Path) -> int:
    """Write every item of ``bank`` to ``out_zip`` as a QTI 3.0 package; return the item count.

    The zip is written to a temporary file next to ``out_zip`` and moved in place at the end,
    so a failed export leaves no half-written package.
    """
    raw = _raw_items(bank)
    files: dict[str, bytes] = {}
    # identifier, href, media package paths, <attest:item> attributes
    resources: list[tuple[str, str, list[str], dict[str, str]]] = []
    for spec in bank.items:
        item, testlet_note = raw[spec.id]
        href = f"{ITEMS_DIR}/{spec.id}.xml"
        media = sorted(set(spec.media.values()))
        element = item_element(
            item,
            lambda p: posixpath.relpath(f"{MEDIA_DIR}/{p}", ITEMS_DIR),
            source=spec.source,
            testlet=spec.testlet,
            testlet_note=testlet_note,
        )
        files[href] = _xml_bytes(element)
        for path in media:
            source = bank.root / MEDIA_DIR / path
            try:
                files[f"{MEDIA_DIR}/{path}"] = source.read_bytes()
            except OSError as exc:
                raise QtiError(f"{source}: cannot read media of item {spec.id}: {exc}") from None
        meta = item_metadata(item, source=spec.source, testlet=spec.testlet)
        resources.append((spec.id, href, [f"{MEDIA_DIR}/{p}" for p in media], meta))
    files = {MANIFEST: _xml_bytes(_manifest(bank, resources)), **files}
    out_zip = Path(out_zip)
    out_zip.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".qti-", suffix=".zip", dir=out_zip.parent)
    try:
        with os.fdopen(fd, "wb") as handle, zipfile.ZipFile(handle, "w") as zf:
            for name, data in files.items():
                info = zipfile.ZipInfo(name, ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                zf.writestr(info, data)
        os.replace(tmp, out_zip)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(bank.items)


def _raw_items(bank: Bank) -> dict[str, tuple[dict[str, Any], str | None]]:
    """Return each item's YAML mapping (testlet fields merged) and its testlet's author note.

    The YAML keeps what ItemSpec does not: whether a difficulty was written 2 or 2.0, which
    changes the content hash.
    """
    found: dict[str, tuple[dict[str, Any], str | None]] = {}
    for source in dict.fromkeys(spec.source for spec in bank.items):
        path = bank.root / source
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        for entry in entries:
            if is_testlet(entry):
                for item in entry["items"]:
                    found[item["id"]] = (testlet_item(entry, item), entry.get("author_note"))
            else:
                found[entry["id"]] = (entry, None)
    return found


def _manifest(
    bank: Bank, resources: list[tuple[str, str, list[str], dict[str, str]]]
) -> ET.Element:
    root = ET.Element(
        "manifest",
        {"xmlns": CP_NS, "identifier": f"attest-{bank.root.name or 'bank'}"},
    )
    metadata = ET.SubElement(root, "metadata")
    ET.SubElement(metadata, "schema").text = "QTI Package"
    ET.SubElement(metadata, "schemaversion").text = "3.0.0"
    ET.SubElement(root, "organizations")
    container = ET.SubElement(root, "resources")
    media_ids: dict[str, str] = {}
    for _, _, media, _ in resources:
        for path in media:
            media_ids.setdefault(path, "")
    for n, path in enumerate(sorted(media_ids), start=1):
        media_ids[path] = f"MEDIA-{n:04d}"
    for identifier, href, media, meta in resources:
        resource = ET.SubElement(
            container,
            "resource",
            {"identifier": identifier, "type": "imsqti_item_xmlv3p0", "href": href},
        )
        ET.SubElement(ET.SubElement(resource, "metadata"), f"{{{ATTEST_NS}}}item", meta)
        ET.SubElement(resource, "file", {"href": href})
        for path in media:
            ET.SubElement(resource, "dependency", {"identifierref": media_ids[path]})
    for path, identifier in sorted(media_ids.items()):
        resource = ET.SubElement(
            container, "resource", {"identifier": identifier, "type": "webcontent", "href": path}
        )
        ET.SubElement(resource, "file", {"href": path})
    return root


ET.register_namespace("attest", ATTEST_NS)


def _xml_bytes(element: ET.Element) -> bytes:
    # No pretty-printing: added whitespace would change the texts of the items.
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)
