"""Read what an item body holds: responses, texts, media, per the QTI 3.0 names.

``BodyReader`` keeps the reading state of one item (its response declarations, the media met,
the problems found); the per-format readers in ``item_reader`` use it.
"""

from __future__ import annotations

import string
import xml.etree.ElementTree as ET
from typing import Any

from attest.assessment.bank_rules import MEDIA_KINDS
from attest.assessment.qti.common import ATTR, QtiError, number, read_text
from attest.assessment.qti.package import Package, resolve

SUPPORTED = {
    "qti-choice-interaction": "single_choice or multiple_response",
    "qti-text-entry-interaction": "text_entry",
    "qti-inline-choice-interaction": "inline_choice",
    "qti-match-interaction": "matching",
    "qti-order-interaction": "ordering",
    "qti-extended-text-interaction": "extended_text",
    "qti-upload-interaction": "audio_response",
}
INLINE = ("qti-text-entry-interaction", "qti-inline-choice-interaction")
MEDIA_TAGS = frozenset({"img", "audio", "video", "object", "source", "qti-media-interaction"})
UNSUPPORTED_PARTS = ("qti-template-declaration", "qti-assessment-stimulus-ref")
INT_META = ("min_words", "max_words", "preparation_seconds", "max_recording_seconds")
GAP_MARK = "___"
_SENTINEL = "\x00"


def meta_number(text: str, name: str, where: str) -> int | float:
    try:
        return number(text)
    except ValueError:
        raise QtiError(f"{where}: {name}: expected a number; got {text!r}") from None


def _positive(entry: ET.Element) -> bool:
    try:
        return float(entry.get("mapped-value", "0")) > 0
    except ValueError:
        return False


class BodyReader:
    """Reading state of one item: its responses, media found and problems met."""

    def __init__(self, package: Package, member: str, root: ET.Element, body, exact: bool):
        self.package, self.member, self.root, self.body, self.exact = (
            package,
            member,
            root,
            body,
            exact,
        )
        self.where = package.where(member)
        self.media: dict[str, str] = {}
        self.problems: list[str] = []
        self.declarations = {d.get("identifier"): d for d in root.iter("qti-response-declaration")}

    def text(self, element: ET.Element, **kwargs: Any) -> str:
        return read_text(element, collapse=not self.exact, **kwargs)

    def interactions(self) -> list[ET.Element]:
        return [e for e in self.body.iter() if e.tag in SUPPORTED]

    def infer_format(self) -> str:
        tags = {e.tag for e in self.interactions()}
        if not tags:
            raise QtiError(f"{self.where}: item {self.root.get('identifier')} has no interaction")
        if len(tags) > 1:
            raise QtiError(
                f"{self.where}: item {self.root.get('identifier')} combines "
                f"{', '.join(sorted(tags))}; an Attest item holds one kind of interaction"
            )
        tag = tags.pop()
        if tag not in INLINE and len(self.interactions()) > 1:
            raise QtiError(
                f"{self.where}: item {self.root.get('identifier')} has "
                f"{len(self.interactions())} {tag}s; an Attest item holds one"
            )
        if tag == "qti-choice-interaction":
            interaction = self.interactions()[0]
            decl = self.declarations.get(interaction.get("response-identifier"))
            multiple = decl is not None and decl.get("cardinality") == "multiple"
            return "multiple_response" if multiple else "single_choice"
        return {
            "qti-text-entry-interaction": "text_entry",
            "qti-inline-choice-interaction": "inline_choice",
            "qti-match-interaction": "matching",
            "qti-order-interaction": "ordering",
            "qti-extended-text-interaction": "extended_text",
            "qti-upload-interaction": "audio_response",
        }[tag]

    def the_interaction(self, tag: str) -> ET.Element:
        found = [e for e in self.interactions() if e.tag == tag]
        if len(found) != 1:
            raise QtiError(
                f"{self.where}: item {self.root.get('identifier')}: expected one {tag}; "
                f"found {len(found)}"
            )
        return found[0]

    def key(self, interaction: ET.Element) -> list[str]:
        """Return the correct values of an interaction's response (mapping keys if none)."""
        rid = interaction.get("response-identifier")
        decl = self.declarations.get(rid)
        if decl is None:
            raise QtiError(f"{self.where}: no qti-response-declaration for {rid!r}")
        values = [self.text(v).strip() for v in decl.iter("qti-value")]
        if not values:
            values = [e.get("map-key", "") for e in decl.iter("qti-map-entry") if _positive(e)]
        if not values:
            self.problems.append(f"response {rid}: no correct response (qti-correct-response)")
        return values

    def accepted(self, interaction: ET.Element) -> list[str]:
        rid = interaction.get("response-identifier")
        decl = self.declarations.get(rid)
        if decl is None:
            raise QtiError(f"{self.where}: no qti-response-declaration for {rid!r}")
        mapped = [e.get("map-key", "") for e in decl.iter("qti-map-entry") if _positive(e)]
        return mapped or self.key(interaction)

    def media_ref(self, element: ET.Element) -> tuple[str, str] | None:
        """Return (kind, member path) of an img/audio/object, or None if it holds no file."""
        src = element.get("src") or element.get("data")
        if not src:
            inner = element.find("source")
            src = inner.get("src") if inner is not None else None
        if not src:
            return None
        path = resolve(self.member, src, self.where)
        if path not in self.package.files:
            raise QtiError(f"{self.where}: refers to {path}, which is not in the package")
        suffix = "." + path.rsplit(".", 1)[-1].lower() if "." in path else ""
        kinds = [k for k, exts in MEDIA_KINDS.items() if suffix in exts]
        if not kinds:
            raise QtiError(
                f"{self.where}: media {path}: expected one of "
                + ", ".join(e for exts in MEDIA_KINDS.values() for e in exts)
            )
        return element.get(ATTR + "media") or kinds[0], path

    def collect_media(self, element: ET.Element, prefix: str) -> None:
        for child in element.iter():
            if child is element or child.tag not in ("img", "audio", "video", "object"):
                continue
            ref = self.media_ref(child)
            if ref is None:
                continue
            kind, path = ref
            key = f"{prefix}{kind}"
            if key in self.media and self.media[key] != path:
                self.problems.append(f"{key}: more than one {kind}; an Attest item has one")
            self.media.setdefault(key, path)

    def choices(self, parent: ET.Element, tag: str, prefix: str) -> tuple[list[dict], list[str]]:
        options, ids = [], []
        for i, choice in enumerate(c for c in parent if c.tag == tag):
            ids.append(choice.get("identifier", ""))
            text = self.text(choice, skip=MEDIA_TAGS)
            option = {"text": text} if text.strip() else {}
            self.collect_media(choice, f"{prefix}[{i}].")
            for kind in ("image", "audio"):
                if f"{prefix}[{i}].{kind}" in self.media:
                    option[kind] = self.media[f"{prefix}[{i}].{kind}"]
            options.append(option)
        return options, ids

    def letters(self, values: list[str], ids: list[str], what: str) -> list[str]:
        found = []
        for value in values:
            if value in ids:
                found.append(string.ascii_lowercase[ids.index(value)])
            else:
                self.problems.append(f"{what}: correct response {value!r} is not a choice")
        return found

    def prompt(self, interaction: ET.Element) -> str | None:
        prompt = interaction.find("qti-prompt")
        return self.text(prompt) if prompt is not None else None

    def common(self) -> dict[str, Any]:
        """Return stem, text, points and item media from the body outside the interactions."""
        found: dict[str, Any] = {}
        loose: list[str] = []
        for child in self.body:
            if child.tag in SUPPORTED or any(e.tag in SUPPORTED for e in child.iter()):
                continue
            classes = child.get("class", "").split()
            self.collect_media(child, "")
            if child.tag in ("img", "audio", "video", "object"):
                ref = self.media_ref(child)
                if ref:
                    self.media.setdefault(ref[0], ref[1])
                continue
            if "attest-stem" in classes:
                found["stem"] = self.text(child)
            elif "attest-text" in classes:
                found["text"] = self.text(child)
            elif "attest-points" in classes:
                found["points"] = [self.text(li) for li in child if li.tag == "li"]
            elif "attest-media" not in classes:
                text = read_text(child, skip=MEDIA_TAGS, collapse=True)
                if text:
                    loose.append(text)
        prompts = [self.prompt(i) for i in self.interactions() if i.find("qti-prompt") is not None]
        if "stem" not in found and prompts:
            found["stem"] = prompts[0]
        if "stem" not in found and loose:
            found["stem"] = loose.pop()  # no prompt: the last paragraph is the instruction
        if "text" not in found and loose:
            found["text"] = "\n".join(loose)
        if "stem" not in found:
            self.problems.append("stem: no qti-prompt and no paragraph to use as the question")
        for kind in ("audio", "image"):
            if kind in self.media:
                found.setdefault("media", {})[kind] = self.media[kind]
        return found

    def cards(self) -> dict[str, str]:
        cards = {}
        for card in self.root.iter("qti-card"):
            content = card.find("qti-html-content")
            if content is None:
                continue
            paragraphs = list(content)
            if self.exact and len(paragraphs) == 1 and paragraphs[0].tag == "p":
                cards[card.get("support", "")] = read_text(paragraphs[0])
            else:
                cards[card.get("support", "")] = read_text(content, collapse=True)
        return cards

    def hosts(self, tag: str) -> list[ET.Element]:
        """Return the body's children that hold interactions of ``tag``, in order."""
        return [c for c in self.body if c.tag == tag or any(e.tag == tag for e in c.iter())]

    def segments(self, host: ET.Element, tag: str) -> list[str]:
        if host.tag == tag:
            return ["", ""]
        return self.text(host, mark={tag: _SENTINEL}).split(_SENTINEL)
