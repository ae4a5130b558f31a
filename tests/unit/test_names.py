"""Names as identity documents print them: accepted, refused with a reason, shown, searched."""

from __future__ import annotations

import pytest

from attest.identity import IdentityError
from attest.names import check_names, clean_name, display_name, search_key

ZWNJ = "\u200c"


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Ahmadzai", "Ahmadzai"),  # a mononym: one name on the document
        (f"فرشته{ZWNJ}ی", f"فرشته{ZWNJ}ی"),  # Persian: the non-joiner keeps ه and ی apart
        ("ገብረመድህን", "ገብረመድህን"),  # Tigrinya (Ge'ez script)
        ("Nguye\u0302\u0303n", "Nguyễn"),  # decomposed input is stored composed (NFC)
        ("O'Brien", "O'Brien"),
        ("D’Souza", "D’Souza"),  # the typographic apostrophe of a scanned document
        ("김민준", "김민준"),
        ("王小明", "王小明"),
        ("สมชาย", "สมชาย"),
        ("St. John-Smith", "St. John-Smith"),
        ("Ṣàlàkọ́", "Ṣàlàkọ́"),  # Yoruba: a dot below and a tone mark on one letter
    ],
)
def test_names_are_accepted_as_documents_print_them(raw, expected):
    assert clean_name("family_name", raw) == expected


@pytest.mark.parametrize(
    "raw, code, detail",
    [
        ("Jan3", "digit", "3"),
        ("Anna\tMaria", "control", "U+0009"),
        ("Anna\u0007", "control", "U+0007"),
        ("Ann\u00ada", "control", "U+00AD"),  # a soft hyphen is invisible
        ("Ahmed\u202egnp", "bidi_control", "U+202E"),
        ("Jo@n", "symbol", "@"),
        ("Zoë ❤", "symbol", "❤"),
        ("Ann_a", "symbol", "_"),
        (f"{ZWNJ}Ali", "joiner", "U+200C"),  # a joiner outside a word hides nothing but is noise
        (f"Ali {ZWNJ}Reza", "joiner", "U+200C"),
        ("\u0301Ali", "bad_character", "\u0301"),  # an accent with no letter under it
        ("अनिल", "unprintable", "अ"),  # Devanagari: no shipped font prints it yet
    ],
)
def test_bad_names_are_refused_naming_the_field_and_the_character(raw, code, detail):
    with pytest.raises(IdentityError) as err:
        clean_name("given_names", raw)
    assert (err.value.field, err.value.code, err.value.detail) == ("given_names", code, detail)


def test_a_mononym_has_a_family_name_and_no_given_names():
    assert check_names("Ahmadzai", "") == ({"family_name": "Ahmadzai", "given_names": ""}, {})
    assert check_names("  Ahmadzai ", None)[0]["given_names"] == ""


def test_a_single_name_typed_as_given_names_is_sent_to_the_family_name():
    cleaned, errors = check_names("", "Ahmadzai")
    assert errors["family_name"].code == "mononym_in_given" and "family_name" not in cleaned


def test_no_name_at_all_is_required():
    _, errors = check_names(" ", "")
    assert errors["family_name"].code == "required" and "given_names" not in errors


def test_both_bad_names_are_reported_together():
    _, errors = check_names("R2D2", "C3PO")
    assert {field: e.code for field, e in errors.items()} == {
        "family_name": "digit",
        "given_names": "digit",
    }


@pytest.mark.parametrize(
    "family, given, sort, expected",
    [
        ("Ahmadzai", "", True, "Ahmadzai"),
        ("Ahmadzai", "", False, "Ahmadzai"),
        ("Öztürk", "Çağrı", True, "Öztürk, Çağrı"),
        ("Öztürk", "Çağrı", False, "Çağrı Öztürk"),
        ("Ahmadzai", None, True, "Ahmadzai"),
    ],
)
def test_a_mononym_is_shown_without_a_stray_comma_or_space(family, given, sort, expected):
    assert display_name(family, given, sort=sort) == expected


@pytest.mark.parametrize(
    "stored, query",
    [
        ("Öztürk Çağrı", "ozturk"),
        ("Öztürk Çağrı", "CAGRI"),
        ("O’Brien-De Smet", "obrien de"),
        ("Мария Иванова", "мария"),
        (f"رضایی فرشته{ZWNJ}ی", "فرشتهی"),  # typed without the non-joiner
        ("김민준", "민준"),
        ("Nguyễn Thị", "Nguye\u0302\u0303n"),  # a decomposed query
        ("Straße", "strasse"),
        ("Żółć Łukasz", "zolc luk"),
    ],
)
def test_search_keys_ignore_case_accents_and_joiners_in_any_script(stored, query):
    assert search_key(query) in search_key(stored)


def test_search_keys_tell_different_names_apart():
    assert search_key("Peeters") not in search_key("Peters Jan")
    assert search_key("Ahmadi") not in search_key("Ahmadzai")
