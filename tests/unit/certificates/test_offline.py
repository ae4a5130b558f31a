"""Offline verification: payload + key state + status list, and the JWKS that carries the keys."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from types import SimpleNamespace

import pytest

from attest.certificates import keys
from attest.certificates.offline import (
    JwksError,
    KeyState,
    TrustedKey,
    jwks_from_certificates,
    key_verdict,
    keys_from_jwks,
    verify_offline,
)
from attest.certificates.payload import encode_payload
from attest.certificates.status_list import build_status_list

from .factories import (
    KID,
    NOW,
    OTHER,
    OTHER_KID,
    ROOT,
    SIGNER,
    STRANGER,
    TRUSTED,
    make_claims,
)

HOUR, DAY = timedelta(hours=1), timedelta(days=1)
STRANGER_PAIR = SimpleNamespace(private_key=STRANGER)
LATER = NOW + HOUR  # when the third party scans


def qr(signer=SIGNER, kid=KID, **overrides) -> str:
    return encode_payload(make_claims(**overrides), signer.private_key, kid)


def status_list(signer=SIGNER, kid=KID, issued_at=NOW + timedelta(minutes=30), **kw) -> bytes:
    fields = {
        "revoked": {13},
        "suspended": {14},
        "private_key": signer.private_key,
        "kid": kid,
        "uri": "https://attest.example/status/1",
        "issued_at": issued_at,
    }
    fields.update(kw)
    return build_status_list(**fields)


def _flip_last_byte(data: bytes) -> bytes:
    """Spoil the signature's last byte for certain (setting it to 0 left it as it was whenever
    the randomised ECDSA signature already ended in 0: one run in 256)."""
    return data[:-1] + bytes([data[-1] ^ 0x01])


def jwks(**states) -> dict:
    doc = jwks_from_certificates(
        [(SIGNER.certificate, ROOT.certificate), OTHER.certificate],
        states={KID: KeyState(**states)} if states else None,
    )
    return json.loads(json.dumps(doc))  # as a third party receives it


# ---------------------------------------------------------------- JWKS


def test_jwks_members_and_round_trip():
    doc = jwks(retired_at=NOW, compromised_at=NOW + DAY)
    first = doc["keys"][0]
    assert {k: first[k] for k in ("kty", "crv", "kid", "use", "alg")} == {
        "kty": "EC",
        "crv": "P-256",
        "kid": KID,
        "use": "sig",
        "alg": "ES256",
    }
    assert len(first["x"]) == len(first["y"]) == 43 and len(first["x5c"]) == 2
    assert first["retired_at"] == "2025-03-03T10:00:00Z"
    assert first["compromised_at"] == "2025-03-04T10:00:00Z"
    assert "retired_at" not in doc["keys"][1]

    parsed = keys_from_jwks(doc)
    assert set(parsed) == {KID, OTHER_KID}
    assert parsed[KID].public_key == SIGNER.private_key.public_key()
    assert parsed[KID].retired_at == NOW and parsed[KID].compromised_at == NOW + DAY
    assert parsed[KID].chain[0] == SIGNER.certificate and parsed[KID].chain[1] == ROOT.certificate
    assert parsed[KID].not_after == SIGNER.certificate.not_valid_after_utc
    assert parsed[OTHER_KID].retired_at is None


def test_jwks_without_x5c_and_with_foreign_keys():
    doc = jwks()
    del doc["keys"][0]["x5c"]
    doc["keys"].append({"kty": "RSA", "kid": "rsa", "n": "AQAB", "e": "AQAB"})
    doc["keys"].append({**doc["keys"][1], "use": "enc", "kid": "enc"})
    parsed = keys_from_jwks(doc)
    assert set(parsed) == {KID, OTHER_KID}
    assert parsed[KID].chain == () and parsed[KID].not_before is None


def _broken(path: str, value) -> dict:
    doc = jwks()
    if path == "keys":
        return {"keys": value}
    if value is KeyError:
        del doc["keys"][0][path]
    else:
        doc["keys"][0][path] = value
    return doc


@pytest.mark.parametrize(
    "doc",
    [
        {},
        {"keys": {}},
        [],
        _broken("crv", "P-384"),
        _broken("alg", "ES384"),
        _broken("kid", KeyError),
        _broken("x", KeyError),
        _broken("x", "A" * 43),  # not a point on the curve
        _broken("y", "!" * 43),
        _broken("x", "AA"),
        _broken("kid", OTHER_KID),  # kid is not the certificate's digest
        _broken("x5c", ["bm90IGEgY2VydA=="]),
        _broken("x5c", "MII"),
        _broken("x5c", []),
        _broken("retired_at", "2025-03-03T10:00:00"),  # no zone
        _broken("compromised_at", "yesterday"),
        _broken("compromised_at", 1740996000),
        _broken("keys", [jwks()["keys"][0], jwks()["keys"][0]]),  # duplicate kid
    ],
)
def test_bad_jwks_is_refused(doc):
    with pytest.raises(JwksError):
        keys_from_jwks(doc)


def test_x5c_holding_another_key_is_refused():
    doc = jwks()
    doc["keys"][0]["x5c"] = doc["keys"][1]["x5c"]
    doc["keys"][0]["kid"] = OTHER_KID
    with pytest.raises(JwksError, match="x/y"):
        keys_from_jwks(doc)


# ---------------------------------------------------------------- verify_offline


@pytest.mark.parametrize(
    ("index", "status"),
    [
        (12, "valid"),
        (13, "revoked"),
        (14, "suspended"),
    ],
)
def test_status_from_the_list(index, status):
    result = verify_offline(qr(status_index=index), jwks(), status_list(), LATER)
    assert (result.status, result.reason) == (status, status)
    assert result.is_authentic and result.is_signature_valid
    assert result.is_valid is (status == "valid")
    assert result.claims.claims.status_index == index
    assert result.status_list_issued_at == NOW + timedelta(minutes=30)


@pytest.mark.parametrize(
    ("list_bytes", "now", "reason"),
    [
        (None, LATER, "no_status_list"),
        (status_list(), NOW + 8 * DAY, "status_list_expired"),
        (_flip_last_byte(status_list()), LATER, "status_list_bad_signature"),
        (b"garbage", LATER, "status_list_bad_cbor"),
        (status_list(issued_at=NOW - HOUR), LATER, "status_list_older_than_attestation"),
        (status_list(signer=OTHER, kid=OTHER_KID), LATER, "valid"),  # another trusted key: fine
        (status_list(signer=STRANGER_PAIR), LATER, "status_list_bad_signature"),
    ],
)
def test_status_unknown_but_genuine(list_bytes, now, reason):
    result = verify_offline(qr(), jwks(), list_bytes, now)
    assert result.reason == reason
    assert result.is_authentic and result.claims is not None
    assert result.status == ("valid" if reason == "valid" else "status_unknown")


def test_index_beyond_the_list_is_status_unknown():
    result = verify_offline(qr(status_index=500_000), jwks(), status_list(), LATER)
    assert (result.status, result.reason) == ("status_unknown", "status_list_index_out_of_range")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (qr()[:-3], "truncated"),
        (qr(signer=OTHER, kid=KID), "bad_signature"),
        (encode_payload(make_claims(), STRANGER, "00" * 8), "unknown_kid"),
        ("not a payload", "bad_encoding"),
        (qr(issued_at=NOW + DAY), "not_yet_valid"),
    ],
)
def test_invalid_payload(text, reason):
    result = verify_offline(text, jwks(), status_list(), LATER)
    assert (result.status, result.reason) == ("invalid", reason)
    assert not result.is_valid and not result.is_authentic and result.claims is None


@pytest.mark.parametrize(
    ("states", "issued_at", "reason"),
    [
        # compromised: what was signed from that moment on is invalid; before it, still valid
        ({"compromised_at": NOW - DAY}, NOW, "key_compromised"),
        ({"compromised_at": NOW}, NOW, "key_compromised"),
        ({"compromised_at": NOW + timedelta(seconds=1)}, NOW, "valid"),
        # retired: what it signed while active still verifies; a later signature does not
        ({"retired_at": NOW}, NOW, "valid"),
        ({"retired_at": NOW + DAY}, NOW, "valid"),
        ({"retired_at": NOW - DAY}, NOW, "key_retired"),
        ({"retired_at": NOW - 2 * DAY, "compromised_at": NOW - DAY}, NOW, "key_compromised"),
        # outside the x5c certificate's validity
        ({}, SIGNER.certificate.not_valid_before_utc - DAY, "key_not_valid_then"),
    ],
)
def test_key_state_rules_use_the_payload_issue_time(states, issued_at, reason):
    text = qr(issued_at=issued_at, status_index=12)
    # The list comes from the current key: the retired or compromised one must not sign it.
    lst = status_list(signer=OTHER, kid=OTHER_KID, issued_at=LATER)
    result = verify_offline(text, jwks(**states), lst, LATER)
    assert result.reason == reason
    if reason != "valid":
        assert result.status == "invalid" and result.is_signature_valid
        assert not result.is_authentic and result.claims.kid == KID


def test_status_list_signed_after_its_key_was_compromised_is_not_trusted():
    doc = jwks_from_certificates(
        [SIGNER.certificate, OTHER.certificate], states={OTHER_KID: KeyState(compromised_at=NOW)}
    )
    lst = status_list(signer=OTHER, kid=OTHER_KID)
    result = verify_offline(qr(), doc, lst, LATER)
    assert (result.status, result.reason) == ("status_unknown", "status_list_untrusted_key")


@pytest.mark.parametrize(
    "trusted",
    [
        TRUSTED,
        {KID: TrustedKey(KID, SIGNER.private_key.public_key())},
    ],
)
def test_plain_key_mappings_are_accepted(trusted):
    assert verify_offline(qr(status_index=12), trusted, status_list(), LATER).is_valid


def test_bad_trust_configuration_raises():
    with pytest.raises(JwksError):
        verify_offline(qr(), {KID: "not a key"}, None, LATER)


def test_hostile_text_never_raises():
    doc = jwks()
    for text in ["", "/", "HTTPS://X/V/", "\x00" * 50, "Ω" * 2000, qr().lower()[:-1] + "!"]:
        assert verify_offline(text, copy.deepcopy(doc), None, LATER).status == "invalid"


# ---------------------------------------------------------------- one rule with keys.py


@pytest.mark.parametrize("offset_hours", [-48, -1, 0, 1, 48])
@pytest.mark.parametrize(
    "state",
    [
        {},
        {"retired_at": NOW},
        {"compromised_at": NOW},
        {"retired_at": NOW, "compromised_at": NOW},
    ],
)
def test_key_verdict_agrees_with_keys_key_usable_for(state, offset_hours):
    cert = SIGNER.certificate
    signed_at = NOW + timedelta(hours=offset_hours)
    trusted = keys_from_jwks(jwks(**state))[KID]
    info = keys.SigningKeyInfo(
        kid=KID,
        subject=cert.subject.rfc4514_string(),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        created_at=cert.not_valid_before_utc,
        **state,
    )
    assert (key_verdict(trusted, signed_at) is None) == bool(keys.key_usable_for(info, signed_at))
