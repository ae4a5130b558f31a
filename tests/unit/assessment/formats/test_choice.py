"""attest/assessment/formats/choice.py: single_choice and multiple_response."""

from __future__ import annotations

import pytest

from attest.assessment.formats import ResponseError, get_format
from tests.unit.assessment.formats.samples import (
    MULTI,
    MULTI_PARTIAL,
    SECRET_KEYS,
    SINGLE,
    TEXT,
    keys_of,
)


@pytest.mark.parametrize(
    ("fmt", "content", "response", "expected"),
    [
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
    ],
)
def test_score(fmt: str, content: dict, response: object, expected: float) -> None:
    assert get_format(fmt).score(content, response) == pytest.approx(expected)
    assert 0.0 <= get_format(fmt).score(content, response) <= get_format(fmt).max_score


@pytest.mark.parametrize(
    ("fmt", "raw", "content", "expected"),
    [
        ("single_choice", {"answer": "b"}, SINGLE, "b"),
        ("single_choice", {"answer": [" B "], "csrf_token": "x"}, SINGLE, "b"),
        ("single_choice", {}, SINGLE, None),
        ("single_choice", {"answer": ["", "  "]}, SINGLE, None),
        ("single_choice", {"answer": "d"}, None, "d"),  # shape only without the item
        ("multiple_response", {"answer": ["c", "a", "a"]}, MULTI, ["a", "c"]),
        ("multiple_response", {"answer": "d"}, MULTI, ["d"]),
        ("multiple_response", {}, MULTI, []),
    ],
)
def test_parse_response(fmt: str, raw: dict, content: dict | None, expected: object) -> None:
    assert get_format(fmt).parse_response(raw, content) == expected


@pytest.mark.parametrize(
    ("fmt", "raw", "content", "message"),
    [
        ("single_choice", {"answer": ["a", "b"]}, SINGLE, "expected one value"),
        ("single_choice", {"answer": "d"}, SINGLE, "'d' is not an option"),
        ("single_choice", {"answer": "zz"}, None, "'zz' is not an option"),
        ("single_choice", {"answer": 3}, SINGLE, "expected text"),
        ("multiple_response", {"answer": ["a", "x"]}, MULTI, "'x' is not an option"),
        ("multiple_response", {"answer": [1]}, MULTI, "expected text values"),
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
    ],
)
def test_validate(fmt: str, content: dict, expected: list[str]) -> None:
    assert get_format(fmt).validate(content) == expected


@pytest.mark.parametrize(
    ("fmt", "content"),
    [
        ("single_choice", {**SINGLE, "transcript": "A: geheim"}),
        ("multiple_response", MULTI_PARTIAL),
    ],
)
def test_render_data_never_contains_the_key(fmt: str, content: dict) -> None:
    data = get_format(fmt).render_data(content)
    assert not keys_of(data) & SECRET_KEYS
    assert data["stem"] == content["stem"] and data["format"] == fmt


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
