"""Names as identity documents print them: check, normalise, display and search them.

Every way a name enters Attest goes through `clean_name`, and every place that shows one uses
`display_name` (a mononym has no given names: ICAO 9303 puts a single name in the primary
identifier, our family name). Accepted: letters and combining marks of any script the shipped
fonts can print (stored NFC), a zero-width non-joiner or joiner inside a word (Persian, Indic
names), spaces, hyphens, full stops and both apostrophes (' and ’). Refused, naming the field and
the character: control and other invisible characters, digits, symbols and other punctuation.
"""

from __future__ import annotations

import unicodedata

from attest.certificates.typeface import missing_characters
from attest.identity import IdentityError

MAX_LENGTH = 200
ZWNJ, ZWJ = "\u200c", "\u200d"
_JOINERS = (ZWNJ, ZWJ)
# Bidirectional overrides and isolates can make a printed name read differently from the stored one.
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
_NAME_PUNCTUATION = set(" -'’.‐")
# Latin letters that carry their "accent" in the letter itself (NFKD does not split them), so
# that "cagri" finds Çağrı and "lukasz" finds Łukasz.
_BASE_LETTERS = str.maketrans(
    {"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ð": "d", "ħ": "h", "þ": "th", "æ": "ae", "œ": "oe"}
)


def _describe(ch: str) -> str:
    """Name a character for a person: itself when visible, else its code point."""
    if unicodedata.category(ch)[0] in "CZ":
        return f"U+{ord(ch):04X}"
    return ch


def _refuse(field: str, code: str, ch: str, message: str) -> IdentityError:
    return IdentityError(field, code, message, detail=_describe(ch))


def _check_character(field: str, name: str, i: int) -> None:
    ch = name[i]
    category = unicodedata.category(ch)
    if ch in _BIDI_CONTROLS:
        raise _refuse(field, "bidi_control", ch, "contains an invisible direction control")
    if ch in _JOINERS:
        inside = 0 < i < len(name) - 1 and all(
            unicodedata.category(name[j])[0] in "LM" for j in (i - 1, i + 1)
        )
        if not inside:
            raise _refuse(field, "joiner", ch, "a zero-width joiner belongs inside a word")
        return
    if category[0] == "C":
        raise _refuse(field, "control", ch, f"invisible control character U+{ord(ch):04X}")
    if category[0] == "N":
        raise _refuse(field, "digit", ch, f"digit {ch!r} is not allowed in a name")
    if category[0] == "M" and (i == 0 or name[i - 1] == " "):
        raise _refuse(field, "bad_character", ch, "an accent without a letter")
    if category[0] in "LM" or ch in _NAME_PUNCTUATION:
        return
    raise _refuse(field, "symbol", ch, f"character {ch!r} is not allowed in a name")


def clean_name(field: str, value: str | None, *, required: bool = True) -> str:
    """Return the name NFC-normalised with single spaces; raise IdentityError when it is not one.

    An empty optional name (the given names of a mononym) comes back as ""."""
    raw = unicodedata.normalize("NFC", value or "")
    for ch in raw:  # before whitespace is collapsed: a tab or a line break is no space
        if unicodedata.category(ch) == "Cc":
            raise _refuse(field, "control", ch, f"invisible control character U+{ord(ch):04X}")
    name = " ".join(raw.split())
    if not name:
        if required:
            raise IdentityError(field, "required", "required")
        return ""
    if len(name) > MAX_LENGTH:
        raise IdentityError(field, "too_long", f"at most {MAX_LENGTH} characters")
    for i in range(len(name)):
        _check_character(field, name, i)
    if not any(unicodedata.category(ch)[0] == "L" for ch in name):
        raise IdentityError(field, "no_letters", "must contain letters")
    missing = missing_characters(name)
    if missing:
        raise _refuse(field, "unprintable", missing[0], "a character the attestation cannot print")
    return name


def check_names(
    family: str | None, given: str | None
) -> tuple[dict[str, str], dict[str, IdentityError]]:
    """Check both names; return the cleaned ones and an error per bad field.

    A single name (mononym) belongs in the family name, the given names then stay empty."""
    cleaned: dict[str, str] = {}
    errors: dict[str, IdentityError] = {}
    for field, value in (("family_name", family), ("given_names", given)):
        try:
            cleaned[field] = clean_name(field, value, required=False)
        except IdentityError as exc:
            errors[field] = exc
    if "family_name" in cleaned and not cleaned["family_name"]:
        del cleaned["family_name"]
        if cleaned.get("given_names"):
            errors["family_name"] = IdentityError(
                "family_name", "mononym_in_given", "a single name goes in the family name"
            )
        else:
            errors["family_name"] = IdentityError("family_name", "required", "required")
    return cleaned, errors


def display_name(family_name: str | None, given_names: str | None, *, sort: bool = True) -> str:
    """Return the name as one line: "Family, Given" (sort) or "Given Family"; a mononym alone."""
    family, given = (family_name or "").strip(), (given_names or "").strip()
    if not given or not family:
        return family or given
    return f"{family}, {given}" if sort else f"{given} {family}"


def search_key(text: str | None) -> str:
    """Fold a name for searching: case- and accent-insensitive, any script, single spaces.

    NFKD splits accents off their letters (é -> e + ◌́, Hangul syllables into jamo, which a
    query folded the same way still matches); marks, joiners and apostrophes are dropped and
    hyphens become spaces, so "O’Brien-De Smet" is found as "obrien de smet"; ı, ł, ø and the
    like fold to their base letter."""
    decomposed = unicodedata.normalize("NFKD", text or "").casefold().translate(_BASE_LETTERS)
    kept = []
    for ch in decomposed:
        category = unicodedata.category(ch)
        if category[0] in "LN":
            kept.append(ch)
        elif category[0] == "Z" or ch in "-‐.":
            kept.append(" ")
    return " ".join("".join(kept).split())
