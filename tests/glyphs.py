"""Read an attestation PDF for missing glyphs, with fontTools on the fonts it embeds."""

from __future__ import annotations

import ctypes
import unicodedata
from functools import cache
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from fontTools.ttLib import TTFont

from tests.pdftools import page_text

FONTS = Path(__file__).resolve().parents[1] / "attest" / "static" / "fonts"


@cache
def cmap(path: Path) -> frozenset[int]:
    """Return the code points a font file has glyphs for."""
    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap())


def needs_glyph(ch: str) -> bool:
    """Tell whether a character is drawn (not a space, joiner or direction mark)."""
    return unicodedata.category(ch)[0] not in "CZ"


@cache
def _font_files_by_postscript_name() -> dict[str, Path]:
    files = {}
    for path in FONTS.glob("*.ttf"):
        with TTFont(path, lazy=True) as font:
            files[str(font["name"].getDebugName(6))] = path
    return files


def _drawn_characters(pdf: bytes) -> list[tuple[str, str]]:
    """Return (character, embedded font name) for each character PDFium reads on page 1."""
    textpage = pdfium.PdfDocument(pdf)[0].get_textpage()
    drawn = []
    for i in range(textpage.count_chars()):
        ch = chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i))
        buf, flags = ctypes.create_string_buffer(256), ctypes.c_int()
        pdfium_c.FPDFText_GetFontInfo(textpage.raw, i, buf, 256, ctypes.byref(flags))
        drawn.append((ch, buf.value.decode().split("+")[-1]))
    return drawn


def _boxes(pdf: bytes) -> set[tuple[str, str]]:
    """Return the characters drawn with an embedded font that has no glyph for them."""
    fonts = _font_files_by_postscript_name()
    boxes = set()
    for ch, font in _drawn_characters(pdf):
        if not needs_glyph(ch) or font == "Helvetica":
            continue
        if "ARABIC" in unicodedata.name(ch, ""):
            continue  # shaped glyphs: HarfBuzz picked them from the font's own tables
        if font not in fonts or ord(ch) not in cmap(fonts[font]):
            boxes.add((ch, font))
    return boxes


def unreadable(pdf: bytes, *names: str) -> set[str]:
    """Return what a reader of the PDF would not get: characters drawn as boxes (.notdef drawn
    with a font that lacks them) and names that text extraction does not give back (ReportLab
    leaves a character with no glyph out of the text layer)."""
    problems = {f"{ch} in {font}" for ch, font in _boxes(pdf)}
    text = "".join(page_text(pdf).split()).replace("\u200c", "")
    for name in names:
        # PDFium reads the non-joiner's gap as a space; the glyphs themselves are right
        if "".join(name.replace("\u200c", "").split()) not in text:
            problems.add(f"{name} not in the text")
    return problems
