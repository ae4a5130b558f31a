"""Read an attestation PDF as a third party would: its text (PDFium) and its QR code (zxing-cpp)."""

from __future__ import annotations

import pypdfium2 as pdfium
import zxingcpp

from attest.certificates import pdf as pdfmod

DPI = 200


def first_page(pdf: bytes):
    """Return the first page of a PDF (PDFium)."""
    return pdfium.PdfDocument(pdf)[0]


def page_text(pdf: bytes) -> str:
    """Return the text of the first page."""
    return first_page(pdf).get_textpage().get_text_range()


def field_value(pdf: bytes, label: str) -> str:
    """Return the text printed on the same line as a label, right of the label column.

    Extracted with PDFium, the engine of Chrome's built-in viewer: what a clerk who opens,
    copies or searches the attestation gets. PDFium maps Arabic presentation forms back to
    letters and returns right-to-left runs in logical order, so it must equal the register.
    """
    textpage = first_page(pdf).get_textpage()
    searcher = textpage.search(label, match_case=True, match_whole_word=True)
    index, _ = searcher.get_next()
    _, bottom, _, top = textpage.get_charbox(index)
    return textpage.get_text_bounded(
        left=pdfmod.VALUE_X - 2, bottom=bottom - 1, right=pdfmod.PAGE_W, top=top + 1
    ).strip()


def qr_codes(pdf: bytes):
    """Render the first page at 200 dpi and decode its QR codes (only QR codes: the other
    formats zxing knows can be read, now and then, into the lines of printed text or the photo;
    one QR code found twice counts once)."""
    image = first_page(pdf).render(scale=DPI / 72, grayscale=True).to_pil()
    found, seen = [], set()
    for code in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode):
        if code.text not in seen:
            seen.add(code.text)
            found.append(code)
    return found


def images(pdf: bytes) -> list[tuple[tuple[float, float, float, float], object]]:
    """Return the images on the first page: ((left, bottom, right, top) in points, PIL image)."""
    page = first_page(pdf)
    found = []
    for obj in page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE]):
        found.append((obj.get_bounds(), obj.get_bitmap().to_pil()))
    return found


def label_box(pdf: bytes, label: str) -> tuple[float, float, float, float]:
    """Return (left, bottom, right, top) of the first character of a printed label."""
    textpage = first_page(pdf).get_textpage()
    index, _ = textpage.search(label, match_case=True, match_whole_word=True).get_next()
    return textpage.get_charbox(index)
