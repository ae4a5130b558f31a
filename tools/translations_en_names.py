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
    "Inschrijvingsgeld betaald": "Fee paid",
    "Uitzondering op de herkansingsregels: reden (alleen beheerder)": (
        "Exception to the retake rules: reason (administrator only)"
    ),
    "Een nieuwe poging voor dit doel kan pas vanaf %(date)s: hoogstens %(n)d pogingen "
    "per 12 maanden.": (
        "A new attempt for this purpose is allowed from %(date)s on: at most %(n)d attempts per "
        "12 months."
    ),
    "Een nieuwe poging voor dit doel kan pas vanaf %(date)s: tussen twee pogingen liggen "
    "minstens %(days)d dagen.": (
        "A new attempt for this purpose is allowed from %(date)s on: at least %(days)d days must "
        "lie between two attempts."
    ),
    "Een beheerder kan een uitzondering toestaan, met een reden.": (
        "An administrator can allow an exception, with a reason."
    ),
    "betaald": "paid",
    "niet betaald": "not paid",
    "uitzondering op de herkansingsregels": "exception to the retake rules",
    "Dit is een andere persoon met dezelfde naam en geboortedatum: toch inschrijven": (
        "This is another person with the same name and birth date: register anyway"
    ),
    "Er is al een kandidaat met dit rijksregisternummer. Eén persoon heeft één dossier: start "
    "de test vanuit het bestaande dossier.": (
        "A candidate with this national register number exists already. One person has one "
        "record: start the test from the existing record."
    ),
    "Er is al een kandidaat met deze naam en geboortedatum. Is het dezelfde persoon? Start de "
    "test dan vanuit het bestaande dossier.": (
        "A candidate with this name and birth date exists already. Is it the same person? Then "
        "start the test from the existing record."
    ),
    "Dat dossier hoort bij een ander centrum: vraag de beheerder.": (
        "That record belongs to another centre: ask the administrator."
    ),
}
