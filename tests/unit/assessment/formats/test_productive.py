"""attest/assessment/formats/productive.py: extended_text, audio_response (scored by examiners)."""

from __future__ import annotations

import unicodedata

import pytest

from attest.assessment.formats import get_format
from attest.assessment.formats.productive import MAX_TEXT_CHARS, count_words
from tests.format_answers import correct_answer
from tests.unit.assessment.formats.cases import (
    EXAMINER,
    SPEAK,
    WRITE,
    BlankCases,
    MalformedCases,
    ParseCases,
    ValidateCases,
)


class TestProductive(ParseCases, MalformedCases, ValidateCases, BlankCases):
    """The interface tests of cases.py over this module's formats."""

    PARSED = [
        (
            "extended_text",
            {"response": "  Beste Ann,\r\nDank je!  \r\n\r\nGroetjes  "},
            WRITE,
            "Beste Ann,\nDank je!\n\nGroetjes",
        ),
        (
            "extended_text",
            {"response": ["Ide\u0065\u0308n"]},
            WRITE,
            unicodedata.normalize("NFC", "Ideën"),
        ),
        ("extended_text", {"response": "   \n "}, WRITE, None),
        ("extended_text", {}, WRITE, None),
        (
            "audio_response",
            {"recording_id": " rec-2024_0001 "},
            SPEAK,
            {"recording_id": "rec-2024_0001"},
        ),
        ("audio_response", {"recording_id": ""}, SPEAK, None),
        ("audio_response", {"csrf_token": "x"}, None, None),
    ]

    MALFORMED = [
        ("extended_text", {"response": "x" * (MAX_TEXT_CHARS + 1)}, WRITE, "at most 5000"),
        ("extended_text", {"response": ["a", "b"]}, WRITE, "expected one value"),
        ("audio_response", {"recording_id": "../../etc/passwd"}, SPEAK, "expected 1 to 64"),
        ("audio_response", {"recording_id": "x" * 65}, SPEAK, "expected 1 to 64"),
        ("audio_response", {"recording_id": ["a", "b"]}, SPEAK, "expected one value"),
    ]

    VALIDATION = [
        ("extended_text", WRITE, []),
        (
            "extended_text",
            {**WRITE, "min_words": 60, "max_words": 40},
            ["max_words: expected more than min_words (60); got 40"],
        ),
        (
            "extended_text",
            {**WRITE, "min_words": "30", "max_words": 900, "points": []},
            [
                "min_words: expected a whole number from 1 to 599",
                "max_words: expected a whole number from 2 to 600",
                "points: expected a list of 1 to 6 non-empty texts "
                "(quote a point that holds ': '); got []",
            ],
        ),
        ("audio_response", SPEAK, []),
        (
            "audio_response",
            {**SPEAK, "preparation_seconds": -1, "max_recording_seconds": 5.5},
            [
                "preparation_seconds: expected a whole number of seconds from 0 to 300",
                "max_recording_seconds: expected a whole number of seconds from 10 to 300",
            ],
        ),
    ]

    BLANK = [
        ("extended_text", None, True),
        ("audio_response", None, True),
        ("extended_text", "Hallo", False),
    ]


@pytest.mark.parametrize("fmt", sorted(EXAMINER))
def test_examiner_scored_formats_are_flagged_and_never_scored(fmt: str) -> None:
    cls, content = get_format(fmt), EXAMINER[fmt]
    assert cls.is_machine_scored is False and cls.max_score is None
    response = cls.parse_response(correct_answer(fmt, content), content)
    assert response is not None and cls.score(content, response) is None


def test_render_data_of_productive_tasks() -> None:
    write = get_format("extended_text").render_data(WRITE)
    assert write == {
        "format": "extended_text",
        "template": "kiosk/formats/extended_text.html",
        "stem": WRITE["stem"],
        "text": WRITE["text"],
        "points": WRITE["points"],
        "field": "response",
        "min_words": 30,
        "max_words": 60,
        "max_chars": MAX_TEXT_CHARS,
    }
    speak = get_format("audio_response").render_data(SPEAK)
    assert speak["field"] == "recording_id" and "points" not in speak
    assert (speak["preparation_seconds"], speak["max_recording_seconds"]) == (30, 90)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", 0),
        ("Beste Ann,\nDank je!", 4),
        ("Mijn e-mail is kort.", 4),
        ("Z'n fiets", 2),
        ("— 12 .", 1),
    ],
)
def test_count_words(text: str, words: int) -> None:
    assert count_words(text) == words
