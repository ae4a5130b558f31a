"""English for decision accuracy per purpose on the psychometric report (issue [17], item 3)."""

EN = {
    "Beslissingsnauwkeurigheid per toetsdoel": "Decision accuracy per test purpose",
    "Voor elk toetsdoel en elke grens die het beslist (A2 voor sociale huur en inburgering, B1 "
    "voor taxi en kinderopvang): hoe vaak deze vaardigheid een kandidaat aan de juiste kant van "
    "de grens plaatst. Berekend uit de moeilijkheid van de live items en de grenzen die nu gelden, "
    "voor een aangenomen groep kandidaten met gemiddelde vaardigheid 0 en spreiding 1,5 logit. Een "
    "toetsdoel mag alleen live zijn als de nauwkeurigheid bij elke grens minstens 0,90 is; attest "
    "purposes check controleert dat.": (
        "For each test purpose and each cut it decides (A2 for social housing and civic "
        "integration, B1 for taxi and childcare): how often this skill places a candidate on the "
        "right side of the cut. Computed from the difficulty of the live items and the cuts in "
        "force, for an assumed group of candidates with mean ability 0 and spread 1.5 logits. A "
        "test purpose may only be live when the accuracy at every cut is at least 0.90; attest "
        "purposes check checks this."
    ),
    "Toetsdoel": "Test purpose",
    "Vorm": "Form",
    "Grens": "Cut",
    "Vragen": "Questions",
    "Nauwkeurigheid (Rudner)": "Accuracy (Rudner)",
    "Nauwkeurigheid (exact)": "Accuracy (exact)",
    "Consistentie": "Consistency",
    "Onterecht geslaagd": "False pass",
    "Onterecht niet geslaagd": "False fail",
    "Oordeel": "Verdict",
    "live": "live",
    "concept": "draft",
    "adaptief (bovengrens)": "adaptive (upper bound)",
    "vaste toets": "fixed form",
    "voldoende": "sufficient",
    "onder 0,90": "below 0.90",
    "De kans dat het besluit (grens behaald of niet) klopt met de echte vaardigheid, als de "
    "meetfout bij elke vaardigheid volgt uit de testinformatie van de vragen (Rudner 2005).": (
        "The probability that the decision (cut reached or not) agrees with the true ability, "
        "when the measurement error at each ability follows from the test information of the "
        "questions (Rudner 2005)."
    ),
    "Dezelfde kans, berekend uit alle mogelijke scores op een vaste toets, gescoord zoals de "
    "kiosk scoort (Lee 2010). Alleen voor vaste toetsen; de laagste van de twee telt.": (
        "The same probability, computed from every possible score on a fixed form, scored as the "
        "kiosk scores (Lee 2010). Fixed forms only; the lower of the two counts."
    ),
    "De kans dat twee afnames met gelijkwaardige vragen hetzelfde besluit geven.": (
        "The probability that two administrations with equivalent questions give the same decision."
    ),
    "Het aandeel kandidaten onder de grens dat toch het niveau krijgt; onterecht niet geslaagd: "
    "het aandeel boven de grens dat het niveau niet krijgt.": (
        "The share of candidates below the cut who are still given the level; false fail: the "
        "share above the cut who are not given the level."
    ),
    "Bij een adaptieve toets: wat de beste live vragen tot de maximale lengte halen. De toets zelf "
    "haalt iets minder; de simulatie in benchmarks/RESULTS.md geeft dat cijfer.": (
        "For an adaptive test: what the best live questions reach up to the maximum length. The "
        "test itself reaches somewhat less; the simulation in benchmarks/RESULTS.md gives that "
        "figure."
    ),
    "Nog geen live items: geen beslissingsnauwkeurigheid te berekenen.": (
        "No live items yet: no decision accuracy to compute."
    ),
}
