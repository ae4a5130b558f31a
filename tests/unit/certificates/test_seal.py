"""PAdES seal: a sealed attestation validates; any change, other root or garbage does not."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from attest.certificates import keys
from attest.certificates.pdf import render_attestation
from attest.certificates.seal import seal_pdf, validate_sealed_pdf


@pytest.fixture(scope="module")
def sealed(make_data, signing_key, demo_root, now) -> bytes:
    pdf = render_attestation(make_data(), verify_url="https://attest.example.be/v/x", is_demo=True)
    return seal_pdf(pdf, signer_key=signing_key, chain=[demo_root.certificate], now=now)


def test_sealed_pdf_validates_and_covers_entire_file(sealed, demo_root, signing_key, now):
    check = validate_sealed_pdf(sealed, trust_roots=[demo_root.certificate])
    assert check.ok, check.reason
    assert check.covers_entire_file and check.is_certification
    assert check.signer_kid == keys.kid(signing_key.certificate)
    assert check.signed_at == now


def test_other_root_is_not_trusted(sealed, now):
    stranger = keys.create_demo_root(now, common_name="Attest DEMO Root CA")  # same name, other key
    check = validate_sealed_pdf(sealed, trust_roots=[stranger.certificate])
    assert not check.ok
    assert "trusted root" in check.reason


def _content_stream_offset(pdf: bytes) -> int:
    page = PdfFileReader(BytesIO(pdf)).root["/Pages"]["/Kids"][0].get_object()
    ref = page.raw_get("/Contents")
    obj = re.search(rb"(?:^|[\r\n])%d 0 obj" % ref.idnum, pdf)
    return pdf.index(b"stream", obj.end()) + len(b"stream\n") + 40


def _signature_value_offset(pdf: bytes) -> int:
    """Return the offset of a hex digit inside the ECDSA signature value at the end of the CMS."""
    byte_range = re.search(rb"/ByteRange \[(\d+) (\d+) (\d+) (\d+)\]", pdf)
    start, length, _, _ = map(int, byte_range.groups())
    hole = start + length + 1  # the hex string between '<' and '>' is not covered, by design
    header = bytes.fromhex(pdf[hole : hole + 8].decode())
    assert header[:2] == b"\x30\x82"  # DER SEQUENCE with a two-byte length
    cms_length = 4 + int.from_bytes(header[2:4], "big")
    # The last bytes hold the signature value; the certificates earlier in the CMS are unsigned.
    return hole + 2 * (cms_length - 10)


def _flip(pdf: bytes, offset: int) -> bytes:
    # Keep hex digits hex digits, so the change is read rather than rejected as syntax.
    old = pdf[offset]
    if chr(old) in "0123456789abcdefABCDEF":
        new = ord("1") if old == ord("0") else ord("0")
    else:
        new = old ^ 0x01
    return pdf[:offset] + bytes([new]) + pdf[offset + 1 :]


@pytest.mark.parametrize(
    "where",
    [
        pytest.param(_content_stream_offset, id="page-content-stream"),
        pytest.param(lambda pdf: pdf.index(b"/Creator (Attest)") + 12, id="document-info"),
        pytest.param(_signature_value_offset, id="signature-value"),
    ],
)
def test_one_flipped_byte_breaks_the_seal(sealed, demo_root, where):
    check = validate_sealed_pdf(_flip(sealed, where(sealed)), trust_roots=[demo_root.certificate])
    assert not check.ok


def _add_annotation(w: IncrementalPdfFileWriter) -> None:
    page_ref = w.root["/Pages"]["/Kids"][0]
    page = page_ref.get_object()
    annot = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Annot"),
            generic.NameObject("/Subtype"): generic.NameObject("/Text"),
            generic.NameObject("/Rect"): generic.ArrayObject(
                [generic.FloatObject(v) for v in (50, 50, 80, 80)]
            ),
            generic.NameObject("/Contents"): generic.TextStringObject("B2 in alle vaardigheden"),
        }
    )
    page[generic.NameObject("/Annots")] = generic.ArrayObject([w.add_object(annot)])
    w.update_container(page)


def _change_title(w: IncrementalPdfFileWriter) -> None:
    info = w.trailer["/Info"].get_object()
    info[generic.NameObject("/Title")] = generic.TextStringObject("Attest B2")
    w.update_container(info)


@pytest.mark.parametrize("update", [_add_annotation, _change_title])
def test_incremental_update_breaks_the_seal(sealed, demo_root, update):
    w = IncrementalPdfFileWriter(BytesIO(sealed))
    update(w)
    out = BytesIO()
    w.write(out)
    updated = out.getvalue()
    assert updated.startswith(sealed) and len(updated) > len(sealed)
    check = validate_sealed_pdf(updated, trust_roots=[demo_root.certificate])
    assert not check.ok
    assert not check.covers_entire_file


@pytest.mark.parametrize(
    "data",
    [b"", b"garbage", b"%PDF-1.7\n%%EOF", b"%PDF-1.4\n" + bytes(range(256)) * 20],
    ids=["empty", "text", "header-only", "binary"],
)
def test_garbage_is_rejected_without_raising(data, demo_root):
    check = validate_sealed_pdf(data, trust_roots=[demo_root.certificate])
    assert not check.ok and check.reason


def test_unsealed_pdf_is_rejected(make_data, demo_root):
    pdf = render_attestation(make_data(), verify_url="https://attest.example.be/v/x", is_demo=False)
    check = validate_sealed_pdf(pdf, trust_roots=[demo_root.certificate])
    assert not check.ok and "found 0" in check.reason
