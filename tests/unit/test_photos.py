"""The test-day photo: JPEG or PNG by its first bytes, size limits, re-encoded without EXIF."""

from __future__ import annotations

from io import BytesIO

import pytest
from PIL import Image

from attest.photos import MAX_BYTES, MAX_SIDE, PhotoInvalid, prepare_photo


def _image(fmt="JPEG", size=(800, 1000), exif=False) -> bytes:
    img = Image.new("RGB", size, (10, 20, 30))
    out = BytesIO()
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCam"
        data[0x0112] = 6  # orientation: rotate 90 degrees
        kwargs["exif"] = data.tobytes()
    img.save(out, format=fmt, **kwargs)
    return out.getvalue()


def test_a_photo_is_reencoded_upright_small_and_without_metadata():
    out = prepare_photo(_image(exif=True))
    assert out.startswith(b"\xff\xd8\xff") and b"SecretCam" not in out and b"Exif" not in out
    img = Image.open(BytesIO(out))
    assert img.format == "JPEG" and max(img.size) == MAX_SIDE
    assert img.size[0] > img.size[1]  # turned by its EXIF orientation (800x1000 -> landscape)


def test_a_png_is_accepted_and_becomes_a_jpeg():
    assert Image.open(BytesIO(prepare_photo(_image("PNG", (300, 300))))).format == "JPEG"


@pytest.mark.parametrize(
    "data, code",
    [
        (b"", "empty"),
        (b"GIF89a" + b"\0" * 50, "type"),
        (b"%PDF-1.7", "type"),
        (b"\xff\xd8\xff\xe0garbage", "unreadable"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "unreadable"),
        (b"\xff\xd8\xff" + b"\0" * (MAX_BYTES), "too_big"),
    ],
)
def test_bad_files_are_refused_with_a_reason(data, code):
    with pytest.raises(PhotoInvalid) as exc:
        prepare_photo(data)
    assert exc.value.code == code


def test_a_tiny_picture_is_refused():
    with pytest.raises(PhotoInvalid) as exc:
        prepare_photo(_image(size=(100, 400)))
    assert exc.value.code == "too_small"
