"""Attestation codes a person can type: Crockford Base32 with a check character.

A new code holds 19 random symbols (95 bits, at least 94.8 after the check rule below) and one
Crockford check symbol (the value modulo 37, https://www.crockford.com/base32.html), printed as
`ATT-XXXX-XXXX-XXXX-XXXX-XXXX`. Codes are drawn again while the check would be one of the five
extra check symbols `*~$=U`, so every code is plain letters and digits that a clerk can type and
a QR payload can carry. Typing is forgiving: case, spaces and dashes do not matter, O reads as 0
and I or L as 1. Codes issued before this scheme (`ATT-XXXX-XXXX`, 8 symbols of another
alphabet, no check) are still recognised. Pure module: no Flask, no ORM.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_SYMBOLS = ALPHABET + "*~$=U"
RANDOM_SYMBOLS = 19
LENGTH = RANDOM_SYMBOLS + 1
PREFIX = "ATT"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_TYPO = str.maketrans({"O": "0", "I": "1", "L": "1"})
_LEGACY = re.compile(r"[ACDEFGHJKMNPQRTUVWXY34679]{8}")


def check_symbol(symbols: str) -> str:
    """Return the Crockford check symbol of a string of Base32 symbols (value mod 37)."""
    value = 0
    for ch in symbols:
        value = (value * 32 + _VALUE[ch]) % 37
    return CHECK_SYMBOLS[value]


def new_code() -> str:
    """Return a fresh random code such as 'ATT-7K3Q-M9XP-...-...'."""
    while True:
        body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_SYMBOLS))
        check = check_symbol(body)
        if check in ALPHABET:
            return format_code(body + check)


def format_code(symbols: str) -> str:
    """Group compact symbols in fours behind the prefix ('K7QDMX4T' -> 'ATT-K7QD-MX4T')."""
    return "-".join([PREFIX, *(symbols[i : i + 4] for i in range(0, len(symbols), 4))])


def parse_code(text: str) -> str | None:
    """Return the canonical code for typed text, or None when it cannot be a code.

    A new code must carry its correct check symbol, so most typing errors are caught here
    without looking anything up."""
    if not isinstance(text, str) or len(text) > 64:
        return None
    raw = re.sub(r"[\s\-.]", "", text.upper())
    if raw.startswith(PREFIX):
        raw = raw[len(PREFIX) :]
    if _LEGACY.fullmatch(raw):
        return format_code(raw)
    raw = raw.translate(_TYPO)
    if len(raw) != LENGTH or not set(raw[:-1]) <= set(ALPHABET):
        return None
    if raw[-1] not in CHECK_SYMBOLS or check_symbol(raw[:-1]) != raw[-1]:
        return None
    return format_code(raw)
