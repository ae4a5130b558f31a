"""Seal a finished PDF with a PAdES certification signature and check such a seal."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from attest.certificates.keys import KeyPair, kid

log = logging.getLogger(__name__)

FIELD_NAME = "AttestSeal"
# Room in the CMS blob beyond the embedded certificates (signed attributes, signature value:
# under 1 KB even with RSA-4096). Reserving it ourselves skips pyHanko's size estimate, which
# costs a second, dummy signing pass.
SIGNATURE_OVERHEAD = 2048
# Our signing certificates carry both bits; insist on them so a stray TLS key cannot seal.
KEY_USAGE = KeyUsageConstraints(
    key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=True
)


@dataclass(frozen=True)
class SealCheck:
    ok: bool
    reason: str
    signer_kid: str | None = None
    signed_at: datetime | None = None
    covers_entire_file: bool = False
    is_certification: bool = False


def _asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


class _ClockedPdfSigner(signers.PdfSigner):
    """PdfSigner whose signing-time attribute comes from the caller's clock, not the OS."""

    def __init__(self, *args, system_time: datetime, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._system_time = system_time

    def init_signing_session(self, pdf_out, existing_fields_only=False):
        session = super().init_signing_session(pdf_out, existing_fields_only)
        session.system_time = self._system_time  # pyHanko offers no parameter for this
        return session


def seal_pdf(
    pdf_bytes: bytes,
    *,
    signer_key: KeyPair,
    chain: list[x509.Certificate],
    reason: str = "Attest NT2",
    location: str = "Brussel",
    now: datetime | None = None,
) -> bytes:
    """Certify a PDF (PAdES, no changes allowed) and return the sealed bytes."""
    key_der = signer_key.private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    signer = signers.SimpleSigner(
        signing_cert=_asn1_cert(signer_key.certificate),
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs([_asn1_cert(c) for c in chain]),
    )
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        reason=reason,
        location=location,
        md_algorithm="sha256",
        certify=True,
        docmdp_permissions=MDPPerm.NO_CHANGES,
        subfilter=SigSeedSubFilter.PADES,
    )
    pdf_signer = _ClockedPdfSigner(meta, signer=signer, system_time=now or datetime.now(UTC))
    certs = sum(
        len(c.public_bytes(serialization.Encoding.DER)) for c in [signer_key.certificate, *chain]
    )
    reserved = -(-(SIGNATURE_OVERHEAD + certs) // 512) * 512  # pyHanko wants an even size
    out = pdf_signer.sign_pdf(
        IncrementalPdfFileWriter(BytesIO(pdf_bytes)), output=BytesIO(), bytes_reserved=reserved
    )
    return out.getvalue()


def validate_sealed_pdf(
    pdf_bytes: bytes, *, trust_roots: list[x509.Certificate], at: datetime | None = None
) -> SealCheck:
    """Check that a PDF carries one intact, trusted certification seal over the whole file."""
    try:
        return _validate(pdf_bytes, trust_roots, at)
    except Exception as exc:  # a hostile or broken file must yield a verdict, never a crash
        log.info("seal validation failed: %s: %s", type(exc).__name__, exc)
        return SealCheck(False, f"unreadable PDF or signature: {type(exc).__name__}: {exc}")


def _validate(
    pdf_bytes: bytes, trust_roots: list[x509.Certificate], at: datetime | None
) -> SealCheck:
    reader = PdfFileReader(BytesIO(pdf_bytes))
    sigs = reader.embedded_signatures
    if len(sigs) != 1:
        return SealCheck(False, f"expected exactly one signature, found {len(sigs)}")
    sig = sigs[0]
    # No network: revocation is handled by our own database and status list, so soft-fail.
    context = ValidationContext(
        trust_roots=[_asn1_cert(c) for c in trust_roots],
        allow_fetching=False,
        revocation_mode="soft-fail",
        moment=at,
    )
    status = validate_pdf_signature(sig, context, key_usage_settings=KEY_USAGE)
    is_certification = sig.docmdp_level is not None
    entire = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    facts = dict(
        signer_kid=kid(x509.load_der_x509_certificate(status.signing_cert.dump())),
        signed_at=sig.self_reported_timestamp,
        covers_entire_file=entire,
        is_certification=is_certification,
    )
    if not (status.intact and status.valid):
        return SealCheck(
            False, "signature is broken: the document or signature was altered", **facts
        )
    if not status.trusted:
        return SealCheck(False, "signer does not chain to a trusted root", **facts)
    if not entire:
        return SealCheck(False, "signature does not cover the entire file", **facts)
    if sig.docmdp_level != MDPPerm.NO_CHANGES:
        return SealCheck(False, "not a certification signature forbidding changes", **facts)
    if not status.bottom_line or status.docmdp_ok is False:
        return SealCheck(False, "signature rejected by validation policy", **facts)
    return SealCheck(True, "sealed, trusted and unmodified", **facts)
