"""Signed compact QR payload: a CBOR claim map in a COSE_Sign1 (ES256), Base32 in an https URL.

Wire format: docs/payload-format.md. Pure module: no Flask, no ORM; keys and `now` are arguments.
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import cbor2
from cryptography.hazmat.primitives.asymmetric import ec

from attest.certificates import cose
from attest.public_urls import PAYLOAD_PAGE, payload_url
from attest.vocabulary import RESULT_LEVELS, SKILLS

FORMAT_VERSION = 1
COSE_SIGN1_TAG = 18  # RFC 9052 section 4.2
COSE_ALG_ES256 = -7  # RFC 9053 section 2.1
HDR_ALG, HDR_KID = 1, 4
URL_PATH = PAYLOAD_PAGE
# Alphanumeric capacity of QR version 14 at error correction level Q (ISO/IEC 18004, table 7).
QR_MAX_VERSION = 14
QR_MAX_CHARS = 376
QR_ALPHANUMERIC = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
MAX_BASE_URL_CHARS = 48
DEFAULT_MAX_PAYLOAD_CHARS = QR_MAX_CHARS - MAX_BASE_URL_CHARS - len(URL_PATH)
MAX_INPUT_CHARS = 1024  # far above any real payload; bounds work done on hostile input
CLOCK_SKEW = timedelta(minutes=5)

# A level's code in the payload is its rank + 1 (below_A1 = 1 .. B2 = 5; 0 = not tested), one
# 4-bit digit per skill in the order of SKILLS: both orders are part of the signed format.
LEVEL_CODES = {level: rank + 1 for rank, level in enumerate(RESULT_LEVELS)}
LEVEL_NAMES = {code: name for name, code in LEVEL_CODES.items()}

# Claim keys (private to this format; 6 is the CWT `iat`, RFC 8392 section 3.1.6).
C_VERSION, C_CODE, C_FAMILY, C_GIVEN, C_BIRTH = -1, -2, -3, -4, -5
C_LEVELS, C_TEST_DATE, C_STATUS_INDEX, C_TRUNCATED, C_IAT = -6, -7, -8, -9, 6
TRUNC_FAMILY, TRUNC_GIVEN = 1, 2
_REQUIRED = {
    C_VERSION,
    C_CODE,
    C_FAMILY,
    C_GIVEN,
    C_BIRTH,
    C_LEVELS,
    C_TEST_DATE,
    C_IAT,
    C_STATUS_INDEX,
}

EPOCH_DAY = date(1970, 1, 1)
_CODE = re.compile(r"ATT(?:-[0-9A-Z]{4}){1,8}")
_COMPACT_CODE = re.compile(r"(?:[0-9A-Z]{4}){1,8}")
_KID = re.compile(r"(?:[0-9a-f]{2}){1,32}")
_B32 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
_B32_PAD = {0: 0, 2: 6, 4: 4, 5: 3, 7: 1}  # unpadded length mod 8 -> '=' to add


class PayloadError(ValueError):
    """A QR payload that cannot be trusted; `reason` is a stable machine-readable code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class AttestationClaims:
    code: str  # "ATT-K7QD-MX4T"
    family_name: str
    given_names: str
    birth_date: date
    levels: Mapping[str, str]  # skill -> "below_A1" | "A1".."B2"; a skill not tested is absent
    test_date: date
    issued_at: datetime  # timezone-aware; whole seconds are kept
    status_index: int


@dataclass(frozen=True)
class VerifiedClaims:
    claims: AttestationClaims
    kid: str
    version: int = FORMAT_VERSION
    is_family_name_truncated: bool = False
    is_given_names_truncated: bool = False

    def display_names(self) -> tuple[str, str]:
        """Return (family name, given names) with an ellipsis where the issuer shortened them."""
        fam, giv = self.claims.family_name, self.claims.given_names
        return (
            fam + "…" if self.is_family_name_truncated else fam,
            giv + "…" if self.is_given_names_truncated else giv,
        )


# ---------------------------------------------------------------- encoding


def encode_payload(
    claims: AttestationClaims,
    private_key: ec.EllipticCurvePrivateKey,
    kid: str,
    *,
    max_chars: int = DEFAULT_MAX_PAYLOAD_CHARS,
) -> str:
    """Sign the claims and return the Base32 payload text, shortening names to fit max_chars.

    Raises ValueError for claims that break the format or cannot fit, TypeError for a key
    that is not P-256: caller errors, not hostile input."""
    if not isinstance(private_key, ec.EllipticCurvePrivateKey) or not isinstance(
        private_key.curve, ec.SECP256R1
    ):
        raise TypeError("ES256 needs an EC P-256 private key")
    protected = cbor2.dumps({HDR_ALG: COSE_ALG_ES256, HDR_KID: _kid_bytes(kid)})
    family, given, flags = _fit_names(claims, protected, max_chars)
    payload = cbor2.dumps(_claim_map(claims, family, given, flags))
    return _b32encode(cose.sign_es256(protected, payload, private_key))


def verification_url(base_url: str, payload: str) -> str:
    """Return `{BASE_URL}/V/{PAYLOAD}` in QR alphanumeric characters (the base is uppercased)."""
    url = payload_url(base_url, payload)
    bad = sorted(set(url) - QR_ALPHANUMERIC)
    if bad:
        raise ValueError(f"the URL has characters outside QR alphanumeric mode: {bad}")
    return url


def encode_url(
    base_url: str, claims: AttestationClaims, private_key: ec.EllipticCurvePrivateKey, kid: str
) -> str:
    """Sign the claims and return the whole verification URL, sized for QR version 14-Q."""
    budget = QR_MAX_CHARS - len(verification_url(base_url, ""))
    return verification_url(base_url, encode_payload(claims, private_key, kid, max_chars=budget))


def _kid_bytes(kid: str) -> bytes:
    if not isinstance(kid, str) or not _KID.fullmatch(kid):
        raise ValueError("kid must be lowercase hex, e.g. 16 characters for 8 bytes")
    return bytes.fromhex(kid)


def _compact_code(code: str) -> str:
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise ValueError(f"attestation code must look like ATT-XXXX-XXXX, got {code!r}")
    return code[4:].replace("-", "")


def _levels_word(levels: Mapping[str, str]) -> int:
    unknown = set(levels) - set(SKILLS)
    if unknown:
        raise ValueError(f"unknown skills: {sorted(unknown)}")
    word = 0
    for skill in SKILLS:
        level = levels.get(skill)
        if level is not None and level not in LEVEL_CODES:
            raise ValueError(f"unknown level for {skill}: {level!r}")
        word = (word << 4) | (LEVEL_CODES[level] if level is not None else 0)
    return word


def _claim_map(c: AttestationClaims, family: str, given: str, flags: int) -> dict[int, object]:
    if c.issued_at.tzinfo is None:
        raise ValueError("issued_at must be timezone-aware")
    if (
        isinstance(c.status_index, bool)
        or not isinstance(c.status_index, int)
        or c.status_index < 0
    ):
        raise ValueError("status_index must be a non-negative int")
    claims: dict[int, object] = {
        C_VERSION: FORMAT_VERSION,
        C_CODE: _compact_code(c.code),
        C_FAMILY: family,
        C_GIVEN: given,
        C_BIRTH: (c.birth_date - EPOCH_DAY).days,
        C_LEVELS: _levels_word(c.levels),
        C_TEST_DATE: (c.test_date - EPOCH_DAY).days,
        C_IAT: int(c.issued_at.timestamp()),
        C_STATUS_INDEX: c.status_index,
    }
    if flags:
        claims[C_TRUNCATED] = flags
    return claims


def _encoded_chars(protected: bytes, claims: dict[int, object]) -> int:
    size = len(cose.envelope(protected, cbor2.dumps(claims), bytes(64)))
    return (size * 8 + 4) // 5


def _fit_names(c: AttestationClaims, protected: bytes, max_chars: int) -> tuple[str, str, int]:
    """Shorten the longer name one grapheme at a time until the payload fits max_chars.

    Names are NFC-normalised first (fewer bytes for precomposed Vietnamese letters)."""
    family = unicodedata.normalize("NFC", c.family_name)
    given = unicodedata.normalize("NFC", c.given_names)
    flags = 0
    while _encoded_chars(protected, _claim_map(c, family, given, flags)) > max_chars:
        if not family and not given:
            raise ValueError(f"the payload cannot fit in {max_chars} characters")
        if len(family.encode()) >= len(given.encode()):
            family, flags = _drop_grapheme(family), flags | TRUNC_FAMILY
        else:
            given, flags = _drop_grapheme(given), flags | TRUNC_GIVEN
    return family, given, flags


def _drop_grapheme(text: str) -> str:
    # Remove the last base character with its combining marks: a letter is never left
    # with part of its accents (which could spell another name), then trailing spaces and
    # zero-width joiners (a Persian name's ZWNJ means nothing at the end of a word).
    end = len(text)
    while end > 0 and unicodedata.combining(text[end - 1]):
        end -= 1
    return text[: max(end - 1, 0)].rstrip(" \u200c\u200d")


def _b32encode(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=")


# ---------------------------------------------------------------- decoding


def decode_and_verify(
    text_or_url: str, keys: Mapping[str, ec.EllipticCurvePublicKey], now: datetime | None = None
) -> VerifiedClaims:
    """Check the signature and format of a payload (or URL) and return its claims.

    Raises PayloadError, and nothing else, for any input that is not a valid payload."""
    text = _payload_text(text_or_url)
    data = _b32decode(text)
    protected, payload, signature = _parse_cose(data)  # first, so a cut text says "truncated"
    if _b32encode(data) != text:
        # Non-zero padding bits: a second spelling of the same bytes; accept only one.
        raise PayloadError("bad_encoding", "the payload is not canonical Base32")
    kid, key = _header_key(protected, keys)
    if not cose.verify_es256(key, protected, payload, signature):
        raise PayloadError("bad_signature", "the signature does not match")
    result = _parse_claims(payload, kid)
    if now is not None and result.claims.issued_at > _aware(now) + CLOCK_SKEW:
        raise PayloadError("not_yet_valid", "the payload is dated in the future")
    return result


def _payload_text(text_or_url: object) -> str:
    if not isinstance(text_or_url, str):
        raise PayloadError("bad_encoding", "the payload must be text")
    text = text_or_url.strip()
    if len(text) > MAX_INPUT_CHARS:
        raise PayloadError("too_long", "the text is longer than any payload")
    if not text.isascii():
        # Checked before uppercasing: 'ß'.upper() == 'SS' would give a second spelling.
        raise PayloadError("bad_encoding", "the payload has non-ASCII characters")
    if "/" in text:
        head, _, tail = text.rpartition("/")
        if not head.upper().endswith(URL_PATH.rstrip("/")):
            raise PayloadError("bad_encoding", "the URL path does not end in /V/<payload>")
        text = tail
    if not text:
        raise PayloadError("bad_encoding", "the payload is empty")
    return text.upper()  # RFC 4648 Base32 is case-insensitive; scanners may lowercase


def _b32decode(text: str) -> bytes:
    if not set(text) <= _B32:
        raise PayloadError("bad_encoding", "the payload has characters outside Base32")
    if len(text) % 8 not in _B32_PAD:
        raise PayloadError("truncated", "the payload length is impossible for Base32")
    try:
        data = base64.b32decode(text + "=" * _B32_PAD[len(text) % 8])
    except (binascii.Error, ValueError):
        raise PayloadError("bad_encoding", "the payload is not Base32") from None
    return data


def _parse_cose(data: bytes) -> tuple[bytes, bytes, bytes]:
    try:
        protected, unprotected, payload, signature = cose.parse_sign1(data, what="the payload")
    except cose.CoseFormatError as exc:
        raise PayloadError(exc.reason, exc.message) from None
    if unprotected:
        raise PayloadError("bad_cbor", "the COSE_Sign1 fields have the wrong types")
    if cose.envelope(protected, payload, signature) != data:
        # Trailing bytes or non-minimal lengths: only the one encoding we emit is accepted.
        raise PayloadError("bad_cbor", "the payload is not in canonical CBOR")
    return protected, payload, signature


def _header_key(
    protected: bytes, keys: Mapping[str, ec.EllipticCurvePublicKey]
) -> tuple[str, ec.EllipticCurvePublicKey]:
    try:
        header = cbor2.loads(protected)
    except Exception:  # noqa: BLE001
        raise PayloadError("bad_header", "the protected header is not valid CBOR") from None
    if not isinstance(header, Mapping) or set(header) != {HDR_ALG, HDR_KID}:
        raise PayloadError("bad_header", "the protected header must hold exactly alg and kid")
    if type(header[HDR_ALG]) is not int or header[HDR_ALG] != COSE_ALG_ES256:
        raise PayloadError("unsupported_alg", "only ES256 is accepted")
    kid_raw = header[HDR_KID]
    if not isinstance(kid_raw, bytes) or not kid_raw:
        raise PayloadError("bad_header", "the kid must be a byte string")
    kid = kid_raw.hex()
    key = keys.get(kid)
    if key is None:
        raise PayloadError("unknown_kid", f"no trusted key has kid {kid}")
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise PayloadError("unknown_kid", f"the key for kid {kid} is not an EC P-256 key")
    return kid, key


def _parse_claims(payload: bytes, kid: str) -> VerifiedClaims:
    try:
        m = cbor2.loads(payload)
        if not isinstance(m, Mapping) or cbor2.dumps(m) != payload:
            raise PayloadError("bad_claims", "the claims are not a canonical CBOR map")
        version = m.get(C_VERSION)
        if type(version) is not int or version != FORMAT_VERSION:
            raise PayloadError("unsupported_version", f"payload format {version!r} is unknown")
        if not _REQUIRED <= set(m) <= _REQUIRED | {C_TRUNCATED}:
            raise PayloadError("bad_claims", "the claims have missing or unknown keys")
        flags = m.get(C_TRUNCATED, 0)
        claims = AttestationClaims(
            code=_expand_code(m[C_CODE]),
            family_name=_text(m[C_FAMILY]),
            given_names=_text(m[C_GIVEN]),
            birth_date=_day(m[C_BIRTH]),
            levels=_levels_dict(m[C_LEVELS]),
            test_date=_day(m[C_TEST_DATE]),
            issued_at=datetime.fromtimestamp(_uint(m[C_IAT]), tz=UTC),
            status_index=_uint(m[C_STATUS_INDEX]),
        )
        if _uint(flags) > TRUNC_FAMILY | TRUNC_GIVEN:
            raise PayloadError("bad_claims", "unknown truncation flags")
    except PayloadError:
        raise
    except Exception:  # noqa: BLE001 - signed but malformed: a PayloadError, not a crash
        raise PayloadError("bad_claims", "the claims are malformed") from None
    return VerifiedClaims(
        claims, kid, version, bool(flags & TRUNC_FAMILY), bool(flags & TRUNC_GIVEN)
    )


def _uint(value: object) -> int:
    if type(value) is not int or value < 0:
        raise ValueError("expected an unsigned integer")
    return value


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("expected text")
    return value


def _day(value: object) -> date:
    if type(value) is not int:
        raise ValueError("expected a day number")
    return EPOCH_DAY + timedelta(days=value)


def _expand_code(value: object) -> str:
    if not isinstance(value, str) or not _COMPACT_CODE.fullmatch(value):
        raise ValueError("bad attestation code")
    return "ATT-" + "-".join(value[i : i + 4] for i in range(0, len(value), 4))


def _levels_dict(word: object) -> dict[str, str]:
    word = _uint(word)
    if word >> (4 * len(SKILLS)):
        raise ValueError("levels word too wide")
    levels = {}
    for i, skill in enumerate(SKILLS):
        code = (word >> (4 * (len(SKILLS) - 1 - i))) & 0xF
        if code:
            levels[skill] = LEVEL_NAMES[code]  # KeyError for unknown codes -> bad_claims
    return levels


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
