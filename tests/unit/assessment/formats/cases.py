"""What the format tests share: one or two items of every format, and the interface tests.

Each test file of a format module has one class that inherits the interface tests it needs
(``ScoreCases``, ``ParseCases``, ...) and lists its cases in the table the test reads (``SCORES``,
``PARSED``, ...); ``conftest.py`` parametrizes each test with its class's table.
"""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from attest.assessment.formats import ResponseError, get_format

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
    " or as mappings with text, score (0 to 1) and case_sensitive"
)
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
CONVERSE = {
    "stem": "Je belt naar de dokter voor een afspraak.",
    "task_type": "dialogue",
    "turns": [
        {"say": f"Beurt {n}: wat zegt u?", "answer_seconds": 20, "audio": f"speaking/t{n}.ogg"}
        for n in range(1, 5)
    ],
}
MACHINE = {
    "single_choice": SINGLE,
    "multiple_response": MULTI_PARTIAL,
    "text_entry": TEXT_PARTIAL,
    "inline_choice": INLINE_PARTIAL,
    "matching": MATCH_PARTIAL,
    "ordering": ORDER_PARTIAL,
}
EXAMINER = {
    "extended_text": WRITE,
    "audio_response": SPEAK,
    "speaking_conversation": CONVERSE,
}
SECRET_KEYS = {"answer", "accept", "transcript", "scoring"}


def keys_of(value: object) -> set[str]:
    """Every mapping key anywhere inside ``value``."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_of(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_of(v)}
    return set()


class ScoreCases:
    SCORES: ClassVar[list[tuple[Any, ...]]]  # (format, content, response, expected score)

    def test_score(self, fmt: str, content: dict, response: object, expected: float) -> None:
        score = get_format(fmt).score(content, response)
        assert score == pytest.approx(expected)
        assert 0.0 <= score <= 1.0


class ParseCases:
    PARSED: ClassVar[list[tuple[Any, ...]]]  # (format, form fields, content or None, response)

    def test_parse_response(
        self, fmt: str, raw: dict, content: dict | None, expected: object
    ) -> None:
        assert get_format(fmt).parse_response(raw, content) == expected


class MalformedCases:
    MALFORMED: ClassVar[list[tuple[Any, ...]]]  # (format, form fields, content or None, error)

    def test_parse_response_rejects_malformed_input(
        self, fmt: str, raw: dict, content: dict | None, message: str
    ) -> None:
        with pytest.raises(ResponseError, match=message):
            get_format(fmt).parse_response(raw, content)


class ValidateCases:
    VALIDATION: ClassVar[list[tuple[Any, ...]]]  # (format, content, expected errors)

    def test_validate(self, fmt: str, content: dict, expected: list[str]) -> None:
        assert get_format(fmt).validate(content) == expected


class BlankCases:
    BLANK: ClassVar[list[tuple[Any, ...]]]  # (format, response, blank?)

    def test_is_blank(self, fmt: str, response: object, blank: bool) -> None:
        assert get_format(fmt).is_blank(response) is blank


# test name -> the class attribute holding its cases
TABLES = {
    "test_score": "SCORES",
    "test_parse_response": "PARSED",
    "test_parse_response_rejects_malformed_input": "MALFORMED",
    "test_validate": "VALIDATION",
    "test_is_blank": "BLANK",
}
