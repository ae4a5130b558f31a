"""More formats: inline_choice, matching, ordering (machine-scored) and extended_text,
audio_response (examiner-scored): validation, parsing, scoring and what the kiosk may see."""

from __future__ import annotations

import json
import unicodedata

import pytest

from attest.assessment.formats import FORMATS, ResponseError, get_format
from attest.assessment.formats.ordering import adjacent_pairs_right
from attest.assessment.formats.productive import MAX_TEXT_CHARS, count_words
from tests.format_answers import correct_answer, wrong_answer

INLINE = {
    "stem": "Kies het juiste woord.",
    "sentence": "Ik woon ___ Gent.\nIk werk ___ maandag tot vrijdag.",
    "gaps": [
        {"options": ["in", "op", "aan"], "answer": "in"},
        {"options": ["van", "op"], "answer": "van"},
    ],
}
INLINE_PARTIAL = {**INLINE, "scoring": "partial"}
MATCH = {
    "stem": "Welke advertentie past bij wie?",
    "prompts": [
        {"text": "Ali zoekt een fiets.", "answer": "c"},
        {"text": "Eva zoekt een kamer.", "answer": "a"},
        {"text": "Tom wil Nederlands leren.", "answer": "d"},
    ],
    "options": [
        {"text": "Kamer te huur"},
        {"text": "Auto te koop"},
        {"text": "Fiets te koop"},
        {"text": "Taalcursus overdag"},
    ],
}
MATCH_PARTIAL = {**MATCH, "scoring": "partial"}
ORDER = {
    "stem": "Zet de stappen in de juiste volgorde.",
    "fragments": [
        "Betaal aan de kassa.",
        "Neem een nummer.",
        "Wacht tot je nummer komt.",
        "Ga naar loket 3.",
    ],
    "answer": ["b", "c", "d", "a"],
}
ORDER_PARTIAL = {**ORDER, "scoring": "partial"}
WRITE = {
    "stem": "Schrijf een e-mail aan je buurvrouw.",
    "text": "Je buurvrouw heeft een pakje voor jou.",
    "min_words": 30,
    "max_words": 60,
    "points": ["Bedank haar.", "Zeg wanneer je het pakje komt halen."],
}
SPEAK = {
    "stem": "Vertel over je werk.",
    "preparation_seconds": 30,
    "max_recording_seconds": 90,
}
MACHINE = {
    "inline_choice": INLINE_PARTIAL,
    "matching": MATCH_PARTIAL,
    "ordering": ORDER_PARTIAL,
}
EXAMINER = {"extended_text": WRITE, "audio_response": SPEAK}


def test_registry_holds_every_format_once() -> None:
    assert set(FORMATS) == {
        "single_choice",
        "multiple_response",
        "text_entry",
        "inline_choice",
        "matching",
        "ordering",
        "extended_text",
        "audio_response",
    }


@pytest.mark.parametrize("fmt", sorted(MACHINE))
def test_machine_scored_formats_score_in_zero_one(fmt: str) -> None:
    cls = get_format(fmt)
    assert cls.is_machine_scored and cls.max_score == 1.0


@pytest.mark.parametrize("fmt", sorted(EXAMINER))
def test_examiner_scored_formats_are_flagged_and_never_scored(fmt: str) -> None:
    cls, content = get_format(fmt), EXAMINER[fmt]
    assert cls.is_machine_scored is False and cls.max_score is None
    response = cls.parse_response(correct_answer(fmt, content), content)
    assert response is not None and cls.score(content, response) is None


@pytest.mark.parametrize(
    ("fmt", "content", "response", "expected"),
    [
        ("inline_choice", INLINE, {"1": "a", "2": "a"}, 1.0),
        ("inline_choice", INLINE, {"1": "a", "2": "b"}, 0.0),
        ("inline_choice", INLINE, {"1": "a"}, 0.0),
        ("inline_choice", INLINE, {}, 0.0),
        ("inline_choice", INLINE, None, 0.0),
        ("inline_choice", INLINE_PARTIAL, {"1": "a", "2": "b"}, 0.5),
        ("inline_choice", INLINE_PARTIAL, {"2": "a"}, 0.5),
        ("inline_choice", INLINE_PARTIAL, {"1": "c", "2": "b"}, 0.0),
        ("matching", MATCH, {"1": "c", "2": "a", "3": "d"}, 1.0),
        ("matching", MATCH, {"1": "c", "2": "a", "3": "b"}, 0.0),
        ("matching", MATCH_PARTIAL, {"1": "c", "2": "a", "3": "b"}, 2 / 3),
        ("matching", MATCH_PARTIAL, {"1": "c"}, 1 / 3),
        # One option given to every prompt scores for none of them.
        ("matching", MATCH_PARTIAL, {"1": "c", "2": "c", "3": "c"}, 0.0),
        ("matching", MATCH_PARTIAL, {"1": "c", "2": "c", "3": "d"}, 1 / 3),
        ("matching", MATCH_PARTIAL, {}, 0.0),
        ("ordering", ORDER, ["b", "c", "d", "a"], 1.0),
        ("ordering", ORDER, ["a", "b", "c", "d"], 0.0),
        ("ordering", ORDER, [], 0.0),
        ("ordering", ORDER_PARTIAL, ["b", "c", "d", "a"], 1.0),
        ("ordering", ORDER_PARTIAL, ["a", "b", "c", "d"], 2 / 3),  # (b,c), (c,d) kept
        ("ordering", ORDER_PARTIAL, ["c", "d", "a", "b"], 2 / 3),  # (c,d), (d,a) kept
        ("ordering", ORDER_PARTIAL, ["a", "d", "c", "b"], 0.0),  # the key reversed
        ("ordering", ORDER_PARTIAL, None, 0.0),
    ],
)
def test_score(fmt: str, content: dict, response: object, expected: float) -> None:
    score = get_format(fmt).score(content, response)
    assert score == pytest.approx(expected)
    assert 0.0 <= score <= 1.0


@pytest.mark.parametrize(
    ("key", "order", "expected"),
    [
        (["a", "b", "c"], ["a", "b", "c"], (2, 2)),
        (["a", "b", "c"], ["c", "b", "a"], (0, 2)),
        (["a", "b", "c", "d", "e", "f"], ["b", "c", "d", "e", "f", "a"], (4, 5)),
    ],
)
def test_adjacent_pairs_rule(key: list[str], order: list[str], expected: tuple[int, int]) -> None:
    assert adjacent_pairs_right(key, order) == expected


@pytest.mark.parametrize("fmt", sorted(MACHINE))
@pytest.mark.parametrize("scoring", ["all_or_nothing", "partial"])
def test_answer_builders_give_full_and_zero_scores(fmt: str, scoring: str) -> None:
    cls, content = get_format(fmt), {**MACHINE[fmt], "scoring": scoring}
    right = cls.parse_response(correct_answer(fmt, content), content)
    wrong = cls.parse_response(wrong_answer(fmt, content), content)
    assert cls.score(content, right) == 1.0
    assert cls.score(content, wrong) == 0.0


@pytest.mark.parametrize(
    ("fmt", "raw", "content", "expected"),
    [
        (
            "inline_choice",
            {"choice_1": " A ", "choice_2": "", "csrf_token": "x"},
            INLINE,
            {"1": "a"},
        ),
        ("inline_choice", {"choice_1": ["b"], "choice_2": ["a"]}, INLINE, {"1": "b", "2": "a"}),
        ("inline_choice", {}, INLINE, {}),
        ("inline_choice", {"choice_9": "z"}, None, {"9": "z"}),  # shape only without the item
        ("matching", {"match_1": "c", "match_3": "C", "match_2": ""}, MATCH, {"1": "c", "3": "c"}),
        ("matching", {"match_2": ["a"], "csrf_token": "x"}, MATCH, {"2": "a"}),
        (
            "ordering",
            {"order_a": "4", "order_b": "1", "order_c": "2", "order_d": "3"},
            ORDER,
            ["b", "c", "d", "a"],
        ),
        ("ordering", {"order_a": ["", " "], "order_b": "", "csrf_token": "x"}, ORDER, []),
        ("ordering", {"order_b": "2", "order_a": "1"}, None, ["a", "b"]),
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
    ],
)
def test_parse_response(fmt: str, raw: dict, content: dict | None, expected: object) -> None:
    assert get_format(fmt).parse_response(raw, content) == expected


@pytest.mark.parametrize(
    ("fmt", "raw", "content", "message"),
    [
        ("inline_choice", {"choice_1": "d"}, INLINE, "'d' is not an option"),
        ("inline_choice", {"choice_2": "c"}, INLINE, "'c' is not an option"),  # gap 2 has a, b
        ("inline_choice", {"choice_3": "a"}, INLINE, "no such field"),
        ("inline_choice", {"choice_x": "a"}, None, "no such field"),
        ("inline_choice", {"choice_1": ["a", "b"]}, INLINE, "expected one value"),
        ("inline_choice", {"choice_1": 1}, INLINE, "expected text"),
        ("matching", {"match_1": "e"}, MATCH, "'e' is not an option"),
        ("matching", {"match_4": "a"}, MATCH, "no such field"),
        ("matching", {"match_1": "1"}, None, "'1' is not an option"),
        (
            "ordering",
            {"order_a": "1", "order_b": "1", "order_c": "2", "order_d": "3"},
            ORDER,
            "each position from 1 to 4 once",
        ),
        ("ordering", {"order_a": "1", "order_b": "2"}, ORDER, "every fragment a position"),
        (
            "ordering",
            {"order_a": "1", "order_b": "2", "order_c": "3", "order_d": "5"},
            ORDER,
            "each position from 1 to 4 once",
        ),
        ("ordering", {"order_e": "1"}, ORDER, "no such fragment"),
        ("ordering", {"order_a": "first"}, ORDER, "expected a position number"),
        ("ordering", {"order_a": ["1", "2"]}, ORDER, "expected one value"),
        ("extended_text", {"response": "x" * (MAX_TEXT_CHARS + 1)}, WRITE, "at most 5000"),
        ("extended_text", {"response": ["a", "b"]}, WRITE, "expected one value"),
        ("audio_response", {"recording_id": "../../etc/passwd"}, SPEAK, "expected 1 to 64"),
        ("audio_response", {"recording_id": "x" * 65}, SPEAK, "expected 1 to 64"),
        ("audio_response", {"recording_id": ["a", "b"]}, SPEAK, "expected one value"),
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
        ("ordering", ORDER_PARTIAL, []),
        (
            "ordering",
            {**ORDER, "answer": ["a", "b", "c", "d"]},
            [
                "answer: expected the fragments to be listed in another order than the answer "
                "(the kiosk shows them as listed)"
            ],
        ),
        (
            "ordering",
            {**ORDER, "answer": ["b", "c", "a"]},
            [
                "answer: expected every fragment id once, in the correct order "
                "(a permutation of a, b, c, d); got ['b', 'c', 'a']"
            ],
        ),
        (
            "ordering",
            {**ORDER, "fragments": ["Een", "twee"], "answer": ["b", "a"]},
            ["fragments: expected a list of 3 to 6 texts; got 2"],
        ),
        (
            "ordering",
            {**ORDER, "fragments": ["Een", "een ", "", "vier"]},
            [
                "fragments[2]: expected a non-empty text, got ''",
                "fragments: expected distinct fragments",
            ],
        ),
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


@pytest.mark.parametrize("fmt", sorted({**MACHINE, **EXAMINER}))
def test_render_data_never_contains_the_key(fmt: str) -> None:
    content = {**{**MACHINE, **EXAMINER}[fmt], "transcript": "A: geheim"}
    data = get_format(fmt).render_data(content)
    assert not _keys(data) & SECRET_KEYS
    assert data["stem"] == content["stem"] and data["format"] == fmt
    assert "geheim" not in json.dumps(data)


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


def test_render_data_of_matching_and_ordering_keeps_the_listed_order() -> None:
    match = get_format("matching").render_data(MATCH)
    assert [p["field"] for p in match["prompts"]] == ["match_1", "match_2", "match_3"]
    assert [o["id"] for o in match["options"]] == ["a", "b", "c", "d"]
    order = get_format("ordering").render_data(ORDER)
    assert [f["text"] for f in order["fragments"]] == ORDER["fragments"]
    assert order["positions"] == [1, 2, 3, 4] and order["fragments"][0]["field"] == "order_a"


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


@pytest.mark.parametrize(
    ("fmt", "response", "blank"),
    [
        ("inline_choice", {}, True),
        ("ordering", [], True),
        ("extended_text", None, True),
        ("audio_response", None, True),
        ("matching", {"1": "a"}, False),
        ("extended_text", "Hallo", False),
    ],
)
def test_is_blank(fmt: str, response: object, blank: bool) -> None:
    assert get_format(fmt).is_blank(response) is blank


def test_matching_option_media_are_references() -> None:
    content = {**MATCH, "options": [*MATCH["options"][:3], {"image": "reading/a2/cursus.png"}]}
    assert get_format("matching").media_refs(content) == {
        "options[3].image": "reading/a2/cursus.png"
    }
