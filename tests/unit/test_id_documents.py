"""The identity document at admission: only the last 4 characters, an expired document only
with a reason, countries from ISO 3166 with Dutch names."""

from __future__ import annotations

from datetime import date

import pytest

from attest.id_documents import (
    DocumentInput,
    DocumentInvalid,
    check_document,
    countries,
    last_chars,
)

TODAY = date(2026, 12, 7)


def _input(**overrides) -> DocumentInput:
    values = dict(
        document_type="passport",
        other_type="",
        country="SY",
        number_end="N012345678",
        expires_on=date(2028, 1, 1),
        expired_reason="",
    )
    values.update(overrides)
    return DocumentInput(**values)


def test_only_the_last_4_characters_are_kept():
    doc = check_document(_input(number_end="b 0123-456 78a"), TODAY)
    assert doc.last4 == "678A"
    assert last_chars("12") == "12"


def test_an_expired_document_needs_a_reason():
    with pytest.raises(DocumentInvalid) as exc:
        check_document(_input(expires_on=date(2026, 12, 6)), TODAY)
    assert exc.value.errors == {"expires_on": "expired"}
    doc = check_document(
        _input(expires_on=date(2026, 12, 6), expired_reason=" Verlenging aangevraagd "), TODAY
    )
    assert doc.is_expired and doc.expired_reason == "Verlenging aangevraagd"
    # valid until today: not expired; a reason given for a valid document is not kept
    doc = check_document(_input(expires_on=TODAY, expired_reason="x"), TODAY)
    assert not doc.is_expired and doc.expired_reason == ""


def test_every_bad_field_is_named():
    with pytest.raises(DocumentInvalid) as exc:
        check_document(
            _input(document_type="other", country="EU", number_end="1-2", expires_on=None), TODAY
        )
    assert exc.value.errors == {
        "other_type": "other_required",
        "country": "country",
        "number_end": "number_end",
        "expires_on": "required",
    }


def test_countries_are_iso_codes_with_dutch_names():
    table = dict(countries())
    assert table["BE"] == "België" and table["DE"] == "Duitsland" and table["SY"] == "Syrië"
    assert "XK" in table and "EU" not in table and "UN" not in table and "ZZ" not in table
    assert all(len(code) == 2 for code in table)
    assert len(table) == 250  # ISO 3166-1's 249 + Kosovo
