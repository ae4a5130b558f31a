"""MathML in item texts: a sanitised whitelist of MathML Core, stored inline, shown as markup.

An item text (stem, reading text, a choice option, a text-entry gap prompt, the sentence of an
inline-choice item) may hold formulas
as ``<math>...</math>`` segments between plain text, e.g. ``"Los op: <math><mi>x</mi><mo>+
</mo><mn>2</mn></math> = 5"``. The segment is stored in a canonical form (``canonical``): only
the MathML Core elements and attributes below, attributes sorted, whitespace of token elements
collapsed, ``mfenced`` written as the ``mrow`` with ``mo`` fences that MathML Core draws. Nothing
else survives: no scripts, no links (``href``), no event handlers, no ``style``, no foreign
(HTML, SVG) elements. Chromium draws MathML Core, so the kiosk shows the formula as written
(``to_html``: the text escaped, each formula sanitised again at rendering).

Which fields may hold MathML: stem and text (``MATH_FIELDS``) and the fields each format
names (``ItemFormat.math_fields``); the bank rules refuse MathML in any other field and any
segment that is not canonical (``check_item_math``). Pure: no Flask.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from defusedxml.ElementTree import fromstring

MATHML_NS = "http://www.w3.org/1998/Math/MathML"

# MathML Core elements (https://www.w3.org/TR/mathml-core/#mathml-elements-and-attributes).
ELEMENTS = frozenset(
    {"math", "merror", "mfrac", "mi", "mmultiscripts", "mn", "mo", "mover", "mpadded",
     "mphantom", "mprescripts", "mroot", "mrow", "ms", "mspace", "msqrt", "mstyle", "msub",
     "msubsup", "msup", "mtable", "mtd", "mtext", "mtr", "munder", "munderover", "none",
     "semantics", "annotation"}
)  # fmt: skip
# Elements whose content is text (whitespace collapsed and trimmed, as MathML renders it).
TOKENS = frozenset({"mi", "mn", "mo", "ms", "mtext", "annotation"})
# Not drawn by any browser, so left out with a note (the formula looks the same without).
HIDDEN = frozenset({"annotation-xml"})
# MathML Core attributes, global and per element; any other attribute is left out.
GLOBAL_ATTRS = frozenset(
    {"dir", "displaystyle", "mathbackground", "mathcolor", "mathsize", "mathvariant",
     "scriptlevel"}
)  # fmt: skip
ELEMENT_ATTRS = {
    "math": frozenset({"display", "alttext"}),
    "mfrac": frozenset({"linethickness"}),
    "mo": frozenset(
        {
            "form",
            "fence",
            "separator",
            "lspace",
            "rspace",
            "stretchy",
            "symmetric",
            "maxsize",
            "minsize",
            "largeop",
            "movablelimits",
        }
    ),  # fmt: skip
    "mover": frozenset({"accent"}),
    "munder": frozenset({"accentunder"}),
    "munderover": frozenset({"accent", "accentunder"}),
    "mpadded": frozenset({"width", "height", "depth", "lspace", "voffset"}),
    "mspace": frozenset({"width", "height", "depth"}),
    "mtd": frozenset({"columnspan", "rowspan"}),
    "annotation": frozenset({"encoding"}),
}
# Attributes that make a formula act (links, scripts): the formula is refused, not cleaned.
_ACTIVE = re.compile(r"^(on.*|href|src|xlink:.*|xmlns.*|action|actiontype)$", re.IGNORECASE)
_SEGMENT = re.compile(r"<math[\s>].*?</math>|<math\s*/>", re.DOTALL)
_WHITESPACE = re.compile(r"\s+")
_OPENING = re.compile(r"<math[\s>/]")

# Item fields that every format shows as markup; a format adds its own (``math_fields`` of
# attest.assessment.formats: choice options, text-entry gap prompts, an inline-choice sentence).
MATH_FIELDS = ("stem", "text")


class MathError(ValueError):
    """A formula that cannot be kept as it is written (the message says why)."""


@dataclass
class Sanitized:
    """A formula in canonical form, and what was left out of it (names, for the report)."""

    markup: str
    left_out: list[str] = field(default_factory=list)


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def sanitize(element: ET.Element) -> Sanitized:
    """Return the canonical markup of a ``math`` element; raise MathError if it cannot be kept.

    Refused: elements outside MathML Core (``menclose``, ``maction``, HTML or SVG inside),
    links and event handlers. Left out and named: attributes outside MathML Core (``class``,
    ``style``, ``columnalign``), ``mathvariant`` values other than ``normal`` (browsers draw
    only that one), ``annotation-xml``.
    """
    if local(element.tag) != "math":
        raise MathError(f"expected <math>; got <{local(element.tag)}>")
    left_out: list[str] = []
    markup = _write(element, left_out)
    return Sanitized(markup, sorted(set(left_out)))


def _write(element: ET.Element, left_out: list[str]) -> str:
    tag = local(element.tag)
    if tag == "mfenced":
        return _write(_unfence(element), left_out)
    if tag not in ELEMENTS:
        raise MathError(
            f"<{tag}> is not MathML Core: browsers do not draw it as written"
            if not tag.startswith("m")
            else f"<{tag}> is not MathML Core: Chromium does not draw it as written"
        )
    attrs = []
    for key, value in element.attrib.items():
        name = local(key) if not key.startswith("{") else "xlink:" + local(key)
        if _ACTIVE.match(name):
            raise MathError(f"<{tag} {name}=...> makes the formula act (link or script)")
        if name not in GLOBAL_ATTRS and name not in ELEMENT_ATTRS.get(tag, ()):
            left_out.append(f"{name} on <{tag}>")
            continue
        if name == "mathvariant" and value.strip() != "normal":
            left_out.append(f'mathvariant="{value}" (browsers draw only "normal")')
            continue
        attrs.append((name, value))
    opening = "".join(f' {k}="{_escape(v, quote=True)}"' for k, v in sorted(attrs))
    if tag in TOKENS:
        for child in element:
            raise MathError(f"<{local(child.tag)}> inside the token <{tag}>")
        inner = _escape(_WHITESPACE.sub(" ", element.text or "").strip())
    else:
        parts = []
        if (element.text or "").strip():
            parts.append(_escape(_WHITESPACE.sub(" ", element.text or "").strip()))
        for child in element:
            if local(child.tag) in HIDDEN:
                left_out.append(f"<{local(child.tag)}> (not shown)")
            else:
                parts.append(_write(child, left_out))
            if (child.tail or "").strip():
                parts.append(_escape(_WHITESPACE.sub(" ", child.tail or "").strip()))
        inner = "".join(parts)
    return f"<{tag}{opening}>{inner}</{tag}>"


def _unfence(element: ET.Element) -> ET.Element:
    """Return the ``mrow`` that MathML Core draws for a (deprecated) ``mfenced``."""
    row = ET.Element("mrow")
    separators = "".join(element.get("separators", ",").split())
    children = list(element)

    def mo(text: str) -> ET.Element:
        op = ET.Element("mo")
        op.text = text
        return op

    if element.get("open", "("):
        row.append(mo(element.get("open", "(")))
    for i, child in enumerate(children):
        copy = ET.Element(child.tag, child.attrib)
        copy.text = child.text
        copy.extend(list(child))
        row.append(copy)
        if i < len(children) - 1 and separators:
            row.append(mo(separators[min(i, len(separators) - 1)]))
    if element.get("close", ")"):
        row.append(mo(element.get("close", ")")))
    return row


def _escape(text: str, quote: bool = False) -> str:
    return html.escape(text, quote=quote)


def parse(markup: str) -> ET.Element:
    """Parse one stored formula (``<math>...</math>``, no namespace needed)."""
    try:
        return fromstring(markup)
    except ET.ParseError as exc:
        raise MathError(f"not well-formed MathML ({exc})") from None
    except Exception as exc:  # defusedxml refuses DTDs and entities
        raise MathError(f"MathML refused ({type(exc).__name__})") from None


def segments(text: str) -> Iterator[tuple[bool, str]]:
    """Yield (is_formula, piece) for a text, in order; pieces of plain text may be empty."""
    position = 0
    for found in _SEGMENT.finditer(text):
        yield False, text[position : found.start()]
        yield True, found.group(0)
        position = found.end()
    yield False, text[position:]


def has_math(text: Any) -> bool:
    return isinstance(text, str) and _OPENING.search(text) is not None


def canonical(markup: str) -> str:
    """Return the canonical form of a stored formula; raise MathError if it is not clean."""
    clean = sanitize(parse(markup))
    if clean.left_out:
        raise MathError("holds what MathML Core does not draw: " + ", ".join(clean.left_out))
    return clean.markup


def to_html(text: str) -> str:
    """Return the text as HTML: plain pieces escaped, each formula sanitised again.

    A formula that fails sanitising (a hand-edited bank file; the bank rules refuse it at
    load) is shown as escaped text, never as markup.
    """
    out = []
    for is_math, piece in segments(text):
        if not is_math:
            out.append(html.escape(piece, quote=False))
            continue
        try:
            out.append(canonical(piece))
        except MathError:
            out.append(html.escape(piece, quote=False))
    return "".join(out)


def plain(text: str) -> str:
    """Return the text with each formula as its characters (for word counts and search)."""
    out = []
    for is_math, piece in segments(text):
        if is_math:
            try:
                piece = " ".join(t.strip() for t in parse(piece).itertext() if t.strip())
            except MathError:
                pass
        out.append(piece)
    return "".join(out)


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, inner in value.items():
            yield from _strings(inner, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from _strings(inner, f"{path}[{i}]")


def check_item_math(
    item: Mapping[str, Any], format_fields: tuple[str, ...] = ()
) -> list[tuple[str, str]]:
    """Return (field, problem) for MathML where the item cannot show it or not in clean form.

    ``format_fields`` are the path patterns of the item format's own fields shown as markup.
    """
    problems = []
    shown = [re.compile(p) for p in (*MATH_FIELDS, *format_fields)]
    for path, text in _strings({k: v for k, v in item.items() if k != "id"}, ""):
        if not _OPENING.search(text):
            continue
        if not any(p.fullmatch(path) for p in shown):
            problems.append(
                (path, "MathML (<math>) is shown only in stem, text, choice options, "
                 "text-entry gap prompts and inline-choice sentences; this field is shown as "
                 "plain text")
            )  # fmt: skip
            continue
        for is_math, piece in segments(text):
            if not is_math:
                if _OPENING.search(piece):
                    problems.append((path, "a <math> without its </math>"))
                continue
            try:
                if canonical(piece) != piece:
                    problems.append((path, f"MathML not in canonical form: {canonical(piece)}"))
            except MathError as exc:
                problems.append((path, f"MathML refused: {exc}"))
    return problems
