"""The rules an item in the bank must follow: vocabularies, difficulty bands, common fields.

Everything a test author may need to look up is data here, so a new domain or a recalibrated
band is a one-line change. ``check_item`` returns problems as (field, message) pairs; the loader
in ``bank`` adds files and lines.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any

from attest.assessment.formats import FORMATS
from attest.assessment.mathml import check_item_math
from attest.vocabulary import LEVELS, SKILLS

SKILL_CODES = {"listening": "lu", "reading": "lz", "speaking": "sp", "writing": "sc"}
DOMAINS = (
    "wonen",
    "werk",
    "gezondheid",
    "onderwijs",
    "vervoer",
    "winkelen",
    "administratie",
    "vrije_tijd",
)
STATUSES = ("draft", "pilot", "live", "retired")

# Provisional Rasch difficulty (logits) per level, until calibration on pilot data.
# Bands are contiguous: low <= difficulty < high, except that the top band includes its high.
DIFFICULTY_BANDS: dict[str, tuple[float, float]] = {
    "A1": (-3.0, -1.0),
    "A2": (-1.0, 0.5),
    "B1": (0.5, 2.0),
    "B2": (2.0, 3.5),
}
assert tuple(DIFFICULTY_BANDS) == LEVELS, "one difficulty band per CEFR level, in order"

# Fields kept as item metadata; every other field goes into the item's content.
META_FIELDS = (
    "id",
    "skill",
    "level",
    "domain",
    "format",
    "status",
    "difficulty",
    "author_note",
    "enemies",
    "lint_allow",
    "media",
)
OPTIONAL_FIELDS = ("media", "text", "transcript", "enemies", "lint_allow")
REQUIRED_FIELDS = tuple(f for f in META_FIELDS if f not in OPTIONAL_FIELDS) + ("stem",)
TEXT_FIELDS = ("author_note", "stem", "text", "transcript")
MEDIA_KINDS = {
    "audio": (".ogg", ".opus", ".mp3", ".m4a", ".webm"),
    "image": (".png", ".jpg", ".jpeg", ".webp", ".svg"),
}
ID_PATTERN = re.compile(r"^[a-z]{2}-(lu|lz|sp|sc)-(a1|a2|b1|b2)-\d{4}$")
# Enemy groups name a situation theme; a session never delivers two items of one group.
GROUP_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{1,62}$")
# lint_allow: {lint code: reason}; see attest.assessment.lint (codes) and docs/authoring-brief.md.
MIN_REASON_WORDS = 3

Problem = tuple[str, str]  # (field path, what was expected)


def in_band(level: str, difficulty: float) -> bool:
    """Return whether a difficulty lies in the band of its level."""
    low, high = DIFFICULTY_BANDS[level]
    return low <= difficulty < high or (level == LEVELS[-1] and difficulty == high)


def _known_level(item: Mapping[str, Any]) -> bool:
    return isinstance(item.get("level"), str) and item["level"] in DIFFICULTY_BANDS


def _choice(field: str, value: Any, allowed: tuple[str, ...] | list[str]) -> list[Problem]:
    if value in allowed:
        return []
    return [(field, f"expected one of {', '.join(allowed)}; got {value!r}")]


def _unknown_fields(item: Mapping[str, Any], allowed: set[str]) -> list[Problem]:
    problems = []
    for key in item:
        if key in allowed:
            continue
        close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        problems.append(
            (str(key), f"unknown field{hint}; expected one of {', '.join(sorted(allowed))}")
        )
    return problems


def _check_id(item: Mapping[str, Any]) -> list[Problem]:
    value = item["id"]
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        return [
            (
                "id",
                f"expected an id like nl-lz-a1-0001 (language-skill-level-number); got {value!r}",
            )
        ]
    # Only compare against skill and level that are themselves valid, to report each typo once.
    code = SKILL_CODES.get(item.get("skill"), "") if isinstance(item.get("skill"), str) else ""
    level = item["level"].lower() if _known_level(item) else ""
    _, got_code, got_level, _ = value.split("-")
    if code and level and (got_code, got_level) != (code, level):
        return [
            (
                "id",
                f"expected the id to carry skill code {code!r} and level {level!r}; got {value!r}",
            )
        ]
    return []


def _check_difficulty(item: Mapping[str, Any]) -> list[Problem]:
    value = item["difficulty"]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return [("difficulty", f"expected a number (logits); got {value!r}")]
    level = item.get("level")
    if _known_level(item) and not in_band(level, value):
        low, high = DIFFICULTY_BANDS[level]
        closing = "]" if level == LEVELS[-1] else ")"
        return [
            (
                "difficulty",
                f"expected a value in [{low}, {high}{closing} for level {level}; got {value}",
            )
        ]
    return []


def _check_media(item: Mapping[str, Any]) -> list[Problem]:
    media = item.get("media")
    problems: list[Problem] = []
    if media is not None and not isinstance(media, Mapping):
        return [("media", f"expected a mapping like 'audio: listening/a1/file.ogg'; got {media!r}")]
    media = media or {}
    for kind, path in media.items():
        if kind not in MEDIA_KINDS:
            problems.append(
                (f"media.{kind}", f"unknown media kind; expected {', '.join(MEDIA_KINDS)}")
            )
        elif not isinstance(path, str) or not path.lower().endswith(MEDIA_KINDS[kind]):
            problems.append(
                (
                    f"media.{kind}",
                    f"expected a path ending in {', '.join(MEDIA_KINDS[kind])}; got {path!r}",
                )
            )
    if item.get("skill") == "listening" and "audio" not in media:
        problems.append(("media.audio", "expected an audio file for a listening item"))
    if "audio" in media and not item.get("transcript"):
        problems.append(
            ("transcript", "expected a transcript for the audio (required with media.audio)")
        )
    return problems


def check_item(item: Mapping[str, Any]) -> list[Problem]:
    """Return every problem of one item mapping, common fields first, then format content."""
    fmt = FORMATS.get(item.get("format")) if isinstance(item.get("format"), str) else None
    allowed = set(REQUIRED_FIELDS) | set(OPTIONAL_FIELDS)
    if fmt is not None:
        allowed |= fmt.required_fields | fmt.optional_fields
    # Without a known format its fields are unknown too, so only a known format can flag typos.
    problems = _unknown_fields(item, allowed) if fmt is not None else []
    required = list(REQUIRED_FIELDS) + sorted(fmt.required_fields if fmt else ())
    missing = [f for f in required if f not in item]
    problems += [(f, "required field is missing") for f in missing]
    for field in TEXT_FIELDS:
        if field in item and not (isinstance(item[field], str) and item[field].strip()):
            problems.append((field, f"expected a non-empty text; got {item[field]!r}"))
    vocabularies = {
        "skill": SKILLS,
        "level": LEVELS,
        "domain": DOMAINS,
        "status": STATUSES,
        "format": sorted(FORMATS),
    }
    for field, allowed_values in vocabularies.items():
        if field in item:
            problems += _choice(field, item[field], allowed_values)
    if "id" in item:
        problems += _check_id(item)
    if "difficulty" in item:
        problems += _check_difficulty(item)
    problems += _check_media(item)
    problems += check_enemies(item) + check_lint_allow(item)
    problems += check_item_math(item, fmt.math_fields if fmt is not None else ())
    if fmt is not None and not any(f in fmt.required_fields for f in missing):
        content = {k: v for k, v in item.items() if k not in META_FIELDS}
        for error in fmt.validate(content):
            field, _, message = error.partition(": ")
            problems.append((field, message))
    return problems


def check_enemies(entry: Mapping[str, Any]) -> list[Problem]:
    """Return the problems of an `enemies` list (distinct group names like wijkagent-adres)."""
    if "enemies" not in entry:
        return []
    groups = entry["enemies"]
    if not (isinstance(groups, list) and groups):
        return [("enemies", f"expected a list of enemy group names; got {groups!r}")]
    problems = [
        (f"enemies[{i}]", f"expected a group name like 'ziek-melden' (a-z, 0-9, -, _); got {g!r}")
        for i, g in enumerate(groups)
        if not (isinstance(g, str) and GROUP_PATTERN.match(g))
    ]
    if len(set(map(str, groups))) != len(groups):
        problems.append(("enemies", "expected each group once"))
    return problems


def check_lint_allow(entry: Mapping[str, Any]) -> list[Problem]:
    """Return the problems of `lint_allow`: a mapping of lint codes to a reason in words."""
    if "lint_allow" not in entry:
        return []
    allowed = entry["lint_allow"]
    if not (isinstance(allowed, Mapping) and allowed):
        return [("lint_allow", f"expected a mapping 'lint code: reason'; got {allowed!r}")]
    return [
        (
            f"lint_allow.{code}",
            f"expected a reason of at least {MIN_REASON_WORDS} words why the finding is accepted;"
            f" got {reason!r}",
        )
        for code, reason in allowed.items()
        if not (isinstance(reason, str) and len(reason.split()) >= MIN_REASON_WORDS)
    ]


# Testlets: one stimulus (text, clip) with several items delivered and scored together. A file
# entry with ``testlet:`` declares the shared fields once; each of its ``items`` is a normal item
# without them. See question_banks/README.md, "Testlets".
TESTLET_PATTERN = re.compile(r"^[a-z]{2}-(lu|lz|sp|sc)-(a1|a2|b1|b2)-t\d{3}$")
TESTLET_SHARED = (
    "skill",
    "level",
    "domain",
    "status",
    "text",
    "media",
    "transcript",
    "enemies",
)
TESTLET_REQUIRED = ("testlet", "skill", "level", "domain", "status", "items")
TESTLET_FIELDS = (
    *TESTLET_REQUIRED,
    "text",
    "media",
    "transcript",
    "enemies",
    "author_note",
    "lint_allow",  # merged into each item's own lint_allow (stimulus findings sit here)
)
MIN_TESTLET_ITEMS, MAX_TESTLET_ITEMS = 2, 8


def is_testlet(entry: Any) -> bool:
    """Return whether a file entry declares a testlet rather than a single item."""
    return isinstance(entry, Mapping) and "testlet" in entry


def field_root(field: str) -> str:
    """Return the top-level field of a field path: 'media' for 'media.audio'."""
    return field.split(".", 1)[0].split("[", 1)[0]


def check_testlet(entry: Mapping[str, Any]) -> list[Problem]:
    """Return the problems of a testlet's own fields: id, items list, and the shared fields."""
    problems = _unknown_fields(entry, set(TESTLET_FIELDS))
    # Missing shared fields are reported by the check of the shared fields below.
    problems += [
        (f, "required field is missing")
        for f in TESTLET_REQUIRED
        if f not in entry and f not in TESTLET_SHARED
    ]
    value = entry.get("testlet")
    if not isinstance(value, str) or not TESTLET_PATTERN.match(value):
        problems.append(
            (
                "testlet",
                "expected a testlet id like nl-lz-a2-t001 (language-skill-level-t and 3 digits); "
                f"got {value!r}",
            )
        )
    else:
        code = SKILL_CODES.get(entry.get("skill")) if isinstance(entry.get("skill"), str) else None
        level = entry["level"].lower() if _known_level(entry) else None
        _, got_code, got_level, _ = value.split("-")
        if code and level and (got_code, got_level) != (code, level):
            problems.append(
                (
                    "testlet",
                    f"expected the testlet id to carry skill code {code!r} and level {level!r}; "
                    f"got {value!r}",
                )
            )
    if "author_note" in entry and not (
        isinstance(entry["author_note"], str) and entry["author_note"].strip()
    ):
        problems.append(("author_note", f"expected a non-empty text; got {entry['author_note']!r}"))
    problems += check_lint_allow(entry)
    items = entry.get("items")
    if "items" in entry and not (
        isinstance(items, list) and MIN_TESTLET_ITEMS <= len(items) <= MAX_TESTLET_ITEMS
    ):
        count = len(items) if isinstance(items, list) else repr(items)
        problems.append(
            (
                "items",
                f"expected a list of {MIN_TESTLET_ITEMS} to {MAX_TESTLET_ITEMS} items "
                f"(each starting with '- id: ...'); got {count}",
            )
        )
    # The shared fields follow the rules of any item; check them once, here, not per item.
    shared = {k: v for k, v in entry.items() if k in TESTLET_SHARED}
    problems += [p for p in check_item(shared) if field_root(p[0]) in TESTLET_SHARED]
    return problems


def check_testlet_item(entry: Mapping[str, Any], item: Mapping[str, Any]) -> list[Problem]:
    """Return the problems of one item of a testlet, leaving the shared fields to the testlet."""
    problems = [
        (k, "belongs to the testlet; give it once at the testlet level, not per item")
        for k in item
        if k in TESTLET_SHARED
    ]
    merged = testlet_item(entry, item)
    return problems + [p for p in check_item(merged) if field_root(p[0]) not in TESTLET_SHARED]


def testlet_item(entry: Mapping[str, Any], item: Mapping[str, Any]) -> dict[str, Any]:
    """Return the full item mapping: the testlet's shared fields plus the item's own fields."""
    own = {k: v for k, v in item.items() if k not in TESTLET_SHARED}
    merged = {**{k: v for k, v in entry.items() if k in TESTLET_SHARED}, **own}
    if isinstance(entry.get("lint_allow"), Mapping):
        own_allow = own.get("lint_allow") if isinstance(own.get("lint_allow"), Mapping) else {}
        merged["lint_allow"] = {**entry["lint_allow"], **own_allow}
    return merged
