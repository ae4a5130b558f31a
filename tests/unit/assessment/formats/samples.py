"""Item contents the format tests share: one or two items of every format."""

from __future__ import annotations

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
    "single_choice": SINGLE,
    "multiple_response": MULTI_PARTIAL,
    "text_entry": TEXT_PARTIAL,
    "inline_choice": INLINE_PARTIAL,
    "matching": MATCH_PARTIAL,
    "ordering": ORDER_PARTIAL,
}
EXAMINER = {"extended_text": WRITE, "audio_response": SPEAK}
SECRET_KEYS = {"answer", "accept", "transcript", "scoring"}


def keys_of(value: object) -> set[str]:
    """Every mapping key anywhere inside ``value``."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_of(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_of(v)}
    return set()
