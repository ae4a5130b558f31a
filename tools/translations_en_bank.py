# ruff: noqa: E501
"""English translations of the strings of issue 11 (bank quality: answers as shown)."""

EN = {
    "Antwoorden zoals getoond": "Answers as shown",
    "sessie %(id)s": "session %(id)s",
    "Elke vraag met de antwoorden in de volgorde die de kandidaat zag, het gekozen antwoord aangevinkt en de sleutel eronder.": "Each question with the options in the order the candidate saw them, the chosen answer ticked and the key below.",
    "pilotvraag": "pilot question",
    "Geen antwoord": "No answer",
}
