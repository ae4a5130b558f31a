"""The test-day photo taken at admission: checked and re-encoded before it is stored.

Accepts a JPEG or PNG (recognised by its first bytes, not by its name or declared type) of at
most `MAX_BYTES`, between `MIN_SIDE` and `MAX_PIXELS`; decodes it with Pillow, turns it upright
by its EXIF orientation, scales it down to `MAX_SIDE` and encodes a fresh baseline JPEG without
any metadata (EXIF with its camera, time and location, ICC, comments): only pixels are kept.
Pure: no Flask, no ORM."""

from __future__ import annotations

import hashlib
from io import BytesIO

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MIN_SIDE = 120  # a face must be recognisable
MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding
MAX_SIDE = 640  # stored size: enough for a face on screen and on paper
QUALITY = 85
JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class PhotoInvalid(ValueError):
    """The photo was refused; `code` says why (empty, too_big, type, unreadable, too_small)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def sniff(data: bytes) -> str | None:
    """Return "jpeg" or "png" by the file's first bytes, else None."""
    if data.startswith(JPEG_MAGIC):
        return "jpeg"
    if data.startswith(PNG_MAGIC):
        return "png"
    return None


def prepare_photo(data: bytes) -> bytes:
    """Return the photo as a clean JPEG (upright, at most MAX_SIDE, no metadata)."""
    if not data:
        raise PhotoInvalid("empty")
    if len(data) > MAX_BYTES:
        raise PhotoInvalid("too_big")
    kind = sniff(data)
    if kind is None:
        raise PhotoInvalid("type")
    try:
        with Image.open(BytesIO(data), formats=["JPEG" if kind == "jpeg" else "PNG"]) as img:
            if img.width * img.height > MAX_PIXELS:
                raise PhotoInvalid("too_big")
            if min(img.width, img.height) < MIN_SIDE:
                raise PhotoInvalid("too_small")
            img.load()
            upright = ImageOps.exif_transpose(img)
            rgb = upright.convert("RGB")
    except PhotoInvalid:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise PhotoInvalid("unreadable") from exc
    rgb.thumbnail((MAX_SIDE, MAX_SIDE))
    out = BytesIO()
    rgb.save(out, format="JPEG", quality=QUALITY, optimize=True)  # no exif=, no icc_profile=
    return out.getvalue()


def photo_hash(jpeg: bytes) -> str:
    """Return the SHA-256 of the stored photo (hex): what the attestation records."""
    return hashlib.sha256(jpeg).hexdigest()
