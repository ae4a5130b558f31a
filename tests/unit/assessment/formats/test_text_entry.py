"""attest/assessment/formats/text_entry.py: short typed answers in gaps."""

from __future__ import annotations

import unicodedata

import pytest

from attest.assessment.formats import ResponseError, get_format
from attest.assessment.formats.text_entry import normalize_answer
from tests.unit.assessment.formats.samples import (
    ACCEPT_ERROR,
    SECRET_KEYS,
    TEXT,
    TEXT_PARTIAL,
    keys_of,
)


@pytest.mark.parametrize(
    ("fmt", "content", "response", "expected"),
    [
        ("text_entry", TEXT, {"1": "stationsstraat", "2": "9", "3": "'t is"}, 1.0),
        ("text_entry", TEXT, {"1": "  De   STATIONSSTRAAT ", "2": "Negen", "3": "\u2018t IS"}, 1.0),
        ("text_entry", TEXT, {"1": "Stationsstraat", "2": "10", "3": "'t is"}, 0.0),
        ("text_entry", TEXT, {}, 0.0),
        ("text_entry", TEXT_PARTIAL, {"1": "Stationsstraat", "2": "10", "3": "`t is"}, 2 / 3),
        ("text_entry", TEXT_PARTIAL, {"2": "negen"}, 1 / 3),
    ],
)
def test_score(fmt: str, content: dict, response: object, expected: float) -> None:
    assert get_format(fmt).score(content, response) == pytest.approx(expected)
    assert 0.0 <= get_format(fmt).score(content, response) <= get_format(fmt).max_score


@pytest.mark.parametrize(
    ("fmt", "raw", "content", "expected"),
    [
        (
            "text_entry",
            {"gap_1": "  Stationsstraat ", "gap_3": "", "csrf_token": "x"},
            TEXT,
            {"1": "Stationsstraat"},
        ),
        (
            "text_entry",
            {"gap_2": ["e\u0301e\u0301n"]},
            TEXT,
            {"2": unicodedata.normalize("NFC", "één")},
        ),
        ("text_entry", {"gap_7": "x"}, None, {"7": "x"}),
    ],
)
def test_parse_response(fmt: str, raw: dict, content: dict | None, expected: object) -> None:
    assert get_format(fmt).parse_response(raw, content) == expected


@pytest.mark.parametrize(
    ("fmt", "raw", "content", "message"),
    [
        ("text_entry", {"gap_1": ["a", "b"]}, TEXT, "expected one value"),
        ("text_entry", {"gap_9": "x"}, TEXT, "no such gap"),
        ("text_entry", {"gap_x": "x"}, None, "no such gap"),
        ("text_entry", {"gap_1": "x" * 201}, TEXT, "at most 200"),
    ],
)
def test_parse_response_rejects_malformed_input(
    fmt: str, raw: dict, content: dict | None, message: str
) -> None:
    with pytest.raises(ResponseError, match=message):
        get_format(fmt).parse_response(raw, content)


@pytest.mark.parametrize(
    ("fmt", "content", "expected"),
    [
        ("text_entry", TEXT_PARTIAL, []),
        (
            "text_entry",
            {**TEXT, "gaps": []},
            ["gaps: expected a non-empty list of gaps (prompt, accept)"],
        ),
        (
            "text_entry",
            {**TEXT, "gaps": [{"prompt": "a ___ b ___", "accept": []}]},
            [
                "gaps[0].prompt: expected at most one ___ gap mark per gap",
                ACCEPT_ERROR,
            ],
        ),
        (
            "text_entry",
            {**TEXT, "gaps": [{"prompt": "Om ___ uur.", "accept": [7.15]}]},
            [ACCEPT_ERROR],
        ),
        (
            "text_entry",
            {**TEXT, "gaps": [{"prompt": "___", "accept": ["Ja", " ja"], "max_length": 0}]},
            [
                "gaps[0].accept: expected distinct variants after normalization",
                "gaps[0].max_length: expected a whole number from 1 to 200",
            ],
        ),
        (
            "text_entry",
            {**TEXT, "gaps": [{"prompt": "___", "accept": ["lang"], "max_length": 2, "hint": 1}]},
            [
                "gaps[0].hint: unknown field; expected one of prompt, accept, max_length",
                "gaps[0].max_length: expected every accepted answer to fit in 2",
            ],
        ),
    ],
)
def test_validate(fmt: str, content: dict, expected: list[str]) -> None:
    assert get_format(fmt).validate(content) == expected


@pytest.mark.parametrize(
    ("fmt", "content"),
    [
        ("text_entry", {**TEXT_PARTIAL, "text": "Een tekst."}),
    ],
)
def test_render_data_never_contains_the_key(fmt: str, content: dict) -> None:
    data = get_format(fmt).render_data(content)
    assert not keys_of(data) & SECRET_KEYS
    assert data["stem"] == content["stem"] and data["format"] == fmt


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [
        ("Stationsstraat", "stationsstraat"),
        ("  de   Stationsstraat\t", "de stationsstraat"),
        ("de\u00a0Stationsstraat", "de stationsstraat"),  # no-break space from a phone keyboard
        ("\u2019t is", "'t is"),
        ("\u2018t is", "'t is"),
        ("\u02bct is", "'t is"),
        ("`t is", "'t is"),
        ("\u201cja\u201d", '"ja"'),
        ("ide\u0065\u0308n", "ideën"),  # decomposed e + diaeresis becomes one character (NFC)
        ("IDEEËN", "ideeën"),
    ],
)
def test_normalize_answer(typed: str, normalized: str) -> None:
    assert normalize_answer(typed) == normalized


def test_render_data_gives_gap_fields() -> None:
    gaps = get_format("text_entry").render_data(TEXT)["gaps"]
    assert gaps[0] == {
        "id": "1",
        "field": "gap_1",
        "before": "De bus stopt aan halte ",
        "after": ".",
        "max_length": 200,
    }
