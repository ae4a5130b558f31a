"""The speech engine's pronunciation lexicon: words espeak-ng's Dutch voice says wrongly,
with the phonemes it must say instead, and the lint's rule for finding such words.

Synthetic listening clips are a stand-in until people record them (issue [13]). espeak-ng reads
Dutch spelling by rule, so loanwords (croissants, barbecue, badge), brand names (MyMinfin) and
names come out as if they were Dutch words. The lexicon (`data/pronunciation.yaml`) gives each
such word its phonemes in espeak-ng's own notation, which the renderer passes inline as
``[[...]]``; a word the lint finds suspicious must be in the lexicon, either with phonemes or
marked as checked (``ok``), so that a new transcript cannot bring a new mispronunciation
unnoticed. Pure: no Flask, no database, no subprocess.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

DATA_FILE = Path(__file__).with_name("data") / "pronunciation.yaml"
# A word as it may stand in a transcript: letters, inner hyphens and apostrophes.
WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
# espeak-ng's Dutch phoneme mnemonics (a subset is enough to refuse typing mistakes): letters,
# stress and length marks, @ for schwa, and _ for a short pause.
PHONEMES = re.compile(r"^[A-Za-z0-9@:'‚,_&#!|~ -]+$")
# Spellings that Dutch words do not have, or hardly: a word that has one is likely a loanword
# the engine reads as Dutch. Each rule with an example of what it catches.
SUSPECT = (
    (re.compile(r"ois|oir$"), "French oi (croissant, trottoir)"),
    (re.compile(r"cue$|dge$"), "English ending (barbecue, badge)"),
    (re.compile(r"^ch(?!r)"), "ch at the start (chips, chef)"),
    (re.compile(r"^sh|sh$"), "English sh (shift, cash)"),
    (re.compile(r"^th(?!uis|ee|ema|eor|erap)"), "English th (thriller)"),
    (re.compile(r"^jo[bgi]"), "English j (job, jogging)"),
    (re.compile(r"ea(?=[mkd]|ch)"), "English ea (team, leader)"),
    (re.compile(r"[a-z][A-Z]|[a-z]-[A-Z]{2}"), "inner capitals (MyMinfin, kids-ID)"),
    (re.compile(r"[aeiou][^aeiou]+ah$"), "a silent final h (Sarah, Hannah)"),
    (
        re.compile(
            r"(?i)^(?:living|parking|meeting|shopping|camping|training|briefing|"
            r"catering|coaching|dancing|timing|marketing|planning|feeling)$"
        ),
        "an English -ing word (living, parking)",
    ),
)


class LexiconError(ValueError):
    """The lexicon file is malformed: the message names the entry and what was expected."""


@dataclass(frozen=True)
class Entry:
    word: str
    phonemes: str | None  # None: checked, the engine says it acceptably as written
    note: str


@lru_cache(maxsize=4)
def load_lexicon(path: Path = DATA_FILE) -> Mapping[str, Entry]:
    """Return the lexicon by lower-case word; raise LexiconError naming a bad entry."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("words"), dict):
        raise LexiconError(f"{path.name}: expected a mapping with `words:`")
    entries = {}
    for word, raw in data["words"].items():
        where = f"{path.name}: words.{word}"
        if not isinstance(raw, dict) or not str(raw.get("note", "")).strip():
            raise LexiconError(f"{where}: expected `say:` phonemes or `ok: true`, and a `note`")
        say, ok = raw.get("say"), raw.get("ok")
        if (say is None) == (ok is not True):
            raise LexiconError(f"{where}: give exactly one of `say:` (phonemes) or `ok: true`")
        if say is not None and not (isinstance(say, str) and PHONEMES.match(say)):
            raise LexiconError(f"{where}: `say` must be espeak-ng phoneme mnemonics, got {say!r}")
        key = str(word).lower()
        if key in entries:
            raise LexiconError(f"{where}: listed twice (words are matched case-insensitively)")
        entries[key] = Entry(str(word), say, str(raw["note"]).strip())
    return entries


def words(text: str) -> Iterator[str]:
    """Yield the words of a text as written."""
    yield from (m.group(0) for m in WORD.finditer(text))


def suspicion(word: str) -> str | None:
    """Return why a word looks like one the engine may say wrongly, or None."""
    for pattern, why in SUSPECT:
        if pattern.search(word):
            return why
    return None


def _parts(word: str, lexicon: Mapping[str, Entry]) -> list[str]:
    """A word the lexicon lists whole is one part; otherwise each part between hyphens is
    (thuis-team is thuis and team; kids-ID is listed whole)."""
    if word.lower() in lexicon or "-" not in word:
        return [word]
    return word.split("-")


def unlisted(text: str, lexicon: Mapping[str, Entry]) -> list[tuple[str, str]]:
    """Return (word, reason) for each suspicious word of a transcript the lexicon lacks."""
    found: dict[str, str] = {}
    for word in words(text):
        why = suspicion(word)
        if not why or word.lower() in lexicon:
            continue
        parts = [(p, suspicion(p)) for p in _parts(word, lexicon) if p != word]
        if not any(part_why for _, part_why in parts):  # suspicious only as a whole (kids-ID)
            parts = [(word, why)]
        for part, part_why in parts:
            if part_why and part.lower() not in lexicon:
                found.setdefault(part.lower(), part_why)
    return sorted(found.items())


def for_engine(text: str, lexicon: Mapping[str, Entry]) -> str:
    """Return the text with every lexicon word that has phonemes replaced by ``[[phonemes]]``,
    espeak-ng's inline phoneme input; other text is left as it is."""

    def say(word: str) -> str:
        entry = lexicon.get(word.lower())
        return word if entry is None or entry.phonemes is None else f"[[{entry.phonemes}]]"

    def replace(match: re.Match[str]) -> str:
        return "-".join(say(part) for part in _parts(match.group(0), lexicon))

    return WORD.sub(replace, text)
