"""Write one Attest item (its YAML mapping, testlet fields merged in) as a QTI 3.0 item.

The mapping per format and the Attest metadata (in the manifest) are described in docs/qti.md.
"""

from __future__ import annotations

import json
import string
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from typing import Any

from attest.assessment.formats import get_format
from attest.assessment.formats.text_entry import variants
from attest.assessment.qti.common import MEDIA_TYPES, QTI3_NS, write_text

RP_TEMPLATES = "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/"
GAP_MARK = "___"
# Attributes of the <attest:item> metadata in the manifest: YAML field -> attribute name.
META_ATTRS = {
    "format": "format",
    "skill": "skill",
    "level": "level",
    "domain": "domain",
    "status": "status",
    "difficulty": "difficulty",
    "scoring": "scoring",
    "min_words": "min-words",
    "max_words": "max-words",
    "preparation_seconds": "preparation-seconds",
    "max_recording_seconds": "max-recording-seconds",
}
# Bank fields without a QTI counterpart, carried as JSON in attributes of <attest:item>.
JSON_ATTRS = {
    "shuffle": "shuffle",
    "enemies": "enemies",
    "lint_allow": "lint-allow",
    "task_type": "task-type",
    "turns": "turns",
    "replays": "replays",
}

Href = Callable[[str], str]  # bank media path -> href relative to the item file


def item_element(
    item: Mapping[str, Any],
    href: Href,
    *,
    source: str,
    testlet: str | None = None,
    testlet_note: str | None = None,
) -> ET.Element:
    """Return the qti-assessment-item element for one item mapping."""
    root = ET.Element(
        "qti-assessment-item",
        {
            "xmlns": QTI3_NS,
            "identifier": item["id"],
            "title": item["id"],
            "adaptive": "false",
            "time-dependent": "false",
            "xml:lang": "nl",
        },
    )
    declarations = ET.SubElement(root, "_declarations")  # placeholder, unwrapped below
    body = ET.Element("qti-item-body")
    _stimulus(body, item, href)
    interaction = get_format(item["format"]).qti_interaction
    if interaction is None:
        raise ValueError(f"item {item['id']}: format {item['format']} has no QTI interaction")
    processing = WRITERS[interaction](item, declarations, body, href)
    ET.SubElement(declarations, "qti-outcome-declaration", _score_outcome(item))
    _staff_blocks(body, item, testlet_note)
    root.append(body)
    if processing is not None:
        root.append(processing)
    index = list(root).index(declarations)
    root.remove(declarations)
    for offset, child in enumerate(declarations):
        root.insert(index + offset, child)
    return root


def item_metadata(
    item: Mapping[str, Any], *, source: str, testlet: str | None = None
) -> dict[str, str]:
    """Return the attributes of the item's <attest:item> metadata in the manifest."""
    meta = {name: _scalar(item[key]) for key, name in META_ATTRS.items() if key in item}
    for key, name in JSON_ATTRS.items():
        if key in item:
            meta[name] = json.dumps(item[key], ensure_ascii=False, sort_keys=True)
    meta["source"] = source
    if testlet:
        meta["testlet"] = testlet
    return meta


def _scalar(value: Any) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def _score_outcome(item: Mapping[str, Any]) -> dict[str, str]:
    attrs = {"identifier": "SCORE", "cardinality": "single", "base-type": "float"}
    if not get_format(item["format"]).is_machine_scored:
        attrs["external-scored"] = "human"
    else:
        attrs["normal-maximum"] = "1"
    return attrs


def _stimulus(body: ET.Element, item: Mapping[str, Any], href: Href) -> None:
    media = item.get("media") or {}
    for kind in ("image", "audio"):
        if kind in media:
            div = ET.SubElement(body, "div", {"class": "attest-media"})
            media_element(div, kind, media[kind], href)
    if "text" in item:
        write_text(ET.SubElement(body, "p", {"class": "attest-text"}), item["text"])


def media_element(parent: ET.Element, kind: str, path: str, href: Href) -> None:
    """Append an <img> or <audio> for a bank media path."""
    suffix = "." + path.rsplit(".", 1)[-1].lower()
    if kind == "image":
        ET.SubElement(parent, "img", {"src": href(path), "alt": ""})
    else:
        audio = ET.SubElement(parent, "audio", {"controls": "true"})  # xs:boolean in QTI 3
        ET.SubElement(audio, "source", {"src": href(path), "type": MEDIA_TYPES.get(suffix, "")})


def _staff_blocks(body: ET.Element, item: Mapping[str, Any], testlet_note: str | None) -> None:
    """Append the texts for staff as rubric blocks for the author or scorer view.

    A QTI player shows a candidate only the rubric blocks whose view includes ``candidate``.
    """
    texts = [
        ("attest-author-note", "author", item.get("author_note")),
        ("attest-transcript", "scorer", item.get("transcript")),
        ("attest-testlet-author-note", "author", testlet_note),
    ]
    for css, view, text in texts:
        if text is None:
            continue
        block = ET.SubElement(
            body, "qti-rubric-block", {"class": css, "use": "instructions", "view": view}
        )
        write_text(ET.SubElement(ET.SubElement(block, "qti-content-body"), "p"), text)


def _declare(parent: ET.Element, ident: str, cardinality: str, base: str, values=()) -> ET.Element:
    decl = ET.SubElement(
        parent,
        "qti-response-declaration",
        {"identifier": ident, "cardinality": cardinality, "base-type": base},
    )
    if values:
        correct = ET.SubElement(decl, "qti-correct-response")
        for value in values:
            ET.SubElement(correct, "qti-value").text = value
    return decl


def _mapping(decl: ET.Element, entries: list[tuple[str, float]], **extra: str) -> ET.Element:
    mapping = ET.SubElement(
        decl,
        "qti-mapping",
        {"default-value": "0", "lower-bound": "0", "upper-bound": "1"},
    )
    for key, value in entries:
        ET.SubElement(
            mapping, "qti-map-entry", {"map-key": key, "mapped-value": repr(value), **extra}
        )
    return mapping


def _template(name: str) -> ET.Element:
    return ET.Element("qti-response-processing", {"template": RP_TEMPLATES + name + ".xml"})


def _prompt(parent: ET.Element, stem: str) -> None:
    write_text(ET.SubElement(parent, "qti-prompt"), stem)


def _stem_paragraph(body: ET.Element, stem: str) -> None:
    write_text(ET.SubElement(body, "p", {"class": "attest-stem"}), stem)


def _points(body: ET.Element, item: Mapping[str, Any]) -> None:
    if "points" in item:
        ul = ET.SubElement(body, "ul", {"class": "attest-points"})
        for point in item["points"]:
            write_text(ET.SubElement(ul, "li"), point)


def _choices(parent: ET.Element, options: list[Mapping[str, Any]], tag: str, href: Href) -> None:
    for oid, option in zip(string.ascii_lowercase, options, strict=False):
        choice = ET.SubElement(parent, tag, {"identifier": oid})
        if "text" in option:
            write_text(choice, option["text"])
        for kind in ("image", "audio"):
            if kind in option:
                media_element(choice, kind, option[kind], href)


def _choice(item, decls, body, href) -> ET.Element:
    multiple = get_format(item["format"]).qti_cardinality == "multiple"
    answer = item["answer"] if multiple else [item["answer"]]
    decl = _declare(decls, "RESPONSE", "multiple" if multiple else "single", "identifier", answer)
    interaction = ET.SubElement(
        body,
        "qti-choice-interaction",
        {
            "response-identifier": "RESPONSE",
            "shuffle": "false",
            "max-choices": "0" if multiple else "1",
        },
    )
    _prompt(interaction, item["stem"])
    _choices(interaction, item["options"], "qti-simple-choice", href)
    if item.get("scoring") == "partial":
        ids = string.ascii_lowercase[: len(item["options"])]
        share = 1 / len(answer)
        _mapping(decl, [(o, share if o in answer else -share) for o in ids])
        return _template("map_response")
    return _template("match_correct")


def _partial_processing(checks: list[ET.Element]) -> ET.Element:
    """Add 1/n to SCORE for each check that holds."""
    processing = ET.Element("qti-response-processing")
    _set_score(processing, "0")
    share = repr(1 / len(checks))
    for check in checks:
        branch = ET.SubElement(
            ET.SubElement(processing, "qti-response-condition"), "qti-response-if"
        )
        branch.append(check)
        setter = ET.SubElement(branch, "qti-set-outcome-value", {"identifier": "SCORE"})
        add = ET.SubElement(setter, "qti-sum")
        ET.SubElement(add, "qti-variable", {"identifier": "SCORE"})
        ET.SubElement(add, "qti-base-value", {"base-type": "float"}).text = share
    return processing


def _set_score(parent: ET.Element, value: str) -> None:
    setter = ET.SubElement(parent, "qti-set-outcome-value", {"identifier": "SCORE"})
    ET.SubElement(setter, "qti-base-value", {"base-type": "float"}).text = value


def _text_entry(item, decls, body, href) -> ET.Element:
    _stem_paragraph(body, item["stem"])
    checks = []
    fractional = False
    for i, gap in enumerate(item["gaps"], start=1):
        rid = f"RESPONSE_{i}"
        accepted = variants(gap)
        full = next((v.text for v in accepted if v.score == 1), accepted[0].text)
        decl = _declare(decls, rid, "single", "string", [full])
        mapping = _mapping(decl, [])
        for v in accepted:  # each variant's credit and case rule
            ET.SubElement(
                mapping,
                "qti-map-entry",
                {
                    "map-key": v.text,
                    "mapped-value": repr(float(v.score)),
                    "case-sensitive": "true" if v.case_sensitive else "false",
                },
            )
        fractional = fractional or any(v.score < 1 for v in accepted)
        p = ET.SubElement(body, "p", {"class": "attest-gap"})
        before, marked, after = gap["prompt"].partition(GAP_MARK)
        write_text(p, before)
        attrs = {"response-identifier": rid}
        if "max_length" in gap:
            attrs["expected-length"] = str(gap["max_length"])
        if not marked:
            attrs["class"] = "attest-no-mark"  # the gap prompt has no ___
        ET.SubElement(p, "qti-text-entry-interaction", attrs)
        write_text(p, after)
        check = ET.Element("qti-gte")
        ET.SubElement(check, "qti-map-response", {"identifier": rid})
        ET.SubElement(check, "qti-base-value", {"base-type": "float"}).text = "1"
        checks.append(check)
    if fractional:
        return _credit_processing(item, len(checks))
    return _aggregate(item, checks)


def _credit_processing(item: Mapping[str, Any], gaps: int) -> ET.Element:
    """SCORE from the gaps' mapped credits (a variant worth less than 1): their minimum for
    all_or_nothing, their mean for partial, as text_entry scores them."""
    processing = ET.Element("qti-response-processing")
    setter = ET.SubElement(processing, "qti-set-outcome-value", {"identifier": "SCORE"})
    responses = [
        ET.Element("qti-map-response", {"identifier": f"RESPONSE_{i}"}) for i in range(1, gaps + 1)
    ]
    if item.get("scoring") == "partial":
        divide = ET.SubElement(setter, "qti-divide")
        ET.SubElement(divide, "qti-sum").extend(responses)
        ET.SubElement(divide, "qti-base-value", {"base-type": "float"}).text = repr(float(gaps))
    else:
        ET.SubElement(setter, "qti-min").extend(responses)
    return processing


def _aggregate(item: Mapping[str, Any], checks: list[ET.Element]) -> ET.Element:
    if item.get("scoring") == "partial":
        return _partial_processing(checks)
    processing = ET.Element("qti-response-processing")
    condition = ET.SubElement(processing, "qti-response-condition")
    branch = ET.SubElement(condition, "qti-response-if")
    ET.SubElement(branch, "qti-and").extend(checks)
    _set_score(branch, "1")
    _set_score(ET.SubElement(condition, "qti-response-else"), "0")
    return processing


def _inline_choice(item, decls, body, href) -> ET.Element:
    _stem_paragraph(body, item["stem"])
    parts = item["sentence"].split(GAP_MARK)
    p = ET.SubElement(body, "p", {"class": "attest-sentence"})
    write_text(p, parts[0])
    checks = []
    for i, (gap, after) in enumerate(zip(item["gaps"], parts[1:], strict=True), start=1):
        rid = f"RESPONSE_{i}"
        ids = [f"G{i}_{c}" for c in string.ascii_lowercase[: len(gap["options"])]]
        key = ids[[str(o) for o in gap["options"]].index(str(gap["answer"]))]
        _declare(decls, rid, "single", "identifier", [key])
        interaction = ET.SubElement(
            p, "qti-inline-choice-interaction", {"response-identifier": rid, "shuffle": "false"}
        )
        for oid, option in zip(ids, gap["options"], strict=True):
            write_text(ET.SubElement(interaction, "qti-inline-choice", {"identifier": oid}), option)
        write_text(p, after)
        check = ET.Element("qti-match")
        ET.SubElement(check, "qti-variable", {"identifier": rid})
        ET.SubElement(check, "qti-correct", {"identifier": rid})
        checks.append(check)
    return _aggregate(item, checks)


def _matching(item, decls, body, href) -> ET.Element:
    pairs = [f"P{i} {p['answer']}" for i, p in enumerate(item["prompts"], start=1)]
    decl = _declare(decls, "RESPONSE", "multiple", "directedPair", pairs)
    count = str(len(item["prompts"]))
    interaction = ET.SubElement(
        body,
        "qti-match-interaction",
        {"response-identifier": "RESPONSE", "shuffle": "false", "max-associations": count},
    )
    _prompt(interaction, item["stem"])
    prompts = ET.SubElement(interaction, "qti-simple-match-set")
    for i, prompt in enumerate(item["prompts"], start=1):
        choice = ET.SubElement(
            prompts, "qti-simple-associable-choice", {"identifier": f"P{i}", "match-max": "1"}
        )
        write_text(choice, prompt["text"])
    options = ET.SubElement(interaction, "qti-simple-match-set")
    _choices(options, item["options"], "qti-simple-associable-choice", href)
    for choice in options:
        choice.set("match-max", count)
    if item.get("scoring") == "partial":
        _mapping(decl, [(pair, 1 / len(pairs)) for pair in pairs])
        return _template("map_response")
    return _template("match_correct")


def _ordering(item, decls, body, href) -> ET.Element:
    _declare(decls, "RESPONSE", "ordered", "identifier", item["answer"])
    interaction = ET.SubElement(
        body, "qti-order-interaction", {"response-identifier": "RESPONSE", "shuffle": "false"}
    )
    _prompt(interaction, item["stem"])
    for oid, fragment in zip(string.ascii_lowercase, item["fragments"], strict=False):
        write_text(ET.SubElement(interaction, "qti-simple-choice", {"identifier": oid}), fragment)
    # Partial credit on adjacent pairs has no QTI template; data-attest-scoring keeps the rule.
    return _template("match_correct")


def _extended_text(item, decls, body, href) -> None:
    _declare(decls, "RESPONSE", "single", "string")
    _points(body, item)
    interaction = ET.SubElement(
        body,
        "qti-extended-text-interaction",
        {"response-identifier": "RESPONSE", "expected-lines": "10"},
    )
    _prompt(interaction, item["stem"])
    return None


def _audio_response(item, decls, body, href) -> None:
    # A conversation's response is its turns' recordings in order; its turns (what the
    # interlocutor says, the answer time, the clip's bank path) travel in <attest:item>.
    cardinality = get_format(item["format"]).qti_cardinality
    _declare(decls, "RESPONSE", cardinality, "file")
    _points(body, item)
    interaction = ET.SubElement(
        body, "qti-upload-interaction", {"response-identifier": "RESPONSE", "type": "audio/*"}
    )
    _prompt(interaction, item["stem"])
    return None


# The writer of each interaction; a format names its interaction (``qti_interaction``).
WRITERS = {
    "qti-choice-interaction": _choice,
    "qti-text-entry-interaction": _text_entry,
    "qti-inline-choice-interaction": _inline_choice,
    "qti-match-interaction": _matching,
    "qti-order-interaction": _ordering,
    "qti-extended-text-interaction": _extended_text,
    "qti-upload-interaction": _audio_response,
}
