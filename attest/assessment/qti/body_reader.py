"""Read what an item body holds: responses, texts, media, per the QTI 3.0 names.

``BodyReader`` keeps the reading state of one item (its response declarations, the media met,
the problems found, the approximations made); the per-format readers in ``item_reader`` use it.

Before an item from another tool is read, its body is cleaned of everything a candidate does
not see while answering: feedback (``qti-feedback-inline``, ``qti-feedback-block``), rubric
blocks for other views (kept as a note for staff) and screen-reader-only text. Prose is read
wherever it sits, also inside layout wrappers (``qti-layout-row``/``qti-layout-col*``, plain
divs) that hold an interaction. Every media element must end up in the item or the item is
refused: nothing is dropped silently.
"""

from __future__ import annotations

import re
import string
import xml.etree.ElementTree as ET
from typing import Any

from attest.assessment import mathml
from attest.assessment.bank_rules import MEDIA_KINDS
from attest.assessment.formats.registry import QTI_INTERACTIONS, qti_format
from attest.assessment.formats.text_entry import Variant, collisions
from attest.assessment.qti.common import ATTR, STAFF_BLOCKS, QtiError, number, read_text
from attest.assessment.qti.package import Package, parse_item, resolve

# The interactions Attest reads: each format names its own (``qti_interaction``); an upload
# interaction is read as a speaking task only when it takes audio.
SUPPORTED = QTI_INTERACTIONS
INLINE = ("qti-text-entry-interaction", "qti-inline-choice-interaction")
MEDIA_TAGS = frozenset({"img", "audio", "video", "object", "source", "qti-media-interaction"})
# Elements that show media; each must be placed in the item (or the item is refused).
MEDIA_ELEMENTS = ("img", "audio", "video", "object", "embed", "iframe", "picture")
FEEDBACK = ("qti-feedback-inline", "qti-feedback-block", "qti-modal-feedback")
CONTAINERS = frozenset(
    {"div", "section", "article", "aside", "header", "footer", "blockquote", "figure",
     "qti-content-body", "main", "nav"}
)  # fmt: skip
INT_META = ("min_words", "max_words", "preparation_seconds", "max_recording_seconds")
GAP_MARK = "___"
# Kinds of approximation: scoring ones change a score (opt-in per import), the others name
# what is shown or kept differently (KEPT: a source rule kept, with how Attest uses it).
SCORING, PRESENTATION, KEPT = "scoring", "presentation", "kept"
# The adaptive engine takes right/wrong per question (adaptive.record_unit rounds the score).
ROUNDED = "adaptive tests count a partial score above 0.5 as right, 0.5 or less as wrong"
_SENTINEL = "\x00"
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def is_container(tag: str) -> bool:
    """Return True for block wrappers that only lay out their content (divs, layout grid)."""
    return tag in CONTAINERS or tag.startswith("qti-layout-")


def meta_number(text: str, name: str, where: str) -> int | float:
    try:
        return number(text)
    except ValueError:
        raise QtiError(f"{where}: {name}: expected a number; got {text!r}") from None


def _float(value: str | None, default: float = 0.0) -> float:
    try:
        return float(value) if value is not None else default
    except ValueError:
        return default


def _remove(parent: ET.Element, child: ET.Element) -> None:
    """Remove ``child`` but keep the text that follows it."""
    tail = child.tail or ""
    siblings = list(parent)
    index = siblings.index(child)
    if index:
        siblings[index - 1].tail = (siblings[index - 1].tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(child)


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class BodyReader:
    """Reading state of one item: its responses, media found, problems and approximations."""

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
        self.approximations: list[tuple[str, str]] = []  # (scoring|presentation, what)
        self.staff_notes: list[str] = []  # rubric blocks for scorers/authors
        self.accounted: set[int] = set()  # ids of media elements placed in the item
        self.formulas: set[int] = set()  # ids of math elements kept in a field shown as markup
        self.stimuli: list[str] = []  # texts of shared stimuli, shown before the item
        self.declarations = {d.get("identifier"): d for d in root.iter("qti-response-declaration")}
        if not exact:
            self._clean()
        self.parents = {child: parent for parent in body.iter() for child in parent}

    # -- cleaning -------------------------------------------------------------------------

    def _clean(self) -> None:
        """Take out what a candidate does not see while answering; refuse what cannot be shown."""
        feedback = self._strip(self.body)
        for element in self.body.iter():
            if element.tag == "svg":
                raise QtiError(
                    f"{self.where}: inline SVG is not supported: an Attest item shows media as "
                    "files (img); refused"
                )
        for ref in self.root.iter("qti-assessment-stimulus-ref"):
            self.stimuli.append(self._stimulus(ref))
        for sheet in self.root.iter("qti-stylesheet"):
            self.approx(
                PRESENTATION,
                f"stylesheet {sheet.get('href', '')} not applied: Attest lays items out itself",
            )
        feedback += sum(1 for e in self.root if e.tag == "qti-modal-feedback")
        if feedback:
            self.approx(
                PRESENTATION,
                f"feedback left out ({feedback} element(s)): Attest shows candidates no feedback",
            )
        if self.root.find("qti-companion-materials-info") is not None:
            self.approx(PRESENTATION, "companion materials (qti-companion-materials-info) left out")

    def _stimulus(self, ref: ET.Element) -> str:
        """Return the text of a shared stimulus (qti-assessment-stimulus-ref)."""
        path = resolve(self.member, ref.get("href", ""), self.where)
        if path not in self.package.files:
            raise QtiError(f"{self.where}: refers to {path}, which is not in the package")
        root, _ = parse_item(self.package, path, expected="qti-assessment-stimulus")
        body = root.find("qti-stimulus-body")
        if body is None:
            raise QtiError(f"{self.package.where(path)}: stimulus without qti-stimulus-body")
        self._strip(body)
        shown = [e.tag for e in body.iter() if e.tag in (*MEDIA_ELEMENTS, "svg")]
        if shown:
            raise QtiError(
                f"{self.package.where(path)}: shared stimulus with <{shown[0]}>: Attest reads "
                "the text of a stimulus only; refused"
            )
        return read_text(body, collapse=True, math=self.math_text)

    def _strip(self, parent: ET.Element) -> int:
        """Remove feedback, rubric blocks for other views and hidden text; return feedbacks."""
        feedback = 0
        for element in list(parent):
            tag = element.tag
            if tag in FEEDBACK:
                _remove(parent, element)
                feedback += 1
                continue
            if tag == "qti-rubric-block":
                views = element.get("view", "").split()
                if views and "candidate" not in views:
                    note = read_text(element, collapse=True)
                    if any(e.tag == "math" for e in element.iter()):
                        self.approx(
                            PRESENTATION,
                            "MathML in a rubric for staff kept as its characters in the "
                            "author note",
                        )
                    if note:
                        self.staff_notes.append(f"{' '.join(views)}: {note}")
                    _remove(parent, element)
                    continue
                element.tag = "div"  # a rubric for the candidate: read as prose
            elif "qti-visually-hidden" in element.get("class", "").split():
                hidden = read_text(element, collapse=True)
                _remove(parent, element)
                self.approx(PRESENTATION, f"screen-reader-only text {_short(hidden)!r} left out")
                continue
            feedback += self._strip(element)
        return feedback

    def approx(self, kind: str, what: str) -> None:
        if (kind, what) not in self.approximations:
            self.approximations.append((kind, what))

    # -- structure ------------------------------------------------------------------------

    def text(self, element: ET.Element, math: bool = False, **kwargs: Any) -> str:
        """Return an element's text; with ``math`` (always for Attest items) formulas are kept
        as sanitised MathML, else read as their characters (and the item refused for them by
        ``check_math_placed``)."""
        handler = self.math_text if math or self.exact else None
        return read_text(element, collapse=not self.exact, math=handler, **kwargs)

    def math_text(self, element: ET.Element) -> str:
        """Return a formula as the sanitised MathML kept in the item (attest.assessment.mathml).

        What MathML Core does not draw is left out and named; what cannot be kept refuses the
        item.
        """
        self.formulas.add(id(element))
        try:
            clean = mathml.sanitize(element)
        except mathml.MathError as exc:
            self.problems.append(f"MathML refused: {exc}")
            return ""
        if clean.left_out:
            self.approx(
                PRESENTATION,
                "MathML: left out what browsers do not draw: " + ", ".join(clean.left_out),
            )
        return clean.markup

    def check_math_placed(self) -> None:
        """Refuse the item if a formula sits where Attest shows plain text (never flattened)."""
        for element in self.body.iter("math"):
            if id(element) not in self.formulas:
                parent = self.parents.get(element)
                where = parent.tag if parent is not None else "the body"
                self.problems.append(
                    f"MathML inside <{where}>: Attest shows that place as plain text, so the "
                    "formula would be flattened; MathML is kept in the stem, the text, choice "
                    "options, text-entry gap prompts and inline-choice sentences"
                )

    def interactions(self) -> list[ET.Element]:
        return [e for e in self.body.iter() if e.tag in SUPPORTED]

    def holds_interaction(self, element: ET.Element) -> bool:
        return any(e.tag in SUPPORTED for e in element.iter())

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
        interaction = self.interactions()[0]
        decl = self.declarations.get(interaction.get("response-identifier"))
        multiple = decl is not None and decl.get("cardinality") == "multiple"
        if tag == "qti-upload-interaction" and not self.exact:
            accepted = self.interactions()[0].get("type", "")
            if not accepted.startswith("audio/"):
                raise QtiError(
                    f"{self.where}: item {self.root.get('identifier')}: upload interaction "
                    f"accepts {accepted or 'any file type'}; Attest only takes audio recordings "
                    "(type audio/*) as speaking tasks"
                )
        return qti_format(tag, "multiple" if multiple else "single").name

    def the_interaction(self, tag: str) -> ET.Element:
        found = [e for e in self.interactions() if e.tag == tag]
        if len(found) != 1:
            raise QtiError(
                f"{self.where}: item {self.root.get('identifier')}: expected one {tag}; "
                f"found {len(found)}"
            )
        return found[0]

    # -- responses ------------------------------------------------------------------------

    def declaration(self, interaction: ET.Element) -> ET.Element:
        rid = interaction.get("response-identifier")
        decl = self.declarations.get(rid)
        if decl is None:
            raise QtiError(f"{self.where}: no qti-response-declaration for {rid!r}")
        return decl

    def mapping(self, interaction: ET.Element) -> list[tuple[str, float, bool]] | None:
        """Return the (key, value, case-sensitive) entries of the response's mapping, or None."""
        mapping = self.declaration(interaction).find("qti-mapping")
        if mapping is None:
            return None
        default_case = mapping.get("case-sensitive", "true") != "false"
        return [
            (
                e.get("map-key", ""),
                _float(e.get("mapped-value")),
                e.get("case-sensitive", "true" if default_case else "false") != "false",
            )
            for e in mapping.iter("qti-map-entry")
        ]

    def correct(self, interaction: ET.Element) -> list[str]:
        decl = self.declaration(interaction)
        return [self.text(v).strip() for v in decl.iter("qti-value") if _in_correct(decl, v)]

    def key(self, interaction: ET.Element) -> list[str]:
        """Return the correct values of an interaction's response (top mapping keys if none)."""
        values = self.correct(interaction)
        if not values:
            entries = self.mapping(interaction) or []
            top = max((v for _, v, _ in entries), default=0.0)
            values = [k for k, v, _ in entries if v > 0 and v == top]
        if not values:
            rid = interaction.get("response-identifier")
            self.problems.append(f"response {rid}: no correct response (qti-correct-response)")
        return values

    def check_choice_mapping(self, interaction: ET.Element, ids: list[str], keyed: list[str],
                             multiple: bool) -> str | None:  # fmt: skip
        """Compare a choice mapping with Attest's rule; name the approximation if they differ.

        Returns the Attest scoring rule the mapping comes closest to (``partial`` or None).
        """
        entries = self.mapping(interaction)
        if entries is None:
            return None
        mapping = self.declaration(interaction).find("qti-mapping")
        default = _float(mapping.get("default-value"))
        values = {k: v for k, v, _ in entries}
        value = {i: values.get(i, default) for i in ids}
        listed = ", ".join(f"{i}={_num(value[i])}" for i in ids)
        if not multiple:
            others = [i for i in ids if i not in keyed and value[i] > 0]
            if others:
                self.approx(
                    SCORING,
                    f"mapping {listed}: only the top choice scores in Attest; partial credit "
                    f"for {', '.join(others)} dropped",
                )
            return None
        share = value[keyed[0]] if keyed else 0
        lower = mapping.get("lower-bound")
        uniform = (
            share > 0
            and all(value[i] == share for i in keyed)
            and all(value[i] == -share for i in ids if i not in keyed)
            and lower is not None
            and _float(lower) == 0
        )
        if not uniform:
            self.approx(
                SCORING,
                f"mapping {listed} (lower bound {lower or 'none'}) replaced by Attest's "
                "partial credit: +1/k per keyed option, -1/k per other option, at least 0",
            )
        return "partial"

    def gap_accept(self, interaction: ET.Element, gap: int) -> list[str | dict[str, Any]]:
        """Return a gap's accepted answers with their scores and case rules (text_entry).

        The mapped values become scores relative to the top value (or the upper bound); an
        entry's case rule is kept where its text has letters. A correct response without a
        mapping is compared as response processing does: case-sensitively (QTI ``match``)
        unless a ``qti-string-match`` on the response says ``case-sensitive="false"``.
        """
        entries = self.mapping(interaction)
        where = f"gap {gap}"
        found: list[Variant] = []
        if entries is not None:
            mapping = self.declaration(interaction).find("qti-mapping")
            found = self._mapped_variants(mapping, entries, where)
        if not found:
            exact = self._string_match_case(interaction.get("response-identifier"))
            found = [Variant(c, 1.0, exact and _has_case(c)) for c in self.correct(interaction)]
        clashes = collisions(found)
        for clash in clashes:
            self.problems.append(f"{where}: answers that cannot be told apart: {clash}")
        if not found:
            rid = interaction.get("response-identifier")
            self.problems.append(f"response {rid}: no correct response (qti-correct-response)")
        return [] if clashes else [v.as_field() for v in found]

    def _string_match_case(self, rid: str | None) -> bool:
        """Return the case rule response processing compares the response with: that of a
        ``qti-string-match`` on it (``case-sensitive``, default true), else exact (``match``)."""
        for match in self.root.iter("qti-string-match"):
            if any(v.get("identifier") == rid for v in match.iter("qti-variable")):
                return match.get("case-sensitive", "true") != "false"
        return True

    def _mapped_variants(
        self, mapping: ET.Element, entries: list[tuple[str, float, bool]], where: str
    ) -> list[Variant]:
        """Turn map entries into variants; name what a score in Attest cannot keep."""
        top = max((v for _, v, _ in entries), default=0.0)
        upper = mapping.get("upper-bound")
        scale = min(top, _float(upper)) if upper is not None and _float(upper) > 0 else top
        if scale <= 0:
            return []
        found = [
            Variant(k, round(min(v, scale) / scale, 6), cs and _has_case(k))
            for k, v, cs in entries
            if v > 0
        ]
        lower = mapping.get("lower-bound")
        floor = _float(lower) if lower is not None else None
        for k, v, _ in entries:
            if v < 0 and (floor is None or floor < 0):
                self.approx(
                    SCORING, f"{where}: {k!r} is worth {_num(v)} in the source; Attest scores it 0"
                )
        if floor is not None and floor > 0:
            self.approx(
                SCORING,
                f"{where}: lower-bound {_num(floor)} ignored; Attest gives other answers 0",
            )
        default = _float(mapping.get("default-value"))
        if default != 0:
            self.approx(
                SCORING,
                f"{where}: default-value {_num(default)} for any other answer not kept; "
                "Attest gives other answers 0",
            )
        if any(v.score < 1 for v in found):
            listed = " / ".join(
                f"{k} {_num(v)}" + (" (case-sensitive)" if cs and _has_case(k) else "")
                for k, v, cs in entries
                if v > 0
            )
            relative = f" (scores relative to {_num(scale)})" if scale != 1 else ""
            self.approx(KEPT, f"{where}: mapping {listed} kept{relative}; {ROUNDED}")
        return found

    def accepted(self, interaction: ET.Element) -> list[str | dict[str, Any]]:
        """Accepted variants of an Attest item's gap (exact mode): the mapping entries."""
        entries = self.mapping(interaction) or []
        mapped = [Variant(k, v, cs).as_field() for k, v, cs in entries if v > 0]
        return mapped or list(self.key(interaction))

    # -- media ----------------------------------------------------------------------------

    def media_ref(self, element: ET.Element) -> tuple[str, str] | None:
        """Return (kind, member path) of an img/audio/object, or None if it holds no file."""
        self.accounted.add(id(element))
        src = element.get("src") or element.get("data")
        for inner in element.iter("source"):
            self.accounted.add(id(inner))
            src = src or inner.get("src")
        if not src:
            return None
        if src.startswith("data:"):
            raise QtiError(
                f"{self.where}: <{element.tag}> holds its media as a data: URI; Attest takes "
                "media as files inside the package; refused"
            )
        if _SCHEME.match(src) or src.startswith("//"):
            raise QtiError(
                f"{self.where}: <{element.tag}> refers to the external media {src!r}; media "
                "must be files inside the package (docs/qti.md); refused"
            )
        path = resolve(self.member, src, self.where)
        if path not in self.package.files:
            raise QtiError(f"{self.where}: refers to {path}, which is not in the package")
        suffix = "." + path.rsplit(".", 1)[-1].lower() if "." in path else ""
        kinds = [k for k, exts in MEDIA_KINDS.items() if suffix in exts]
        if not kinds or element.tag in ("video", "embed", "iframe"):
            raise QtiError(
                f"{self.where}: media {path} (<{element.tag}>): Attest shows images and audio "
                "only; expected one of "
                + ", ".join(e for exts in MEDIA_KINDS.values() for e in exts)
            )
        kind = {"img": "image", "audio": "audio"}.get(element.tag)
        return element.get(ATTR + "media") or (kind if kind in kinds else kinds[0]), path

    def collect_media(self, element: ET.Element, prefix: str) -> None:
        targets = [element] if element.tag in MEDIA_ELEMENTS else []
        targets += [c for c in element.iter() if c is not element and c.tag in MEDIA_ELEMENTS]
        for child in targets:
            if id(child) in self.accounted and prefix == "":
                continue
            ref = self.media_ref(child)
            if ref is None:
                continue
            kind, path = ref
            key = f"{prefix}{kind}"
            if key in self.media and self.media[key] != path:
                self.problems.append(f"{key}: more than one {kind}; an Attest item has one")
            self.media.setdefault(key, path)

    def check_media_placed(self) -> None:
        """Refuse the item if a media element was not placed anywhere (never drop silently)."""
        for element in self.body.iter():
            if element.tag in MEDIA_ELEMENTS and id(element) not in self.accounted:
                parent = self.parents.get(element)
                where = parent.tag if parent is not None else "the body"
                src = element.get("src") or element.get("data") or ""
                self.problems.append(
                    f"media <{element.tag} {src}> inside <{where}>: Attest has no place for "
                    "media there"
                )

    # -- texts ----------------------------------------------------------------------------

    def choices(
        self, parent: ET.Element, tag: str, prefix: str, math: bool = False
    ) -> tuple[list[dict], list[str]]:
        options, ids = [], []
        for i, choice in enumerate(c for c in parent if c.tag == tag):
            ids.append(choice.get("identifier", ""))
            text = self.text(choice, skip=MEDIA_TAGS, math=math)
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
        """Return the interaction's prompt; an empty one is no prompt (the stem stays)."""
        prompt = interaction.find("qti-prompt")
        if prompt is None:
            return None
        self.collect_media(prompt, "")
        text = self.text(prompt, skip=MEDIA_TAGS, math=True)
        return text if text.strip() else None

    def loose(self, parent: ET.Element) -> list[ET.Element | str]:
        """Return the blocks and loose text outside the interactions, in reading order.

        Wrappers that hold an interaction (divs, layout rows and columns) are opened, so the
        prose beside the interaction is kept.
        """
        found: list[ET.Element | str] = []
        if parent.text and parent.text.strip():
            found.append(parent.text)
        for child in parent:
            if not self.holds_interaction(child):
                found.append(child)
            elif child.tag not in SUPPORTED and is_container(child.tag):
                found += self.loose(child)
            if child.tail and child.tail.strip():
                found.append(child.tail)
        return found

    def common(self) -> dict[str, Any]:
        """Return stem, text, points and item media from the body outside the interactions."""
        found: dict[str, Any] = {}
        loose: list[str] = []
        for block in self.loose(self.body):
            if isinstance(block, str):
                text = " ".join(block.split())
                if text:
                    loose.append(text)
                continue
            if block.tag == "qti-rubric-block":
                continue  # an Attest item's texts for staff, read by cards()
            classes = block.get("class", "").split()
            self.collect_media(block, "")
            if block.tag in MEDIA_ELEMENTS or block.tag == "qti-media-interaction":
                continue
            if "attest-stem" in classes:
                found["stem"] = self.text(block, math=True)
            elif "attest-text" in classes:
                found["text"] = self.text(block, math=True)
            elif "attest-points" in classes:
                found["points"] = [self.text(li) for li in block if li.tag == "li"]
            elif "attest-media" not in classes:
                text = read_text(block, skip=MEDIA_TAGS, collapse=True, math=self.math_text)
                if text:
                    loose.append(text)
        prompts = [p for p in (self.prompt(i) for i in self.interactions()) if p is not None]
        if "stem" not in found and prompts:
            found["stem"] = prompts[0]
        if "stem" not in found and loose:
            found["stem"] = loose.pop()  # no prompt: the last paragraph is the instruction
        loose = [t for t in self.stimuli if t] + loose
        if "text" not in found and loose:
            found["text"] = "\n".join(loose)
        if "stem" not in found:
            self.problems.append("stem: no qti-prompt and no paragraph to use as the question")
        for kind in ("audio", "image"):
            if kind in self.media:
                found.setdefault("media", {})[kind] = self.media[kind]
        return found

    def cards(self) -> dict[str, str]:
        """Return the texts for staff of an Attest item by catalog support (see common.py)."""
        cards = {}
        for block in self.body.iter("qti-rubric-block"):
            for css in block.get("class", "").split():
                if css in STAFF_BLOCKS:
                    paragraph = block.find("qti-content-body/p")
                    if paragraph is not None:
                        cards[STAFF_BLOCKS[css][1]] = read_text(paragraph)
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
        """Return the blocks that hold interactions of ``tag``, in order.

        A host is the nearest enclosing block that is not a layout wrapper; an interaction
        standing directly in a wrapper (or the body) is its own host.
        """
        found: list[ET.Element] = []
        for interaction in self.body.iter(tag):
            host = interaction
            parent = self.parents.get(interaction)
            while parent is not None and parent is not self.body and not is_container(parent.tag):
                host = parent
                parent = self.parents.get(parent)
            if host not in found:
                found.append(host)
        return found

    def segments(self, host: ET.Element, tag: str) -> list[str]:
        if host.tag == tag:
            return ["", ""]
        return self.text(host, mark={tag: _SENTINEL}, math=True).split(_SENTINEL)


def _num(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)


def _has_case(text: str) -> bool:
    """Return whether a case rule can matter for the text (it holds letters with a case)."""
    return text.lower() != text.upper()


def _in_correct(decl: ET.Element, value: ET.Element) -> bool:
    correct = decl.find("qti-correct-response")
    return correct is not None and any(v is value for v in correct.iter("qti-value"))
