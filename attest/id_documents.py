"""The identity document a proctor checks at admission (attest.admissions): its type, the
issuing country, the last 4 characters of its number (never the whole number), its expiry date,
and the rule that an expired document is refused unless the proctor records a reason.

Countries: ISO 3166-1 alpha-2 codes with their Dutch names from the Unicode CLDR (through
Babel, `babel.Locale("nl").territories`; source: https://cldr.unicode.org/ and
https://www.iso.org/iso-3166-country-codes.html). CLDR's codes that are not ISO 3166-1
countries (EU, UN, regions, pseudo-locales) are left out; XK (Kosovo, a user-assigned code
that Kosovar documents and the EU use) is kept. Pure: no Flask, no ORM."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache

from babel import Locale

DOCUMENT_TYPES = ("identity_card", "passport", "residence_card", "driving_licence", "other")
NOT_COUNTRIES = frozenset(
    {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "ZZ"}
)
LAST_CHARS = 4
MAX_OTHER = 100
MAX_REASON = 300
_LAST4 = re.compile(r"[A-Z0-9]{4}")


@cache
def countries() -> tuple[tuple[str, str], ...]:
    """Return (code, Dutch name) of every country, sorted by the Dutch name."""
    names = Locale("nl").territories
    pairs = [
        (code, name)
        for code, name in names.items()
        if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES
    ]
    return tuple(sorted(pairs, key=lambda p: _sort_key(p[1])))


def _sort_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def last_chars(number: str) -> str:
    """Return the last 4 letters or digits of a document number, upper case (separators
    dropped); the caller keeps only these."""
    kept = [ch for ch in (number or "").upper() if ch.isascii() and ch.isalnum()]
    return "".join(kept[-LAST_CHARS:])


@dataclass(frozen=True)
class DocumentInput:
    document_type: str
    other_type: str  # what the document is, for "other"
    country: str
    number_end: str  # the proctor types the last 4 characters (or the whole number: cut here)
    expires_on: date | None
    expired_reason: str  # why an expired document is accepted ("" when not)


@dataclass(frozen=True)
class CheckedDocument:
    document_type: str
    other_type: str
    country: str
    last4: str
    expires_on: date
    is_expired: bool
    expired_reason: str


class DocumentInvalid(ValueError):
    """The document was refused; `errors` maps each field to a stable code."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def _clean_text(text: str, limit: int) -> tuple[str, str | None]:
    text = unicodedata.normalize("NFC", (text or "").strip())
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text):
        return text, "control"
    if len(text) > limit:
        return text, "too_long"
    return text, None


def check_document(data: DocumentInput, today: date) -> CheckedDocument:
    """Check every field; raise DocumentInvalid naming each bad field with a code."""
    errors: dict[str, str] = {}
    if data.document_type not in DOCUMENT_TYPES:
        errors["document_type"] = "document_type"
    other, problem = _clean_text(data.other_type, MAX_OTHER)
    if data.document_type == "other":
        if problem:
            errors["other_type"] = problem
        elif not other:
            errors["other_type"] = "other_required"
    else:
        other = ""
    country = (data.country or "").strip().upper()
    if country not in dict(countries()):
        errors["country"] = "country"
    last4 = last_chars(data.number_end)
    if not _LAST4.fullmatch(last4):
        errors["number_end"] = "number_end"
    reason, problem = _clean_text(data.expired_reason, MAX_REASON)
    is_expired = False
    if data.expires_on is None:
        errors["expires_on"] = "required"
    else:
        is_expired = data.expires_on < today
        if is_expired:
            if problem:
                errors["expired_reason"] = problem
            elif not reason:
                errors["expires_on"] = "expired"
        else:
            reason = ""  # a reason only belongs to an expired document
    if errors:
        raise DocumentInvalid(errors)
    assert data.expires_on is not None
    return CheckedDocument(
        data.document_type, other, country, last4, data.expires_on, is_expired, reason
    )
