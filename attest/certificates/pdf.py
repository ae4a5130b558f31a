"""Render an attestation as a one-page A4 PDF in Dutch."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import qrcode
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_Q
from reportlab.lib.colors import Color, black, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import ShapedStr, TTFont, shapeStr
from reportlab.pdfgen.canvas import Canvas

from attest.certificates import typeface
from attest.certificates.facts import AttestationFacts
from attest.vocabulary import SKILL_NAMES_NL

FONT_DIR = typeface.FONT_DIR
FONT, FONT_BOLD = "AttestSans", "AttestSans-Bold"
# ReportLab names of the fonts: DejaVu Sans keeps the names above, the others follow it for
# the scripts it lacks (typeface.py).
_FONT_NAMES = {typeface.REGULAR[0]: FONT, typeface.BOLD[0]: FONT_BOLD} | {
    name: f"Attest-{Path(name).stem}" for name in typeface.REGULAR[1:] + typeface.BOLD[1:]
}
NAME_SIZES = (11, 10, 9, 8)  # a long name is set smaller before it takes more than 3 lines
NAME_MAX_LINES = 3
LEVEL_LABELS = {None: "niet getest", "below_A1": "onder A1"}
DEMO_TEXT = "DEMO — GEEN GELDIG ATTEST"
TITLE = "Attest Nederlands als tweede taal (NT2)"

PAGE_W, PAGE_H = A4
MARGIN = 20 * mm
VALUE_X = MARGIN + 48 * mm
QR_WIDTH = 52 * mm  # the symbol itself, quiet zone excluded; DESIGN.md asks for >= 50 mm
QR_X, QR_Y = PAGE_W - MARGIN - QR_WIDTH, 24 * mm
PHOTO_W, PHOTO_H = 22 * mm, 27.5 * mm  # small: a face to compare, not a passport photo
RED = Color(0.78, 0.05, 0.05)
GREY = Color(0.35, 0.35, 0.35)


@dataclass(frozen=True)
class AttestationData:
    """What the PDF prints: the attestation's facts, and what only the PDF says about them."""

    facts: AttestationFacts
    centre_name: str
    issuer_name: str
    # The requirement the candidate came for: the verdict sentence and, when it is not met,
    # the reasons (attest.certificates.requirement_text.verdict_nl); None prints no requirement.
    requirement: tuple[str, Sequence[str]] | None = None
    framing: Framing | None = None
    # The test-day photo taken at admission (a JPEG, attest.photos), printed small beside the
    # name; None prints none.
    photo: bytes | None = None


@dataclass(frozen=True)
class Framing:
    """What the legal paragraph needs: the issuer's particulars and what the test could show."""

    issuer_address: str = ""
    company_number: str = ""
    contact: str = ""
    test_form: str = ""  # the test purpose's title, e.g. "A2 mondeling (luisteren en spreken)"
    ceiling: str | None = None  # the highest level the test form can show
    skills_tested: Sequence[str] = field(default_factory=tuple)


def register_fonts() -> None:
    """Register the vendored fonts with ReportLab (once per process)."""
    _register()


@lru_cache(maxsize=1)
def _register() -> None:
    # Parsing the TTFs costs tens of milliseconds: do it once, not per attestation.
    for filename, name in _FONT_NAMES.items():
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))


def _dmy(day: date) -> str:
    return day.strftime("%d-%m-%Y")


def _local_date(moment: datetime) -> date:
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    try:
        return aware.astimezone(ZoneInfo("Europe/Brussels")).date()
    except ZoneInfoNotFoundError:  # a machine without tzdata still issues, in UTC
        return aware.astimezone(UTC).date()


def _is_rtl(ch: str) -> bool:
    return unicodedata.bidirectional(ch) in ("R", "AL")


def _visual_runs(text: str) -> list[tuple[str, bool]]:
    """Split text into direction runs in visual order (a simplified UBA, enough for names)."""
    if not any(_is_rtl(ch) for ch in text):
        return [(text, False)]
    strong = ("L", "R", "AL", "EN", "AN")  # digits count as left-to-right runs here
    base_rtl = next(_is_rtl(ch) for ch in text if unicodedata.bidirectional(ch) in strong[:3])
    runs: list[list] = []  # [is_rtl, chars] in logical order
    pending = ""  # neutrals (spaces, punctuation) wait for the next strong character
    for ch in text:
        if unicodedata.bidirectional(ch) not in strong:
            pending += ch
            continue
        rtl = _is_rtl(ch)
        if runs and runs[-1][0] == rtl:
            runs[-1][1] += pending + ch
        elif not runs:
            runs.append([rtl, pending + ch])
        elif runs[-1][0] == base_rtl:  # neutrals between opposite runs take the base direction
            runs[-1][1] += pending
            runs.append([rtl, ch])
        else:
            runs.append([rtl, pending + ch])
        pending = ""
    if pending:
        if runs[-1][0] == base_rtl:
            runs[-1][1] += pending
        else:
            runs.append([base_rtl, pending])
    ordered = [(chars, rtl) for rtl, chars in runs]
    return ordered[::-1] if base_rtl else ordered


# A drawable piece: the string to draw, its width, its font, and the /ActualText it carries
# (or None).
Piece = tuple[str, float, str, str | None]


def _font_pieces(run: str, font: str) -> list[tuple[str, str]]:
    """Split a run by the font that has its glyphs (DejaVu first, then Ethiopic, Thai, CJK)."""
    fonts = typeface.chain(is_bold=font == FONT_BOLD)
    if font not in (FONT, FONT_BOLD):
        return [(run, font)]
    return [(piece, _FONT_NAMES[name]) for piece, name in typeface.font_runs(run, fonts)]


def _shaped(text: str, font: str, size: float) -> list[Piece]:
    """Return drawable pieces with widths and fonts; right-to-left runs are shaped by HarfBuzz."""
    pieces: list[Piece] = []
    for run, rtl in _visual_runs(text):
        if not rtl:
            for piece, piece_font in _font_pieces(run, font):
                width = pdfmetrics.stringWidth(piece, piece_font, size)
                pieces.append((piece, width, piece_font, None))
            continue
        # HarfBuzz joins Arabic letters and emits glyphs in visual order. The glyphs map to
        # presentation forms (U+FExx), which Poppler extracts as such: each word goes inside a
        # /Span whose /ActualText holds the registered letters (PDF 32000-1, 14.9.4).
        # Poppler and PDFium lay out the actual text of a right-to-left word from left to right
        # and then reorder it as right-to-left text, so it is given in visual order; both then
        # return the letters in logical order (tests/unit/certificates/test_pdf.py).
        # Words are shaped one by one (a space breaks Arabic joining anyway), last word first;
        # within a word, the first font run is drawn last.
        for word in reversed(re.split(r"(\s+)", run)):
            if not word:
                continue
            if word.isspace():
                pieces.append((word, pdfmetrics.stringWidth(word, font, size), font, None))
                continue
            # A word with a zero-width (non-)joiner gets no /ActualText: PDFium reorders such an
            # actual text wrongly, while it maps the shaped glyphs back to the right letters.
            has_joiner = "\u200c" in word or "\u200d" in word
            for piece, piece_font in reversed(_font_pieces(word, font)):
                shaped, width = _shaped_run(piece, piece_font, size, rtl=True)
                pieces.append((shaped, width, piece_font, None if has_joiner else piece[::-1]))
    return pieces


def _shaped_run(run: str, font: str, size: float, rtl: bool) -> tuple[str, float]:
    if not rtl:
        return run, pdfmetrics.stringWidth(run, font, size)
    if not pdfmetrics.getFont(font).shapable:
        raise RuntimeError("uharfbuzz is required to print right-to-left names")
    # HarfBuzz joins Arabic letters and emits glyphs in visual order; text extractors
    # (PDFium, Poppler) map the presentation forms back to the logical name.
    shaped = shapeStr(run, font, size)
    width = (
        sum(sd.x_advance for sd in shaped.__shapeData__) * size / 1000
        if isinstance(shaped, ShapedStr)
        else pdfmetrics.stringWidth(run, font, size)
    )
    return shaped, width


def _actual_text(letters: str) -> str:
    """Return a marked-content operator opening a /Span with /ActualText (UTF-16BE, BOM)."""
    return f"/Span <</ActualText <FEFF{letters.encode('utf-16-be').hex().upper()}>>> BDC"


def _draw(
    c: Canvas,
    x: float,
    y: float,
    text: str,
    font: str = FONT,
    size: float = 10.5,
    max_width: float | None = None,
    min_size: float = 6,
) -> float:
    """Draw one line at (x, y), shrinking it to fit max_width; return the width used."""
    text = unicodedata.normalize("NFC", text)
    pieces = _shaped(text, font, size)
    width = sum(piece[1] for piece in pieces)
    if max_width and width > max_width and size > min_size:
        size = max(min_size, size * max_width / width)
        pieces = _shaped(text, font, size)
        width = sum(piece[1] for piece in pieces)
    for piece, w, piece_font, actual in pieces:
        c.setFont(piece_font, size)
        if actual is not None:
            c.addLiteral(_actual_text(actual))
        c.drawString(x, y, piece)
        if actual is not None:
            c.addLiteral("EMC")
        x += w
    return width


def _text_width(text: str, font: str, size: float) -> float:
    return sum(piece[1] for piece in _shaped(text, font, size))


def _wrap_name(text: str, font: str, size: float, width: float) -> list[str]:
    """Break a name into lines no wider than width: between words, inside a word only if it
    is wider than a line by itself (CJK and Thai names have no spaces)."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if _text_width(candidate, font, size) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for ch in word:
            if line and _text_width(line + ch, font, size) > width and not _follows(ch):
                lines.append(line)
                line = ""
            line += ch
    return lines + [line] if line else lines


def _follows(ch: str) -> bool:
    # A mark or joiner is never put at the start of a line, away from its letter.
    return ch in "\u200c\u200d" or unicodedata.category(ch).startswith("M")


def _name_lines(text: str, width: float) -> tuple[list[str], float]:
    """Return the lines of a name and their size: 11 pt, smaller rather than over 3 lines."""
    for size in NAME_SIZES:
        lines = _wrap_name(text, FONT_BOLD, size, width)
        if len(lines) <= NAME_MAX_LINES:
            break
    return lines, size


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break a string (a URL: no spaces needed) into lines no wider than width."""
    lines, line = [], ""
    for ch in text:
        if line and pdfmetrics.stringWidth(line + ch, font, size) > width:
            lines.append(line)
            line = ""
        line += ch
    return lines + [line] if line else lines


def _demo_marks(c: Canvas) -> None:
    c.saveState()
    c.setFillColor(RED)
    c.rect(0, PAGE_H - 14 * mm, PAGE_W, 14 * mm, fill=1, stroke=0)
    c.setFillColor(white)
    c.setFont(FONT_BOLD, 16)
    c.drawCentredString(PAGE_W / 2, PAGE_H - 9.5 * mm, DEMO_TEXT)
    # A diagonal watermark survives cropping the banner off a printout. It is an image, not
    # text, so that copying or extracting the candidate's name never picks up watermark letters.
    image, width, height = _watermark()
    c.drawImage(image, (PAGE_W - width) / 2, (PAGE_H - height) / 2, width, height, mask="auto")
    c.restoreState()


@lru_cache(maxsize=1)
def _watermark() -> tuple[ImageReader, float, float]:
    """Render the diagonal DEMO watermark once, as a translucent RGBA image at 100 dpi."""
    scale = 100 / 72
    font = ImageFont.truetype(str(FONT_DIR / "DejaVuSans-Bold.ttf"), int(40 * scale))
    left, top, right, bottom = font.getbbox(DEMO_TEXT)
    text = Image.new("RGBA", (right - left + 8, bottom - top + 8), (0, 0, 0, 0))
    ImageDraw.Draw(text).text(
        (4 - left, 4 - top),
        DEMO_TEXT,
        font=font,
        fill=(int(RED.red * 255), int(RED.green * 255), int(RED.blue * 255), 34),
    )
    rotated = text.rotate(55, expand=True, resample=Image.BICUBIC)
    return ImageReader(rotated), rotated.width / scale, rotated.height / scale


def _heading(c: Canvas, y: float, text: str) -> float:
    _draw(c, MARGIN, y, text, FONT_BOLD, 12)
    c.setStrokeColor(GREY)
    c.setLineWidth(0.4)
    c.line(MARGIN, y - 2 * mm, PAGE_W - MARGIN, y - 2 * mm)
    return y - 8 * mm


def _rows(c: Canvas, y: float, rows: Sequence[tuple[str, str]], step: float = 6.5 * mm) -> float:
    for label, value in rows:
        c.setFillColor(GREY)
        _draw(c, MARGIN, y, label, FONT, 10)
        c.setFillColor(black)
        _draw(c, VALUE_X, y, value, FONT_BOLD, 11, max_width=PAGE_W - MARGIN - VALUE_X)
        y -= step
    return y


def _name_rows(
    c: Canvas,
    y: float,
    rows: Sequence[tuple[str, str]],
    step: float = 6.5 * mm,
    right: float = PAGE_W - MARGIN,
):
    """Draw name rows: a long name wraps over up to 3 lines and is never shrunk off the page."""
    for label, value in rows:
        c.setFillColor(GREY)
        _draw(c, MARGIN, y, label, FONT, 10)
        c.setFillColor(black)
        lines, size = _name_lines(value, right - VALUE_X)
        for i, line in enumerate(lines):
            _draw(c, VALUE_X, y - i * size * 1.3, line, FONT_BOLD, size)
        y -= step + (len(lines) - 1) * size * 1.3
    return y


def _photo(c: Canvas, y: float, jpeg: bytes) -> float:
    """Draw the test-day photo at the right of the name rows, its top level with the first
    name; return its bottom."""
    top = y + 4 * mm
    x = PAGE_W - MARGIN - PHOTO_W
    c.drawImage(
        ImageReader(BytesIO(jpeg)),
        x,
        top - PHOTO_H,
        PHOTO_W,
        PHOTO_H,
        preserveAspectRatio=True,
        anchor="n",
    )
    c.setStrokeColor(GREY)
    c.setLineWidth(0.4)
    c.rect(x, top - PHOTO_H, PHOTO_W, PHOTO_H)
    return top - PHOTO_H


def _level_table(c: Canvas, y: float, skills: Mapping[str, str | None]) -> float:
    row_h, col2 = 7 * mm, MARGIN + 60 * mm
    c.setFillColor(Color(0.92, 0.92, 0.92))
    c.rect(MARGIN, y - 2.2 * mm, 100 * mm, row_h, fill=1, stroke=0)
    c.setFillColor(black)
    _draw(c, MARGIN + 2 * mm, y, "Vaardigheid", FONT_BOLD, 10)
    _draw(c, col2, y, "Niveau (ERK)", FONT_BOLD, 10)
    for skill, label in SKILL_NAMES_NL.items():
        y -= row_h
        level = skills.get(skill)
        _draw(c, MARGIN + 2 * mm, y, label, FONT, 11)
        weight = FONT if level is None else FONT_BOLD
        _draw(c, col2, y, LEVEL_LABELS.get(level, level or ""), weight, 11)
        c.setStrokeColor(GREY)
        c.line(MARGIN, y + row_h - 2.2 * mm, MARGIN + 100 * mm, y + row_h - 2.2 * mm)
    c.line(MARGIN, y - 2.2 * mm, MARGIN + 100 * mm, y - 2.2 * mm)
    return y - 9 * mm


def _words(text: str, font: str, size: float, width: float) -> list[str]:
    """Break running text into lines no wider than width, at spaces."""
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if line and pdfmetrics.stringWidth(candidate, font, size) > width:
            lines.append(line)
            candidate = word
        line = candidate
    return lines + [line] if line else lines


def _paragraph(
    c: Canvas,
    y: float,
    text: str,
    font: str = FONT,
    size: float = 9,
    width: float = PAGE_W - 2 * MARGIN,
    leading: float = 1.2,
) -> float:
    """Draw running text from the left margin and y down; return the y below it."""
    for line in _words(text, font, size, width):
        _draw(c, MARGIN, y, line, font, size)
        y -= size * leading * 0.3528 * mm  # points to millimetres
    return y


def _requirement(c: Canvas, y: float, requirement: tuple[str, Sequence[str]]) -> float:
    """Print the one requirement the candidate came for, and why it is not met."""
    sentence, reasons = requirement
    y = _heading(c, y, "Vereiste waarvoor de kandidaat kwam")
    y = _paragraph(c, y, sentence, FONT_BOLD, 10)
    if reasons:
        y = _paragraph(c, y, "Reden: " + "; ".join(reasons) + ".", FONT, 9)
    return y


def _test_facts(data: AttestationData) -> list[tuple[str, str]]:
    rows = [("Testdatum", _dmy(data.facts.test_date)), ("Testcentrum", data.centre_name)]
    framing = data.framing
    if framing is not None and framing.test_form:
        rows.append(("Testvorm", framing.test_form))
    return rows


def _scope_note(data: AttestationData) -> str:
    """Say which skills were tested and the highest level the test form can show."""
    framing = data.framing
    if framing is None:
        return ""
    tested = [SKILL_NAMES_NL.get(s, s) for s in framing.skills_tested]
    note = ""
    if tested:
        listed = " en ".join([", ".join(tested[:-1]), tested[-1]] if len(tested) > 1 else tested)
        note += f"Getest: {listed}. "
    if framing.ceiling:
        note += f"{framing.ceiling} is het hoogste niveau dat deze test meet."
    return note


def _legal(c: Canvas, y: float, data: AttestationData, width: float) -> float:
    """Print what the document is and is not, who may rely on it, and who issued it."""
    framing = data.framing or Framing()
    issuer = ", ".join(
        part
        for part in (
            data.issuer_name,
            framing.issuer_address,
            f"ondernemingsnummer (KBO) {framing.company_number}" if framing.company_number else "",
            f"contact: {framing.contact}" if framing.contact else "",
        )
        if part
    )
    text = (
        "Dit attest vermeldt het niveau Nederlands per vaardigheid, vastgesteld met de vermelde "
        "test op de testdatum. Het is geen diploma of inburgeringsattest en vervangt geen bewijs "
        "dat een wet voorschrijft: de instantie die het vraagt, beslist of ze het aanvaardt. Wie "
        "erop steunt, controleert het met de QR-code of de code op de controlepagina. "
        f"Uitreiker: {issuer}."
    )
    c.setFillColor(GREY)
    y = _paragraph(c, y, text, FONT, 7.5, width)
    c.setFillColor(black)
    return y


def _qr(c: Canvas, url: str) -> None:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_Q, border=0)
    qr.add_data(url)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    module = QR_WIDTH / len(matrix)
    quiet = 4 * module  # ISO/IEC 18004 quiet zone, kept clear of the demo watermark
    c.setFillColor(white)
    c.rect(QR_X - quiet, QR_Y - quiet, QR_WIDTH + 2 * quiet, QR_WIDTH + 2 * quiet, fill=1, stroke=0)
    path = c.beginPath()
    # One filled path of row runs: no hairline seams between modules in PDF viewers.
    for r, row in enumerate(matrix):
        col = 0
        while col < len(row):
            if row[col]:
                start = col
                while col < len(row) and row[col]:
                    col += 1
                top = QR_Y + QR_WIDTH - r * module
                path.rect(QR_X + start * module, top - module, (col - start) * module, module)
            else:
                col += 1
    c.setFillColor(black)
    c.drawPath(path, fill=1, stroke=0)


def _footer(c: Canvas, data: AttestationData, verify_url: str) -> None:
    text_w = QR_X - MARGIN - 6 * mm
    y = QR_Y + QR_WIDTH - 4 * mm
    _draw(c, MARGIN, y, "Attestcode", FONT, 10)
    _draw(c, MARGIN, y - 7 * mm, data.facts.code, FONT_BOLD, 16, max_width=text_w)
    _draw(
        c, MARGIN, y - 14 * mm, f"Uitgereikt op {_dmy(_local_date(data.facts.issued_at))}", FONT, 10
    )
    y -= 23 * mm
    _draw(c, MARGIN, y, "Controleer dit attest: scan de QR-code of ga naar", FONT, 9)
    for line in _wrap(verify_url, FONT, 8.5, text_w):
        y -= 4.2 * mm
        _draw(c, MARGIN, y, line, FONT, 8.5)
    _legal(c, y - 7 * mm, data, text_w)
    c.setFillColor(GREY)
    _draw(
        c,
        MARGIN,
        10 * mm,
        "Dit attest is elektronisch gezegeld (elektronisch zegel volgens de eIDAS-verordening, "
        "geen gekwalificeerd zegel). Elke wijziging maakt het zegel ongeldig.",
        FONT,
        8,
        max_width=PAGE_W - 2 * MARGIN,
    )


def render_attestation(
    data: AttestationData, *, verify_url: str, is_demo: bool, qr_text: str | None = None
) -> bytes:
    """Render the attestation PDF and return its bytes."""
    _register()
    buf = BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=1, pageCompression=1, lang="nl-BE")
    c.setTitle(f"{TITLE} {data.facts.code}")
    c.setAuthor(data.issuer_name)
    c.setCreator("Attest")
    c.setSubject("DEMO" if is_demo else "Attest NT2")
    if is_demo:
        _demo_marks(c)
    y = PAGE_H - (30 if is_demo else 24) * mm
    _draw(c, MARGIN, y, TITLE, FONT_BOLD, 18, max_width=PAGE_W - 2 * MARGIN)
    _draw(
        c,
        MARGIN,
        y - 8 * mm,
        f"Uitgereikt door {data.issuer_name}",
        FONT,
        11,
        max_width=PAGE_W - 2 * MARGIN,
    )
    y = _heading(c, y - 16 * mm, "Kandidaat")
    # A mononym (one name on the identity document) is printed as the family name alone.
    names = [("Familienaam", data.facts.family_name)]
    if data.facts.given_names.strip():
        names.append(("Voornamen", data.facts.given_names))
    right = PAGE_W - MARGIN
    photo_bottom = y
    if data.photo is not None:
        photo_bottom = _photo(c, y, data.photo)
        right -= PHOTO_W + 4 * mm  # the names wrap before the photo
    y = _name_rows(c, y, names, right=right)
    y = _rows(c, y, [("Geboortedatum", _dmy(data.facts.birth_date))])
    y = min(y, photo_bottom - 2 * mm)
    y = _heading(c, y - 4 * mm, "Test")
    y = _rows(c, y, _test_facts(data))
    y = _heading(c, y - 4 * mm, "Behaalde niveaus per vaardigheid")
    y = _level_table(c, y, data.facts.levels)
    y = _paragraph(
        c,
        y,
        "Niveaus volgens het Europees Referentiekader voor Talen (ERK). Elk niveau geldt alleen "
        f"voor de vermelde vaardigheid; er is geen globaal niveau. {_scope_note(data)}",
        FONT,
        8.5,
    )
    if data.requirement is not None:
        _requirement(c, y - 5 * mm, data.requirement)
    # The QR carries the signed payload URL when given (verifiable offline); the printed line
    # keeps the short URL a person can type. The payload also goes into the document info so
    # that `attest verify file.pdf` can read it without decoding the image.
    _qr(c, qr_text or verify_url)
    if qr_text:
        c.setKeywords(qr_text)
    _footer(c, data, verify_url)
    c.showPage()
    c.save()
    return buf.getvalue()
