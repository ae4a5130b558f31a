"""attest/assessment/formats/inline_choice.py: drop-downs in a sentence."""

from __future__ import annotations

from attest.assessment.formats import get_format
from tests.unit.assessment.formats.cases import (
    INLINE,
    INLINE_PARTIAL,
    BlankCases,
    MalformedCases,
    ParseCases,
    ScoreCases,
    ValidateCases,
)


class TestInlineChoice(ScoreCases, ParseCases, MalformedCases, ValidateCases, BlankCases):
    """The interface tests of cases.py over this module's formats."""

    SCORES = [
        ("inline_choice", INLINE, {"1": "a", "2": "a"}, 1.0),
        ("inline_choice", INLINE, {"1": "a", "2": "b"}, 0.0),
        ("inline_choice", INLINE, {"1": "a"}, 0.0),
        ("inline_choice", INLINE, {}, 0.0),
        ("inline_choice", INLINE, None, 0.0),
        ("inline_choice", INLINE_PARTIAL, {"1": "a", "2": "b"}, 0.5),
        ("inline_choice", INLINE_PARTIAL, {"2": "a"}, 0.5),
        ("inline_choice", INLINE_PARTIAL, {"1": "c", "2": "b"}, 0.0),
    ]

    PARSED = [
        (
            "inline_choice",
            {"choice_1": " A ", "choice_2": "", "csrf_token": "x"},
            INLINE,
            {"1": "a"},
        ),
        ("inline_choice", {"choice_1": ["b"], "choice_2": ["a"]}, INLINE, {"1": "b", "2": "a"}),
        ("inline_choice", {}, INLINE, {}),
        ("inline_choice", {"choice_9": "z"}, None, {"9": "z"}),  # shape only without the item
    ]

    MALFORMED = [
        ("inline_choice", {"choice_1": "d"}, INLINE, "'d' is not an option"),
        ("inline_choice", {"choice_2": "c"}, INLINE, "'c' is not an option"),  # gap 2 has a, b
        ("inline_choice", {"choice_3": "a"}, INLINE, "no such field"),
        ("inline_choice", {"choice_x": "a"}, None, "no such field"),
        ("inline_choice", {"choice_1": ["a", "b"]}, INLINE, "expected one value"),
        ("inline_choice", {"choice_1": 1}, INLINE, "expected text"),
    ]

    VALIDATION = [
        ("inline_choice", INLINE_PARTIAL, []),
        (
            "inline_choice",
            {**INLINE, "sentence": "Ik woon ___ Gent."},
            ["sentence: expected one ___ mark per gap (2); found 1"],
        ),
        (
            "inline_choice",
            {
                **INLINE,
                "gaps": [
                    {"options": ["in", "In"], "answer": "op", "hint": "x"},
                    {"options": ["a"]},
                ],
            },
            [
                "gaps[0].hint: unknown field; expected one of options, answer",
                "gaps[0].options: expected distinct options",
                "gaps[0].answer: expected one of the options as written (in, In); got 'op'",
                'gaps[1].options: expected 2 to 8 option texts (quote numbers: "12")',
            ],
        ),
        (
            "inline_choice",
            {**INLINE, "sentence": "Om ___ uur.", "gaps": [{"options": [7, 8], "answer": 7}]},
            ['gaps[0].options: expected 2 to 8 option texts (quote numbers: "12")'],
        ),
        (
            "inline_choice",
            {**INLINE, "gaps": [], "scoring": "some"},
            ["gaps: expected a list of 1 to 10 gaps (options, answer)"],
        ),
        (
            "inline_choice",
            {**INLINE, "scoring": "some"},
            ["scoring: expected one of all_or_nothing, partial; got 'some'"],
        ),
    ]

    BLANK = [
        ("inline_choice", {}, True),
    ]


def test_render_data_of_inline_choice_splits_the_sentence() -> None:
    parts = get_format("inline_choice").render_data(INLINE)["parts"]
    assert parts[0] == {"text": "Ik woon "}
    assert parts[1] == {
        "gap": "1",
        "field": "choice_1",
        "options": [
            {"id": "a", "text": "in"},
            {"id": "b", "text": "op"},
            {"id": "c", "text": "aan"},
        ],
    }
    assert [p.get("gap") for p in parts] == [None, "1", None, "2", None]
