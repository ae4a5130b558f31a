"""Read a QTI content package (zip) safely into memory and parse its XML with defusedxml.

Nothing is extracted to disk. Before any member is read the zip's directory is checked: member
count, paths (no absolute paths, no ``..``, no backslashes or drive letters, no symlinks, no
duplicates, no encryption), declared sizes and compression ratios. XML is parsed without DTDs,
entities or external references. QTI 2.1/2.2 element and attribute names are mapped onto the
QTI 3.0 names (``choiceInteraction`` -> ``qti-choice-interaction``), so one reader serves all.
"""

from __future__ import annotations

import posixpath
import re
import stat
import xml.etree.ElementTree as ET
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from attest.assessment.qti.common import (
    ATTEST_NS,
    ITEM_TYPES,
    MANIFEST,
    MAX_MEMBER_BYTES,
    MAX_MEMBERS,
    MAX_RATIO,
    MAX_TOTAL_BYTES,
    QTI21_NS,
    QTI22_NS,
    QTI_VERSIONS,
    RATIO_FLOOR,
    XML_NS,
    QtiError,
    local,
)

HTML = set(
    "p div span br img object param a abbr acronym address b big blockquote caption cite code "
    "col colgroup dd dfn dl dt em h1 h2 h3 h4 h5 h6 hr i kbd li ol pre q samp small strong sub "
    "sup table tbody td tfoot th thead tr tt ul var audio video source track figure figcaption "
    "section article aside header footer nav label ruby rt rp bdi bdo picture".split()
)
MAX_DEPTH = 64  # QTI items are shallow; far below Python's recursion limit
_DRIVE = re.compile(r"^[A-Za-z]:")
_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")


@dataclass
class Package:
    """The members of a package, read into memory, and its item resources in manifest order."""

    name: str  # the zip's file name, for messages
    files: dict[str, bytes]
    items: list[tuple[str, str, str]]  # (resource identifier, member path, QTI version)
    problems: list[str] = field(default_factory=list)  # structural problems of the manifest
    meta: dict[str, dict[str, str]] = field(default_factory=dict)  # member -> <attest:item>

    def where(self, member: str) -> str:
        """Return 'package.zip: member' for messages."""
        return f"{self.name}: {member}"


def open_package(zip_path: Path) -> Package:
    """Read and check a package; raise QtiError naming the member and what is wrong."""
    name = Path(zip_path).name
    files = _read_zip(Path(zip_path), name)
    package = Package(name=name, files=files, items=[])
    if MANIFEST not in files:
        raise QtiError(f"{name}: no {MANIFEST} at the root of the package; expected an IMS CP")
    manifest = parse_xml(files[MANIFEST], package.where(MANIFEST))
    package.items = _manifest_items(manifest, package)
    if not package.items and not package.problems:
        raise QtiError(
            f"{package.where(MANIFEST)}: no item resources; expected type "
            + " or ".join(ITEM_TYPES)
        )
    return package


def _read_zip(path: Path, name: str) -> dict[str, bytes]:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise QtiError(f"{name}: not a readable zip file ({exc})") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise QtiError(
                f"{name}: {len(infos)} members; at most {MAX_MEMBERS} are accepted in a package"
            )
        total, seen = 0, set()
        for info in infos:
            _check_member(info, name)
            member = info.filename
            if member in seen:
                raise QtiError(f"{name}: {member}: member given twice")
            seen.add(member)
            total += info.file_size
            if total > MAX_TOTAL_BYTES:
                raise QtiError(
                    f"{name}: {member}: the package unpacks to more than "
                    f"{MAX_TOTAL_BYTES // 2**20} MiB; refused"
                )
        files: dict[str, bytes] = {}
        for info in infos:
            if info.is_dir():
                continue
            try:
                with zf.open(info) as handle:
                    data = handle.read(info.file_size + 1)
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError) as exc:
                raise QtiError(f"{name}: {info.filename}: cannot be read ({exc})") from None
            if len(data) != info.file_size:
                raise QtiError(f"{name}: {info.filename}: size differs from the zip directory")
            files[info.filename] = data
    return files


def _check_member(info: zipfile.ZipInfo, name: str) -> None:
    member = info.filename
    where = f"{name}: {member}"
    parts = member.split("/")
    if (
        not member
        or member.startswith("/")
        or "\\" in member
        or "\x00" in member
        or _DRIVE.match(member)
        or ".." in parts
    ):
        raise QtiError(f"{where}: member path points outside the package; refused")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise QtiError(f"{where}: member is a symbolic link; refused")
    if info.flag_bits & 0x1:
        raise QtiError(f"{where}: member is encrypted; refused")
    if info.file_size > MAX_MEMBER_BYTES:
        raise QtiError(
            f"{where}: member unpacks to {info.file_size} bytes; "
            f"at most {MAX_MEMBER_BYTES // 2**20} MiB per file"
        )
    if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        ratio = info.file_size // max(info.compress_size, 1)
        raise QtiError(
            f"{where}: compression ratio {ratio}:1 exceeds {MAX_RATIO}:1 (a zip bomb?); refused"
        )


def parse_xml(data: bytes, where: str) -> ET.Element:
    """Parse XML without DTD, entities or external references; raise QtiError naming ``where``."""
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise QtiError(
            f"{where}: refused: the XML declares a DTD or entities ({type(exc).__name__}); "
            "QTI packages need neither"
        ) from None
    except ET.ParseError as exc:
        raise QtiError(f"{where}: not well-formed XML ({exc})") from None
    stack = [(root, 1)]
    while stack:  # the readers recurse, so bound the depth before they see the tree
        element, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise QtiError(f"{where}: elements nested more than {MAX_DEPTH} deep; refused")
        stack.extend((child, depth + 1) for child in element)
    return root


def resolve(base_member: str, href: str, where: str) -> str:
    """Return the member path ``href`` refers to from ``base_member``; refuse escapes and URLs."""
    if not href or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", href) or href.startswith("//"):
        raise QtiError(f"{where}: reference {href!r} is not a relative path inside the package")
    path = unquote(href.split("#", 1)[0].split("?", 1)[0])
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(base_member), path))
    if joined.startswith("../") or joined == ".." or joined.startswith("/") or "\\" in joined:
        raise QtiError(f"{where}: reference {href!r} points outside the package; refused")
    return joined


def _manifest_items(manifest: ET.Element, package: Package) -> list[tuple[str, str, str]]:
    """Return the item resources; every broken reference goes to ``package.problems``."""
    where = package.where(MANIFEST)
    if local(manifest.tag) != "manifest":
        raise QtiError(f"{where}: expected a <manifest> root; got <{local(manifest.tag)}>")
    items = []
    for resource in manifest.iter():
        if local(resource.tag) != "resource":
            continue
        ident = resource.get("identifier", "?")
        base = resource.get(f"{{{XML_NS}}}base", "")
        hrefs = [resource.get("href")] if resource.get("href") else []
        hrefs += [f.get("href", "") for f in resource if local(f.tag) == "file"]
        members, broken = [], False
        for href in hrefs:
            try:
                member = resolve(MANIFEST, base + href, f"{where}: resource {ident}")
            except QtiError as exc:
                package.problems.append(str(exc))
                broken = True
                continue
            if member not in package.files:
                package.problems.append(
                    f"{where}: resource {ident} refers to {member}, which is not in the package"
                )
                broken = True
            members.append(member)
        version = ITEM_TYPES.get(resource.get("type", ""))
        if version is not None:
            if not members:
                package.problems.append(f"{where}: item resource {ident} names no file (href)")
            elif not broken:
                items.append((ident, members[0], version))
                for found in resource.iter(f"{{{ATTEST_NS}}}item"):
                    package.meta[members[0]] = dict(found.attrib)
    return items


def parse_item(
    package: Package, member: str, expected: str = "qti-assessment-item"
) -> tuple[ET.Element, str]:
    """Return the item XML with QTI 3.0 local names, and the QTI version of its namespace.

    ``expected`` is the root element wanted (``qti-assessment-stimulus`` for a stimulus).
    """
    where = package.where(member)
    root = parse_xml(package.files[member], where)
    namespace = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    version = QTI_VERSIONS.get(namespace)
    if version is None:
        raise QtiError(
            f"{where}: unknown namespace {namespace!r}; expected QTI 3.0, 2.2 or 2.1 "
            f"({', '.join(QTI_VERSIONS)})"
        )
    normalized = _normalize(root, namespace in (QTI21_NS, QTI22_NS))
    if normalized.tag != expected:
        raise QtiError(f"{where}: expected <{expected}>; got <{local(root.tag)}>")
    return normalized, version


def _kebab(name: str) -> str:
    return _CAMEL.sub(r"-\1", name).lower()


def _normalize(element: ET.Element, camel: bool) -> ET.Element:
    """Copy the tree with local names; QTI 2 camelCase names become QTI 3 kebab names."""
    tag = local(element.tag)
    in_qti = element.tag.startswith("{") and element.tag[1:].split("}")[0] in QTI_VERSIONS
    if camel and in_qti and tag not in HTML:
        tag = "qti-" + _kebab(tag)
    attrib = {}
    for key, value in element.attrib.items():
        if key.startswith(f"{{{XML_NS}}}"):
            attrib["xml:" + local(key)] = value
        elif key.startswith("{"):
            continue  # xsi:schemaLocation and other foreign attributes
        elif camel and not key.startswith("data-"):
            attrib[_kebab(key)] = value
        else:
            attrib[key] = value
    copy = ET.Element(tag, attrib)
    copy.text, copy.tail = element.text, element.tail
    copy.extend(_normalize(child, camel) for child in element if isinstance(child.tag, str))
    return copy
