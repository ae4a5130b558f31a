"""English for the refusals of malformed calls: kiosk JSON fields, characters JSON cannot hold."""

EN = {
    "Het veld %(field)s is ongeldig: verwacht %(expected)s.": "The field %(field)s is not valid: expected %(expected)s.",
    "Het veld %(field)s ontbreekt: verwacht %(expected)s.": "The field %(field)s is missing: expected %(expected)s.",
    "Het verzoek is onleesbaar: een object met velden werd verwacht. Laad de pagina opnieuw of roep de toezichter.": "The request cannot be read: an object with fields was expected. Reload the page or call the proctor.",
    "een geheel getal": "a whole number",
    "een getal": "a number",
    "een tekst": "a text",
    "per veld een lijst van teksten": "a list of texts per field",
    "een waarheidswaarde (waar of onwaar)": "a truth value (true or false)",
    "Wat je stuurde bevat een ongeldig teken (een losse surrogaathelft in de JSON). Verwijder het en probeer opnieuw.": "What you sent contains an invalid character (a lone surrogate half in the JSON). Remove it and try again.",
}
