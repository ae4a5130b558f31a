"""Lint an item bank beyond its schema: keys, options, media, audio length, text length.

``load_bank`` rejects what is malformed (a duplicate id, a missing key, a missing media file, a
difficulty outside its band) with a BankError; the lint then looks at a bank that loads for what
is legal but wrong: a key that another option repeats, a file in media/ that no item uses, a clip
or text too long for its level. Thresholds are data in ``lint_rules``; README "Bank lint".
"""

from __future__ import annotations

import struct
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from attest.assessment import lint_gates as gates
from attest.assessment import lint_rules as rules
from attest.assessment import mathml
from attest.assessment.bank import MEDIA_DIR, Bank, ItemSpec, _field_line, _parse_yaml, load_bank
from attest.assessment.formats import get_format
from attest.vocabulary import LEVELS, SKILLS


@dataclass(frozen=True)
class Finding:
    """One lint finding: where it is, which item, what kind (``code``) and what is wrong."""

    file: str
    line: int | None
    item: str | None
    code: str
    message: str

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        item = f" item {self.item}" if self.item else ""
        return f"{where}{item}: {self.message}"


def lint_bank(root: Path) -> list[Finding]:
    """Load the bank under ``root`` (BankError on schema problems) and return its findings."""
    return lint(load_bank(Path(root)))


def lint(bank: Bank) -> list[Finding]:
    """Return the findings of a loaded bank, ordered by file and line."""
    where = _Locator(bank.root)
    findings = [f for item in bank.items for f in _check_keys(item, where)]
    findings += _check_lengths(bank.items, where)
    findings += _check_audio(bank.items, where)
    findings += _check_unused_media(bank)
    findings += [_gate_finding(g, where) for g in gates.check(bank.items)]
    findings = _apply_allowances(bank, findings, where)
    return sorted(findings, key=lambda f: (f.file, f.line or 0, f.item or "", f.code))


def _gate_finding(gate: gates.Gate, where: _Locator) -> Finding:
    item, code, field, message, owner = gate
    if item is None:  # a figure per skill and level (field "reading/B2"): its folder
        return Finding((where.root / field.lower()).as_posix(), None, None, code, message)
    return where.finding(item, code, message, field, owner)


def _apply_allowances(bank: Bank, findings: list[Finding], where: _Locator) -> list[Finding]:
    """Drop findings an item (or, for its stimulus, its testlet) excuses with lint_allow, and
    flag excuses that excuse nothing."""
    excused: dict[str, set[str]] = {}
    for item in bank.items:
        for owner in filter(None, (item.id, item.testlet)):
            excused.setdefault(owner, set()).update(item.lint_allow)
    raised: dict[str, set[str]] = {}
    for f in findings:
        raised.setdefault(f.item or "", set()).add(f.code)
    kept = [f for f in findings if f.code not in excused.get(f.item or "", set())]
    return kept + [_gate_finding(g, where) for g in gates.stale_allowances(bank.items, raised)]


def summarize(bank: Bank) -> list[str]:
    """Return report lines: the number of items per skill and level, split by format."""
    counts = Counter((i.skill, i.level, i.format) for i in bank.items)
    lines = [f"{len(bank.items)} items ({len(bank.testlets())} testlets), no findings"]
    for skill in SKILLS:
        for level in LEVELS:
            formats = {
                f: n for (s, lv, f), n in sorted(counts.items()) if (s, lv) == (skill, level)
            }
            if formats:
                split = ", ".join(f"{f} {n}" for f, n in formats.items())
                lines.append(f"  {skill:<9} {level}: {sum(formats.values()):>3}  ({split})")
    return lines + _balance_lines(bank)


def _balance_lines(bank: Bank) -> list[str]:
    """Report key balance per skill and level even when it passes (the gates judge it)."""
    positions = gates.key_position_table(bank.items)
    longest = gates.key_longest_table(bank.items)
    lines = ["key balance (keys by bank position; key longest of single_choice):"]
    for cell in sorted(positions):
        counts = positions[cell]
        split = " ".join(f"{k}={n}" for k, n in sorted(counts.items()))
        n_long, n_sc = longest.get(cell, (0, 0))
        share = f"{n_long}/{n_sc}" if n_sc else "-"
        lines.append(f"  {cell[0]:<9} {cell[1]}: {split}; key longest {share}")
    return lines if positions else []


# --- where an item and its fields are in the YAML -------------------------------------------


class _Locator:
    """Map item and testlet ids to their YAML nodes, to give each finding a line."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._nodes: dict[str, dict[str, yaml.Node]] = {}

    def file(self, source: str) -> str:
        return (self.root / source).as_posix()

    def line(self, source: str, ident: str, field: str = "") -> int | None:
        if source not in self._nodes:
            self._nodes[source] = _index(self.root / source)
        node = self._nodes[source].get(ident)
        return None if node is None else _field_line(node, field)

    def finding(
        self, item: ItemSpec, code: str, message: str, field: str = "", owner: str = ""
    ) -> Finding:
        ident = owner or item.id
        return Finding(
            self.file(item.source), self.line(item.source, ident, field), ident, code, message
        )


def _index(path: Path) -> dict[str, yaml.Node]:
    """Return the mapping node of every item and testlet of one file, keyed by id."""
    node, _ = _parse_yaml(path.read_text(encoding="utf-8"))
    found: dict[str, yaml.Node] = {}
    for entry in node.value if isinstance(node, yaml.SequenceNode) else ():
        fields = dict(_scalar_keys(entry))
        for key in ("id", "testlet"):
            if isinstance(fields.get(key), yaml.ScalarNode):
                found.setdefault(fields[key].value, entry)
        items = fields.get("items")
        for child in items.value if isinstance(items, yaml.SequenceNode) else ():
            ident = dict(_scalar_keys(child)).get("id")
            if isinstance(ident, yaml.ScalarNode):
                found.setdefault(ident.value, child)
    return found


def _scalar_keys(node: yaml.Node) -> Iterator[tuple[str, yaml.Node]]:
    if isinstance(node, yaml.MappingNode):
        yield from ((k.value, v) for k, v in node.value if isinstance(k, yaml.ScalarNode))


# --- keys and options -----------------------------------------------------------------------


def _check_keys(item: ItemSpec, where: _Locator) -> list[Finding]:
    """Ask the item's format for a key that is legal but ambiguous (its ``key_issues``)."""
    issues = get_format(item.format).key_issues(item.content)
    return [where.finding(item, code, message, field) for code, field, message in issues]


# --- text and sentence length ---------------------------------------------------------------


def _check_lengths(items: list[ItemSpec], where: _Locator) -> list[Finding]:
    findings: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for item in items:
        checks = [("stem", rules.STEM_WORDS, item.id)]
        shared = item.testlet or item.id  # a testlet's stimulus is checked once, on the testlet
        if item.skill == "reading" and "text" in item.content:
            checks.append(("text", rules.READING_TEXT_WORDS, shared))
        if item.skill == "listening" and "transcript" in item.content:
            checks.append(("transcript", rules.TRANSCRIPT_WORDS, shared))
        for field, ranges, owner in checks:
            if (owner, field) in seen:
                continue
            seen.add((owner, field))
            text, level = mathml.plain(str(item.content[field])), item.level
            low, high = ranges[level]
            words, mean = rules.count_words(text), rules.mean_sentence_words(text)
            if not low <= words <= high:
                message = f"{field} has {words} words; {level} allows {low}-{high}"
                findings.append(where.finding(item, "text-length", message, field, owner))
            cap = rules.MEAN_SENTENCE_WORDS[level]
            if mean > cap:
                message = (
                    f"{field} has {mean:.1f} words per sentence on average; "
                    f"{level} allows at most {cap:g}"
                )
                findings.append(where.finding(item, "sentence-length", message, field, owner))
    return findings


# --- audio ----------------------------------------------------------------------------------


def ogg_duration(path: Path) -> float:
    """Return the duration in seconds of an Ogg Vorbis or Ogg Opus file, from its pages alone.

    The last page's granule position counts samples (RFC 3533); the identification header gives
    the sample rate for Vorbis (Vorbis I spec, 4.2.2), while Opus counts at 48 kHz after its
    pre-skip (RFC 7845, 4). Raise ValueError when the file is not such a stream.
    """
    data = path.read_bytes()
    pos, serial, rate, pre_skip, granule = 0, None, 0.0, 0, -1
    while pos < len(data):
        if data[pos : pos + 4] != b"OggS" or pos + 27 > len(data):
            raise ValueError(f"not an Ogg page at byte {pos}")
        page_granule, page_serial = struct.unpack_from("<qI", data, pos + 6)
        segments = data[pos + 27 : pos + 27 + data[pos + 26]]
        body = pos + 27 + len(segments)
        if serial is None:
            serial = page_serial
            head = data[body : body + 19]
            if head[:7] == b"\x01vorbis" and len(head) >= 16:
                rate = float(struct.unpack_from("<I", head, 12)[0])
            elif head[:8] == b"OpusHead" and len(head) >= 12:
                rate, pre_skip = 48000.0, struct.unpack_from("<H", head, 10)[0]
            else:
                raise ValueError("expected an Ogg Vorbis or Opus stream")
        if page_serial == serial and page_granule != -1:
            granule = page_granule
        pos = body + sum(segments)
    if not rate or granule < 0:
        raise ValueError("found no sample rate or no audio pages")
    return max(0, granule - pre_skip) / rate


def _check_audio(items: list[ItemSpec], where: _Locator) -> list[Finding]:
    findings: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    durations: dict[Path, float | str] = {}
    for item in items:
        for key, ref in item.media.items():
            if not (key == "audio" or key.endswith(".audio")):
                continue
            field = key if "." in key else f"media.{key}"
            owner = item.testlet if item.testlet and "." not in key else item.id
            if (owner, field) in seen:
                continue
            seen.add((owner, field))
            path = where.root / MEDIA_DIR / ref
            if path not in durations:
                durations[path] = _measure(path)
            seconds, cap = durations[path], rules.MAX_AUDIO_SECONDS[item.level]
            if isinstance(seconds, str):
                findings.append(where.finding(item, "audio-unreadable", seconds, field, owner))
            elif seconds > cap:
                message = (
                    f"audio {ref} lasts {seconds:.1f} s; {item.level} allows at most {cap:g} s"
                )
                findings.append(where.finding(item, "audio-length", message, field, owner))
    return findings


def _measure(path: Path) -> float | str:
    """Return the duration in seconds, or why it cannot be read."""
    if path.suffix.lower() not in (".ogg", ".opus"):
        return f"cannot measure {path.suffix} audio; the lint reads Ogg Vorbis and Opus"
    try:
        return ogg_duration(path)
    except (OSError, ValueError, struct.error) as exc:
        return f"cannot read the duration of {path.name}: {exc}"


# --- media nobody uses ----------------------------------------------------------------------


def _check_unused_media(bank: Bank) -> list[Finding]:
    media = bank.root / MEDIA_DIR
    used = {ref for item in bank.items for ref in item.media.values()}
    findings = []
    for path in sorted(media.rglob("*")) if media.is_dir() else ():
        rel = path.relative_to(media).as_posix()
        # media/provenance.yaml says where each clip comes from (attest.assessment.provenance).
        if rel == "provenance.yaml":
            continue
        if path.is_file() and not path.name.startswith(".") and rel not in used:
            message = "media file is used by no item; reference it or delete it"
            findings.append(Finding(path.as_posix(), None, None, "unused-media", message))
    return findings
