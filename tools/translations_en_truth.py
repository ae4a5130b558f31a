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
    "microfoontest in orde": "microphone check passed",
    "De kandidaat begon aan dit deel van de test.": "The candidate started this part of the test.",
    "Dit deel is afgesloten: klaar, tijd om of beëindigd.": (
        "This part is closed: finished, time up or ended."
    ),
    "De toezichter pauzeerde de test; de klok stond stil.": (
        "The proctor paused the test; the clock stood still."
    ),
    "De toezichter hervatte de test.": "The proctor resumed the test.",
    "De toezichter gaf extra tijd, met de reden.": "The proctor gave extra time, with the reason.",
    "De toezichter beëindigde de sessie; er komt geen resultaat.": (
        "The proctor ended the session; there will be no result."
    ),
    "Een nieuwe startcode om de test op een kiosk te hervatten.": (
        "A new start code to resume the test on a kiosk."
    ),
    "De test ging verder op een kiosk.": "The test went on at a kiosk.",
    "De kiosk meldde dat de testpagina niet meer vooraan stond (ander venster of tabblad, "
    "volledig scherm verlaten). Ga na wat er gebeurde.": (
        "The kiosk reported that the test page was no longer in front (another window or tab, "
        "full screen left). Find out what happened."
    ),
    "De kandidaat hoorde het geluidsvoorbeeld.": "The candidate heard the sound sample.",
    "De microfoon nam geluid op tijdens de test vooraf.": (
        "The microphone recorded sound during the check beforehand."
    ),
    "De microfoon nam niets op: kijk de kiosk na.": "The microphone recorded nothing: check the kiosk.",
    "Een opname lijkt leeg of te stil: luister ze na.": (
        "A recording seems empty or too quiet: listen to it."
    ),
    "De kandidaat hoort het geluid niet: kijk de koptelefoon na.": (
        "The candidate cannot hear the sound: check the headphones."
    ),
    "De kiosk had geen verbinding met de server; de klok stond stil.": (
        "The kiosk had no connection to the server; the clock stood still."
    ),
    "Een antwoord kon niet worden opgeslagen: roep de beheerder.": (
        "An answer could not be stored: call the administrator."
    ),
    "ander venster of tabblad": "another window or tab",
    "venster verlaten": "window left",
    "volledig scherm verlaten": "full screen left",
    "klaar": "finished",
    "tijd om": "time up",
    "beëindigd": "ended",
    "aanpassing voor de kandidaat": "accommodation for the candidate",
    "technisch probleem": "technical problem",
    "storing in het testlokaal": "disturbance in the test room",
    "andere reden": "other reason",
    "op vraag van de kandidaat": "at the candidate's request",
    "kandidaat ziek of onwel": "candidate ill or unwell",
    "onregelmatigheid of fraude": "irregularity or fraud",
    "aangemaakt": "created",
    "De startcode is gemaakt; de kandidaat begon nog niet.": (
        "The start code is made; the candidate has not started yet."
    ),
    "bezig": "in progress",
    "De kandidaat maakt de test op een kiosk.": "The candidate is taking the test at a kiosk.",
    "afgerond": "completed",
    "De kandidaat is klaar; luisteren en lezen zijn gescoord, spreken en schrijven wachten "
    "eventueel op examinatoren.": (
        "The candidate has finished; listening and reading are scored, speaking and writing may "
        "wait for examiners."
    ),
    "De sessie werd beëindigd en levert geen resultaat op.": (
        "The session was ended and gives no result."
    ),
    "niveau vastgesteld": "level decided",
    "meting nauwkeurig genoeg": "measurement precise enough",
    "maximaal aantal vragen bereikt": "maximum number of questions reached",
    "geen geschikte vragen meer": "no suitable questions left",
    "Doel van de test": "Purpose of the test",
    "Behaalde punten van het maximum: voor luisteren en lezen de juist beantwoorde vragen, voor "
    "spreken en schrijven de punten van de beoordeling.": (
        "Points obtained out of the maximum: for listening and reading the questions answered "
        "correctly, for speaking and writing the points of the rating."
    ),
    "Punten": "Points",
    "Kans dat het niveau juist is; onder 80 procent is het resultaat onzeker.": (
        "Probability that the level is right; under 80 per cent the result is uncertain."
    ),
    "Spreken en schrijven krijgen hun niveau pas na de beoordeling door examinatoren.": (
        "Speaking and writing get their level only after the examiners' rating."
    ),
    "wacht op examinatoren": "waiting for examiners",
    "%(score)s van de %(max)s punten": "%(score)s of the %(max)s points",
    "%(score)s van %(max)s": "%(score)s of %(max)s",
    "Juist antwoord": "Right answer",
    "Ook goed gerekend": "Also counted right",
    "Deel %(n)s": "Part %(n)s",
    "Geen sleutel: examinatoren beoordelen deze opdracht met de beoordelingsschaal.": (
        "No key: examiners rate this task with the rating scale."
    ),
    "Volledige inhoud (JSON, voor auteurs)": "Full content (JSON, for authors)",
    "er is geen gekalibreerde examinator in dit centrum": (
        "there is no calibrated examiner in this centre"
    ),
    "te weinig examinatoren: de anderen namen de test af of beoordeelden deze prestatie al": (
        "too few examiners: the others proctored the test or already rated this performance"
    ),
    "elk vrij paar examinatoren beoordeelde al een andere opdracht van deze kandidaat; voeg "
    "examinatoren toe": (
        "every free pair of examiners already rated another task of this candidate; add examiners"
    ),
    "er is geen senior examinator in dit centrum": "there is no senior examiner in this centre",
    "elke senior examinator beoordeelde deze prestatie al; maak een andere examinator senior": (
        "every senior examiner already rated this performance; make another examiner senior"
    ),
    "Werk zonder examinator die het mag beoordelen": "Work without an examiner allowed to rate it",
    "Wacht op": "Waiting for",
    "Waarom": "Why",
    "een beslissende beoordeling": "a deciding rating",
    "beoordelaars": "raters",
    "Zie Wachttijden": "See Waiting times",
    "Wachtend werk zonder examinator die het mag beoordelen: %(n)s.": (
        "Waiting work without an examiner allowed to rate it: %(n)s."
    ),
}
