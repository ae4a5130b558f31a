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

# The canonical QTI mapping: "York" full credit, "york" half credit, both case-sensitive.
YORK = {
    "gaps": [
        {
            "prompt": "The Duke of ___ fought at Bosworth.",
            "accept": [
                {"text": "York", "case_sensitive": True},
                {"text": "york", "score": 0.5, "case_sensitive": True},
            ],
        }
    ]
}
# A case-sensitive key worth full credit beside a case-insensitive spelling worth less.
YORK_LOOSE = {
    "gaps": [
        {
            "prompt": "___",
            "accept": [{"text": "York", "case_sensitive": True}, {"text": "york", "score": 0.5}],
        },
        {"prompt": "___", "accept": ["Lancaster"]},
    ],
    "scoring": "partial",
}


class TestTextEntry(ScoreCases, ParseCases, MalformedCases, ValidateCases, BlankCases):
    """The interface tests of cases.py over this module's formats."""

    SCORES = [
        ("text_entry", TEXT, {"1": "stationsstraat", "2": "9", "3": "'t is"}, 1.0),
        ("text_entry", TEXT, {"1": "  De   STATIONSSTRAAT ", "2": "Negen", "3": "\u2018t IS"}, 1.0),
        ("text_entry", TEXT, {"1": "Stationsstraat", "2": "10", "3": "'t is"}, 0.0),
        ("text_entry", TEXT, {}, 0.0),
        ("text_entry", TEXT_PARTIAL, {"1": "Stationsstraat", "2": "10", "3": "`t is"}, 2 / 3),
        ("text_entry", TEXT_PARTIAL, {"2": "negen"}, 1 / 3),
        ("text_entry", YORK, {"1": "York"}, 1.0),
        ("text_entry", YORK, {"1": " york "}, 0.5),
        ("text_entry", YORK, {"1": "YORK"}, 0.0),
        ("text_entry", YORK_LOOSE, {"1": "York", "2": "lancaster"}, 1.0),
        ("text_entry", YORK_LOOSE, {"1": "YORK", "2": "LANCASTER"}, 0.75),
        ("text_entry", YORK_LOOSE, {"1": "york"}, 0.25),
        ("text_entry", {**YORK_LOOSE, "scoring": "all_or_nothing"}, {"1": "york", "2": "x"}, 0.0),
        (
            "text_entry",
            {**YORK_LOOSE, "scoring": "all_or_nothing"},
            {"1": "york", "2": "Lancaster"},
            0.5,
        ),
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
            [ACCEPT_ERROR.replace("accept:", "accept[0]:")],
        ),
        (
            "text_entry",
            {**TEXT, "gaps": [{"prompt": "___", "accept": ["Ja", " ja"], "max_length": 0}]},
            [
                "gaps[0].accept: expected distinct variants after normalization; 'Ja' and ' ja' "
                "are the same answer in any case",
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

    VALIDATION += [
        (  # a case variant worth less, kept apart by its case rule
            "text_entry",
            {**YORK},
            [],
        ),
        (
            "text_entry",
            {
                "gaps": [
                    {
                        "prompt": "___",
                        "accept": [
                            {"text": "York", "case_sensitive": True},
                            {"text": "York", "score": 0.5, "case_sensitive": True},
                        ],
                    }
                ]
            },
            [
                "gaps[0].accept: expected distinct variants after normalization; 'York' "
                "(case-sensitive) and 'York' (case-sensitive, 0.5) are the same answer in that "
                "case"
            ],
        ),
        (
            "text_entry",
            {
                "gaps": [
                    {
                        "prompt": "___",
                        "accept": ["york", {"text": "York", "score": 0.5, "case_sensitive": True}],
                    }
                ]
            },
            [
                "gaps[0].accept: expected distinct variants after normalization; 'York' "
                "(case-sensitive, 0.5) never scores: 'york' accepts it in any case for as much"
            ],
        ),
        (
            "text_entry",
            {"gaps": [{"prompt": "___", "accept": [{"text": "York", "score": 0.5}]}]},
            ["gaps[0].accept: expected at least one variant with score 1 (full credit)"],
        ),
        (
            "text_entry",
            {
                "gaps": [
                    {
                        "prompt": "___",
                        "accept": [
                            {"text": "York", "score": 0, "case_sensitive": "yes", "hint": 1},
                            {"score": 1},
                        ],
                    }
                ]
            },
            [
                "gaps[0].accept[0].hint: unknown field; expected one of text, score, "
                "case_sensitive",
                "gaps[0].accept[0].score: expected a number above 0 and at most 1; got 0",
                "gaps[0].accept[0].case_sensitive: expected true or false",
                'gaps[0].accept[1].text: expected the answer as text (quote numbers: "7.15")',
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


def test_normalize_answer_keeps_case_only_when_asked() -> None:
    assert normalize_answer("  \u2019t   IS ", case_sensitive=True) == "'t IS"
    assert normalize_answer("  \u2019t   IS ") == "'t is"


def test_the_key_and_worded_answers_read_mapping_variants() -> None:
    fmt = get_format("text_entry")
    assert fmt.worded_answers(YORK) == (["York"], [])
    assert fmt.key_issues(YORK) == []
    clash = {"gaps": [*YORK["gaps"], {"prompt": "___", "accept": ["YORK"]}]}
    assert [code for code, _, _ in fmt.key_issues(clash)] == ["ambiguous-key"]
