"""The signed QR payload: round trips, tampering, keys, sizes and hostile input."""

from __future__ import annotations

import base64
import re
import unicodedata
from datetime import date, datetime, timedelta
from pathlib import Path

import cbor2
import pytest
import qrcode
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from qrcode.util import MODE_8BIT_BYTE

from attest.certificates import cose
from attest.certificates import payload as P
from attest.certificates.payload import PayloadError, decode_and_verify, encode_payload

from .factories import (
    BASE_URL,
    KID,
    LONG_ARABIC,
    LONG_VIETNAMESE,
    NAMES,
    NOW,
    OTHER,
    OTHER_KID,
    SIGNER,
    STRANGER,
    TRUSTED,
    make_claims,
)

REASONS = {
    "bad_encoding",
    "truncated",
    "too_long",
    "bad_cbor",
    "bad_header",
    "unsupported_alg",
    "unknown_kid",
    "bad_signature",
    "unsupported_version",
    "bad_claims",
    "not_yet_valid",
}
B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
FUZZ = settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
TEXT = encode_payload(make_claims(), SIGNER.private_key, KID)


def sign_raw(payload: bytes, protected: bytes | None = None) -> str:
    """Sign arbitrary payload bytes with the trusted key, bypassing the claim checks."""
    protected = protected or cbor2.dumps({1: -7, 4: bytes.fromhex(KID)})
    return P._b32encode(cose.sign_es256(protected, payload, SIGNER.private_key))


def reason_of(text: object, keys=TRUSTED) -> str:
    with pytest.raises(PayloadError) as info:
        decode_and_verify(text, keys, NOW)
    assert info.value.reason in REASONS
    return info.value.reason


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize(("family", "given_names"), NAMES)
def test_round_trip_keeps_every_claim(family, given_names):
    claims = make_claims(family_name=family, given_names=given_names)
    verified = decode_and_verify(encode_payload(claims, SIGNER.private_key, KID), TRUSTED, NOW)
    assert verified.claims == claims
    assert verified.kid == KID and verified.version == P.FORMAT_VERSION
    assert not verified.is_family_name_truncated and not verified.is_given_names_truncated
    assert verified.display_names() == (family, given_names)


@pytest.mark.parametrize(
    "levels",
    [
        {},
        {"listening": "A2", "speaking": "A2"},
        {"listening": "B2", "reading": "B2", "speaking": "B2", "writing": "B2"},
        {
            "listening": "below_A1",
            "reading": "below_A1",
            "speaking": "below_A1",
            "writing": "below_A1",
        },
        {"writing": "A1"},
    ],
)
def test_levels_round_trip_and_untested_skills_are_absent(levels):
    verified = decode_and_verify(
        encode_payload(make_claims(levels=levels), SIGNER.private_key, KID), TRUSTED
    )
    assert verified.claims.levels == levels


def test_none_level_means_not_tested():
    claims = make_claims(levels={"listening": "A2", "writing": None})
    verified = decode_and_verify(encode_payload(claims, SIGNER.private_key, KID), TRUSTED)
    assert verified.claims.levels == {"listening": "A2"}


@pytest.mark.parametrize(
    ("birth", "index", "code"),
    [
        (date(1931, 12, 31), 0, "ATT-K7QD-MX4T"),  # before 1970: negative day number
        (date(2007, 2, 28), 131_071, "ATT-AAAA-9999"),
        (date(1970, 1, 1), 2**32, "ATT-ACDE-FGHJ-KMNP"),
    ],
)
def test_dates_indexes_and_codes_round_trip(birth, index, code):
    claims = make_claims(birth_date=birth, status_index=index, code=code)
    assert (
        decode_and_verify(encode_payload(claims, SIGNER.private_key, KID), TRUSTED).claims == claims
    )


@pytest.mark.parametrize(
    "text",
    [
        P.verification_url(BASE_URL, TEXT),
        P.verification_url(BASE_URL, TEXT).lower(),  # a scanner or person lowercased it all
        TEXT.lower(),
        f"  {TEXT}\n",
        "https://other.example/V/" + TEXT,  # the host is not signed: the payload is what counts
    ],
)
def test_accepted_spellings(text):
    assert decode_and_verify(text, TRUSTED, NOW).claims == make_claims()


def test_url_is_uppercase_alphanumeric_with_v_path():
    url = P.verification_url(BASE_URL, TEXT)
    assert url == BASE_URL.upper() + "/V/" + TEXT
    assert set(url) <= P.QR_ALPHANUMERIC


# ---------------------------------------------------------------- tampering and keys


def test_flipping_any_single_character_is_refused():
    reasons = set()
    for i, ch in enumerate(TEXT):
        for new in {B32[(B32.index(ch) + 1) % 32], B32[(B32.index(ch) + 17) % 32], "0", "="}:
            reasons.add(reason_of(TEXT[:i] + new + TEXT[i + 1 :]))
    assert "bad_signature" in reasons


def test_every_truncation_is_refused_as_truncated():
    for cut in range(1, len(TEXT)):
        assert reason_of(TEXT[:cut]) == "truncated", cut


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "bad_encoding"),
        ("   ", "bad_encoding"),
        (TEXT + "A", "truncated|bad_cbor"),  # an impossible length, or a trailing byte
        (TEXT + "AA", "truncated|bad_cbor"),
        (TEXT + "AAAAAAAA", "bad_cbor"),  # five trailing bytes after the COSE structure
        (TEXT + "ß", "bad_encoding"),
        (TEXT[:-1] + "ſ", "bad_encoding"),  # 'ſ'.upper() == 'S': no second spelling
        (TEXT + "=" * 4, "bad_encoding"),
        ("https://attest.example/v/x/" + TEXT, "bad_encoding"),
        ("https://attest.example/W/" + TEXT, "bad_encoding"),
        ("A" * (P.MAX_INPUT_CHARS + 1), "too_long"),
        (None, "bad_encoding"),
        (b"bytes", "bad_encoding"),
    ],
)
def test_malformed_text(text, reason):
    assert reason_of(text) in reason.split("|")


def test_unknown_kid_and_wrong_key():
    assert reason_of(TEXT, {}) == "unknown_kid"
    assert reason_of(TEXT, {OTHER_KID: OTHER.private_key.public_key()}) == "unknown_kid"
    assert reason_of(TEXT, {KID: OTHER.private_key.public_key()}) == "bad_signature"
    forged = encode_payload(make_claims(), STRANGER, KID)  # claims our kid, wrong key
    assert reason_of(forged) == "bad_signature"


def test_non_p256_trusted_key_is_refused():
    p384 = ec.generate_private_key(ec.SECP384R1()).public_key()
    assert reason_of(TEXT, {KID: p384}) == "unknown_kid"


def test_unsupported_version(monkeypatch):
    monkeypatch.setattr(P, "FORMAT_VERSION", 2)
    text = encode_payload(make_claims(), SIGNER.private_key, KID)
    monkeypatch.undo()
    assert reason_of(text) == "unsupported_version"


@pytest.mark.parametrize(
    "protected",
    [
        {1: -35, 4: bytes.fromhex(KID)},  # ES384
        {1: -7, 4: bytes.fromhex(KID), 2: [4]},  # crit: refused, we know no critical headers
        {4: bytes.fromhex(KID)},
    ],
)
def test_header_other_than_es256_and_kid_is_refused(protected):
    text = sign_raw(cbor2.dumps({-1: 1}), cbor2.dumps(protected))
    assert reason_of(text) in {"unsupported_alg", "bad_header"}


def test_untagged_or_unprotected_variants_are_refused():
    data = P._b32decode(TEXT)
    obj = cbor2.loads(data)
    untagged = P._b32encode(cbor2.dumps(list(obj.value)))
    assert reason_of(untagged) == "bad_cbor"
    with_unprotected = list(obj.value)
    with_unprotected[1] = {4: bytes.fromhex(KID)}
    assert reason_of(P._b32encode(cbor2.dumps(cbor2.CBORTag(18, with_unprotected)))) == "bad_cbor"


@pytest.mark.parametrize(
    "claims_map",
    [
        {-1: 1},
        [1, 2, 3],
        {**cbor2.loads(cbor2.loads(P._b32decode(TEXT)).value[2]), -99: "extra"},
        {**cbor2.loads(cbor2.loads(P._b32decode(TEXT)).value[2]), -6: 0x9999},  # unknown level
        {**cbor2.loads(cbor2.loads(P._b32decode(TEXT)).value[2]), 6: 10**30},  # iat overflow
        {**cbor2.loads(cbor2.loads(P._b32decode(TEXT)).value[2]), -5: 10**9},  # birth overflow
        {**cbor2.loads(cbor2.loads(P._b32decode(TEXT)).value[2]), -2: "att-k7qd"},
        {**cbor2.loads(cbor2.loads(P._b32decode(TEXT)).value[2]), -3: b"bytes"},
        {**cbor2.loads(cbor2.loads(P._b32decode(TEXT)).value[2]), -9: 4},
        {**cbor2.loads(cbor2.loads(P._b32decode(TEXT)).value[2]), -1: True},
    ],
)
def test_signed_but_malformed_claims_are_refused(claims_map):
    assert reason_of(sign_raw(cbor2.dumps(claims_map))) in {"bad_claims", "unsupported_version"}


def test_payload_dated_in_the_future_is_refused():
    text = encode_payload(make_claims(issued_at=NOW + timedelta(hours=1)), SIGNER.private_key, KID)
    assert reason_of(text) == "not_yet_valid"
    assert decode_and_verify(text, TRUSTED, NOW + timedelta(hours=1)).claims.issued_at > NOW
    assert decode_and_verify(text, TRUSTED).kid == KID  # no clock given: no date check


@pytest.mark.parametrize(
    ("overrides", "kid"),
    [
        ({"levels": {"listening": "C1"}}, KID),
        ({"levels": {"cooking": "A1"}}, KID),
        ({"code": "K7QD-MX4T"}, KID),
        ({"issued_at": datetime(2025, 3, 3, 10, 0)}, KID),
        ({"status_index": -1}, KID),
        ({"status_index": True}, KID),
        ({}, "61207BAAE6E2E49E"),
        ({}, "xyz"),
    ],
    # KID comes from a key made at import: ids without it are the same in every xdist worker
    ids=["level-c1", "skill", "code", "naive-time", "index-neg", "index-bool", "kid-upper", "kid"],
)
def test_encoder_refuses_claims_outside_the_format(overrides, kid):
    with pytest.raises(ValueError):
        encode_payload(make_claims(**overrides), SIGNER.private_key, kid)


# ---------------------------------------------------------------- size and truncation


def qr_version(url: str) -> int:
    qr = qrcode.QRCode(version=None, error_correction=qrcode.constants.ERROR_CORRECT_Q)
    qr.add_data(url)
    qr.make(fit=True)
    assert all(chunk.mode != MODE_8BIT_BYTE for chunk in qr.data_list), "not alphanumeric"
    return qr.version


@pytest.mark.parametrize(
    ("family", "given_names"),
    [
        *NAMES,
        (LONG_VIETNAMESE, LONG_VIETNAMESE),
        (LONG_ARABIC, LONG_ARABIC),
        (LONG_VIETNAMESE, LONG_ARABIC),
        ("W" * 60, "Ω" * 60),
    ],
)
def test_url_fits_qr_version_14_at_level_q(family, given_names):
    url = P.encode_url(
        BASE_URL, make_claims(family_name=family, given_names=given_names), SIGNER.private_key, KID
    )
    assert len(url) <= P.QR_MAX_CHARS
    assert qr_version(url) <= P.QR_MAX_VERSION
    verified = decode_and_verify(url, TRUSTED, NOW)
    for original, kept, cut in [
        (family, verified.claims.family_name, verified.is_family_name_truncated),
        (given_names, verified.claims.given_names, verified.is_given_names_truncated),
    ]:
        assert unicodedata.normalize("NFC", original).startswith(kept)
        assert cut == (kept != unicodedata.normalize("NFC", original))


def test_short_names_are_never_truncated_and_long_ones_are_flagged():
    url = P.encode_url(
        BASE_URL, make_claims(family_name=LONG_ARABIC, given_names="Ali"), SIGNER.private_key, KID
    )
    verified = decode_and_verify(url, TRUSTED)
    assert verified.is_family_name_truncated and not verified.is_given_names_truncated
    assert verified.claims.given_names == "Ali"
    assert verified.display_names()[0].endswith("…")
    assert len(verified.claims.family_name) >= 30  # the other name leaves room to spare


def test_truncation_never_leaves_part_of_a_letter():
    # Arabic with vowel marks: every mark is a combining character after its letter.
    name = "مُحَمَّدُ بْنُ عَبْدِ ٱللَّٰهِ " * 4
    url = P.encode_url(
        BASE_URL, make_claims(family_name=name, given_names=name), SIGNER.private_key, KID
    )
    kept = decode_and_verify(url, TRUSTED).claims.family_name
    nfc = unicodedata.normalize("NFC", name)
    assert nfc.startswith(kept) and kept != nfc
    assert not unicodedata.combining(nfc[len(kept)])  # the cut is before a base letter


def test_default_budget_leaves_room_for_a_48_character_base_url():
    text = encode_payload(
        make_claims(family_name=LONG_ARABIC, given_names=LONG_ARABIC), SIGNER.private_key, KID
    )
    assert len(text) <= P.DEFAULT_MAX_PAYLOAD_CHARS
    assert qr_version(P.verification_url("https://" + "a" * 40, text)) <= 14


def test_payload_that_cannot_fit_is_a_caller_error():
    with pytest.raises(ValueError, match="cannot fit"):
        encode_payload(make_claims(), SIGNER.private_key, KID, max_chars=100)


def test_base_url_outside_alphanumeric_mode_is_refused():
    with pytest.raises(ValueError, match="alphanumeric"):
        P.verification_url("https://attest.example/?q=", TEXT)


# ---------------------------------------------------------------- hostile input (property tests)


@FUZZ
@given(st.text(max_size=600))
def test_random_text_raises_only_payload_error(text):
    with pytest.raises(PayloadError):
        decode_and_verify(text, TRUSTED, NOW)


@FUZZ
@given(st.binary(max_size=400))
def test_random_bytes_as_base32_raise_only_payload_error(data):
    with pytest.raises(PayloadError):
        decode_and_verify(P._b32encode(data), TRUSTED, NOW)


CBOR_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.binary(max_size=70)
    | st.text(max_size=20)
    | st.floats(allow_nan=False),
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.dictionaries(st.integers() | st.text(max_size=5), inner, max_size=5)
        | st.builds(cbor2.CBORTag, st.sampled_from([0, 1, 2, 4, 18, 24, 28, 29, 35, 258]), inner)
    ),
    max_leaves=12,
)
PROTECTED = st.one_of(
    st.just(cbor2.dumps({1: -7, 4: bytes.fromhex(KID)})),
    st.binary(max_size=20),
    CBOR_VALUES.map(cbor2.dumps),
)


@FUZZ
@given(
    PROTECTED,
    CBOR_VALUES,
    st.one_of(st.binary(max_size=60), CBOR_VALUES.map(cbor2.dumps)),
    st.one_of(st.binary(min_size=64, max_size=64), CBOR_VALUES),
)
def test_cose_shaped_garbage_raises_only_payload_error(protected, unprotected, body, signature):
    data = cbor2.dumps(cbor2.CBORTag(18, [protected, unprotected, body, signature]))
    with pytest.raises(PayloadError):
        decode_and_verify(P._b32encode(data), TRUSTED, NOW)


@FUZZ
@given(st.dictionaries(st.integers(min_value=-12, max_value=8), CBOR_VALUES, max_size=10))
def test_signed_random_claims_raise_only_payload_error(claims_map):
    try:
        decode_and_verify(sign_raw(cbor2.dumps(claims_map)), TRUSTED, NOW)
    except PayloadError:
        pass


@FUZZ
@given(st.data())
def test_mutated_valid_payload_raises_only_payload_error(data):
    raw = bytearray(P._b32decode(TEXT))
    for _ in range(data.draw(st.integers(1, 4))):
        op = data.draw(st.sampled_from(["flip", "insert", "delete"]))
        pos = data.draw(st.integers(0, len(raw) - 1))
        if op == "flip":
            raw[pos] ^= 1 << data.draw(st.integers(0, 7))
        elif op == "insert":
            raw.insert(pos, data.draw(st.integers(0, 255)))
        else:
            del raw[pos]
    assume(bytes(raw) != P._b32decode(TEXT))  # two flips of one bit cancel out
    with pytest.raises(PayloadError):
        decode_and_verify(P._b32encode(bytes(raw)), TRUSTED, NOW)


@pytest.mark.parametrize(
    "data",
    [
        b"\x81" * 620 + b"\x00",  # deep nesting
        b"\xd8\x1c" * 100 + b"\x00",  # shareable tags
        b"\x5b\xff\xff\xff\xff\xff\xff\xff\xff",  # a byte string claiming 2**64 bytes
        b"\x9f" * 300,  # indefinite arrays without end
        b"\xd8\x23\x63(a)",  # a regular expression tag
    ],
)
def test_pathological_cbor_is_refused(data):
    assert reason_of(P._b32encode(data)) in {"bad_cbor", "truncated"}


# ---------------------------------------------------------------- the documented example


def test_example_in_the_format_document_verifies():
    doc = (Path(__file__).resolve().parents[3] / "docs" / "payload-format.md").read_text()
    url = re.search(r"^HTTPS://ATTEST\.EXAMPLE\.BE/V/[A-Z2-7]+$", doc, re.MULTILINE).group(0)
    x, y = (re.search(rf'"{n}": "([A-Za-z0-9_-]{{43}})"', doc).group(1) for n in ("x", "y"))
    point = [int.from_bytes(base64.urlsafe_b64decode(v + "="), "big") for v in (x, y)]
    key = ec.EllipticCurvePublicNumbers(*point, ec.SECP256R1()).public_key()
    verified = decode_and_verify(url, {"0e5a3c1f7b2d4e69": key})
    assert verified.claims.code == "ATT-K7QD-MX4T"
    assert verified.claims.levels == {"listening": "A2", "reading": "B1", "speaking": "A2"}
    assert (verified.claims.family_name, verified.claims.status_index) == ("Nguyễn", 4711)
    assert qr_version(url) == 12 and len(url) == 264
