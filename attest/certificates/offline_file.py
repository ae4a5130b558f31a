"""Verify an attestation PDF offline: its PAdES seal against the published chains, then the
signed payload it carries (the same text as its QR code)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

from cryptography import x509
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader

from attest.certificates.offline import OfflineResult, keys_from_jwks, verify_offline
from attest.certificates.seal import SealCheck, validate_sealed_pdf


@dataclass(frozen=True)
class FileResult:
    seal: SealCheck
    payload: OfflineResult

    @property
    def is_valid(self) -> bool:
        """Tell whether both the seal and the payload are in order."""
        return self.seal.ok and self.payload.is_valid


def payload_from_pdf(pdf: bytes) -> str | None:
    """Return the payload URL stored in the PDF's document information, if any."""
    try:
        info = PdfFileReader(BytesIO(pdf), strict=False).trailer_view.get("/Info")
        info = info.get_object() if info is not None else None
        keywords = info.get("/Keywords") if info is not None else None
    except (PdfError, ValueError, KeyError, TypeError, AttributeError, OSError):
        return None
    return str(keywords) if keywords else None


def verify_pdf_offline(
    pdf: bytes, jwks: dict, status_list: bytes | None, now: datetime
) -> FileResult:
    """Check the seal with the roots published in the JWKS, then the payload inside the PDF."""
    roots: list[x509.Certificate] = [
        key.chain[-1] for key in keys_from_jwks(jwks).values() if key.chain
    ]
    seal = validate_sealed_pdf(pdf, trust_roots=roots, at=now)
    text = payload_from_pdf(pdf)
    if text is None:
        return FileResult(seal, OfflineResult("invalid", "no_payload", "the PDF holds no payload"))
    return FileResult(seal, verify_offline(text, jwks, status_list, now))
