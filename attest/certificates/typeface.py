"""The fonts that print names and texts, and which characters they can draw.

One folder (attest/static/fonts) holds every font: the kiosk loads them with @font-face and the
attestation PDF embeds them, so a name looks the same on screen and on paper. A character is drawn
by the first font of its weight's chain that has a glyph for it; registration refuses a name with a
character that no font has (`is_printable`), so no sealed attestation ever shows an empty box.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

from reportlab.pdfbase.ttfonts import TTFontFace

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"

# DejaVu Sans: Latin, Greek, Cyrillic, Armenian, Georgian, Hebrew, Arabic (the Arabic of names,
# shaped by HarfBuzz); Noto Sans Arabic: what DejaVu's Arabic lacks (Pashto's ۍ); Noto: Ethiopic
# (Tigrinya, Amharic), Thai; Attest Hangul
# (Nanum Gothic, see tools/make_hangul_font.py): Hangul; Droid Sans Fallback: Han and kana.
# All glyf outlines: ReportLab embeds TrueType only (the Noto CJK fonts are CFF).
REGULAR: tuple[str, ...] = (
    "DejaVuSans.ttf",
    "NotoSansArabic-Regular.ttf",
    "NotoSansEthiopic-Regular.ttf",
    "NotoSansThai-Regular.ttf",
    "AttestHangul-Regular.ttf",
    "DroidSansFallbackFull.ttf",
)
BOLD: tuple[str, ...] = (
    "DejaVuSans-Bold.ttf",
    "NotoSansArabic-Bold.ttf",
    "NotoSansEthiopic-Bold.ttf",
    "NotoSansThai-Bold.ttf",
    "AttestHangul-Bold.ttf",
)
ARABIC_BLOCKS = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFEFF))
# Joiners and marks carry no shape of their own: they take the font of the letter before them.
_FOLLOWERS = {"\u200c", "\u200d"}


@cache
def _cmap(filename: str) -> frozenset[int]:
    return frozenset(TTFontFace(str(FONT_DIR / filename)).charToGlyph)


def chain(is_bold: bool) -> tuple[str, ...]:
    """Return the font files to try, in order, for one weight (bold falls back to regular)."""
    return BOLD + REGULAR if is_bold else REGULAR


def font_for(ch: str, fonts: tuple[str, ...]) -> str | None:
    """Return the first font file of `fonts` with a glyph for ch, or None."""
    code = ord(ch)
    return next((name for name in fonts if code in _cmap(name)), None)


def font_runs(text: str, fonts: tuple[str, ...]) -> list[tuple[str, str]]:
    """Split text into (run, font file) pieces; joiners and marks stay with their letter, and an
    Arabic-script word is drawn by one font (so its letters join) when one font has them all."""
    picks = _word_fonts(text, fonts)
    runs: list[list[str]] = []
    for i, ch in enumerate(text):
        follows = ch in _FOLLOWERS or unicodedata.category(ch).startswith("M") or ch == " "
        if runs and follows:
            runs[-1][0] += ch
            continue
        name = picks.get(i) or font_for(ch, fonts) or fonts[0]  # registration keeps such out
        if runs and runs[-1][1] == name:
            runs[-1][0] += ch
        else:
            runs.append([ch, name])
    return [(run, name) for run, name in runs]


def _is_arabic(ch: str) -> bool:
    return any(a <= ord(ch) <= b for a, b in ARABIC_BLOCKS)


def _word_fonts(text: str, fonts: tuple[str, ...]) -> dict[int, str]:
    """Return {index: font} for the Arabic letters of words that the first font cannot draw
    whole (a Pashto word with ۍ): the first font with every letter of the word draws them all."""
    picks: dict[int, str] = {}
    for word in re.finditer(r"\S+", text):
        letters = [(word.start() + i, ch) for i, ch in enumerate(word.group()) if _is_arabic(ch)]
        if len({font_for(ch, fonts) for _, ch in letters}) <= 1:
            continue
        whole = next(
            (name for name in fonts if all(ord(ch) in _cmap(name) for _, ch in letters)), None
        )
        if whole:
            picks.update((i, whole) for i, _ in letters)
    return picks


def missing_characters(text: str) -> list[str]:
    """Return the characters of text that no shipped font can draw (spaces and joiners aside)."""
    fonts = chain(is_bold=True)
    return [
        ch
        for ch in dict.fromkeys(text)
        if not ch.isspace() and ch not in _FOLLOWERS and font_for(ch, fonts) is None
    ]


def is_printable(text: str) -> bool:
    """Tell whether every character of text has a glyph in a shipped font."""
    return not missing_characters(text)
