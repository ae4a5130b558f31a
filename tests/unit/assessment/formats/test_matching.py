"""attest/assessment/formats/matching.py: prompts matched to lettered options."""

from __future__ import annotations

from attest.assessment.formats import get_format
from tests.unit.assessment.formats.cases import (
    MATCH,
    MATCH_PARTIAL,
    BlankCases,
    MalformedCases,
    ParseCases,
    ScoreCases,
    ValidateCases,
)


class TestMatching(ScoreCases, ParseCases, MalformedCases, ValidateCases, BlankCases):
    """The interface tests of cases.py over this module's formats."""

    SCORES = [
        ("matching", MATCH, {"1": "c", "2": "a", "3": "d"}, 1.0),
        ("matching", MATCH, {"1": "c", "2": "a", "3": "b"}, 0.0),
        ("matching", MATCH_PARTIAL, {"1": "c", "2": "a", "3": "b"}, 2 / 3),
        ("matching", MATCH_PARTIAL, {"1": "c"}, 1 / 3),
        # One option given to every prompt scores for none of them.
        ("matching", MATCH_PARTIAL, {"1": "c", "2": "c", "3": "c"}, 0.0),
        ("matching", MATCH_PARTIAL, {"1": "c", "2": "c", "3": "d"}, 1 / 3),
        ("matching", MATCH_PARTIAL, {}, 0.0),
    ]

    PARSED = [
        ("matching", {"match_1": "c", "match_3": "C", "match_2": ""}, MATCH, {"1": "c", "3": "c"}),
        ("matching", {"match_2": ["a"], "csrf_token": "x"}, MATCH, {"2": "a"}),
    ]

    MALFORMED = [
        ("matching", {"match_1": "e"}, MATCH, "'e' is not an option"),
        ("matching", {"match_4": "a"}, MATCH, "no such field"),
        ("matching", {"match_1": "1"}, None, "'1' is not an option"),
    ]

    VALIDATION = [
        ("matching", MATCH_PARTIAL, []),
        (
            "matching",
            {**MATCH, "options": MATCH["options"][:2]},
            [
                "options: expected at least as many options as prompts (3); got 2",
                "prompts[0].answer: expected one of the option ids a, b; got 'c'",
                "prompts[2].answer: expected one of the option ids a, b; got 'd'",
            ],
        ),
        (
            "matching",
            {
                **MATCH,
                "prompts": [{"text": "x", "answer": "a"}, {"text": "", "answer": "a", "n": 1}],
            },
            [
                "prompts[1].n: unknown field; expected one of text, answer",
                "prompts[1].text: expected a non-empty string",
                "prompts[1].answer: expected each option to be the key of one prompt; "
                "'a' is already the key of prompts[0]",
            ],
        ),
        (
            "matching",
            {**MATCH, "prompts": [{"text": "x", "answer": "a"}]},
            ["prompts: expected a list of 2 to 8 prompts (text, answer)"],
        ),
    ]

    BLANK = [
        ("matching", {"1": "a"}, False),
    ]


def test_render_data_of_matching_keeps_the_listed_order() -> None:
    match = get_format("matching").render_data(MATCH)
    assert [p["field"] for p in match["prompts"]] == ["match_1", "match_2", "match_3"]
    assert [o["id"] for o in match["options"]] == ["a", "b", "c", "d"]


def test_matching_option_media_are_references() -> None:
    content = {**MATCH, "options": [*MATCH["options"][:3], {"image": "reading/a2/cursus.png"}]}
    assert get_format("matching").media_refs(content) == {
        "options[3].image": "reading/a2/cursus.png"
    }
