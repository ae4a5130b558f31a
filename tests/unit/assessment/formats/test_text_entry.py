"""attest/assessment/formats/text_entry.py: short typed answers in gaps."""

from __future__ import annotations

import unicodedata

import pytest

from attest.assessment.formats import get_format
from attest.assessment.formats.text_entry import normalize_answer
from tests.unit.assessment.formats.cases import (
    ACCEPT_ERROR,
    TEXT,
    TEXT_PARTIAL,
    BlankCases,
    MalformedCases,
    ParseCases,
    ScoreCases,
    ValidateCases,
)


class TestTextEntry(ScoreCases, ParseCases, MalformedCases, ValidateCases, BlankCases):
    """The interface tests of cases.py over this module's formats."""

    SCORES = [
        ("text_entry", TEXT, {"1": "stationsstraat", "2": "9", "3": "'t is"}, 1.0),
        ("text_entry", TEXT, {"1": "  De   STATIONSSTRAAT ", "2": "Negen", "3": "\u2018t IS"}, 1.0),
        ("text_entry", TEXT, {"1": "Stationsstraat", "2": "10", "3": "'t is"}, 0.0),
        ("text_entry", TEXT, {}, 0.0),
        ("text_entry", TEXT_PARTIAL, {"1": "Stationsstraat", "2": "10", "3": "`t is"}, 2 / 3),
        ("text_entry", TEXT_PARTIAL, {"2": "negen"}, 1 / 3),
    ]

    PARSED = [
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
    ]

    MALFORMED = [
        ("text_entry", {"gap_1": ["a", "b"]}, TEXT, "expected one value"),
        ("text_entry", {"gap_9": "x"}, TEXT, "no such gap"),
        ("text_entry", {"gap_x": "x"}, None, "no such gap"),
        ("text_entry", {"gap_1": "x" * 201}, TEXT, "at most 200"),
    ]

    VALIDATION = [
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
    ]

    BLANK = [
        ("text_entry", {}, True),
        ("text_entry", {"1": "negen"}, False),
    ]


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
