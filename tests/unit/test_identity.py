"""Names, birth dates, INSZ and documents as a proctor types them."""

from datetime import date

import pytest

from attest.identity import (
    IdentityError,
    check_birth_date,
    check_document,
    check_insz,
    insz_century,
)
from attest.names import clean_name

TODAY = date(2026, 11, 29)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Łukasz Żółć", "Łukasz Żółć"),
        ("Nguyễn Thị Minh Khai", "Nguyễn Thị Minh Khai"),
        ("  Çağrı   Öztürk ", "Çağrı Öztürk"),
        ("Мария Иванова", "Мария Иванова"),
        ("أحمد الحسن", "أحمد الحسن"),
        ("O’Brien-De Smet", "O’Brien-De Smet"),
        ("Nguye\u0302\u0303n", "Nguyễn"),  # decomposed input is stored composed (NFC)
    ],
)
def test_names_in_full_unicode_are_accepted(raw, expected):
    assert clean_name("family_name", raw) == expected


@pytest.mark.parametrize(
    "raw, code",
    [
        ("", "required"),
        ("   ", "required"),
        ("Jan3", "digit"),
        ("Robert'); DROP TABLE candidate;--", "symbol"),
        ("{{ 7*7 }}", "symbol"),
        ("Ahmed\u202egnp.exe", "bidi_control"),
        ("Anna\u0000", "control"),
        ("x" * 201, "too_long"),
        ("--", "no_letters"),
    ],
)
def test_bad_names_are_refused_with_a_reason(raw, code):
    with pytest.raises(IdentityError) as err:
        clean_name("given_names", raw)
    assert err.value.field == "given_names" and err.value.code == code


@pytest.mark.parametrize(
    "raw, birth, expected",
    [
        ("85.07.30-033.28", date(1985, 7, 30), "85073003328"),  # born before 2000
        ("17.07.30-033.84", date(2017, 7, 30), "17073003384"),  # born in 2000 or later
        ("85073003328", None, "85073003328"),
        ("85.27.30-033.71", date(1985, 7, 30), "85273003371"),  # bis number: month + 20
    ],
)
def test_valid_insz(raw, birth, expected):
    assert check_insz(raw, birth) == expected


@pytest.mark.parametrize(
    "raw, birth, code",
    [
        ("85.07.30-033.29", date(1985, 7, 30), "insz_check"),
        ("8507300332", None, "insz_format"),
        ("85.07.30-033.2A", None, "insz_format"),
        ("85.07.30-033.28", date(1985, 7, 31), "insz_birth_date"),
        ("17.07.30-033.84", date(1917, 7, 30), "insz_birth_date"),
    ],
)
def test_invalid_insz(raw, birth, code):
    with pytest.raises(IdentityError) as err:
        check_insz(raw, birth)
    assert err.value.field == "insz" and err.value.code == code


def test_insz_century_follows_the_mod97_rule():
    assert insz_century("85073003328") == 1900
    assert insz_century("17073003384") == 2000
    assert insz_century("17073003385") is None


@pytest.mark.parametrize(
    "birth, ok",
    [
        (date(1990, 1, 1), True),
        (date(2027, 1, 1), False),
        (date(2020, 1, 1), False),
        (date(1900, 1, 1), False),
    ],
)
def test_birth_date_bounds(birth, ok):
    if ok:
        assert check_birth_date(birth, TODAY) == birth
    else:
        with pytest.raises(IdentityError):
            check_birth_date(birth, TODAY)


def test_document_checks():
    # only the last 4 letters or digits are kept (upper case, separators dropped)
    assert check_document("passport", " EL123456 ") == ("passport", "3456")
    assert check_document("identity_card", "591-0123456-78") == ("identity_card", "5678")
    assert check_document("residence_card", "b12c") == ("residence_card", "B12C")
    with pytest.raises(IdentityError):
        check_document("passport", "A-12")  # fewer than 4 letters or digits
    with pytest.raises(IdentityError):
        check_document("library_card", "123456")
    with pytest.raises(IdentityError):
        check_document("passport", "<script>")
