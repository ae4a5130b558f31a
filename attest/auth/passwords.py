"""Argon2id password hashing."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()
MIN_LENGTH = 10
# Computed once so unknown usernames cost as much time as known ones.
_DUMMY_HASH = _hasher.hash("attest-timing-equaliser")


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password against its hash; spend the same time when there is no hash."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


COMMON_FILE = Path(__file__).with_name("data") / "common_passwords.txt"


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line and not line.startswith("#"))


def password_problem(password: str, username: str | None = None) -> str | None:
    """Return why a new password is not acceptable, or None (NIST SP 800-63B: length and a
    blocklist, no composition rules)."""
    if len(password) < MIN_LENGTH:
        return f"at least {MIN_LENGTH} characters are required"
    if len(password) > 256:
        return "at most 256 characters"
    folded = password.lower()
    stem = folded.rstrip("0123456789!?.@#$%&*-_ ")
    if folded in _common() or stem in _common():
        return "this password is one of the most common ones; choose another"
    if len(set(folded)) < 4:
        return "this password repeats too few different characters"
    if username and len(username) >= 3 and username.lower() in folded:
        return "the password must not contain the username"
    return None
