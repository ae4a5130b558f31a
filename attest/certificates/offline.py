"""Offline verification of a QR payload: signature, key state, status list; JWKS in and out.

A JWKS entry may carry two members of our own, `retired_at` and `compromised_at` (RFC 3339,
UTC), applied to the payload's issue time with the rule of keys.key_usable_for: a retired key
still verifies what it signed while active; a compromised key invalidates what it signed from
the compromise on. Wire format: docs/payload-format.md. Pure module: no Flask, no ORM.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from attest.certificates.keys import kid as kid_of
from attest.certificates.payload import PayloadError, VerifiedClaims, decode_and_verify
from attest.certificates.status_list import Status, StatusListError, verify_status_list

VALID, REVOKED, SUSPENDED = "valid", "revoked", "suspended"
STATUS_UNKNOWN, INVALID = "status_unknown", "invalid"
_STATUS_NAMES = {Status.VALID: VALID, Status.REVOKED: REVOKED, Status.SUSPENDED: SUSPENDED}


class JwksError(ValueError):
    """A JWKS document that is malformed or inconsistent (a trust configuration problem)."""


@dataclass(frozen=True)
class TrustedKey:
    kid: str
    public_key: ec.EllipticCurvePublicKey
    retired_at: datetime | None = None
    compromised_at: datetime | None = None
    not_before: datetime | None = None  # from the x5c leaf certificate, when given
    not_after: datetime | None = None
    chain: tuple[x509.Certificate, ...] = ()


@dataclass(frozen=True)
class KeyState:
    retired_at: datetime | None = None
    compromised_at: datetime | None = None


@dataclass(frozen=True)
class OfflineResult:
    status: str  # valid | revoked | suspended | status_unknown | invalid
    reason: str  # stable code for logs and translated messages
    message: str
    claims: VerifiedClaims | None = None
    is_signature_valid: bool = False  # maths only; is_authentic adds the key-state rule
    is_authentic: bool = False
    status_list_issued_at: datetime | None = None

    @property
    def is_valid(self) -> bool:
        """Tell whether the attestation is authentic and known to be in force."""
        return self.status == VALID


def key_verdict(key: TrustedKey, signed_at: datetime) -> tuple[str, str] | None:
    """Return (reason, message) when a signature made at signed_at must not be trusted."""
    at = _utc(signed_at)
    if key.compromised_at is not None and at >= _utc(key.compromised_at):
        return "key_compromised", "signed after the key was compromised"
    if (key.not_before is not None and at < _utc(key.not_before)) or (
        key.not_after is not None and at > _utc(key.not_after)
    ):
        return "key_not_valid_then", "signed outside the certificate's validity period"
    if key.retired_at is not None and at > _utc(key.retired_at):
        return "key_retired", "signed after the key was retired"
    return None


def verify_offline(
    qr_text: str,
    jwks_or_keys: Mapping[str, object],
    status_list_bytes: bytes | None,
    now: datetime,
) -> OfflineResult:
    """Verify a scanned QR text against trusted keys and, when given, a signed status list.

    `jwks_or_keys` is a JWKS document ({"keys": [...]}) or a mapping kid -> TrustedKey or
    public key. Hostile QR text or status list gives a result; a bad JWKS raises JwksError."""
    keys = _trusted_keys(jwks_or_keys)
    try:
        verified = decode_and_verify(qr_text, {k: v.public_key for k, v in keys.items()}, now)
    except PayloadError as exc:
        return OfflineResult(INVALID, exc.reason, exc.message)
    verdict = key_verdict(keys[verified.kid], verified.claims.issued_at)
    if verdict is not None:
        return OfflineResult(INVALID, *verdict, claims=verified, is_signature_valid=True)
    genuine = {"claims": verified, "is_signature_valid": True, "is_authentic": True}
    if status_list_bytes is None:
        return OfflineResult(
            STATUS_UNKNOWN,
            "no_status_list",
            "genuine, but no status list was given to check revocation",
            **genuine,
        )
    try:
        lst = verify_status_list(status_list_bytes, {k: v.public_key for k, v in keys.items()}, now)
        list_verdict = key_verdict(keys[lst.kid], lst.issued_at)
        if list_verdict is not None:
            raise StatusListError("untrusted_key", list_verdict[1])
        if lst.issued_at < verified.claims.issued_at:
            raise StatusListError(
                "older_than_attestation", "the status list predates the attestation"
            )
        status = lst.status(verified.claims.status_index)
    except StatusListError as exc:
        return OfflineResult(
            STATUS_UNKNOWN,
            f"status_list_{exc.reason}",
            f"genuine, but the status is unknown: {exc.message}",
            **genuine,
        )
    name = _STATUS_NAMES[status]
    message = "genuine and in force" if status is Status.VALID else f"genuine but {name}"
    return OfflineResult(name, name, message, status_list_issued_at=lst.issued_at, **genuine)


# ---------------------------------------------------------------- JWKS


def jwks_from_certificates(
    certs: Iterable[x509.Certificate | Sequence[x509.Certificate]],
    *,
    states: Mapping[str, KeyState] | None = None,
) -> dict:
    """Return a JWKS document for signing certificates (each alone or as a chain, leaf first)."""
    keys = []
    for item in certs:
        chain = [item] if isinstance(item, x509.Certificate) else list(item)
        leaf = chain[0]
        pub = leaf.public_key()
        if not isinstance(pub, ec.EllipticCurvePublicKey) or not isinstance(
            pub.curve, ec.SECP256R1
        ):
            raise TypeError("only EC P-256 certificates can be published for ES256")
        numbers = pub.public_numbers()
        kid = kid_of(leaf)
        jwk: dict[str, object] = {
            "kty": "EC",
            "crv": "P-256",
            "kid": kid,
            "use": "sig",
            "alg": "ES256",
            "x": _b64url(numbers.x.to_bytes(32, "big")),
            "y": _b64url(numbers.y.to_bytes(32, "big")),
            "x5c": [
                base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode() for c in chain
            ],
        }
        state = (states or {}).get(kid)
        if state is not None:
            for name in ("retired_at", "compromised_at"):
                moment = getattr(state, name)
                if moment is not None:
                    jwk[name] = _utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")
        keys.append(jwk)
    return {"keys": keys}


def keys_from_jwks(doc: Mapping[str, object]) -> dict[str, TrustedKey]:
    """Parse a JWKS into trusted keys by kid; skip non-signing keys, JwksError on bad ones."""
    entries = doc.get("keys") if isinstance(doc, Mapping) else None
    if not isinstance(entries, list):
        raise JwksError("a JWKS document is an object with a 'keys' array")
    keys: dict[str, TrustedKey] = {}
    for jwk in entries:
        if not isinstance(jwk, Mapping) or jwk.get("kty") != "EC" or jwk.get("use", "sig") != "sig":
            continue  # RFC 7517 section 5: ignore keys we do not understand
        key = _key_from_jwk(jwk)
        if key.kid in keys:
            raise JwksError(f"duplicate kid {key.kid}")
        keys[key.kid] = key
    return keys


def _key_from_jwk(jwk: Mapping[str, object]) -> TrustedKey:
    kid = jwk.get("kid")
    if (
        jwk.get("crv") != "P-256"
        or jwk.get("alg", "ES256") != "ES256"
        or not isinstance(kid, str)
        or not kid
    ):
        raise JwksError(f"key {kid!r}: only EC P-256 ES256 keys with a kid are accepted")
    try:
        x, y = (int.from_bytes(_unb64url(jwk.get(n), 32), "big") for n in ("x", "y"))
        public_key = ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
    except ValueError as exc:
        raise JwksError(f"key {kid}: bad public point ({exc})") from None
    chain = _chain(jwk.get("x5c"), kid)
    if chain:
        if chain[0].public_key() != public_key:
            raise JwksError(f"key {kid}: x5c certificate does not hold the x/y key")
        if kid_of(chain[0]) != kid:
            raise JwksError(f"key {kid}: kid is not the SHA-256 prefix of the x5c certificate")
    return TrustedKey(
        kid=kid,
        public_key=public_key,
        chain=chain,
        retired_at=_moment(jwk.get("retired_at"), kid),
        compromised_at=_moment(jwk.get("compromised_at"), kid),
        not_before=chain[0].not_valid_before_utc if chain else None,
        not_after=chain[0].not_valid_after_utc if chain else None,
    )


def _chain(x5c: object, kid: str) -> tuple[x509.Certificate, ...]:
    if x5c is None:
        return ()
    if not isinstance(x5c, list) or not x5c or not all(isinstance(c, str) for c in x5c):
        raise JwksError(f"key {kid}: x5c must be a non-empty array of base64 strings")
    try:
        return tuple(
            x509.load_der_x509_certificate(base64.b64decode(c, validate=True)) for c in x5c
        )
    except (binascii.Error, ValueError) as exc:
        raise JwksError(f"key {kid}: x5c holds a bad certificate ({exc})") from None


def _moment(value: object, kid: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise JwksError(f"key {kid}: dates must be RFC 3339 with a zone (2025-01-31T00:00:00Z)")
    return moment.astimezone(UTC)


def _trusted_keys(source: Mapping[str, object]) -> dict[str, TrustedKey]:
    if isinstance(source, Mapping) and "keys" in source and isinstance(source["keys"], list):
        return keys_from_jwks(source)
    keys = {}
    for kid, value in source.items():
        if isinstance(value, TrustedKey):
            keys[kid] = value
        elif isinstance(value, ec.EllipticCurvePublicKey):
            keys[kid] = TrustedKey(kid, value)
        else:
            raise JwksError(f"kid {kid}: expected a TrustedKey or an EC public key")
    return keys


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(value: object, length: int) -> bytes:
    if not isinstance(value, str) or len(value) != -(-length * 4 // 3):
        raise ValueError(f"expected {length} bytes in unpadded base64url")
    try:
        data = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except binascii.Error as exc:
        raise ValueError(str(exc)) from None
    if len(data) != length or _b64url(data) != value:
        raise ValueError("not canonical base64url")
    return data


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
