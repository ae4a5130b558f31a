"""Signed status list for offline verifiers: 2 bits per attestation, zlib, in a COSE_Sign1 CWT.

Follows the CWT form of the IETF Token Status List (draft-ietf-oauth-status-list): claims
sub (2), exp (4), iat (6), ttl (65534) and status_list (65533) = {bits (1), lst (2)}; entry i
sits in byte i*bits//8, least significant bits first. Wire format: docs/payload-format.md.
Pure module: no Flask, no ORM; keys and `now` are arguments.
"""

from __future__ import annotations

import enum
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import cbor2
from cryptography.hazmat.primitives.asymmetric import ec

from attest.certificates import cose

BITS = 2
MIN_ENTRIES = 131_072  # 2**17: one list shared by all attestations hides who is revoked
MAX_ENTRIES = 1 << 24  # bounds decompression of hostile input (4 MiB at 2 bits)
MAX_TOKEN_BYTES = 1 << 20
TYP = "application/statuslist+cwt"
COSE_SIGN1_TAG, COSE_ALG_ES256 = 18, -7
HDR_ALG, HDR_KID, HDR_TYP = 1, 4, 16  # RFC 9052; typ: RFC 9596
C_SUB, C_EXP, C_IAT, C_TTL, C_STATUS_LIST = 2, 4, 6, 65534, 65533
SL_BITS, SL_LST = 1, 2
CLOCK_SKEW = timedelta(minutes=5)


class Status(enum.IntEnum):
    VALID = 0
    REVOKED = 1  # "INVALID" in the IETF draft: permanent
    SUSPENDED = 2  # temporary; may return to VALID in a later list


class StatusListError(ValueError):
    """A status list that cannot be trusted; `reason` is a stable machine-readable code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class StatusList:
    raw: bytes  # uncompressed, BITS per entry
    uri: str
    issued_at: datetime
    expires_at: datetime
    ttl: timedelta  # how long a verifier may cache it before fetching a fresh one
    kid: str
    bits: int = BITS

    def __len__(self) -> int:
        return len(self.raw) * 8 // self.bits

    def status(self, index: int) -> Status:
        """Return the status at an index; StatusListError when the index is not in the list."""
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(self):
            raise StatusListError("index_out_of_range", f"index {index!r} is not in the list")
        bit = index * self.bits
        value = (self.raw[bit // 8] >> (bit % 8)) & ((1 << self.bits) - 1)
        try:
            return Status(value)
        except ValueError:
            raise StatusListError("bad_list", f"unknown status value {value}") from None


def pack_statuses(statuses: Mapping[int, Status], size: int = MIN_ENTRIES) -> bytes:
    """Return the raw bitstring (BITS per entry, LSB first) for `size` entries."""
    raw = bytearray(-(-size * BITS // 8))
    for index, status in statuses.items():
        if not 0 <= index < size:
            raise ValueError(f"index {index} outside a list of {size} entries")
        bit = index * BITS
        shift, mask = bit % 8, (1 << BITS) - 1
        raw[bit // 8] = (raw[bit // 8] & ~(mask << shift)) | (Status(status) << shift)
    return bytes(raw)


def build_status_list(
    *,
    revoked: Iterable[int],
    private_key: ec.EllipticCurvePrivateKey,
    kid: str,
    uri: str,
    issued_at: datetime,
    suspended: Iterable[int] = (),
    size: int = MIN_ENTRIES,
    valid_for: timedelta = timedelta(days=7),
    ttl: timedelta = timedelta(days=1),
) -> bytes:
    """Build and sign a status list token (COSE_Sign1 bytes); revoked wins over suspended."""
    if size < MIN_ENTRIES or size > MAX_ENTRIES or size % 4:
        raise ValueError(f"size must be a multiple of 4 in [{MIN_ENTRIES}, {MAX_ENTRIES}]")
    if issued_at.tzinfo is None:
        raise ValueError("issued_at must be timezone-aware")
    statuses = {i: Status.SUSPENDED for i in suspended}
    statuses.update({i: Status.REVOKED for i in revoked})
    lst = zlib.compress(pack_statuses(statuses, size), 9)
    iat = int(issued_at.timestamp())
    claims = {
        C_SUB: uri,
        C_IAT: iat,
        C_EXP: iat + int(valid_for.total_seconds()),
        C_TTL: int(ttl.total_seconds()),
        C_STATUS_LIST: {SL_BITS: BITS, SL_LST: lst},
    }
    protected = cbor2.dumps({HDR_ALG: COSE_ALG_ES256, HDR_KID: bytes.fromhex(kid), HDR_TYP: TYP})
    return cose.sign_es256(protected, cbor2.dumps(claims), private_key)


def verify_status_list(
    data: bytes,
    keys: Mapping[str, ec.EllipticCurvePublicKey] | ec.EllipticCurvePublicKey,
    now: datetime,
) -> StatusList:
    """Check signature, type and lifetime of a status list token and return the list.

    `keys` is one public key or a mapping kid -> key. Raises StatusListError, nothing else."""
    if not isinstance(data, (bytes, bytearray)) or len(data) > MAX_TOKEN_BYTES:
        raise StatusListError("bad_cbor", "the status list must be bytes of reasonable size")
    protected, payload, signature = _parse_cose(bytes(data))
    kid = _check_header(protected)
    key = keys if isinstance(keys, ec.EllipticCurvePublicKey) else keys.get(kid)
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise StatusListError("unknown_kid", f"no trusted P-256 key has kid {kid}")
    if not cose.verify_es256(key, protected, payload, signature):
        raise StatusListError("bad_signature", "the signature does not match")
    result = _parse_claims(payload, kid)
    now = now.replace(tzinfo=UTC) if now.tzinfo is None else now
    if now >= result.expires_at:
        raise StatusListError("expired", f"the status list expired at {result.expires_at}")
    if result.issued_at > now + CLOCK_SKEW:
        raise StatusListError("not_yet_valid", "the status list is dated in the future")
    return result


def _parse_cose(data: bytes) -> tuple[bytes, bytes, bytes]:
    try:
        protected, _unprotected, payload, signature = cose.parse_sign1(data, what="the status list")
    except cose.CoseFormatError as exc:
        raise StatusListError("bad_cbor", exc.message) from None
    return protected, payload, signature


def _check_header(protected: bytes) -> str:
    try:
        header = cbor2.loads(protected)
    except Exception:  # noqa: BLE001
        raise StatusListError("bad_header", "the protected header is not CBOR") from None
    if (
        not isinstance(header, Mapping)
        or header.get(HDR_ALG) != COSE_ALG_ES256
        or header.get(HDR_TYP) != TYP
        or not isinstance(header.get(HDR_KID), bytes)
    ):
        raise StatusListError("bad_header", f"the header must hold alg ES256, a kid and typ {TYP}")
    return header[HDR_KID].hex()


def _parse_claims(payload: bytes, kid: str) -> StatusList:
    try:
        m = cbor2.loads(payload)
        sl = m[C_STATUS_LIST]
        bits, lst = sl[SL_BITS], sl[SL_LST]
        if bits != BITS or not isinstance(lst, bytes):
            raise StatusListError("bad_list", f"only {BITS}-bit lists are supported")
        raw = _inflate(lst)
        iat, exp, ttl = m[C_IAT], m[C_EXP], m[C_TTL]
        if not all(type(v) is int for v in (iat, exp, ttl)) or not isinstance(m[C_SUB], str):
            raise StatusListError("bad_claims", "iat, exp, ttl must be integers, sub text")
        return StatusList(
            raw=raw,
            uri=m[C_SUB],
            kid=kid,
            bits=bits,
            issued_at=datetime.fromtimestamp(iat, tz=UTC),
            expires_at=datetime.fromtimestamp(exp, tz=UTC),
            ttl=timedelta(seconds=ttl),
        )
    except StatusListError:
        raise
    except Exception:  # noqa: BLE001 - signed but malformed: still a StatusListError
        raise StatusListError("bad_claims", "the status list claims are malformed") from None


def _inflate(lst: bytes) -> bytes:
    # Bounded: a small hostile (even if signed) input must not inflate to gigabytes.
    limit = MAX_ENTRIES * BITS // 8
    d = zlib.decompressobj()
    try:
        raw = d.decompress(lst, limit)
    except zlib.error:
        raise StatusListError("bad_list", "the list is not zlib data") from None
    if d.unconsumed_tail or not d.eof or d.unused_data:
        raise StatusListError("bad_list", "the list is too large, truncated or has extra data")
    if len(raw) * 8 // BITS < MIN_ENTRIES:
        raise StatusListError("bad_list", f"the list has fewer than {MIN_ENTRIES} entries")
    return raw
