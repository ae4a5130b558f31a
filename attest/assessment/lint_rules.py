"""Thresholds of the bank lint (``attest bank check``) and how it counts words and sentences.

Limits per CEFR level are data, so a recalibration is a one-line change. The ranges follow the
item-writing brief and were checked against the shipped bank (question_banks/README.md, "Bank
lint"): every shipped item lies inside them with a margin, while a text written for the wrong
level falls outside.
"""

from __future__ import annotations

import re

from attest.vocabulary import LEVELS

# Words in a reading item's ``text`` (the passage), inclusive.
READING_TEXT_WORDS: dict[str, tuple[int, int]] = {
    "A1": (10, 80),
    "A2": (30, 150),
    "B1": (80, 300),
    "B2": (150, 450),
}
# Words in a listening item's ``transcript`` (what is spoken), inclusive.
TRANSCRIPT_WORDS: dict[str, tuple[int, int]] = {
    "A1": (10, 70),
    "A2": (30, 100),
    "B1": (60, 150),
    "B2": (80, 420),  # up to 150 s of speech at 175 words per minute (issue [11])
}
# Words in any item's ``stem``; productive tasks (who writes to whom, why) need the most.
STEM_WORDS: dict[str, tuple[int, int]] = {
    "A1": (2, 25),
    "A2": (2, 30),
    "B1": (3, 40),
    "B2": (3, 50),
}
# Fewest words a stimulus should have at its level: the authoring brief's length guide
# (docs/authoring-brief.md, "Length table", which a test keeps equal to this table). Shorter
# texts are flagged `text-short`; the ranges above stay the hard limits of `text-length`.
BRIEF_MIN_WORDS: dict[str, dict[str, int]] = {
    "reading": {"A1": 15, "A2": 40, "B1": 100, "B2": 200},
    "listening": {"A1": 20, "A2": 40, "B1": 70, "B2": 100},
}
# Key balance per skill and level (single_choice and multiple_response items):
# no option position may hold more than this share of the keys of items shown in bank order
# (`shuffle: false`), once there are at least KEY_POSITION_MIN_ITEMS such items ...
KEY_POSITION_MAX_SHARE = 0.40
KEY_POSITION_MIN_ITEMS = 5
# ... and the key may be the uniquely longest option in at most this share of single_choice
# items (chance with four options is about 25 %).
KEY_LONGEST_MAX_SHARE = 0.35
# Two units whose stimuli (text or transcript with stem) share at least this share of their
# content words (Jaccard) are near-duplicates and must name a common enemy group.
ENEMY_SIMILARITY = 0.40
ENEMY_MIN_WORDS = 8  # shorter stimuli share words by chance (days, prices)
# Stems that only instruct ("Lees de tekst. Vul in.") may repeat; others are duplicate-stem.
INSTRUCTION_STARTS = (
    "lees",
    "luister",
    "kies",
    "vul",
    "zet",
    "kijk",
    "wat is juist",
    "wat hoort u",
)
# Words too common to tell two situations apart.
STOPWORDS = frozenset(
    """de het een en van in op te is je u we ze er dat die wat niet met voor aan om naar bij ook
    maar als zijn heeft hebt heb kan kunt moet wil of al nog dan uit over door tot hij zij ik jij
    mijn uw ons onze hun haar was waren worden wordt mag meer geen wel hier daar waar wie hoe
    welke waarom wanneer dit deze mee toch even nu ja nee dag dank goed graag alstublieft""".split()
)

# Highest mean words per sentence of a text, transcript or stem.
MEAN_SENTENCE_WORDS: dict[str, float] = {
    "A1": 12.0,
    "A2": 16.0,
    "B1": 22.0,
    "B2": 30.0,
}
# Longest audio an item of the level may play (prompt clip or option audio), in seconds.
MAX_AUDIO_SECONDS: dict[str, float] = {
    "A1": 30.0,
    "A2": 35.0,
    "B1": 45.0,
    "B2": 150.0,  # discussions, interviews and short lectures need room (issue [11])
}
# Abbreviations whose full stop does not end a sentence.
ABBREVIATIONS = frozenset(
    {
        "bv.",
        "bijv.",
        "o.a.",
        "enz.",
        "nr.",
        "dr.",
        "dhr.",
        "mevr.",
        "tel.",
        "d.w.z.",
        "i.p.v.",
        "p.",
    }
)
# A line of a hard-wrapped paragraph: at least this long, without a closing full stop, ? ! or :,
# runs on when the next line goes on in lower case or indented; a shorter one stands alone.
WRAPPED_LINE_CHARS = 45

for _table in (READING_TEXT_WORDS, TRANSCRIPT_WORDS, STEM_WORDS, MEAN_SENTENCE_WORDS):
    assert tuple(_table) == LEVELS, "one threshold per CEFR level, in order"
assert tuple(MAX_AUDIO_SECONDS) == LEVELS, "one audio limit per CEFR level, in order"


_WORD = re.compile(r"[^\W_]+(?:[-'’.,/:][^\W_]+)*")
_SPEAKER = re.compile(r"^\s*[A-Z]:\s+")  # "A: " starts a turn in a transcript
_LIST_MARK = re.compile(r"^(?:[-•*–]|\d+[.)])\s+")
_LINE_END = re.compile(r"[.!?:][\"'”’)]*$")
_BOUNDARY = re.compile(r"(?<=[.!?])[\"'”’)]*\s+")


def count_words(text: str) -> int:
    """Return the number of words: 7.30, 14:15 and e-mail are one each; labels (A:) are none."""
    return sum(len(_WORD.findall(_SPEAKER.sub("", line))) for line in text.splitlines())


def sentences(text: str) -> list[str]:
    """Split a text into sentences, joining the lines of hard-wrapped paragraphs.

    Full stops, question and exclamation marks end a sentence (not after an abbreviation); so
    does a line break, unless the line is long, ends without . ? ! or : and the next line goes
    on in lower case, with a digit or indented deeper (a wrapped paragraph or list item). Short
    lines without a full stop (a sign, a heading, a rota) stand alone; a speaker label or list
    mark starts a new unit.
    """
    lines = [line.rstrip() for line in text.splitlines()]
    units: list[str] = []
    current: list[str] = []
    for i, raw in enumerate(lines):
        line = _LIST_MARK.sub("", _SPEAKER.sub("", raw).strip())
        if line:
            current.append(line)
        if current and not (line and _runs_on(raw, lines[i + 1] if i + 1 < len(lines) else "")):
            units.append(" ".join(current))
            current = []
    found: list[str] = []
    for unit in units:
        for n, piece in enumerate(_BOUNDARY.split(unit)):
            if n and found[-1].split()[-1].casefold() in ABBREVIATIONS:
                found[-1] += " " + piece
            else:
                found.append(piece)
    return [s for s in found if _WORD.search(s)]


def _runs_on(line: str, following: str) -> bool:
    """Return whether a hard-wrapped ``line`` continues on the ``following`` line."""
    text, after = line.strip(), following.strip()
    if not after or len(text) < WRAPPED_LINE_CHARS or _LINE_END.search(text):
        return False
    if _SPEAKER.match(following) or _LIST_MARK.match(after):
        return False
    indent = len(following) - len(following.lstrip())
    return after[0].islower() or after[0].isdigit() or indent > len(line) - len(line.lstrip())


def mean_sentence_words(text: str) -> float:
    """Return the mean number of words per sentence (0 for a text without words)."""
    parts = sentences(text)
    return sum(count_words(s) for s in parts) / len(parts) if parts else 0.0
