"""Attestation PDF: exact names, a QR that gives the URL, a loud DEMO, levels per skill."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata

import pytest
import zxingcpp

from attest.certificates import pdf as pdfmod
from attest.certificates.pdf import render_attestation
from tests.pdftools import DPI, field_value, first_page, page_text

VERIFY_URL = "https://attest.example.be/v/ATT-7KQ2-M9XP"
NAMES = [  # (family name, given names) as a registration desk would split them
    ("Żółć", "Łukasz"),
    ("Nguyễn", "Thị Minh Khai"),
    ("Öztürk", "Çağrı"),
    ("Иванова", "Мария"),
    ("الحسن", "أحمد"),
]


_page = first_page
_page_text = page_text
_field_value = field_value


@pytest.mark.parametrize("family, given", NAMES, ids=[f"{f} {g}" for f, g in NAMES])
def test_name_is_extracted_exactly_as_registered(make_data, family, given):
    pdf = render_attestation(
        make_data(family_name=family, given_names=given), verify_url=VERIFY_URL, is_demo=False
    )
    assert _field_value(pdf, "Familienaam") == family
    assert _field_value(pdf, "Voornamen") == given


RTL_NAMES = NAMES[-1:] + [("عبد الله", "محمد علي"), ("لاله", "Sara"), ("Ali الحسن", "أحمد")]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize("family, given", NAMES + RTL_NAMES[1:] + [("عبد الله", "مُحَمَّد")])
def test_poppler_extracts_the_registered_letters(make_data, family, given):
    # Joined Arabic glyphs map to presentation forms; the /ActualText of each right-to-left word
    # gives Poppler the registered letters. Poppler marks right-to-left lines with embedding
    # marks (U+202A-U+202E), which are its layout, not the name.
    pdf = render_attestation(
        make_data(family_name=family, given_names=given), verify_url=VERIFY_URL, is_demo=False
    )
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    lines = {
        line.strip() for line in out.translate(dict.fromkeys(range(0x202A, 0x202F))).split("\n")
    }
    assert not any(0xFB50 <= ord(ch) <= 0xFEFF for ch in out)  # no presentation forms
    for name in (family, given):
        assert unicodedata.normalize("NFC", name) in lines


@pytest.mark.parametrize("family, given", RTL_NAMES)
def test_pdfium_extracts_right_to_left_names_in_logical_order(make_data, family, given):
    pdf = render_attestation(
        make_data(family_name=family, given_names=given), verify_url=VERIFY_URL, is_demo=False
    )
    assert _field_value(pdf, "Familienaam") == unicodedata.normalize("NFC", family)
    assert _field_value(pdf, "Voornamen") == unicodedata.normalize("NFC", given)


@pytest.mark.parametrize("is_demo", [True, False])
def test_qr_decodes_to_exactly_the_verify_url(make_data, is_demo):
    pdf = render_attestation(make_data(), verify_url=VERIFY_URL, is_demo=is_demo)
    image = _page(pdf).render(scale=DPI / 72, grayscale=True).to_pil()
    codes = zxingcpp.read_barcodes(image)
    assert [c.text for c in codes] == [VERIFY_URL]
    assert codes[0].format == zxingcpp.BarcodeFormat.QRCode
    assert codes[0].ec_level == "Q"
    corners = codes[0].position
    width_px = max(corners.top_right.x, corners.bottom_right.x) - min(
        corners.top_left.x, corners.bottom_left.x
    )
    assert width_px / DPI * 25.4 >= 50  # printed at least 50 mm wide


def test_qr_width_constant_is_at_least_50_mm():
    assert pdfmod.QR_WIDTH / pdfmod.mm >= 50


def test_long_verify_url_is_printed_in_full(make_data):
    url = "https://attest.example.be/v/" + "eyJhbGciOiJFUzI1NiJ9." * 12
    pdf = render_attestation(make_data(), verify_url=url, is_demo=False)
    assert url in _page_text(pdf).replace("\r\n", "").replace("\n", "")


@pytest.mark.parametrize("is_demo", [True, False])
def test_demo_banner_only_on_demo(make_data, is_demo):
    text = _page_text(render_attestation(make_data(), verify_url=VERIFY_URL, is_demo=is_demo))
    assert (pdfmod.DEMO_TEXT in text) is is_demo
    assert ("DEMO" in text) is is_demo


def test_levels_per_skill_and_not_tested(make_data):
    skills = {"listening": "A2", "reading": "below_A1", "speaking": None, "writing": "B1"}
    text = _page_text(
        render_attestation(make_data(levels=skills), verify_url=VERIFY_URL, is_demo=False)
    )
    for line in ("luisteren A2", "lezen onder A1", "spreken niet getest", "schrijven B1"):
        assert line in text
    assert text.count("niet getest") == 1


def test_skill_missing_from_mapping_is_not_tested(make_data):
    text = _page_text(
        render_attestation(
            make_data(levels={"reading": "A1"}), verify_url=VERIFY_URL, is_demo=False
        )
    )
    assert text.count("niet getest") == 3


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_only_the_requirement_asked_is_printed_with_the_reason(make_data):
    from datetime import date

    from attest.certificates.requirement_text import verdict_nl
    from attest.certificates.requirements import judge_profile

    levels = {"listening": "A2", "reading": None, "speaking": "A1", "writing": None}
    judged = judge_profile(
        "sociale-huur", levels, test_date=date(2025, 3, 1), lease_start=date(2024, 9, 1)
    )
    sentence, reasons = verdict_nl(judged)
    text = _flat(
        _page_text(
            render_attestation(
                make_data(levels=levels, requirement=(sentence, reasons)),
                verify_url=VERIFY_URL,
                is_demo=False,
            )
        )
    )
    assert "Vereiste waarvoor de kandidaat kwam" in text
    assert "Voldoet niet aan: Sociale huur, taalkennis A2 mondeling" in text
    assert "Reden: spreken: A1, A2 gevraagd." in text
    for other in ("nationaliteit", "Inburgering", "taxi", "kinderopvang", " ja ", " nee "):
        assert other not in text
    bare = _flat(_page_text(render_attestation(make_data(), verify_url=VERIFY_URL, is_demo=False)))
    assert "Vereiste" not in bare and "Voldoet" not in bare


def test_an_indication_never_says_meets(make_data):
    from datetime import date

    from attest.certificates.requirement_text import verdict_nl
    from attest.certificates.requirements import judge_profile

    levels = dict.fromkeys(("listening", "reading", "speaking", "writing"), "A2")
    sentence, reasons = verdict_nl(
        judge_profile("nationaliteit", levels, test_date=date(2025, 3, 1))
    )
    text = _flat(
        _page_text(
            render_attestation(
                make_data(levels=levels, requirement=(sentence, reasons)),
                verify_url=VERIFY_URL,
                is_demo=False,
            )
        )
    )
    assert "Niveau-indicatie" in text and "beslist de bevoegde overheid" in text
    assert "Voldoet" not in text


def test_legal_framing_test_form_ceiling_and_seal_wording(make_data):
    text = _flat(_page_text(render_attestation(make_data(), verify_url=VERIFY_URL, is_demo=False)))
    for fact in (
        "Het is geen diploma of inburgeringsattest",
        "beslist of ze het aanvaardt",
        "Voorbeeldstraat 1, 1000 Brussel",
        "ondernemingsnummer (KBO) 0123.456.789",
        "attesten@example.be",
        "A2 mondeling (luisteren en spreken)",
        "Getest: luisteren en spreken.",
        "A2 is het hoogste niveau dat deze test meet.",
        "elektronisch gezegeld",
        "eIDAS",
    ):
        assert fact in text, fact
    assert "verzegeld" not in text and "PAdES" not in text
    assert text.count("Europees Referentiekader voor Talen (ERK)") == 1


def test_core_facts_are_printed(make_data):
    text = _page_text(render_attestation(make_data(), verify_url=VERIFY_URL, is_demo=False))
    for fact in (
        "Attest Nederlands als tweede taal (NT2)",
        "Huis van het Nederlands Brussel",
        "04-03-1990",
        "01-03-2025",
        "ATT-7KQ2-M9XP",
        "Uitgereikt op 03-03-2025",
        VERIFY_URL,
    ):
        assert fact in text


def test_output_is_reproducible_and_a4(make_data):
    first = render_attestation(make_data(), verify_url=VERIFY_URL, is_demo=False)
    assert first == render_attestation(make_data(), verify_url=VERIFY_URL, is_demo=False)
    width, height = _page(first).get_size()
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)


def test_fonts_are_embedded(make_data):
    pdf = render_attestation(make_data(family_name="Иванова"), verify_url=VERIFY_URL, is_demo=True)
    assert b"/FontFile2" in pdf  # TrueType programs travel with the document


@pytest.mark.parametrize(
    "text, runs",
    [
        ("Janssens", [("Janssens", False)]),
        ("أحمد الحسن", [("أحمد الحسن", True)]),
        ("Ali أحمد", [("Ali ", False), ("أحمد", True)]),
        ("أحمد Ali", [("Ali", False), ("أحمد ", True)]),
    ],
)
def test_visual_runs(text, runs):
    assert pdfmod._visual_runs(text) == runs


def _photo_jpeg(size=(480, 600)) -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", size, (30, 160, 60)).save(out, format="JPEG")
    return out.getvalue()


def test_the_photo_is_printed_small_beside_the_name_and_the_name_wraps_before_it(make_data):
    from tests.pdftools import images, label_box

    long_family = "Van den Broeck-Abdelrahman Vandenberghe-El Khatib"
    pdf = render_attestation(
        make_data(family_name=long_family, photo=_photo_jpeg()),
        verify_url=VERIFY_URL,
        is_demo=False,
    )
    _l, bottom, _r, top = label_box(pdf, "Familienaam")
    [(box, _img)] = [(b, i) for b, i in images(pdf) if b[1] <= top and b[3] >= bottom]
    left, _b, right, _t = box
    assert left > pdfmod.VALUE_X and right <= pdfmod.PAGE_W - pdfmod.MARGIN + 1
    assert right - left <= 25 * 72 / 25.4  # small: at most 2.5 cm wide
    # no letter of the name runs under the photo, and the whole name is still printed
    textpage = _page(pdf).get_textpage()
    under = textpage.get_text_bounded(left=left, bottom=_b, right=right, top=_t)
    assert under.strip() == ""
    assert _flat(_page_text(pdf)).count("Vandenberghe-El") == 1


def test_without_a_photo_no_image_is_printed(make_data):
    from tests.pdftools import images

    pdf = render_attestation(make_data(), verify_url=VERIFY_URL, is_demo=False)
    assert images(pdf) == []
