"""Item formats: registry, validation, response parsing, scoring, and what the kiosk may see."""

from __future__ import annotations

import unicodedata

import pytest

from attest.assessment.formats import FORMATS, ItemFormat, ResponseError, get_format
from attest.assessment.formats.registry import by_name
from attest.assessment.formats.text_entry import normalize_answer

OPTIONS = [
    {"text": "twee euro"},
    {"text": "drie euro"},
    {"text": "vier euro"},
    {"text": "vijf euro"},
]
SINGLE = {"stem": "Hoeveel?", "options": OPTIONS[:3], "answer": "b"}
MULTI = {"stem": "Kies twee.", "options": OPTIONS, "answer": ["a", "c"]}
MULTI_PARTIAL = {**MULTI, "scoring": "partial"}
GAPS = [
    {"prompt": "De bus stopt aan halte ___.", "accept": ["Stationsstraat", "de Stationsstraat"]},
    {"prompt": "Hij komt om ___ uur.", "accept": ["9", "negen"]},
    {"prompt": "Dat is ___ fout.", "accept": ["’t is"]},
]
TEXT = {"stem": "Vul in.", "gaps": GAPS}
TEXT_PARTIAL = {**TEXT, "scoring": "partial"}
ACCEPT_ERROR = (
    'gaps[0].accept: expected a non-empty list of accepted answers as text (quote numbers: "7.15")'
)


def test_registry_knows_the_formats_and_rejects_unknown_names() -> None:
    assert {"single_choice", "multiple_response", "text_entry"} <= set(FORMATS)
    assert get_format("single_choice").name == "single_choice"
    with pytest.raises(KeyError, match="unknown item format 'essay'"):
        get_format("essay")


def test_a_new_format_is_one_class_with_a_name() -> None:
    class Dummy(ItemFormat):
        name = "test_only_format"

    assert by_name([Dummy]) == {"test_only_format": Dummy} and Dummy.max_score == 1
    with pytest.raises(ValueError, match="empty or taken"):
        by_name([Dummy, Dummy])
    with pytest.raises(ValueError, match="empty or taken"):
        by_name([ItemFormat])


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
        ("single_choice", {"answer": "b"}, SINGLE, "b"),
        ("single_choice", {"answer": [" B "], "csrf_token": "x"}, SINGLE, "b"),
        ("single_choice", {}, SINGLE, None),
        ("single_choice", {"answer": ["", "  "]}, SINGLE, None),
        ("single_choice", {"answer": "d"}, None, "d"),  # shape only without the item
        ("multiple_response", {"answer": ["c", "a", "a"]}, MULTI, ["a", "c"]),
        ("multiple_response", {"answer": "d"}, MULTI, ["d"]),
        ("multiple_response", {}, MULTI, []),
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
        ("single_choice", {"answer": ["a", "b"]}, SINGLE, "expected one value"),
        ("single_choice", {"answer": "d"}, SINGLE, "'d' is not an option"),
        ("single_choice", {"answer": "zz"}, None, "'zz' is not an option"),
        ("single_choice", {"answer": 3}, SINGLE, "expected text"),
        ("multiple_response", {"answer": ["a", "x"]}, MULTI, "'x' is not an option"),
        ("multiple_response", {"answer": [1]}, MULTI, "expected text values"),
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


SECRET_KEYS = {"answer", "accept", "transcript", "scoring"}


def _keys(value: object) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


@pytest.mark.parametrize(
    ("fmt", "content"),
    [
        ("single_choice", {**SINGLE, "transcript": "A: geheim"}),
        ("multiple_response", MULTI_PARTIAL),
        ("text_entry", {**TEXT_PARTIAL, "text": "Een tekst."}),
    ],
)
def test_render_data_never_contains_the_key(fmt: str, content: dict) -> None:
    data = get_format(fmt).render_data(content)
    assert not _keys(data) & SECRET_KEYS
    assert data["stem"] == content["stem"] and data["format"] == fmt


def test_render_data_gives_ids_and_gap_fields() -> None:
    choice = get_format("single_choice").render_data(SINGLE)
    assert [o["id"] for o in choice["options"]] == ["a", "b", "c"]
    gaps = get_format("text_entry").render_data(TEXT)["gaps"]
    assert gaps[0] == {
        "id": "1",
        "field": "gap_1",
        "before": "De bus stopt aan halte ",
        "after": ".",
        "max_length": 200,
    }


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
