"""attest/assessment/formats/choice.py: single_choice and multiple_response."""

from __future__ import annotations

from attest.assessment.formats import get_format
from tests.unit.assessment.formats.cases import (
    MULTI,
    MULTI_PARTIAL,
    SINGLE,
    TEXT,
    BlankCases,
    MalformedCases,
    ParseCases,
    ScoreCases,
    ValidateCases,
)


class TestChoice(ScoreCases, ParseCases, MalformedCases, ValidateCases, BlankCases):
    """The interface tests of cases.py over this module's formats."""

    SCORES = [
        ("single_choice", SINGLE, "b", 1.0),
        ("single_choice", SINGLE, "a", 0.0),
        ("single_choice", SINGLE, None, 0.0),
        ("multiple_response", MULTI, ["a", "c"], 1.0),
        ("multiple_response", MULTI, ["a"], 0.0),
        ("multiple_response", MULTI, ["a", "b", "c"], 0.0),
        ("multiple_response", MULTI, [], 0.0),
        ("multiple_response", MULTI_PARTIAL, ["a", "c"], 1.0),
        ("multiple_response", MULTI_PARTIAL, ["a"], 0.5),
        ("multiple_response", MULTI_PARTIAL, ["a", "b", "c"], 0.5),
        ("multiple_response", MULTI_PARTIAL, ["a", "b"], 0.0),
        ("multiple_response", MULTI_PARTIAL, ["a", "b", "c", "d"], 0.0),
    ]

    PARSED = [
        ("single_choice", {"answer": "b"}, SINGLE, "b"),
        ("single_choice", {"answer": [" B "], "csrf_token": "x"}, SINGLE, "b"),
        ("single_choice", {}, SINGLE, None),
        ("single_choice", {"answer": ["", "  "]}, SINGLE, None),
        ("single_choice", {"answer": "d"}, None, "d"),  # shape only without the item
        ("multiple_response", {"answer": ["c", "a", "a"]}, MULTI, ["a", "c"]),
        ("multiple_response", {"answer": "d"}, MULTI, ["d"]),
        ("multiple_response", {}, MULTI, []),
    ]

    MALFORMED = [
        ("single_choice", {"answer": ["a", "b"]}, SINGLE, "expected one value"),
        ("single_choice", {"answer": "d"}, SINGLE, "'d' is not an option"),
        ("single_choice", {"answer": "zz"}, None, "'zz' is not an option"),
        ("single_choice", {"answer": 3}, SINGLE, "expected text"),
        ("multiple_response", {"answer": ["a", "x"]}, MULTI, "'x' is not an option"),
        ("multiple_response", {"answer": [1]}, MULTI, "expected text values"),
    ]

    VALIDATION = [
        ("single_choice", SINGLE, []),
        (
            "single_choice",
            {**SINGLE, "answer": "d"},
            ["answer: expected one of the option ids a, b, c; got 'd'"],
        ),
        (
            "single_choice",
            {**SINGLE, "options": [{"text": "x"}]},
            [
                "options: expected 2 to 8 options, got 1",
                "answer: expected one of the option ids a; got 'b'",
            ],
        ),
        (
            "single_choice",
            {**SINGLE, "options": [{"text": "x"}, {"txt": "y"}, "z"]},
            [
                "options[1].txt: unknown field; expected one of text, image, audio",
                "options[1].text: expected a text (or an image) for the option",
                "options[2]: expected a mapping with text and/or image, got 'z'",
            ],
        ),
        (
            "single_choice",
            {**SINGLE, "options": [{"text": "Ja"}, {"text": "ja "}]},
            ["options[1]: expected distinct options; same as options[0]"],
        ),
        ("multiple_response", MULTI_PARTIAL, []),
        (
            "multiple_response",
            {**MULTI, "answer": "a"},
            ["answer: expected a non-empty list of option ids; got 'a'"],
        ),
        (
            "multiple_response",
            {**MULTI, "answer": ["a", "e"]},
            ["answer[1]: expected one of the option ids a, b, c, d; got 'e'"],
        ),
        (
            "multiple_response",
            {**MULTI, "answer": ["a", "b", "c", "d"]},
            ["answer: expected at least one option that is not keyed (a distractor)"],
        ),
        (
            "multiple_response",
            {**MULTI, "scoring": "half"},
            ["scoring: expected one of all_or_nothing, partial; got 'half'"],
        ),
    ]

    BLANK = [
        ("single_choice", None, True),
        ("single_choice", "a", False),
        ("multiple_response", [], True),
        ("multiple_response", ["a"], False),
    ]


def test_option_media_are_reported_as_references() -> None:
    content = {
        **SINGLE,
        "options": [{"image": "reading/a1/x.png"}, {"text": "y", "audio": "a.ogg"}],
    }
    assert get_format("single_choice").media_refs(content) == {
        "options[0].image": "reading/a1/x.png",
        "options[1].audio": "a.ogg",
    }
    assert get_format("text_entry").media_refs(TEXT) == {}


def test_render_data_gives_option_ids() -> None:
    choice = get_format("single_choice").render_data(SINGLE)
    assert [o["id"] for o in choice["options"]] == ["a", "b", "c"]
