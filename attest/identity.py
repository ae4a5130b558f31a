"""Validate what identifies a candidate: birth date, INSZ (mod 97), ID document (names: names).

Of the ID document number only the last 4 letters or digits are kept (data minimisation, GDPR
art. 5(1)(c)): they are what a proctor compares with the document at admission
(attest.id_documents), and nothing matches or looks a person up by the number."""

from __future__ import annotations

import re
from datetime import date

from attest.id_documents import LAST_CHARS, last_chars

ID_DOCUMENT_TYPES = ("identity_card", "residence_card", "passport", "other")
_DOC_NUMBER = re.compile(r"^[A-Za-z0-9 .\-/]{1,41}$")


class IdentityError(ValueError):
    """A field of a candidate's identity is invalid; `field` names it."""

    def __init__(self, field: str, code: str, message: str, detail: str = "") -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.code = code  # stable reason, translated for people by the views
        self.message = message
        self.detail = detail  # the offending character, shown to the person who typed it


def check_birth_date(value: date, today: date) -> date:
    """Accept birth dates of adults-to-be (age 12 to 120) only."""
    if value > today:
        raise IdentityError("birth_date", "future", "lies in the future")
    age = today.year - value.year - ((today.month, today.day) < (value.month, value.day))
    if age < 12 or age > 120:
        raise IdentityError("birth_date", "age", "the age must lie between 12 and 120 years")
    return value


def normalise_insz(raw: str) -> str:
    """Strip the usual separators from an INSZ ('85.07.30-033.28' -> '85073003328')."""
    return re.sub(r"[\s.\-/]", "", raw or "")


def insz_century(digits: str) -> int | None:
    """Return 1900 or 2000 when the mod-97 check holds for that century, else None."""
    if not re.fullmatch(r"\d{11}", digits):
        return None
    body, check = int(digits[:9]), int(digits[9:])
    if 97 - body % 97 == check:
        return 1900
    if 97 - int("2" + digits[:9]) % 97 == check:
        return 2000
    return None


def check_insz(raw: str, birth_date: date | None) -> str:
    """Return the 11-digit INSZ after checking its format, mod-97 check and birth date."""
    digits = normalise_insz(raw)
    if not re.fullmatch(r"\d{11}", digits):
        raise IdentityError("insz", "insz_format", "expected 11 digits (e.g. 85.07.30-033.28)")
    century = insz_century(digits)
    if century is None:
        raise IdentityError("insz", "insz_check", "the check digits are wrong (mod 97)")
    if birth_date is not None:
        year = century + int(digits[0:2])
        month = int(digits[2:4]) % 20  # bis numbers add 20 or 40 to the month
        day = int(digits[4:6])
        if month and day:
            if (year, month, day) != (birth_date.year, birth_date.month, birth_date.day):
                raise IdentityError("insz", "insz_birth_date", "does not match the birth date")
        elif year != birth_date.year:
            raise IdentityError("insz", "insz_birth_date", "does not match the birth year")
    return digits


def check_document(doc_type: str, number: str) -> tuple[str, str]:
    """Check the ID document type and number; return the type and the number's last 4 letters
    or digits (upper case, separators dropped): the rest of the number is never kept."""
    if doc_type not in ID_DOCUMENT_TYPES:
        raise IdentityError(
            "id_document_type", "document_type", f"expected one of {', '.join(ID_DOCUMENT_TYPES)}"
        )
    number = (number or "").strip()
    kept = last_chars(number)
    if not _DOC_NUMBER.fullmatch(number) or len(kept) < LAST_CHARS:
        raise IdentityError(
            "id_document_number",
            "document_number",
            "expected the number, or at least its last 4 letters or digits"
            " (letters, digits, spaces, '.', '-' or '/')",
        )
    return doc_type, kept
