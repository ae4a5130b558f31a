"""What the tests can check of QTI 3.0 schema validity without the official XSDs.

The 1EdTech QTI 3.0 XSDs (imsqti_asiv3p0p1_v1p0.xsd and the ones it imports) could not be
obtained with a licence that allows vendoring them here, and the build may not download
anything. This module checks the part of the schema that Attest's export touches, written
from the QTI 3.0 information model: the elements Attest writes and the attributes each may
carry, xs:boolean and integer attribute values, required attributes, the order of the
children of qti-assessment-item, no data-* attributes (profiles restrict them) and the IMS CP
order of a resource (metadata, file, dependency). A problem is returned as "element: what".
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from attest.assessment import mathml
from attest.assessment.mathml import MATHML_NS
from attest.assessment.qti.common import CP_NS, QTI3_NS, XML_NS

COMMON = {"id", "class", f"{{{XML_NS}}}lang", "label", "dir"}
ELEMENTS: dict[str, set[str]] = {
    "qti-assessment-item": {"identifier", "title", "adaptive", "time-dependent", "tool-name",
                            "tool-version", f"{{{XML_NS}}}lang", "label"},
    "qti-response-declaration": {"identifier", "cardinality", "base-type"},
    "qti-outcome-declaration": {"identifier", "cardinality", "base-type", "view", "interpretation",
                                "long-interpretation", "normal-maximum", "normal-minimum",
                                "mastery-value", "external-scored", "variable-identifier-ref"},
    "qti-correct-response": {"interpretation"},
    "qti-value": {"field-identifier", "base-type"},
    "qti-mapping": {"lower-bound", "upper-bound", "default-value"},
    "qti-map-entry": {"map-key", "mapped-value", "case-sensitive"},
    "qti-item-body": COMMON,
    "qti-rubric-block": COMMON | {"use", "view"},
    "qti-content-body": set(),
    "qti-prompt": COMMON,
    "qti-choice-interaction": COMMON | {"response-identifier", "shuffle", "max-choices",
                                        "min-choices", "orientation"},
    "qti-simple-choice": COMMON | {"identifier", "fixed", "template-identifier", "show-hide"},
    "qti-text-entry-interaction": COMMON | {"response-identifier", "base", "string-identifier",
                                            "expected-length", "pattern-mask",
                                            "placeholder-text", "format"},
    "qti-inline-choice-interaction": COMMON | {"response-identifier", "shuffle", "required"},
    "qti-inline-choice": COMMON | {"identifier", "fixed", "template-identifier", "show-hide"},
    "qti-match-interaction": COMMON | {"response-identifier", "shuffle", "max-associations",
                                       "min-associations"},
    "qti-simple-match-set": COMMON,
    "qti-simple-associable-choice": COMMON | {"identifier", "match-max", "match-min", "fixed",
                                              "template-identifier", "show-hide"},
    "qti-order-interaction": COMMON | {"response-identifier", "shuffle", "min-choices",
                                       "max-choices", "orientation"},
    "qti-extended-text-interaction": COMMON | {"response-identifier", "base", "string-identifier",
                                               "expected-length", "pattern-mask",
                                               "placeholder-text", "format", "max-strings",
                                               "min-strings", "expected-lines"},
    "qti-upload-interaction": COMMON | {"response-identifier", "type"},
    "qti-response-processing": {"template", "template-location"},
    "qti-response-condition": set(),
    "qti-response-if": set(),
    "qti-response-else": set(),
    "qti-set-outcome-value": {"identifier"},
    "qti-base-value": {"base-type"},
    "qti-variable": {"identifier", "weight-identifier"},
    "qti-correct": {"identifier"},
    "qti-map-response": {"identifier"},
    "qti-match": set(),
    "qti-and": set(),
    "qti-sum": set(),
    "qti-min": set(),
    "qti-divide": set(),
    "qti-gte": set(),
    "p": COMMON,
    "div": COMMON,
    "ul": COMMON,
    "li": COMMON,
    "br": COMMON,
    "img": COMMON | {"src", "alt", "width", "height", "longdesc"},
    "audio": COMMON | {"src", "controls", "autoplay", "loop", "muted", "preload", "crossorigin"},
    "source": {"src", "type"},
}  # fmt: skip
REQUIRED = {
    "qti-assessment-item": {"identifier", "title", "time-dependent"},
    "qti-response-declaration": {"identifier", "cardinality"},
    "qti-outcome-declaration": {"identifier", "cardinality"},
    "qti-map-entry": {"map-key", "mapped-value"},
    "qti-rubric-block": {"view"},
    "qti-simple-choice": {"identifier"},
    "qti-inline-choice": {"identifier"},
    "qti-simple-associable-choice": {"identifier", "match-max"},
    "img": {"src", "alt"},
    "qti-match-interaction": {"response-identifier"},
    "qti-choice-interaction": {"response-identifier"},
}
BOOLEAN = {"adaptive", "time-dependent", "shuffle", "fixed", "case-sensitive", "controls",
           "autoplay", "loop", "muted", "required"}  # fmt: skip
INTEGER = {"max-choices", "min-choices", "expected-length", "expected-lines", "match-max",
           "match-min", "max-associations", "min-associations"}  # fmt: skip
ITEM_ORDER = ["qti-response-declaration", "qti-outcome-declaration", "qti-template-declaration",
              "qti-template-processing", "qti-assessment-stimulus-ref",
              "qti-companion-materials-info", "qti-stylesheet", "qti-item-body",
              "qti-catalog-info", "qti-response-processing", "qti-modal-feedback"]  # fmt: skip


def item_problems(root: ET.Element) -> list[str]:
    """Return what in an exported item breaks the QTI 3.0 rules checked here."""
    problems = []
    if root.tag != f"{{{QTI3_NS}}}qti-assessment-item":
        return [f"{root.tag}: expected qti-assessment-item in {QTI3_NS}"]
    order = []
    for child in root:
        order.append(ITEM_ORDER.index(_local(child)) if _local(child) in ITEM_ORDER else -1)
    if order != sorted(order) or -1 in order:
        problems.append("qti-assessment-item: children out of the schema's order")
    for element in root.iter():
        if element.tag.startswith(f"{{{MATHML_NS}}}"):
            problems += _math_problems(element)
            continue
        if not element.tag.startswith(f"{{{QTI3_NS}}}"):
            problems.append(f"{element.tag}: not in the QTI 3.0 namespace")
            continue
        name = _local(element)
        allowed = ELEMENTS.get(name)
        if allowed is None:
            problems.append(f"{name}: element not in the checked QTI 3.0 profile")
            continue
        for attr, value in element.attrib.items():
            if attr.startswith("data-"):
                problems.append(f"{name}: data-* attribute {attr} (profiles restrict data-*)")
            elif attr not in allowed:
                problems.append(f"{name}: attribute {attr} not allowed")
            elif attr in BOOLEAN and value not in ("true", "false", "1", "0"):
                problems.append(f"{name}: {attr}={value!r} is not an xs:boolean")
            elif attr in INTEGER and not value.lstrip("-").isdigit():
                problems.append(f"{name}: {attr}={value!r} is not an integer")
        for attr in sorted(REQUIRED.get(name, ())):
            if attr not in element.attrib:
                problems.append(f"{name}: required attribute {attr} missing")
    return problems


def _math_problems(element: ET.Element) -> list[str]:
    """MathML (the QTI 3.0 schema imports MathML 3): Attest writes MathML Core only."""
    name = _local(element)
    if name not in mathml.ELEMENTS:
        return [f"{name}: not a MathML Core element"]
    allowed = mathml.GLOBAL_ATTRS | mathml.ELEMENT_ATTRS.get(name, frozenset())
    return [f"{name}: MathML attribute {a} not allowed" for a in element.attrib if a not in allowed]


def manifest_problems(root: ET.Element) -> list[str]:
    """Return what in a manifest breaks the IMS CP order of a resource's children."""
    problems = []
    rank = {"metadata": 0, "file": 1, "dependency": 2}
    for resource in root.iter(f"{{{CP_NS}}}resource"):
        order = [rank.get(_local(c), -1) for c in resource]
        if order != sorted(order) or -1 in order:
            problems.append(f"resource {resource.get('identifier')}: children out of CP order")
    return problems


def _local(element: ET.Element) -> str:
    return element.tag.rsplit("}", 1)[-1]
