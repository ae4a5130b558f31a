"""Encryption of secrets kept in database fields (staff TOTP secrets, test-day photos), so that
a copy of the database (a backup, a dump) does not hand over the second factor of every account
nor the candidates' photos.

Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) with the key from ATTEST_FIELD_KEY, or
derived from SECRET_KEY by HKDF when that is not set. Several keys may be given (comma
separated): the first encrypts, all decrypt, so keys can be rotated. The key derived from
SECRET_KEY always decrypts too, so setting ATTEST_FIELD_KEY for the first time loses nothing.
A value found under any key but the first (or stored before encryption existed, without the
prefix) is sealed again under the first when it is next used (`needs_resealing`), so an old key
can be dropped once every account has logged in since. Pure: no Flask."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "f1:"


class FieldKeyError(RuntimeError):
    """No key, a malformed key, or a value sealed with a key that is not configured."""


def derive_key(secret_key: str) -> str:
    """Return a Fernet key derived from the application's secret key (HKDF-SHA256)."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"attest field key v1")
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode("utf-8"))).decode("ascii")


class FieldCipher:
    """Seal and open field values with one or more Fernet keys (the first one seals)."""

    def __init__(self, keys: str, also_open: str | None = None) -> None:
        """`keys`: comma-separated, the first seals; `also_open`: one more key that only opens."""
        parts = [k.strip() for k in keys.split(",") if k.strip()]
        if not parts:
            raise FieldKeyError("no field key given")
        if also_open and also_open not in parts:
            parts.append(also_open)
        try:
            self._primary = Fernet(parts[0])
            self._fernet = MultiFernet([Fernet(k) for k in parts])
        except ValueError as exc:
            raise FieldKeyError(
                "a field key must be 32 url-safe base64-encoded bytes "
                "(make one with: python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())')"
            ) from exc

    def seal(self, plain: str) -> str:
        return PREFIX + self._fernet.encrypt(plain.encode("utf-8")).decode("ascii")

    def open(self, stored: str) -> str:
        if not is_sealed(stored):
            return stored  # written before fields were encrypted
        try:
            return self._fernet.decrypt(stored[len(PREFIX) :].encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError) as exc:
            raise FieldKeyError(
                "a sealed field does not open with the configured keys "
                "(ATTEST_FIELD_KEY or SECRET_KEY changed?)"
            ) from exc

    def seal_bytes(self, data: bytes) -> str:
        """Seal binary data (the test-day photo) as text for a database column."""
        return PREFIX + self._fernet.encrypt(data).decode("ascii")

    def open_bytes(self, stored: str) -> bytes:
        if not is_sealed(stored):
            raise FieldKeyError("a sealed binary field has no prefix")
        try:
            return self._fernet.decrypt(stored[len(PREFIX) :].encode("ascii"))
        except (InvalidToken, UnicodeError) as exc:
            raise FieldKeyError(
                "a sealed field does not open with the configured keys "
                "(ATTEST_FIELD_KEY or SECRET_KEY changed?)"
            ) from exc

    def needs_resealing(self, stored: str) -> bool:
        """Whether a stored value is not sealed under the first key (clear, or an older key)."""
        if not is_sealed(stored):
            return True
        try:
            self._primary.decrypt(stored[len(PREFIX) :].encode("ascii"))
        except (InvalidToken, UnicodeError):
            return True
        return False


def is_sealed(stored: str) -> bool:
    return stored.startswith(PREFIX)


_cipher: FieldCipher | None = None


def configure(keys: str, also_open: str | None = None) -> None:
    """Set the process's cipher (the app factory does this from its settings)."""
    global _cipher
    _cipher = FieldCipher(keys, also_open)


def cipher() -> FieldCipher:
    if _cipher is None:
        raise FieldKeyError("field encryption is not configured: create the app first")
    return _cipher


def seal_bytes(data: bytes) -> str:
    """Seal binary data (a photo) with the process's cipher: `f1:` + a Fernet token."""
    return cipher().seal_bytes(data)


def open_bytes(stored: str) -> bytes:
    return cipher().open_bytes(stored)
