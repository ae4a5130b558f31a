"""The kiosk's languages (attest.kiosk.languages): one entry per code, Dutch the reference."""

from __future__ import annotations

from attest.kiosk.languages import (
    INSTRUCTIONS,
    KIOSK_LANGUAGES,
    LANGUAGE_CODES,
    REFERENCE,
    SPOKEN_INSTRUCTIONS,
    instructions_for,
    is_right_to_left,
    kiosk_language,
)


def test_each_code_once_and_dutch_first():
    assert len(set(LANGUAGE_CODES)) == len(LANGUAGE_CODES) == len(KIOSK_LANGUAGES)
    assert LANGUAGE_CODES[0] == REFERENCE == "nl"


def test_every_language_names_itself_and_has_a_direction():
    for lang in KIOSK_LANGUAGES:
        assert lang.native_name.strip() and lang.dutch_name.strip()
        assert lang.direction in {"ltr", "rtl"}


def test_a_language_is_found_by_its_code_only():
    assert kiosk_language("tr").native_name == "Türkçe"
    assert kiosk_language("xx") is None
    assert kiosk_language(None) is None


def test_arabic_dari_pashto_and_persian_are_written_right_to_left():
    rtl = {lang.code for lang in KIOSK_LANGUAGES if is_right_to_left(lang.code)}
    assert rtl == {"ar", "fa_AF", "ps", "fa"}
    assert not is_right_to_left("nl") and not is_right_to_left("xx")


def test_dari_is_afghan_persian_with_its_own_catalogue_and_a_bcp47_tag():
    dari, persian = kiosk_language("fa_AF"), kiosk_language("fa")
    assert (dari.native_name, dari.dutch_name, dari.tag) == ("دری", "Dari", "fa-AF")
    assert (persian.native_name, persian.tag) == ("فارسی", "fa")
    assert kiosk_language("so").native_name == "Soomaali" and kiosk_language("so").tag == "so"
    assert kiosk_language("ps").native_name == "پښتو"


def test_the_instructions_are_paragraphs():
    assert INSTRUCTIONS and all(text.strip() == text and text for text in INSTRUCTIONS)


def test_the_spoken_instructions_read_only_what_holds_for_every_purpose():
    assert set(SPOKEN_INSTRUCTIONS) == set(instructions_for(set()))
    assert not any("luistervraag" in p or "spreekopdracht" in p for p in SPOKEN_INSTRUCTIONS)
    assert len(instructions_for({"listening", "speaking"})) == len(SPOKEN_INSTRUCTIONS) + 2
