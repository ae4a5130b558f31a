"""The signed status list: size, lookups, lifetime, tampering and hostile input."""

from __future__ import annotations

import zlib
from datetime import timedelta

import cbor2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attest.certificates import cose
from attest.certificates import status_list as S
from attest.certificates.payload import _b32decode, encode_payload
from attest.certificates.status_list import (
    Status,
    StatusListError,
    build_status_list,
    verify_status_list,
)

from .factories import KID, NOW, OTHER, SIGNER, TRUSTED, make_claims

URI = "https://attest.example/status/1"
REVOKED, SUSPENDED = {0, 7, 4711, 131_071}, {8, 4711, 99_999}


def build(**overrides) -> bytes:
    fields = {
        "revoked": REVOKED,
        "suspended": SUSPENDED,
        "private_key": SIGNER.private_key,
        "kid": KID,
        "uri": URI,
        "issued_at": NOW,
    }
    fields.update(overrides)
    return build_status_list(**fields)


TOKEN = build()


def reason_of(data, keys=TRUSTED, now=NOW) -> str:
    with pytest.raises(StatusListError) as info:
        verify_status_list(data, keys, now)
    return info.value.reason


def test_list_has_at_least_131072_entries_and_stays_small():
    lst = verify_status_list(TOKEN, TRUSTED, NOW)
    assert len(lst) >= S.MIN_ENTRIES == 131_072
    assert lst.bits == 2 and lst.uri == URI and lst.kid == KID
    assert len(TOKEN) < 1024  # 32 KiB of bits, sparse, compresses to a few hundred bytes


@pytest.mark.parametrize(
    ("index", "status"),
    [
        (0, Status.REVOKED),
        (7, Status.REVOKED),
        (131_071, Status.REVOKED),
        (4711, Status.REVOKED),  # revoked wins over suspended
        (8, Status.SUSPENDED),
        (99_999, Status.SUSPENDED),
        (1, Status.VALID),
        (6, Status.VALID),
        (9, Status.VALID),
        (131_070, Status.VALID),
    ],
)
def test_lookup(index, status):
    assert verify_status_list(TOKEN, TRUSTED, NOW).status(index) is status


@pytest.mark.parametrize("index", [-1, 131_072, 10**9, True, "3"])
def test_index_outside_the_list(index):
    lst = verify_status_list(TOKEN, TRUSTED, NOW)
    with pytest.raises(StatusListError) as info:
        lst.status(index)
    assert info.value.reason == "index_out_of_range"


def test_larger_list_and_single_key():
    token = build(size=262_144, revoked={200_000})
    lst = verify_status_list(token, SIGNER.private_key.public_key(), NOW)
    assert len(lst) == 262_144 and lst.status(200_000) is Status.REVOKED


@pytest.mark.parametrize(
    ("now", "reason"),
    [
        (NOW + timedelta(days=7), "expired"),
        (NOW + timedelta(days=30), "expired"),
        (NOW - timedelta(hours=1), "not_yet_valid"),
    ],
)
def test_lifetime(now, reason):
    assert reason_of(TOKEN, now=now) == reason


def test_lifetime_edges_and_ttl():
    lst = verify_status_list(TOKEN, TRUSTED, NOW + timedelta(days=7) - timedelta(seconds=1))
    assert lst.expires_at - lst.issued_at == timedelta(days=7)
    assert lst.ttl == timedelta(days=1)
    assert verify_status_list(TOKEN, TRUSTED, NOW - timedelta(minutes=4)).issued_at == NOW


def test_wrong_or_unknown_key():
    assert reason_of(TOKEN, {KID: OTHER.private_key.public_key()}) == "bad_signature"
    assert reason_of(TOKEN, {}) == "unknown_kid"
    assert reason_of(TOKEN, OTHER.private_key.public_key()) == "bad_signature"


def test_every_byte_flip_is_refused():
    for i in range(len(TOKEN)):
        tampered = bytearray(TOKEN)
        tampered[i] ^= 0x01
        with pytest.raises(StatusListError):
            verify_status_list(bytes(tampered), TRUSTED, NOW)


def test_un_revoking_an_entry_breaks_the_signature():
    obj = cbor2.loads(TOKEN)
    protected, _, payload, signature = obj.value
    claims = dict(cbor2.loads(payload))
    claims[S.C_STATUS_LIST] = {1: 2, 2: zlib.compress(S.pack_statuses({}), 9)}
    forged = cbor2.dumps(cbor2.CBORTag(18, [protected, {}, cbor2.dumps(claims), signature]))
    assert reason_of(forged) == "bad_signature"


def test_payload_token_is_not_a_status_list():
    qr = encode_payload(make_claims(), SIGNER.private_key, KID)
    assert reason_of(_b32decode(qr)) == "bad_header"  # no typ: a QR payload cannot pose as one


def _signed(claims: dict, protected: dict | None = None) -> bytes:
    """Sign arbitrary status-list claims with the trusted key, bypassing the builder."""
    prot = cbor2.dumps(protected or {1: -7, 4: bytes.fromhex(KID), 16: S.TYP})
    return cose.sign_es256(prot, cbor2.dumps(claims), SIGNER.private_key)


GOOD = {2: URI, 6: int(NOW.timestamp()), 4: int(NOW.timestamp()) + 3600, 65534: 600}


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({**GOOD, 65533: {1: 1, 2: zlib.compress(bytes(16384))}}, "bad_list"),  # 1-bit lists
        ({**GOOD, 65533: {1: 2, 2: zlib.compress(bytes(1000))}}, "bad_list"),  # too few entries
        ({**GOOD, 65533: {1: 2, 2: zlib.compress(bytes(S.MAX_ENTRIES // 4 + 1))}}, "bad_list"),
        ({**GOOD, 65533: {1: 2, 2: zlib.compress(bytes(32768))[:-5]}}, "bad_list"),  # cut stream
        ({**GOOD, 65533: {1: 2, 2: b"not zlib"}}, "bad_list"),
        ({**GOOD, 65533: {1: 2}}, "bad_claims"),
        ({**GOOD, 6: "yesterday", 65533: {1: 2, 2: zlib.compress(bytes(32768))}}, "bad_claims"),
        ({**GOOD, 4: 10**30, 65533: {1: 2, 2: zlib.compress(bytes(32768))}}, "bad_claims"),
        ({GOOD[2]: 1}, "bad_claims"),
    ],
)
def test_signed_but_malformed_lists_are_refused(claims, reason):
    assert reason_of(_signed(claims)) == reason


def test_a_list_value_outside_the_status_table_is_reported():
    raw = bytearray(32768)
    raw[0] = 0b11  # status 3 is not defined
    lst = verify_status_list(
        _signed({**GOOD, 65533: {1: 2, 2: zlib.compress(bytes(raw))}}), TRUSTED, NOW
    )
    with pytest.raises(StatusListError) as info:
        lst.status(0)
    assert info.value.reason == "bad_list"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"size": 1000},
        {"size": 131_073},
        {"issued_at": NOW.replace(tzinfo=None)},
        {"revoked": {131_072}},
    ],
)
def test_builder_refuses_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        build(**kwargs)


def test_bit_layout_follows_the_ietf_draft():
    # Entry i sits in byte i*2//8, least significant bits first (draft-ietf-oauth-status-list).
    raw = S.pack_statuses({0: Status.REVOKED, 1: Status.SUSPENDED, 3: Status.REVOKED}, 131_072)
    assert raw[0] == 0b01_00_10_01 and len(raw) == 32_768


@settings(max_examples=200, deadline=None, database=None)
@given(st.binary(max_size=600))
def test_random_bytes_raise_only_status_list_error(data):
    with pytest.raises(StatusListError):
        verify_status_list(data, TRUSTED, NOW)


@pytest.mark.parametrize("data", ["text", None, b"\x00" * (S.MAX_TOKEN_BYTES + 1)])
def test_non_bytes_or_huge_input(data):
    assert reason_of(data) == "bad_cbor"
