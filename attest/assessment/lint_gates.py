"""Quality gates of the bank lint: what a test developer checks before signing an item set.

Each gate yields (item, code, field, message, owner) tuples; ``lint`` turns them into findings
with files and lines and drops those an item (or its testlet) excuses with
``lint_allow: {code: reason}`` (docs/authoring-brief.md, "Exceptions"). Aggregate gates (key
balance per skill and level) have no single item: they name the skill and level and the items
behind the figure, and leave excused items out of their counts. Pure: no Flask, no database.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence

from attest.assessment import lint_rules as rules
from attest.assessment import mathml, pronunciation
from attest.assessment.bank import ItemSpec
from attest.assessment.formats import get_format
from attest.assessment.shuffle import diagonal, is_shuffled

Gate = tuple[ItemSpec | None, str, str, str, str]  # item, code, field, message, owner
GATE_CODES = (
    "key-position",
    "key-longest",
    "text-short",
    "enemy-missing",
    "enemy-alone",
    "duplicate-stem",
    "arithmetic",
    "number-bait",
    "diagonal-key",
    "speech-lexicon",
)
AGGREGATE_CODES = ("key-position", "key-longest")


def gated(item: ItemSpec, code: str) -> bool:
    """Return whether the item's format submits its key to this gate (``lint_gates``)."""
    return code in get_format(item.format).lint_gates


def check(items: Sequence[ItemSpec]) -> list[Gate]:
    """Return what every gate finds in a loaded bank."""
    found: list[Gate] = []
    found += key_position(items)
    found += key_longest(items)
    found += text_short(items)
    found += enemies(items)
    found += duplicate_stems(items)
    found += speech_lexicon(items)
    for item in items:
        found += numbers(item) + diagonal_keys(item)
    return found


def allows(item: ItemSpec, code: str) -> bool:
    """Return whether the item justified an exception to this gate."""
    return code in item.lint_allow


# --- key balance ------------------------------------------------------------------------------


def _by_cell(items: Iterable[ItemSpec]) -> dict[tuple[str, str], list[ItemSpec]]:
    cells: dict[tuple[str, str], list[ItemSpec]] = defaultdict(list)
    for item in items:
        cells[(item.skill, item.level)].append(item)
    return cells


def _keys(item: ItemSpec) -> list[str]:
    answer = item.content["answer"]
    return list(answer) if isinstance(answer, list) else [answer]


def key_position_table(items: Sequence[ItemSpec]) -> dict[tuple[str, str], Counter[str]]:
    """Return, per skill and level, how often each bank position holds a key."""
    table: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for item in items:
        if gated(item, "key-position"):
            table[(item.skill, item.level)].update(_keys(item))
    return table


def key_position(items: Sequence[ItemSpec]) -> list[Gate]:
    """Flag a skill and level where one position holds over 40 % of the keys of items shown in
    bank order; shuffled items are shown in a per-candidate order, so only reported."""
    found = []
    fixed = [
        i
        for i in items
        if gated(i, "key-position")
        and not is_shuffled(i.format, i.content)
        and not allows(i, "key-position")
    ]
    for (skill, level), cell in sorted(_by_cell(fixed).items()):
        counts = Counter(k for i in cell for k in _keys(i))
        total = sum(counts.values())
        if len(cell) < rules.KEY_POSITION_MIN_ITEMS:
            continue
        letter, top = counts.most_common(1)[0]
        if top / total > rules.KEY_POSITION_MAX_SHARE:
            ids = ", ".join(i.id for i in cell if letter in _keys(i))
            message = (
                f"{skill} {level}: {top} of {total} keys of items in bank order are option "
                f"{letter!r} ({top / total:.0%}; at most {rules.KEY_POSITION_MAX_SHARE:.0%}); "
                f"move the key in some of {ids}, or let them be shuffled"
            )
            found.append((None, "key-position", f"{skill}/{level}", message, ""))
    return found


def key_is_longest(item: ItemSpec) -> bool:
    """Return whether a single_choice key is the one longest option (in characters)."""
    lengths = [len(str(o.get("text", ""))) for o in item.content["options"]]
    key = lengths["abcdefgh".index(item.content["answer"])]
    return key == max(lengths) and lengths.count(key) == 1


def key_longest_table(items: Sequence[ItemSpec]) -> dict[tuple[str, str], tuple[int, int]]:
    """Return, per skill and level, (items whose key is longest, all of them), for the formats
    with one keyed option (single_choice)."""
    table: dict[tuple[str, str], tuple[int, int]] = {}
    for cell, group in _by_cell(i for i in items if gated(i, "key-longest")).items():
        table[cell] = (sum(key_is_longest(i) for i in group), len(group))
    return table


def key_longest(items: Sequence[ItemSpec]) -> list[Gate]:
    """Flag a skill and level where the key is the longest option too often (a test-wise cue)."""
    found = []
    counted = [i for i in items if gated(i, "key-longest") and not allows(i, "key-longest")]
    for (skill, level), group in sorted(_by_cell(counted).items()):
        longest = [i for i in group if key_is_longest(i)]
        share = len(longest) / len(group)
        if share > rules.KEY_LONGEST_MAX_SHARE:
            message = (
                f"{skill} {level}: the key is the longest option in {len(longest)} of "
                f"{len(group)} items ({share:.0%}; at most {rules.KEY_LONGEST_MAX_SHARE:.0%}); "
                f"lengthen a distractor or shorten the key in some of "
                f"{', '.join(i.id for i in longest)}"
            )
            found.append((None, "key-longest", f"{skill}/{level}", message, ""))
    return found


def diagonal_keys(item: ItemSpec) -> list[Gate]:
    """Flag a matching or ordering item in bank order whose key sits on the diagonal (prompt i
    keyed to the option shown at place i; a fragment shown at its place in the key)."""
    if not gated(item, "diagonal-key") or is_shuffled(item.format, item.content):
        return []
    field = get_format(item.format).shuffle_field or ""
    shown = list("abcdefgh"[: len(item.content[field])])
    places = diagonal(item.format, item.content, shown)
    if not places:
        return []
    message = (
        f"shown in bank order (shuffle: false), the key sits on the diagonal at place(s) "
        f"{', '.join(str(p + 1) for p in places)}; reorder the options or let them be shuffled"
    )
    return [(item, "diagonal-key", "shuffle", message, item.id)]


# --- stimulus length --------------------------------------------------------------------------


def text_short(items: Sequence[ItemSpec]) -> list[Gate]:
    """Flag a reading text or transcript below the brief's minimum for its level."""
    found, seen = [], set()
    for item in items:
        fld = {"reading": "text", "listening": "transcript"}.get(item.skill)
        owner = item.testlet or item.id
        if fld is None or fld not in item.content or owner in seen:
            continue
        seen.add(owner)
        words = rules.count_words(str(item.content[fld]))
        low = rules.BRIEF_MIN_WORDS[item.skill][item.level]
        if words < low:
            message = (
                f"{fld} has {words} words; the brief asks at least {low} at {item.level} "
                "(docs/authoring-brief.md, length table)"
            )
            found.append((item, "text-short", fld, message, owner))
    return found


# --- the speech engine's lexicon -------------------------------------------------------------


def speech_lexicon(items: Sequence[ItemSpec]) -> list[Gate]:
    """Flag a word of a synthesised transcript that looks like one the speech engine says wrongly
    (a loanword, a brand, a name) and is not in its pronunciation lexicon."""
    lexicon = pronunciation.load_lexicon()
    found, seen = [], set()
    for item in items:
        owner = item.testlet or item.id
        if "audio" not in item.media or "transcript" not in item.content or owner in seen:
            continue
        seen.add(owner)
        for word, why in pronunciation.unlisted(str(item.content["transcript"]), lexicon):
            message = (
                f"{word!r} looks like a word espeak-ng says wrongly ({why}): add it to "
                "attest/assessment/data/pronunciation.yaml with its phonemes, or `ok: true` "
                "once you have checked it"
            )
            found.append((item, "speech-lexicon", "transcript", message, owner))
    return found


# --- enemies and duplicate stems --------------------------------------------------------------


def _units(items: Iterable[ItemSpec]) -> dict[str, list[ItemSpec]]:
    units: dict[str, list[ItemSpec]] = defaultdict(list)
    for item in items:
        units[item.testlet or item.id].append(item)
    return units


def _content_words(text: str) -> set[str]:
    text = mathml.plain(text)  # a formula's words are its characters, not its markup
    return {w for w in re.findall(r"[^\W\d_]{4,}", text.casefold()) if w not in rules.STOPWORDS}


def _situation(unit: list[ItemSpec]) -> set[str]:
    first = unit[0].content
    stimulus = str(first.get("text") or first.get("transcript") or "")
    return _content_words(" ".join([stimulus, *(str(i.content["stem"]) for i in unit)]))


def enemies(items: Sequence[ItemSpec]) -> list[Gate]:
    """Flag near-duplicate situations without a common enemy group, and lone groups."""
    found: list[Gate] = []
    units = {
        uid: unit for uid, unit in _units(items).items() if unit[0].skill in rules.BRIEF_MIN_WORDS
    }
    words = {uid: _situation(unit) for uid, unit in units.items()}
    groups = {uid: set(unit[0].enemies) for uid, unit in units.items()}
    for a, b in itertools.combinations(sorted(units), 2):
        wa, wb = words[a], words[b]
        if min(len(wa), len(wb)) < rules.ENEMY_MIN_WORDS or groups[a] & groups[b]:
            continue
        overlap = len(wa & wb) / len(wa | wb)
        if overlap >= rules.ENEMY_SIMILARITY:
            message = (
                f"tells much the same situation as {b} ({overlap:.0%} of the content words: "
                f"{', '.join(sorted(wa & wb)[:8])}); give both one enemy group"
            )
            found.append((units[a][0], "enemy-missing", "enemies", message, a))
    members: dict[str, list[str]] = defaultdict(list)
    for uid, unit in _units(items).items():
        for group in unit[0].enemies:
            members[group].append(uid)
    for group, uids in sorted(members.items()):
        unit = _units(items)[uids[0]]
        if len(uids) == 1:
            message = f"enemy group {group!r} has no other member; check its spelling"
            found.append((unit[0], "enemy-alone", "enemies", message, uids[0]))
    return found


def _is_instruction(stem: str) -> bool:
    parts = [p.strip() for p in re.split(r"(?<=[.?!])\s+", stem.casefold()) if p.strip()]
    return all(p.startswith(rules.INSTRUCTION_STARTS) for p in parts)


def duplicate_stems(items: Sequence[ItemSpec]) -> list[Gate]:
    """Flag one question asked in two units of one skill and level that are not enemies."""
    found: list[Gate] = []
    seen: dict[tuple[str, str, str], ItemSpec] = {}
    for item in items:
        stem = " ".join(str(item.content["stem"]).casefold().split())
        if item.skill not in rules.BRIEF_MIN_WORDS or _is_instruction(stem):
            continue
        key = (item.skill, item.level, stem)
        first = seen.setdefault(key, item)
        same_unit = first is item or (item.testlet and item.testlet == first.testlet)
        if same_unit or set(first.enemies) & set(item.enemies):
            continue
        message = (
            f"asks the same question as {first.id}; ask what this text is about, or make "
            "both enemies if they tell the same situation"
        )
        found.append((item, "duplicate-stem", "stem", message, item.id))
    return found


# --- numbers: arithmetic and bait -------------------------------------------------------------

_UNITS = {
    "een": 1, "één": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7,
    "acht": 8, "negen": 9,
}  # fmt: skip
_TEENS = {
    "tien": 10, "elf": 11, "twaalf": 12, "dertien": 13, "veertien": 14, "vijftien": 15,
    "zestien": 16, "zeventien": 17, "achttien": 18, "negentien": 19,
}  # fmt: skip
_TENS = {
    "twintig": 20, "dertig": 30, "veertig": 40, "vijftig": 50, "zestig": 60, "zeventig": 70,
    "tachtig": 80, "negentig": 90,
}  # fmt: skip
_BELOW_100 = {**_UNITS, **_TEENS, **_TENS}
for _t, _tv in _TENS.items():
    for _u, _uv in _UNITS.items():
        _BELOW_100[f"{_u}en{_t}"] = _tv + _uv
        _BELOW_100[f"{_u}ën{_t}"] = _tv + _uv
_BELOW_100.pop("eenentwintig", None)  # "eenentwintig" is right; the diaeresis form is for e
_BELOW_100["eenentwintig"] = 21


def number_word(word: str) -> int | None:
    """Return the value of a Dutch number word up to 9999 (vijfentwintig, zevenhonderd), or None."""
    word = word.casefold()
    if word in _BELOW_100:
        return _BELOW_100[word]
    for unit, factor in (("duizend", 1000), ("honderd", 100)):
        head, sep, tail = word.partition(unit)
        if not sep:
            continue
        high = 1 if head == "" else number_word(head)
        low = 0 if tail == "" else number_word(tail)
        if high is not None and low is not None and high < 100 and low < factor:
            return high * factor + low
    return None


def numbers_in(text: str) -> set[int | str]:
    """Return the numbers written in a text, in digits (7.30 gives 7 and 30) or in words.

    A decimal with a comma (1,5) is also kept whole, as "1,5", so that a calculated fraction
    does not pass for the digits the text happens to hold."""
    found: set[int | str] = {int(d) for d in re.findall(r"\d+", text)}
    found |= {m.replace(".", ",") for m in re.findall(r"\b\d+,\d+\b", text)}
    found |= {n for w in re.findall(r"[^\W\d_]+", text) if (n := number_word(w)) is not None}
    found.discard(1)  # "een" is mostly the article
    return found


def _stimulus(item: ItemSpec) -> str:
    c = item.content
    return " ".join(str(c.get(k, "")) for k in ("text", "transcript", "stem", "sentence"))


def _answers(item: ItemSpec) -> tuple[list[str], list[str]]:
    """Return (key texts, distractor texts) of a machine-scored item with worded answers."""
    return get_format(item.format).worded_answers(item.content)


def numbers(item: ItemSpec) -> list[Gate]:
    """Flag a key whose number is nowhere in the stimulus (it must be calculated), and
    distractors that are the stimulus's numbers when the key is such a calculated number."""
    keys, distractors = _answers(item)
    given = numbers_in(_stimulus(item))
    if item.skill == "listening":  # spoken "zes euro twintig" is the written 6,20
        given |= {f"{a},{b}" for a in given for b in given if isinstance(a, int) and b != a}
    computed = sorted({n for k in keys for n in numbers_in(k)} - given, key=str)
    if not computed:
        return []
    message = (
        f"the key holds {', '.join(map(str, computed))}, which the text never says: the "
        "candidate must calculate; ask for what the text says (arithmetic is not the construct)"
    )
    found: list[Gate] = [(item, "arithmetic", "answer", message, item.id)]
    bait = sorted({n for d in distractors for n in numbers_in(d)} & given, key=str)
    if bait:
        message = (
            f"distractors repeat the text's numbers ({', '.join(map(str, bait))}) while the key "
            "is calculated: a candidate who reads well but does not calculate is led astray"
        )
        found.append((item, "number-bait", "options", message, item.id))
    return found


def iter_allowances(items: Sequence[ItemSpec]) -> Iterator[tuple[ItemSpec, str, str]]:
    """Yield (item, code, reason) for every exception the bank declares."""
    for item in items:
        for code, reason in item.lint_allow.items():
            yield item, code, reason


def stale_allowances(items: Sequence[ItemSpec], raised: Mapping[str, set[str]]) -> list[Gate]:
    """Flag exceptions for a code the lint does not know or does not raise on the item.

    ``raised`` maps item and testlet ids to the codes found before exceptions were applied."""
    found: list[Gate] = []
    for item, code, _reason in iter_allowances(items):
        if code in AGGREGATE_CODES:
            continue  # they count items; the count itself is the check
        hits = raised.get(item.id, set()) | raised.get(item.testlet or "", set())
        if code not in hits:
            message = f"lint_allow names {code!r}, but the lint finds no {code} here; remove it" + (
                "" if code in _ALL_CODES else f" (known codes: {', '.join(_ALL_CODES)})"
            )
            found.append((item, "stale-allow", f"lint_allow.{code}", message, item.id))
    return found


_ALL_CODES: tuple[str, ...] = GATE_CODES + ("text-length", "sentence-length")
