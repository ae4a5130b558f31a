"""Real names that software gets wrong: (id, family name as typed, given names as typed).

Typed is not stored: NFD input is stored NFC (attest.names.clean_name); `stored()` says what
registration keeps."""

from __future__ import annotations

import unicodedata

ZWNJ = "\u200c"
LONG_FAMILY = " ".join(["Abdulrahmanovich"] * 11) + " Abdulrahmanov"  # 200 characters
LONG_GIVEN = "Wolfeschlegelsteinhausenbergerdorff" * 5 + "W" * 25  # 200, without a space

HARD_NAMES: list[tuple[str, str, str]] = [
    ("mononym", "Ahmadzai", ""),
    ("persian-zwnj", "رضایی", f"فرشته{ZWNJ}ی"),
    ("tigrinya", "ገብረመድህን", "ሃብተማርያም"),
    ("nfd-vietnamese", "Nguye\u0302\u0303n", "Thi\u0323 Minh Khai"),
    ("arabic-rtl", "الحسن", "أحمد"),
    ("pashto", "یوسفزۍ", "ملالۍ"),  # ۍ: a Pashto letter that DejaVu Sans lacks
    ("apostrophes", "O’Brien-D'Souza", "Seán"),
    ("chinese", "王", "小明"),
    ("korean", "김", "민준"),
    ("thai", "ใจดี", "สมชาย"),
    ("long-2x200", LONG_FAMILY, LONG_GIVEN),
]
IDS = [name_id for name_id, _, _ in HARD_NAMES]
# Printed right, but PDFium extracts a joined word drawn with Noto Sans Arabic in visual order, so
# the PDF's text layer gives these names back reversed (tests/unit/certificates/
# test_glyph_coverage.py keeps a strict xfail on it that passes the day it is fixed).
TEXT_LAYER_REVERSED = {"pashto"}


def stored(text: str) -> str:
    """Return a typed name as registration stores it."""
    return unicodedata.normalize("NFC", text)
