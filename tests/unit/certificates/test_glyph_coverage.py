"""Every script readable: no kiosk string and no printed name falls back to empty boxes.

Checked with fontTools against the font files themselves, not with the code that picks them:
the kiosk's catalogue strings against the fonts its stylesheet declares (@font-face), and each
character of a rendered attestation against the cmap of the font the PDF embeds for it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from babel.messages.pofile import read_po

from attest.certificates import pdf as pdfmod
from attest.certificates import typeface
from attest.certificates.pdf import render_attestation
from attest.kiosk.languages import KIOSK_LANGUAGES, LANGUAGE_CODES
from tests.glyphs import cmap, needs_glyph, unreadable
from tests.hard_names import HARD_NAMES, stored
from tests.hard_names import TEXT_LAYER_REVERSED as REVERSED_IDS
from tests.pdftools import field_value, page_text

ROOT = Path(__file__).resolve().parents[3]
STATIC = ROOT / "attest" / "static"
TRANSLATIONS = ROOT / "attest" / "translations"
VERIFY_URL = "https://attest.example.be/v/ATT-7KQ2-M9XP"


# ---------------------------------------------------------------- kiosk


def _font_faces() -> list[tuple[str, Path, list[tuple[int, int]]]]:
    """Return (family, font file, unicode ranges) of each @font-face in the stylesheet."""
    css = (STATIC / "attest.css").read_text(encoding="utf-8")
    faces = []
    for block in re.findall(r"@font-face\s*\{([^}]*)\}", css):
        family = re.search(r'font-family:\s*"([^"]+)"', block).group(1)
        src = re.search(r'src:\s*url\("([^"]+)"\)', block).group(1)
        ranges = [
            (int(a, 16), int(b or a, 16))
            for a, b in re.findall(r"U\+([0-9A-Fa-f]+)(?:-([0-9A-Fa-f]+))?", block)
        ] or [(0, 0x10FFFF)]
        faces.append((family, STATIC / src, ranges))
    return faces


def _body_families() -> list[str]:
    css = (STATIC / "attest.css").read_text(encoding="utf-8")
    families = re.search(r"\nbody \{[^}]*?font-family:([^;]+);", css).group(1)
    return [f.strip().strip('"') for f in families.split(",")]


def _kiosk_texts(code: str) -> list[str]:
    """Return what a kiosk in this language shows: its catalogue and every language's name."""
    names = [lang.native_name for lang in KIOSK_LANGUAGES]
    if code == "nl":
        with (TRANSLATIONS / "kiosk.pot").open("rb") as f:
            catalogue = read_po(f)
        return names + [m.id if isinstance(m.id, str) else m.id[0] for m in catalogue if m.id]
    with (TRANSLATIONS / code / "LC_MESSAGES" / "kiosk.po").open("rb") as f:
        catalogue = read_po(f)
    texts = []
    for message in catalogue:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        texts += [s for s in strings if s]
    return names + texts


def _missing_on_kiosk(code: str, families: list[str]) -> set[str]:
    faces = [face for face in _font_faces() if face[0] in families]
    missing = set()
    for text in _kiosk_texts(code):
        for ch in text:
            if not needs_glyph(ch):
                continue
            cp = ord(ch)
            if not any(
                any(a <= cp <= b for a, b in ranges) and cp in cmap(path)
                for _, path, ranges in faces
            ):
                missing.add(ch)
    return missing


def test_the_kiosk_stylesheet_declares_only_fonts_the_app_serves():
    faces = _font_faces()
    assert faces and all(path.is_file() for _, path, _ in faces)
    assert {family for family, _, _ in faces} >= set(_body_families()[:-1])
    assert _body_families()[-1] == "sans-serif"  # generic last: no named system font assumed


@pytest.mark.parametrize("code", LANGUAGE_CODES)
def test_every_kiosk_string_has_glyphs_in_the_served_fonts(code):
    assert _missing_on_kiosk(code, _body_families()) == set()


PASHTO_LETTERS = "ټډړږښګڼېۍ"


def test_the_pashto_catalogue_uses_the_pashto_letters_and_the_fonts_draw_them():
    assert set(PASHTO_LETTERS) <= set("".join(_kiosk_texts("ps")))
    assert _missing_on_kiosk("ps", _body_families()) == set()


def test_without_the_arabic_font_pashto_would_show_boxes():
    families = [f for f in _body_families() if f != "Attest Arabic"]
    assert "ۍ" in _missing_on_kiosk("ps", families)


def test_registration_accepts_pashto_names_and_the_pdf_draws_them_without_boxes(make_data):
    assert typeface.missing_characters("ملالۍ یوسفزۍ") == []
    pdf = render_attestation(
        make_data(family_name="یوسفزۍ", given_names="ملالۍ"), verify_url=VERIFY_URL, is_demo=False
    )
    assert {p for p in unreadable(pdf) if " in " in p} == set()  # no .notdef box drawn


def test_a_pashto_word_is_drawn_by_one_font_so_its_letters_join():
    fonts = typeface.chain(is_bold=False)
    assert typeface.font_runs("ملالۍ", fonts) == [("ملالۍ", "NotoSansArabic-Regular.ttf")]
    assert typeface.font_runs("ملالی", fonts) == [("ملالی", "DejaVuSans.ttf")]


def test_without_the_ethiopic_font_tigrinya_would_show_boxes():
    families = [f for f in _body_families() if f != "Attest Ethiopic"]
    assert "ት" in _missing_on_kiosk("ti", families)


# ---------------------------------------------------------------- PDF


# Drawn right (ۍ from Noto Sans Arabic, the word joined in one font), but PDFium extracts a
# joined Arabic word drawn with Noto Sans Arabic in visual order, so the text layer reads it
# reversed (DejaVu's Arabic extracts in logical order). Strict: passes the day that is fixed.
TEXT_LAYER_REVERSED = pytest.mark.xfail(
    strict=True, reason="PDFium reads a joined Noto Sans Arabic word right to left"
)
PRINTED_NAMES = [
    pytest.param(*n, id=n[0], marks=TEXT_LAYER_REVERSED if n[0] in REVERSED_IDS else ())
    for n in HARD_NAMES
]


@pytest.mark.parametrize("name_id, family, given", PRINTED_NAMES)
def test_every_name_of_the_hard_set_prints_with_real_glyphs(make_data, name_id, family, given):
    family, given = stored(family), stored(given)
    pdf = render_attestation(
        make_data(family_name=family, given_names=given), verify_url=VERIFY_URL, is_demo=False
    )
    assert unreadable(pdf, family, given) == set()


def test_without_the_fallback_fonts_a_tigrinya_name_would_not_print(make_data, monkeypatch):
    monkeypatch.setattr(typeface, "chain", lambda is_bold: typeface.BOLD[:1] + typeface.REGULAR[:1])
    pdf = render_attestation(
        make_data(family_name="ገብረመድህን", given_names="ሃብተማርያም"),
        verify_url=VERIFY_URL,
        is_demo=False,
    )
    assert "ገብረመድህን not in the text" in unreadable(pdf, "ገብረመድህን")


def test_a_mononym_prints_without_an_empty_given_names_row(make_data):
    pdf = render_attestation(
        make_data(family_name="Ahmadzai", given_names=""), verify_url=VERIFY_URL, is_demo=False
    )
    assert field_value(pdf, "Familienaam") == "Ahmadzai"
    assert "Voornamen" not in page_text(pdf)


def test_a_name_of_2x200_characters_wraps_inside_the_page(make_data):
    family, given = HARD_NAMES[-1][1], HARD_NAMES[-1][2]
    pdf = render_attestation(
        make_data(family_name=family, given_names=given), verify_url=VERIFY_URL, is_demo=False
    )
    textpage = pdfium.PdfDocument(pdf)[0].get_textpage()
    rights = [textpage.get_charbox(i)[2] for i in range(textpage.count_chars())]
    assert max(rights) <= pdfmod.PAGE_W - pdfmod.MARGIN + 1
    text = "".join(page_text(pdf).split())
    assert "".join(family.split()) in text and given in text
    lines = [line for line in page_text(pdf).splitlines() if "Wolfeschlegel" in line]
    assert 2 <= len(lines) <= 4  # wrapped, at a size still readable (8 pt or more)


def test_registration_refuses_what_no_shipped_font_prints():
    assert typeface.missing_characters("अनिल Ahmadzai") == ["अ", "न", "ि", "ल"]
    assert typeface.missing_characters("".join(stored(f + g) for _, f, g in HARD_NAMES)) == []
