"""Read one normalized QTI item (QTI 3.0 names) into Attest item fields.

Items written by Attest (qti-item-body carries ``data-attest-format``) are read exactly: texts
keep their whitespace and every data-attest-* field comes back. Other items are read as HTML
(whitespace collapsed) and their format is inferred from the interaction; metadata they lack is
filled in by the importer. See docs/qti.md for the mapping.
"""

from __future__ import annotations

import json
import string
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

from attest.assessment.formats import FORMATS
from attest.assessment.formats.registry import qti_format, qti_formats
from attest.assessment.qti.body_reader import (
    GAP_MARK,
    MEDIA_TAGS,
    PRESENTATION,
    SCORING,
    SUPPORTED,
    BodyReader,
    meta_number,
)
from attest.assessment.qti.common import (
    ATTR,
    CARD_AUTHOR_NOTE,
    CARD_TESTLET_NOTE,
    CARD_TRANSCRIPT,
    QtiError,
)
from attest.assessment.qti.package import Package
from attest.assessment.qti.processing import gap_rule

UNSUPPORTED_PARTS = ("qti-template-declaration",)
CHOICE = "qti-choice-interaction"
INT_META = ("min_words", "max_words", "preparation_seconds", "max_recording_seconds")
# Bank fields carried as JSON in <attest:item> attributes (item_writer.JSON_ATTRS).
JSON_ATTRS = {
    "shuffle": "shuffle",
    "enemies": "enemies",
    "lint_allow": "lint-allow",
    "task_type": "task-type",
    "turns": "turns",
    "replays": "replays",
}


@dataclass
class ReadItem:
    """What one QTI item says, before the importer completes and checks it."""

    identifier: str
    member: str  # path of the item XML inside the package
    version: str
    fields: dict[str, Any]  # Attest item fields found (no id)
    media: dict[str, str]  # field path (audio, image, options[0].image) -> member path
    is_attest: bool
    testlet: str | None = None
    testlet_note: str | None = None
    source: str | None = None
    problems: list[str] = field(default_factory=list)
    approximations: list[tuple[str, str]] = field(default_factory=list)  # (kind, what)
    staff_notes: list[str] = field(default_factory=list)


def unsupported_parts(root: ET.Element) -> list[str]:
    """Return the names of interactions and features in the item that Attest cannot take."""
    found = []
    for element in root.iter():
        tag = element.tag
        if tag.endswith("-interaction") and tag not in SUPPORTED and tag != "qti-media-interaction":
            found.append(tag)
        elif tag in UNSUPPORTED_PARTS:
            found.append(tag)
    return sorted(set(found))


def read_item(root: ET.Element, package: Package, member: str, version: str) -> ReadItem:
    """Return the Attest fields of one item; raise QtiError when it cannot be read at all."""
    where = package.where(member)
    body = root.find("qti-item-body")
    if body is None:
        raise QtiError(f"{where}: item {root.get('identifier')} has no item body")
    meta = {k[len(ATTR) :]: v for k, v in body.attrib.items() if k.startswith(ATTR)}
    meta.update(package.meta.get(member, {}))
    reader = BodyReader(package, member, root, body, "format" in meta)
    item = ReadItem(
        identifier=root.get("identifier", ""),
        member=member,
        version=version,
        fields={},
        media={},
        is_attest=reader.exact,
        testlet=meta.get("testlet"),
        source=meta.get("source"),
    )
    for key in ("skill", "level", "domain", "status"):
        if key in meta:
            item.fields[key] = meta[key]
    if "difficulty" in meta:
        item.fields["difficulty"] = meta_number(meta["difficulty"], "data-attest-difficulty", where)
    for key in INT_META:
        attr = key.replace("_", "-")
        if attr in meta:
            item.fields[key] = meta_number(meta[attr], ATTR + attr, where)
    fmt = meta.get("format") or reader.infer_format()
    item.fields["format"] = fmt
    interaction = FORMATS[fmt].qti_interaction if fmt in FORMATS else None
    if interaction not in READERS:
        raise QtiError(f"{where}: item {item.identifier}: unknown Attest format {fmt!r}")
    content = READERS[interaction](reader)
    if "scoring" in meta:
        content["scoring"] = meta["scoring"]
    for key, attr in JSON_ATTRS.items():
        if attr in meta:  # written by item_writer as JSON; the bank loader checks the value
            try:
                item.fields[key] = json.loads(meta[attr])
            except ValueError:
                raise QtiError(f"{where}: data-attest-{attr}: expected JSON") from None
    common = reader.common()
    if "stem" not in common and "stem" in content:
        common["stem"] = content.pop("stem")
    content.pop("stem", None)
    item.fields.update(common)
    item.fields.update(content)
    cards = reader.cards()
    for support, key in ((CARD_AUTHOR_NOTE, "author_note"), (CARD_TRANSCRIPT, "transcript")):
        if support in cards:
            item.fields[key] = cards[support]
    item.testlet_note = cards.get(CARD_TESTLET_NOTE)
    reader.check_media_placed()
    reader.check_math_placed()
    item.media = reader.media
    item.problems = reader.problems
    item.approximations = reader.approximations
    item.staff_notes = reader.staff_notes
    return item


def _choice(r: BodyReader) -> dict[str, Any]:
    interaction = r.the_interaction(CHOICE)
    options, ids = r.choices(interaction, "qti-simple-choice", "options", math=True)
    answer = r.letters(r.key(interaction), ids, "answer")
    # the formats written as a choice interaction differ in their response's cardinality
    choices = {f.name: f for f in qti_formats(CHOICE)}
    fmt = choices.get(r.infer_format(), qti_format(CHOICE))
    content: dict[str, Any] = {"options": options}
    if r.exact:
        fmt = choices.get(r.body.get(ATTR + "format") or "", fmt)
    multiple = fmt.qti_cardinality == "multiple"
    if not r.exact:
        _shuffle_note(r, interaction, "options are shown in the authored order")
        _choice_limits(r, interaction, multiple, len(options))
        keyed = [ids[string.ascii_lowercase.index(a)] for a in answer]
        if r.check_choice_mapping(interaction, ids, keyed, multiple):
            content["scoring"] = "partial"
    if not multiple and not r.exact:
        _gap_scoring(r, [interaction.get("response-identifier", "")], content)
    if not multiple:
        if len(answer) != 1:
            r.problems.append(f"answer: expected one correct choice; got {len(answer)}")
        content["answer"] = answer[0] if answer else None
    else:
        content["answer"] = answer
    if r.prompt(interaction) is not None:
        content["stem"] = r.prompt(interaction)
    return content


def _text_entry(r: BodyReader) -> dict[str, Any]:
    tag = "qti-text-entry-interaction"
    gaps, rids = [], []
    for host in r.hosts(tag):
        if host.tag != tag:
            r.collect_media(host, "")
        segments = r.segments(host, tag)
        interactions = [host] if host.tag == tag else list(host.iter(tag))
        for k, interaction in enumerate(interactions):
            unmarked = interaction.get(ATTR + "mark") == "none" or "attest-no-mark" in (
                interaction.get("class", "").split()
            )
            mark = "" if r.exact and unmarked else GAP_MARK
            prompt = (segments[0] if k == 0 else "") + mark + segments[k + 1]
            gap: dict[str, Any] = {"prompt": prompt if r.exact else prompt.strip()}
            if r.exact:
                gap["accept"] = r.accepted(interaction)
            else:
                gap["accept"] = r.gap_accept(interaction, len(gaps) + 1)
            length = interaction.get(ATTR + "max-length") or interaction.get("expected-length")
            if r.exact and length:
                gap["max_length"] = meta_number(length, "expected-length", r.where)
            gaps.append(gap)
            rids.append(interaction.get("response-identifier", ""))
    content: dict[str, Any] = {"gaps": gaps}
    _gap_scoring(r, rids, content)
    return content


def _inline_choice(r: BodyReader) -> dict[str, Any]:
    tag = "qti-inline-choice-interaction"
    lines, gaps, rids = [], [], []
    for host in r.hosts(tag):
        if host.tag == tag:
            lines.append(GAP_MARK)
        else:
            r.collect_media(host, "")
            lines.append(r.text(host, mark={tag: GAP_MARK}, skip=MEDIA_TAGS, math=True))
        for interaction in [host] if host.tag == tag else host.iter(tag):
            if not r.exact:
                _shuffle_note(r, interaction, "inline choices are shown in the authored order")
            choices = [c for c in interaction if c.tag == "qti-inline-choice"]
            options = [r.text(c) for c in choices]
            ids = [c.get("identifier", "") for c in choices]
            key = r.key(interaction)
            answer = options[ids.index(key[0])] if key and key[0] in ids else None
            if answer is None:
                r.problems.append(
                    f"gap {len(gaps) + 1}: correct response is not one of its choices"
                )
            gaps.append({"options": options, "answer": answer})
            rids.append(interaction.get("response-identifier", ""))
    content: dict[str, Any] = {"sentence": "\n".join(lines), "gaps": gaps}
    _gap_scoring(r, rids, content)
    return content


def _matching(r: BodyReader) -> dict[str, Any]:
    interaction = r.the_interaction("qti-match-interaction")
    sets = [s for s in interaction if s.tag == "qti-simple-match-set"]
    if len(sets) != 2:
        raise QtiError(f"{r.where}: qti-match-interaction: expected two match sets")
    tag = "qti-simple-associable-choice"
    prompt_ids = [c.get("identifier", "") for c in sets[0] if c.tag == tag]
    texts = [r.text(c, skip=MEDIA_TAGS) for c in sets[0] if c.tag == tag]
    options, ids = r.choices(sets[1], tag, "options")
    answers: dict[str, list[str]] = {p: [] for p in prompt_ids}
    for pair in r.key(interaction):
        left, _, right = pair.partition(" ")
        if left in ids and right in prompt_ids:
            left, right = right, left
        if left in answers and right in ids:
            answers[left].append(string.ascii_lowercase[ids.index(right)])
        else:
            r.problems.append(f"answer: pair {pair!r} does not join a prompt to an option")
    prompts = []
    for pid, text in zip(prompt_ids, texts, strict=True):
        if len(answers[pid]) != 1:
            r.problems.append(
                f"prompt {pid}: expected one matching option; got {len(answers[pid])}"
            )
        prompts.append({"text": text, "answer": answers[pid][0] if answers[pid] else None})
    if not r.exact:
        _match_order(r, interaction, prompts, options)
        if r.mapping(interaction) is not None:
            r.approx(SCORING, "mapping replaced by Attest's matching rule (one option per prompt)")
    content: dict[str, Any] = {"prompts": prompts, "options": options}
    if r.prompt(interaction) is not None:
        content["stem"] = r.prompt(interaction)
    return content


def _ordering(r: BodyReader) -> dict[str, Any]:
    interaction = r.the_interaction("qti-order-interaction")
    choices = [c for c in interaction if c.tag == "qti-simple-choice"]
    ids = [c.get("identifier", "") for c in choices]
    content: dict[str, Any] = {
        "fragments": [r.text(c) for c in choices],
        "answer": r.letters(r.key(interaction), ids, "answer"),
    }
    if not r.exact:
        _order_shown(r, interaction, content)
    if r.prompt(interaction) is not None:
        content["stem"] = r.prompt(interaction)
    return content


def _task(tag: str):
    def read(r: BodyReader) -> dict[str, Any]:
        interaction = r.the_interaction(tag)
        content: dict[str, Any] = {}
        if r.prompt(interaction) is not None:
            content["stem"] = r.prompt(interaction)
        return content

    return read


# The reader of each interaction; a format names its interaction (``qti_interaction``).
READERS = {
    CHOICE: _choice,
    "qti-text-entry-interaction": _text_entry,
    "qti-inline-choice-interaction": _inline_choice,
    "qti-match-interaction": _matching,
    "qti-order-interaction": _ordering,
    "qti-extended-text-interaction": _task("qti-extended-text-interaction"),
    "qti-upload-interaction": _task("qti-upload-interaction"),
}


def _gap_scoring(r: BodyReader, rids: list[str], content: dict[str, Any]) -> None:
    """Score the gaps as the source's response processing does, or name how it differs."""
    if r.exact:
        return
    found = gap_rule(r.root, rids)
    if found is None:
        return
    if found.rule == "partial":
        content["scoring"] = "partial"
    if not found.faithful:
        r.approx(SCORING, found.what)


def _shuffle_note(r: BodyReader, interaction: ET.Element, what: str) -> None:
    if interaction.get("shuffle") == "true":
        r.approx(PRESENTATION, f"shuffle: {what} (Attest does not shuffle)")


def _choice_limits(r: BodyReader, interaction: ET.Element, multiple: bool, count: int) -> None:
    """Name max-choices/min-choices that Attest's formats do not enforce."""
    most = interaction.get("max-choices")
    least = interaction.get("min-choices")
    if multiple:
        if most not in (None, "0") and most.isdigit() and int(most) < count:
            r.approx(PRESENTATION, f"max-choices={most} not enforced: any number may be ticked")
        if least not in (None, "0", "1"):
            r.approx(PRESENTATION, f"min-choices={least} not enforced")
    elif most not in (None, "1"):
        r.approx(PRESENTATION, f"max-choices={most} with a single response: one choice only")


def _rotate(values: list, by: int = 1) -> list:
    return values[by:] + values[:by]


def _match_order(r: BodyReader, interaction: ET.Element, prompts: list[dict],
                 options: list[dict]) -> None:  # fmt: skip
    """Keep the key off the diagonal when the source asks for shuffling."""
    answers = [p["answer"] for p in prompts]
    diagonal = len(options) > 1 and answers == list(string.ascii_lowercase[: len(answers)])
    if interaction.get("shuffle") != "true":
        if diagonal:
            r.approx(
                PRESENTATION,
                "options are listed in key order, as in the source (shuffle=false)",
            )
        return
    if not diagonal:
        _shuffle_note(r, interaction, "options are shown in the authored order")
        return
    rotated = _rotate(list(range(len(options))))
    options[:] = [options[i] for i in rotated]
    letter = {string.ascii_lowercase[old]: string.ascii_lowercase[new]
              for new, old in enumerate(rotated)}  # fmt: skip
    for prompt in prompts:
        prompt["answer"] = letter.get(prompt["answer"], prompt["answer"])
    r.approx(
        PRESENTATION,
        "shuffle: options rotated by one place so the key is not in prompt order "
        "(Attest does not shuffle)"
        + _fixed_note([s for s in interaction if s.tag == "qti-simple-match-set"][-1]),
    )


def _order_shown(r: BodyReader, interaction: ET.Element, content: dict[str, Any]) -> None:
    """Never show fragments already in the answer order unless the source does so itself."""
    answer = content["answer"]
    count = len(content["fragments"])
    least, most = interaction.get("min-choices"), interaction.get("max-choices")
    if (least not in (None, "0") and least != str(count)) or (
        most not in (None, "0") and most != str(count)
    ):
        r.approx(
            SCORING,
            f"min-choices={least}/max-choices={most}: Attest asks for all {count} fragments "
            "in order",
        )
    solved = answer == list(string.ascii_lowercase[:count])
    if interaction.get("shuffle") != "true":
        return  # shown in the answer order: the bank rules refuse it, as the source is broken
    if not solved:
        _shuffle_note(r, interaction, "fragments are shown in the authored order")
        return
    rotated = _rotate(list(range(count)))
    content["fragments"] = [content["fragments"][i] for i in rotated]
    position = {old: new for new, old in enumerate(rotated)}
    content["answer"] = [
        string.ascii_lowercase[position[string.ascii_lowercase.index(a)]] for a in answer
    ]
    r.approx(
        PRESENTATION,
        "shuffle: fragments rotated by one place so they are not shown in the answer order "
        "(Attest does not shuffle)" + _fixed_note(interaction),
    )


def _fixed_note(interaction: ET.Element) -> str:
    fixed = [e.get("identifier", "") for e in interaction.iter() if e.get("fixed") == "true"]
    return f"; fixed choice(s) {', '.join(fixed)} moved with the others" if fixed else ""
