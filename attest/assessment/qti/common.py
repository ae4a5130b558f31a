"""Shared names of the QTI package: the error, namespaces, limits and the text encoding.

Free text (stems, passages, transcripts) may hold line breaks. In the XML a text is written as
element text with one ``<br/>`` per line break, so other QTI players show the lines, and
``read_text`` gives back exactly the string that ``write_text`` wrote (docs/qti.md).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

from attest.assessment import mathml

QTI3_NS = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
QTI22_NS = "http://www.imsglobal.org/xsd/imsqti_v2p2"
QTI21_NS = "http://www.imsglobal.org/xsd/imsqti_v2p1"
QTI_VERSIONS = {QTI3_NS: "3.0", QTI22_NS: "2.2", QTI21_NS: "2.1"}
CP_NS = "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1"
XML_NS = "http://www.w3.org/XML/1998/namespace"
ITEM_TYPES = {
    "imsqti_item_xmlv3p0": "3.0",
    "imsqti_item_xmlv2p2": "2.2",
    "imsqti_item_xmlv2p1": "2.1",
}
MANIFEST = "imsmanifest.xml"

# A package is read into memory, never extracted; these bound what that may cost.
MAX_MEMBERS = 2000
MAX_MEMBER_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 256 * 1024 * 1024
MAX_RATIO = 100  # uncompressed / compressed, checked for members above RATIO_FLOOR bytes
RATIO_FLOOR = 1024 * 1024

# Attest's metadata of an item sits in the manifest, in the item resource's <metadata>, as the
# attributes of one <attest:item> element in Attest's own namespace (IMS CP's extension point);
# packages written before that carried them as data-attest-* attributes on qti-item-body,
# which are still read (docs/qti.md).
ATTEST_NS = "https://attest.nl/xsd/qti-metadata/v1"
ATTR = "data-attest-"
# Free texts for staff are rubric blocks for the author or scorer view, which a player never
# shows a candidate; the class says which field each is. Older packages put them in catalog
# cards with these supports, still read.
CARD_AUTHOR_NOTE = "ext:attest-author-note"
CARD_TRANSCRIPT = "ext:attest-transcript"
CARD_TESTLET_NOTE = "ext:attest-testlet-author-note"
STAFF_BLOCKS = {  # class of the rubric block -> (view, catalog support of older packages)
    "attest-author-note": ("author", CARD_AUTHOR_NOTE),
    "attest-transcript": ("scorer", CARD_TRANSCRIPT),
    "attest-testlet-author-note": ("author", CARD_TESTLET_NOTE),
}

MEDIA_TYPES = {
    ".ogg": "audio/ogg",
    ".opus": "audio/ogg",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".webm": "audio/webm",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
}


class QtiError(Exception):
    """A QTI package cannot be written or read; the message names the file and the problem."""


def write_text(parent: ET.Element, text: str) -> None:
    """Put ``text`` into ``parent`` (after any children), one <br/> per line break.

    A formula in the text (``<math>...</math>``, attest.assessment.mathml) is written as a
    MathML ``math`` element in the MathML namespace.
    """
    for is_math, piece in mathml.segments(text):
        if is_math:
            parent.append(_math_element(mathml.parse(piece)))
            continue
        lines = piece.split("\n")
        _append(parent, lines[0])
        for line in lines[1:]:
            br = ET.SubElement(parent, "br")
            br.tail = line


def _append(parent: ET.Element, text: str) -> None:
    children = list(parent)
    if children:
        children[-1].tail = (children[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def _math_element(parsed: ET.Element) -> ET.Element:
    """Return the stored formula as an element of the item, in the MathML namespace."""
    element = ET.Element("math", {"xmlns": mathml.MATHML_NS, **parsed.attrib})
    element.text = parsed.text
    element.extend(list(parsed))
    return element


BLOCKS = {"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote",
          "table", "tr"}  # fmt: skip


def read_text(
    element: ET.Element,
    skip: frozenset[str] = frozenset(),
    mark: dict[str, str] | None = None,
    collapse: bool = False,
    math: Callable[[ET.Element], str] | None = None,
) -> str:
    """Return the text of ``element``: <br/> as a line break, block children on their own lines.

    Children whose tag is in ``skip`` are left out (their tail is kept); a child whose tag is a
    key of ``mark`` is replaced by the value (e.g. an interaction by the gap mark ``___``).
    ``collapse`` reads the text as HTML does, for packages not written by Attest: whitespace runs
    become one space, lines are trimmed. Without it the text is returned exactly as written.
    ``math`` turns a ``math`` element into the text kept for it (its sanitised markup, see
    attest.assessment.mathml); without it a formula is read as its characters.
    """
    text = _read(element, skip, mark or {}, collapse, math)
    if not collapse:
        return text
    return "\n".join(line.strip() for line in text.split("\n")).strip("\n")


def _read(
    element: ET.Element,
    skip: frozenset[str],
    mark: dict[str, str],
    collapse: bool,
    math: Callable[[ET.Element], str] | None,
) -> str:
    def own(piece: str | None) -> str:
        return _WHITESPACE.sub(" ", piece or "") if collapse else piece or ""

    parts = [own(element.text)]
    for child in element:
        tag = local(child.tag)
        if tag == "br":
            parts.append("\n")
        elif tag in mark:
            parts.append(mark[tag])
        elif tag == "math" and math is not None:
            parts.append(math(child))
        elif tag in skip:
            pass
        elif tag in BLOCKS:
            inner = _read(child, skip, mark, collapse, math).strip("\n")
            done = "".join(parts)
            sep = "" if not done.strip() or done.rstrip(" \t").endswith("\n") else "\n"
            parts.append(sep + inner + "\n")
        else:
            parts.append(_read(child, skip, mark, collapse, math))
        parts.append(own(child.tail))
    return "".join(parts)


_WHITESPACE = re.compile(r"\s+")


def local(tag: str) -> str:
    """Return an element's name without its namespace."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


_INT = re.compile(r"^-?\d+$")


def number(text: str) -> int | float:
    """Return '3' as 3 and '3.0' as 3.0, so a value keeps the type the author gave it."""
    return int(text) if _INT.match(text.strip()) else float(text)
