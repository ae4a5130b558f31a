"""English translations of the strings of issue 20 (requirement rules, plain staff screens)."""

EN = {
    "Startdatum van het huurcontract (alleen voor sociale huur)": (
        "Start date of the lease (social housing only)"
    ),
    "Voor deze vereiste gold op de beslissende datum geen regel.": (
        "No rule of this requirement applied on the deciding date."
    ),
    "Voor sociale huur beslist de startdatum van het huurcontract welke regel geldt. Vul die "
    "datum in.": (
        "For social housing the start date of the lease decides which rule applies. Enter that "
        "date."
    ),
    "Voor een huurcontract van vóór 1 november 2017 geldt geen taalniveau, alleen "
    "taalbereidheid.": (
        "A lease from before 1 November 2017 asks no language level, only willingness to learn."
    ),
    "Voldoet aan: %(title)s.": "Meets: %(title)s.",
    "Voldoet niet aan: %(title)s.": "Does not meet: %(title)s.",
    "Niveau-indicatie: dit attest bereikt het gevraagde niveau (%(title)s). Of het als bewijs "
    "aanvaard wordt, beslist de bevoegde overheid.": (
        "Level indication: this attestation reaches the level asked (%(title)s). Whether it is "
        "accepted as proof is up to the competent authority."
    ),
    "Niveau-indicatie: dit attest bereikt het gevraagde niveau niet (%(title)s). Of een bewijs "
    "aanvaard wordt, beslist de bevoegde overheid.": (
        "Level indication: this attestation does not reach the level asked (%(title)s). Whether "
        "a proof is accepted is up to the competent authority."
    ),
    "Niet bevestigd: %(title)s. De niveaus zijn bereikt, maar gesprekken voeren blijkt alleen "
    "uit een interactieve spreektaak en deze test had alleen een monoloog.": (
        "Not confirmed: %(title)s. The levels are reached, but spoken interaction shows only in "
        "an interactive speaking task and this test had a monologue only."
    ),
    "Voldoet niet volledig aan: %(title)s. Het lagere niveau werd tot %(until)s aanvaard samen "
    "met %(document)s.": (
        "Does not fully meet: %(title)s. The lower level was accepted until %(until)s together "
        "with %(document)s."
    ),
    "%(skill)s: gesprekken voeren niet getest (alleen een monoloog)": (
        "%(skill)s: spoken interaction not tested (monologue only)"
    ),
    "%(skill)s: nodig is %(needed)s, hoger dan deze test kan meten": (
        "%(skill)s: %(needed)s is needed, higher than this test can measure"
    ),
    "Regel die geldt": "Rule that applies",
    "Beslissende datum": "Deciding date",
    "start van het huurcontract": "start of the lease",
    "testdatum": "test date",
    "Niveau te behalen vóór": "Level to be reached by",
    "%(months)s maanden uitstel kan worden gevraagd": "%(months)s months' extension can be asked",
    "Bron": "Source",
    "Vereiste waarvoor de kandidaat kwam": "Requirement the candidate came for",
    "Onzeker resultaat: waarom reikt u het attest toch uit?": (
        "Uncertain result: why do you issue the attestation anyway?"
    ),
    "kies een vereiste uit de lijst": "choose a requirement from the list",
    "vul voor sociale huur de startdatum van het huurcontract in": (
        "for social housing, enter the start date of the lease"
    ),
    "een resultaat is onzeker: bevestig het met een reden, of overweeg een nieuwe test": (
        "a result is uncertain: confirm it with a reason, or consider a new test"
    ),
    "geen vereiste vermelden": "state no requirement",
    "Het attest kan niet worden uitgereikt: controleer de datum en de reden.": (
        "The attestation cannot be issued: check the date and the reason."
    ),
    "Onzeker resultaat voor %(skills)s (kans op het niveau onder 80%%): overweeg een nieuwe "
    "test. Reik het attest alleen uit als u het resultaat bevestigt, met de reden.": (
        "Uncertain result for %(skills)s (probability of the level under 80%%): consider a new "
        "test. Issue the attestation only if you confirm the result, with the reason."
    ),
    "De naam is ingekort (…) om in de QR-code te passen; het gedrukte attest vermeldt de "
    "volledige naam.": (
        "The name is shortened (…) to fit the QR code; the printed attestation carries the full "
        "name."
    ),
}
