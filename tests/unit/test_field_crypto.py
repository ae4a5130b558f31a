"""Binary field sealing (the test-day photo): sealed text never holds the bytes, opens under a
rotated key list, and a foreign key refuses to open it."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from attest.field_crypto import FieldCipher, FieldKeyError

JPEG = b"\xff\xd8\xff\xe0" + b"JFIF" + bytes(range(256)) * 4


def test_sealed_bytes_are_not_the_photo_and_open_again():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    sealed = FieldCipher(old).seal_bytes(JPEG)
    assert sealed.startswith("f1:") and "JFIF" not in sealed
    assert FieldCipher(f"{new},{old}").open_bytes(sealed) == JPEG  # after rotation
    with pytest.raises(FieldKeyError):
        FieldCipher(new).open_bytes(sealed)
    with pytest.raises(FieldKeyError):
        FieldCipher(old).open_bytes("not sealed")
