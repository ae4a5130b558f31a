"""COSE_Sign1 with ES256 (RFC 9052/9053): the envelope shared by QR payloads and status lists."""

from __future__ import annotations

from collections.abc import Mapping

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

COSE_SIGN1_TAG = 18  # RFC 9052 section 4.2
COSE_ALG_ES256 = -7  # RFC 9053 section 2.1
HDR_ALG, HDR_KID, HDR_TYP = 1, 4, 16  # RFC 9052 section 3.1; typ: RFC 9596


class CoseFormatError(ValueError):
    """Bytes that are not a well-formed COSE_Sign1; `reason` is truncated or bad_cbor."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def sig_structure(protected: bytes, payload: bytes) -> bytes:
    """Return the Sig_structure that is signed (RFC 9052 section 4.4, no external AAD)."""
    return cbor2.dumps(["Signature1", protected, b"", payload])


def envelope(protected: bytes, payload: bytes, signature: bytes) -> bytes:
    """Return the tagged COSE_Sign1 bytes with an empty unprotected header."""
    return cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))


def sign_es256(protected: bytes, payload: bytes, private_key: ec.EllipticCurvePrivateKey) -> bytes:
    """Sign and return the COSE_Sign1 bytes; the signature is raw r||s (64 bytes)."""
    der = private_key.sign(sig_structure(protected, payload), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    return envelope(protected, payload, r.to_bytes(32, "big") + s.to_bytes(32, "big"))


def verify_es256(
    key: ec.EllipticCurvePublicKey, protected: bytes, payload: bytes, signature: bytes
) -> bool:
    """Tell whether a raw r||s signature over the Sig_structure is valid for the key."""
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    try:
        key.verify(
            encode_dss_signature(r, s), sig_structure(protected, payload), ec.ECDSA(hashes.SHA256())
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def parse_sign1(data: bytes, *, what: str = "the data") -> tuple[bytes, Mapping, bytes, bytes]:
    """Split COSE_Sign1 bytes into (protected, unprotected, payload, signature) or raise."""
    try:
        obj = cbor2.loads(data)
    except cbor2.CBORDecodeEOF:
        raise CoseFormatError("truncated", f"{what} ends early") from None
    except Exception:  # noqa: BLE001 - cbor2 raises many types on hostile input
        raise CoseFormatError("bad_cbor", f"{what} is not valid CBOR") from None
    if not (
        isinstance(obj, cbor2.CBORTag)
        and obj.tag == COSE_SIGN1_TAG
        and isinstance(obj.value, (list, tuple))
        and len(obj.value) == 4
    ):
        raise CoseFormatError("bad_cbor", f"{what} is not a COSE_Sign1 structure")
    protected, unprotected, payload, signature = obj.value
    if not (
        isinstance(protected, bytes)
        and isinstance(unprotected, Mapping)
        and isinstance(payload, bytes)
        and isinstance(signature, bytes)
        and len(signature) == 64
    ):
        raise CoseFormatError("bad_cbor", "the COSE_Sign1 fields have the wrong types")
    return protected, unprotected, payload, signature
