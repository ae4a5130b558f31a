"""Short human codes without ambiguous characters (start codes, attestation codes)."""

from __future__ import annotations

import hashlib
import secrets

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: a candidate or clerk copies these from paper or a screen.
ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"


def new_code(length: int = 8, group: int = 4) -> str:
    """Return a random code like 'K7QD-MX4T'."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(length))
    return "-".join(raw[i : i + group] for i in range(0, length, group))


def normalise_code(text: str) -> str:
    """Uppercase and drop spaces and dashes, so 'k7qd mx4t' matches 'K7QD-MX4T'."""
    return "".join(ch for ch in (text or "").upper() if ch not in " -\t")


def is_wellformed(text: str, length: int = 8) -> bool:
    """Tell whether text could be a code of this length."""
    code = normalise_code(text)
    return len(code) == length and all(ch in ALPHABET for ch in code)


def code_hash(text: str) -> str:
    """Hash a normalised code for storage and lookup."""
    return hashlib.sha256(normalise_code(text).encode()).hexdigest()
