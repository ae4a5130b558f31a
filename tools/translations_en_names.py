"""English translations of the names work's Dutch strings (mononyms, name errors, search)."""

EN = {
    "Heeft het identiteitsdocument maar één naam? Vul die in bij Familienaam en laat "
    "Voornamen leeg.": (
        "Does the identity document carry only one name? Enter it as the family name and leave "
        "the given names empty."
    ),
    "%(field)s is verplicht. Heeft het identiteitsdocument maar één naam, vul die dan hier in.": (
        "%(field)s is required. If the identity document carries only one name, enter it here."
    ),
    "%(field)s bevat een onzichtbaar stuurteken (%(char)s): typ de naam opnieuw.": (
        "%(field)s contains an invisible control character (%(char)s): type the name again."
    ),
    "%(field)s bevat een cijfer (%(char)s): een naam heeft geen cijfers.": (
        "%(field)s contains a digit (%(char)s): a name has no digits."
    ),
    "%(field)s bevat een teken dat niet in een naam hoort: %(char)s": (
        "%(field)s contains a character that does not belong in a name: %(char)s"
    ),
    "%(field)s bevat een onzichtbaar verbindingsteken (%(char)s) dat niet binnen een woord "
    "staat.": ("%(field)s contains an invisible joiner (%(char)s) that is not inside a word."),
    "%(field)s bevat een teken (%(char)s) dat het attest niet kan afdrukken. Schrijf de naam "
    "zoals in Latijnse letters op het identiteitsdocument.": (
        "%(field)s contains a character (%(char)s) that the attestation cannot print. Write the "
        "name as the identity document gives it in Latin letters."
    ),
    "Leeg laten als het document maar één naam vermeldt.": (
        "Leave empty when the document carries only one name."
    ),
    "Zoek op naam (in elk schrift), geboortedatum of rijksregisternummer": (
        "Search by name (in any script), birth date or national register number"
    ),
    "Zoeken": "Search",
    "Geen kandidaten gevonden.": "No candidates found.",
}
