"""English for the examiner pages (scoring, calibration, statistics, turnaround, re-marks)."""

EN = {
    "%(n)s woorden": "%(n)s words",
    "Afgerond": "Completed",
    "Alleen een prestatie met een eindbeoordeling kan dit.": (
        "Only a performance with a final rating can do this."
    ),
    "Alleen examinatoren worden gekalibreerd.": "Only examiners are calibrated.",
    "Benchmark": "Benchmark",
    "Benchmark bewaard.": "Benchmark saved.",
    "Benchmark bewaren": "Save benchmark",
    "Beoordelen": "Score",
    "Beoordeling": "Rating",
    "Beoordeling bewaard.": "Rating saved.",
    "Beoordeling bewaren": "Save rating",
    "Beoordelingen": "Ratings",
    "Beoordelingsschaal": "Rating scale",
    "Beslissende beoordeling": "Deciding rating",
    "Buiten de grenzen": "Outside the bounds",
    "Correctie bewaren": "Save correction",
    "De examinator mag nu live beoordelen.": "The examiner may now score live work.",
    "De kalibratieset is nog leeg. Vraag de beheerder om benchmarks.": (
        "The calibration set is still empty. Ask the administrator for benchmarks."
    ),
    "De kalibratieset staat in je wachtrij.": "The calibration set is in your queue.",
    "De prestatie gaat naar een nieuw paar examinatoren.": (
        "The performance goes to a new pair of examiners."
    ),
    "Deze beoordeling is afgesloten en kan niet meer veranderen.": (
        "This rating is closed and can no longer change."
    ),
    "Deze opdracht staat niet in jouw wachtrij.": "This task is not in your queue.",
    "Deze prestatie is al een benchmark.": "This performance is already a benchmark.",
    "Eindniveau": "Final level",
    "Elke wachtende prestatie": "Every waiting performance",
    "Er is geen nieuw paar gekalibreerde examinatoren beschikbaar in dit centrum.": (
        "No new pair of calibrated examiners is available in this centre."
    ),
    "Er wacht niets.": "Nothing is waiting.",
    "Exact gelijk": "Exact agreement",
    "Exacte overeenstemming per week": "Exact agreement per week",
    "Examinatoren": "Examiners",
    "Gebruik hoogstens 500 tekens.": "Use at most 500 characters.",
    "Geef een reden voor de herbeoordeling.": "Give a reason for the re-mark.",
    "Gekalibreerd": "Calibrated",
    "Gestart": "Started",
    "Gewogen kappa": "Weighted kappa",
    "Gewogen kappa per week": "Weighted kappa per week",
    "Herbeoordeling bij beroep": "Re-mark on appeal",
    "Hoogstens één band verschil": "At most one band apart",
    "In je wachtrij sinds": "In your queue for",
    "Je beoordeelt nog geen live prestaties: scoor eerst de kalibratieset binnen de toegestane "
    "marge.": (
        "You do not score live performances yet: first score the calibration set within the "
        "allowed margin."
    ),
    "Je ziet geen naam en geen gegevens van de kandidaat, en geen andere beoordeling. Beoordeel "
    "alleen wat je hoort of leest.": (
        "You see no name, no details of the candidate and no other rating. Rate only what you "
        "hear or read."
    ),
    "Kalibratie": "Calibration",
    "Kalibratieset in mijn wachtrij zetten": "Put the calibration set in my queue",
    "Kappa": "Kappa",
    "Kies een band voor dit criterium.": "Choose a band for this criterion.",
    "Kies voor elk criterium een band.": "Choose a band for every criterion.",
    "Langer dan 48 uur": "Longer than 48 hours",
    "Leg de afgesproken band per criterium vast. Benchmarks worden onaangekondigd in de "
    "wachtrij van examinatoren gezet; die uit de kalibratieset scoort elke nieuwe examinator.": (
        "Record the agreed band per criterion. Benchmarks are placed unannounced in examiners' "
        "queues; every new examiner scores those of the calibration set."
    ),
    "Mediaan (uur)": "Median (hours)",
    "Mijn overeenstemming met andere examinatoren": "My agreement with other examiners",
    "Naar de kalibratie": "Go to calibration",
    "Naar een nieuw paar sturen": "Send to a new pair",
    "Niveau van de opdracht": "Level of the task",
    "Nog geen dubbel beoordeelde prestaties.": "No double-marked performances yet.",
    "Ook in de kalibratieset voor nieuwe examinatoren": (
        "Also in the calibration set for new examiners"
    ),
    "Opdracht": "Task",
    "Oudste (uur)": "Oldest (hours)",
    "Overeenstemming": "Agreement",
    "Paren": "Pairs",
    "Paren: banden per criterium. Kappa: kwadratisch gewogen (Cohen). Strengheid: gemiddeld "
    "verschil met de andere beoordeling; negatief is strenger.": (
        "Pairs: bands per criterion. Kappa: quadratically weighted (Cohen). Severity: mean "
        "difference from the other rating; negative is more severe."
    ),
    "Per centrum": "Per centre",
    "Per week: exact gelijk": "Per week: exact agreement",
    "Per week: gewogen kappa": "Per week: weighted kappa",
    "Per week: strengheid": "Per week: severity",
    "Prestatie": "Performance",
    "Prestatie P%(id)s als benchmark": "Performance P%(id)s as a benchmark",
    "Prestaties": "Performances",
    "Prestaties, benchmarks en herbeoordelingen": "Performances, benchmarks and re-marks",
    "Reden van de herbeoordeling (zonder persoonsgegevens)": (
        "Reason for the re-mark (no personal data)"
    ),
    "Resultaat": "Result",
    "Ronde": "Round",
    "Senior": "Senior",
    "Soort": "Kind",
    "Stand": "State",
    "Strengheid": "Severity",
    "Strengheid per week": "Severity per week",
    "Voor je live beoordeelt, scoor je een set benchmarkprestaties waarvan de beoordeling "
    "vastligt. Je slaagt als het niveau meestal overeenkomt en geen enkel criterium meer dan "
    "één band afwijkt.": (
        "Before you score live work, you score a set of benchmark performances whose rating is "
        "agreed. You pass when the level mostly matches and no criterion is more than one band "
        "off."
    ),
    "Wacht (uur)": "Waiting (hours)",
    "Wacht op de eindbeoordeling door examinatoren voor: %(skills)s. Daarna kan het attest "
    "worden uitgereikt.": (
        "Waiting for the examiners' final rating of: %(skills)s. The attestation can be issued "
        "after that."
    ),
    "Wachtend": "Waiting",
    "Wachttijden": "Turnaround",
    "als benchmark": "as a benchmark",
    "beslist door senior": "decided by a senior",
    "bezig": "in progress",
    "geslaagd": "passed",
    "grootste afwijking %(n)s banden": "largest difference %(n)s bands",
    "ja": "yes",
    "nee": "no",
    "niet geslaagd: probeer opnieuw": "not passed: try again",
    "nieuw attest uitgereikt": "new attestation issued",
    "ronde %(n)s": "round %(n)s",
    "spreken of schrijven wacht nog op de eindbeoordeling van examinatoren": (
        "speaking or writing is still waiting for the examiners' final rating"
    ),
    "tegenover benchmarks": "against benchmarks",
    "tegenover de andere examinator": "against the other examiner",
    "uur": "hours",
    "vrijgesteld door de beheerder": "exempted by the administrator",
    "vrijstellen": "exempt",
    "wacht op een beslissende beoordeling": "waiting for a deciding rating",
    "wacht op twee beoordelingen": "waiting for two ratings",
    "wijzigen": "change",
}
