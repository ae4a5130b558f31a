"""Typed attestation codes: Crockford Base32, at least 80 random bits, a check symbol."""

from __future__ import annotations

import math

import pytest

from attest.certificates import cert_code
from attest.certificates.cert_code import ALPHABET, check_symbol, new_code, parse_code


def test_new_codes_are_long_random_and_carry_a_valid_check_symbol():
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in list(codes)[:200]:
        assert code.startswith("ATT-") and len(code) == len("ATT-") + 20 + 4
        symbols = code[4:].replace("-", "")
        assert set(symbols) <= set(ALPHABET)  # plain letters and digits, never *~$=U
        assert check_symbol(symbols[:-1]) == symbols[-1]
        assert parse_code(code) == code
    # 19 random symbols of 32, less what the check rule excludes (5 of 37 values)
    assert cert_code.RANDOM_SYMBOLS * 5 + math.log2(32 / 37) >= 80


def test_check_symbol_follows_crockford():
    # value mod 37, symbols 0-9A-Z without I L O U, then * ~ $ = U
    assert check_symbol("0") == "0" and check_symbol("Z") == "Z"
    assert check_symbol("10") == "*"  # 32 mod 37
    assert check_symbol("14") == "U"  # 36 mod 37
    assert check_symbol("15") == "0"  # 37 mod 37


def test_typing_is_forgiving_but_a_wrong_symbol_is_caught():
    code = new_code()
    compact = code[4:].replace("-", "")
    assert parse_code(compact.lower()) == code
    assert parse_code(" " + " ".join(compact[i : i + 4] for i in range(0, 20, 4))) == code
    assert parse_code(code.replace("0", "O").replace("1", "I")) == code
    for pos in range(20):  # every single-symbol substitution is detected (mod 37 check)
        wrong = ALPHABET[(ALPHABET.index(compact[pos]) + 1) % 32]
        assert parse_code(compact[:pos] + wrong + compact[pos + 1 :]) is None
    swapped = compact[1] + compact[0] + compact[2:]
    if swapped != compact:  # an adjacent transposition is detected too
        assert parse_code(swapped) is None


@pytest.mark.parametrize(
    "text", ["", "ATT", "garbage", "ATT-' OR 1=1", "x" * 300, "%00", "ATT-AAAA-AAAA-AAAA", None]
)
def test_malformed_text_is_not_a_code(text):
    assert parse_code(text) is None


def test_codes_issued_before_the_check_symbol_still_parse():
    assert parse_code("att k7qd-mx4t") == "ATT-K7QD-MX4T"
