"""The figures of the psychometric report, each with a plain explanation for a centre manager.

Every figure the report shows (a table column, a chart, a summary number) carries
``data-figure="<key>"`` and the page explains it from this list: what it is, what a good value is,
what to do when it is bad, and where a threshold comes from. ``figure(key)`` raises for a key
without an explanation, so a new figure cannot be shown unexplained
(tests/web/test_report_figures.py checks the rendered page as well).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Source:
    """A reference for a threshold or a method: a citation and, where there is one, a URL."""

    citation: str
    url: str | None = None


@dataclass(frozen=True)
class Figure:
    key: str
    name: object  # lazy strings: the page's language at render time
    what: object
    good: object
    action: object
    sources: tuple[Source, ...] = ()


RASCH_FIT = Source(
    "Wright, B.D. & Linacre, J.M. (1994). Reasonable mean-square fit values. "
    "Rasch Measurement Transactions 8(3), 370.",
    "https://www.rasch.org/rmt/rmt83b.htm",
)
LINACRE_SAMPLE = Source(
    "Linacre, J.M. (1994). Sample size and item calibration stability. "
    "Rasch Measurement Transactions 7(4), 328.",
    "https://www.rasch.org/rmt/rmt74m.htm",
)
RUDNER = Source(
    "Rudner, L.M. (2005). Expected classification accuracy. "
    "Practical Assessment, Research & Evaluation 10(13).",
    "https://doi.org/10.7275/56a5-6b14",
)
LEE = Source(
    "Lee, W.-C. (2010). Classification consistency and accuracy for complex assessments using "
    "item response theory. Journal of Educational Measurement 47(1), 1-17.",
)
LORD = Source(
    "Lord, F.M. (1980). Applications of item response theory to practical testing "
    "problems. Hillsdale: Erlbaum, ch. 5."
)
NUNNALLY = Source(
    "Nunnally, J.C. & Bernstein, I.H. (1994). Psychometric theory (3rd ed.). "
    "New York: McGraw-Hill, p. 265 (0.90 as the minimum for decisions about "
    "individuals)."
)
GREEN = Source(
    "Green, B.F., Bock, R.D., Humphreys, L.G., Linn, R.L. & Reckase, M.D. (1984). "
    "Technical guidelines for assessing computerized adaptive tests. Journal of "
    "Educational Measurement 21(4), 347-360 (marginal reliability)."
)
ZIEKY = Source(
    "Zieky, M. (1993). Practical questions in the use of DIF statistics in test "
    "development. In P.W. Holland & H. Wainer (eds.), Differential item functioning, "
    "337-347. Hillsdale: Erlbaum (the ETS A/B/C categories)."
)
HOLLAND = Source(
    "Holland, P.W. & Thayer, D.T. (1988). Differential item performance and the "
    "Mantel-Haenszel procedure. In H. Wainer & H.I. Braun (eds.), Test validity, "
    "129-145. Hillsdale: Erlbaum."
)
WAY = Source(
    "Way, W.D. (1998). Protecting the integrity of computerized testing item pools. "
    "Educational Measurement: Issues and Practice 17(4), 17-27."
)
VDLINDEN = Source(
    "van der Linden, W.J. & Veldkamp, B.P. (2004). Constraining item exposure in "
    "computerized adaptive testing with shadow tests. Journal of Educational and "
    "Behavioral Statistics 29(3), 273-291."
)
DISPLACEMENT = Source(
    "Linacre, J.M. Winsteps Help: Displacement measures.",
    "https://www.winsteps.com/winman/displacement.htm",
)
CROCKER = Source(
    "Crocker, L. & Algina, J. (1986). Introduction to classical and modern test "
    "theory. New York: Holt, Rinehart and Winston, ch. 14 (item discrimination)."
)
MANUAL = Source(
    "Council of Europe (2009). Relating language examinations to the CEFR: a manual, ch. 6-7.",
    "https://rm.coe.int/1680667a2d",
)
STANDARD_SETTING_DOC = Source("docs/standard-setting.md (the procedure a centre follows)")

FIGURES: tuple[Figure, ...] = (
    Figure(
        "information",
        _l("Testinformatie"),
        _l(
            "Hoe nauwkeurig de live vragen samen meten bij elk niveau van vaardigheid. Hoe hoger "
            "de lijn, hoe kleiner de meetfout daar (meetfout = 1 gedeeld door de wortel van de "
            "informatie)."
        ),
        _l(
            "Hoog bij de grenzen die beslissingen dragen (de stippellijnen), vooral bij A2 en B1. "
            "Informatie 10 betekent een meetfout van ongeveer 0,32 logit."
        ),
        _l(
            "Is de lijn laag bij een grens, laat dan vragen schrijven waarvan de moeilijkheid "
            "dicht bij die grens ligt."
        ),
        (LORD,),
    ),
    Figure(
        "cut_scores_version",
        _l("Grensscores in gebruik"),
        _l(
            "De versie van de grensscores die nu bepaalt welk niveau een kandidaat krijgt. "
            "'Voorlopig' wil zeggen dat nog geen panel van deskundigen de grenzen heeft "
            "vastgesteld."
        ),
        _l("Een vastgestelde versie uit een standaardbepaling met een panel."),
        _l(
            "Staat er 'voorlopig', organiseer dan een standaardbepaling (Panels in het beheer); "
            "de niveaus op de attesten zijn tot dan moeilijk te verdedigen."
        ),
        (MANUAL, STANDARD_SETTING_DOC),
    ),
    Figure(
        "band_thresholds",
        _l("Grenzen op de beoordelingsschaal (spreken en schrijven)"),
        _l(
            "Spreken en schrijven krijgen banden van 0 (onder A1) tot 4 (B2). Een opdracht haalt "
            "een niveau als de middelste band (en de band voor taakuitvoering) minstens de grens "
            "van dat niveau haalt. Zonder panel zijn de grenzen de banden zelf: A1 1, A2 2, "
            "B1 3, B2 4. Een benchmarkingpanel kan ze vervangen; elk resultaat houdt de versie "
            "waarmee het gescoord is."
        ),
        _l(
            "Grenzen die een panel heeft vastgesteld, en die hooguit een halve band afwijken van "
            "1, 2, 3 en 4."
        ),
        _l(
            "Wijkt een grens meer dan een halve band af, bekijk dan met het panel de "
            "beschrijvingen van de banden opnieuw voor u nieuwe grenzen vaststelt."
        ),
        (MANUAL, STANDARD_SETTING_DOC),
    ),
    Figure(
        "results_by_cut_version",
        _l("Resultaten per versie van de grensscores"),
        _l(
            "Hoeveel resultaten met elke versie van de grensscores gescoord zijn. Een resultaat "
            "houdt altijd de versie waarmee het gescoord is, ook als er later nieuwe grenzen komen."
        ),
        _l("Nieuwe resultaten gebruiken de versie die nu in gebruik is."),
        _l(
            "Vraagt iemand waarom een oud resultaat anders uitviel dan een nieuw, kijk dan hier "
            "welke versie elk gebruikte. 'Niet bewaard': gescoord voordat versies bewaard werden."
        ),
    ),
    Figure(
        "form",
        _l("Vorm"),
        _l(
            "Hoe de vragen gekozen worden: een vaste toets (een vast aantal vragen per niveau) of "
            "een adaptieve toets (elke vraag past zich aan de vorige antwoorden aan). Bij een "
            "adaptieve toets tonen de cijfers wat de beste live vragen tot de maximale lengte "
            "halen: een bovengrens, de toets zelf haalt iets minder."
        ),
        _l("Geen goede of slechte waarde: dit zegt hoe de andere cijfers berekend zijn."),
        _l(
            "Het echte cijfer van een adaptieve toets staat in benchmarks/RESULTS.md "
            "(de simulatie van de toets)."
        ),
    ),
    Figure(
        "form_length",
        _l("Vragen"),
        _l(
            "Het aantal vragen (of groepen vragen bij één tekst) in de vaste toets, of het "
            "maximale aantal in de adaptieve toets."
        ),
        _l(
            "Genoeg om de nauwkeurigheid boven 0,90 te krijgen; meer vragen meten nauwkeuriger "
            "maar duren langer."
        ),
        _l("Haalt een toetsdoel de nauwkeurigheid niet, maak de toets langer of adaptief."),
    ),
    Figure(
        "accuracy_rudner",
        _l("Nauwkeurigheid (Rudner)"),
        _l(
            "De kans dat het besluit (grens behaald of niet) klopt met de echte vaardigheid van de "
            "kandidaat, berekend uit de meetfout van de vragen, voor een aangenomen groep "
            "kandidaten (gemiddelde 0, spreiding 1,5 logit)."
        ),
        _l(
            "Minstens 0,90: dan krijgen 9 op 10 kandidaten het juiste besluit. Onder 0,90 mag een "
            "toetsdoel niet live (regel van Attest)."
        ),
        _l(
            "Meer of betere vragen bij de grens (zie testinformatie), of een langere of adaptieve "
            "toets. attest purposes check weigert een live toetsdoel onder de grens."
        ),
        (RUDNER,),
    ),
    Figure(
        "accuracy_exact",
        _l("Nauwkeurigheid (exact)"),
        _l(
            "Dezelfde kans, maar berekend uit alle mogelijke scores op een vaste toets, gescoord "
            "zoals de kiosk scoort. Alleen voor vaste toetsen; de laagste van de twee "
            "nauwkeurigheden telt."
        ),
        _l("Minstens 0,90, zoals bij Rudner."),
        _l("Zoals bij Rudner: meer vragen bij de grens of een langere toets."),
        (LEE,),
    ),
    Figure(
        "consistency",
        _l("Consistentie"),
        _l(
            "De kans dat dezelfde kandidaat bij een tweede afname met andere, even moeilijke "
            "vragen hetzelfde besluit krijgt."
        ),
        _l(
            "Dicht bij de nauwkeurigheid en liefst boven 0,85 (richtwaarde van Attest); ze is "
            "altijd wat lager dan de nauwkeurigheid."
        ),
        _l(
            "Lage consistentie betekent dat herkansingen vaak een ander besluit geven: maak de "
            "toets bij de grens nauwkeuriger."
        ),
        (RUDNER, LEE),
    ),
    Figure(
        "false_pass",
        _l("Onterecht geslaagd"),
        _l(
            "Het aandeel van alle kandidaten dat eigenlijk onder de grens zit maar toch het niveau "
            "krijgt."
        ),
        _l(
            "Zo laag mogelijk, en niet hoger dan 'onterecht niet geslaagd': een attest dat een "
            "niveau belooft dat er niet is, schaadt de afnemer (woning, werkgever)."
        ),
        _l(
            "Is het hoger dan 'onterecht niet geslaagd', meld het aan wie de toets onderhoudt: "
            "de beslisregel of de grens kan scheef staan."
        ),
        (RUDNER,),
    ),
    Figure(
        "false_fail",
        _l("Onterecht niet geslaagd"),
        _l(
            "Het aandeel van alle kandidaten dat eigenlijk boven de grens zit maar het niveau "
            "niet krijgt."
        ),
        _l("Zo laag mogelijk; samen met 'onterecht geslaagd' is het 1 min de nauwkeurigheid."),
        _l("Is het hoog, dan moeten kandidaten onnodig herkansen: meer vragen bij de grens."),
        (RUDNER,),
    ),
    Figure(
        "se_at_cut",
        _l("Meetfout bij de grens"),
        _l(
            "Hoe ver de gemeten vaardigheid van een kandidaat die precies op de grens zit, "
            "gemiddeld van zijn echte vaardigheid afligt (standaardmeetfout, in logit)."
        ),
        _l(
            "Onder 0,5 logit. Bij een spreiding van 1,5 logit komt 0,47 overeen met een "
            "betrouwbaarheid van 0,90 (afgeleid, geen regel uit de literatuur)."
        ),
        _l(
            "Is ze groter, dan beslist de toets bij de grens vooral op toeval: meer vragen met een "
            "moeilijkheid dicht bij de grens."
        ),
        (LORD,),
    ),
    Figure(
        "reliability",
        _l("Betrouwbaarheid"),
        _l(
            "Welk deel van de verschillen tussen kandidaten echt is en niet door meetfout komt "
            "(marginale betrouwbaarheid, van 0 tot 1)."
        ),
        _l("Minstens 0,90 voor beslissingen over personen, zoals een attest."),
        _l(
            "Lager dan 0,90: maak de toets langer of adaptief; de nauwkeurigheid bij de grens "
            "telt voor het besluit het zwaarst."
        ),
        (NUNNALLY, GREEN),
    ),
    Figure(
        "verdict",
        _l("Oordeel"),
        _l("Of de nauwkeurigheid bij deze grens de lat van 0,90 haalt."),
        _l("'Voldoende' bij elke grens van een live toetsdoel."),
        _l(
            "'Onder 0,90' bij een live toetsdoel: zet het toetsdoel terug naar concept of verbeter "
            "de toets; attest purposes check meldt het."
        ),
        (RUDNER,),
    ),
    Figure(
        "exposure",
        _l("Blootstelling"),
        _l(
            "In welk deel van de afnames van deze vaardigheid een vraag voorkwam. Een vraag die "
            "heel vaak voorkomt, raakt sneller bekend bij kandidaten (doorvertellen)."
        ),
        _l(
            "Geen vraag in meer dan een kwart (0,25) van de afnames (regel van Attest voor de "
            "adaptieve toets; de literatuur gebruikt doorgaans 0,20 tot 0,25)."
        ),
        _l(
            "Vragen boven 0,25: schrijf meer vragen van dezelfde moeilijkheid, of vervang de "
            "vaakst gebruikte vragen. Een vaste toets trekt zijn vragen per afname uit de bank: "
            "daar helpen meer vragen per niveau."
        ),
        (WAY, VDLINDEN),
    ),
    Figure(
        "calibration_population",
        _l("Kalibratiegroep"),
        _l(
            "Het aantal afgeronde afnames waarop de kalibratie rust, met de gemiddelde vaardigheid "
            "en de spreiding van die kandidaten (in logit, op de schaal van de bank)."
        ),
        _l(
            "Enkele honderden afnames; een gemiddelde dicht bij de grens die de meeste "
            "beslissingen draagt."
        ),
        _l("Met weinig afnames zijn de nieuwe moeilijkheden onzeker: wacht met overnemen."),
        (LINACRE_SAMPLE,),
    ),
    Figure(
        "n_responses",
        _l("Aantal antwoorden (n)"),
        _l("Hoeveel kandidaten deze vraag beantwoordden."),
        _l("Minstens 30: dan ligt de moeilijkheid op ongeveer een halve tot één logit vast."),
        _l("Minder dan 30 (signaal few_responses): neem de nieuwe moeilijkheid nog niet over."),
        (LINACRE_SAMPLE,),
    ),
    Figure(
        "p_value",
        _l("Aandeel goed (p)"),
        _l(
            "De gemiddelde score op de vraag: 0,80 wil zeggen dat 8 op 10 kandidaten haar goed "
            "hadden."
        ),
        _l(
            "Tussen ongeveer 0,2 en 0,9. Bij een adaptieve toets ligt p dicht bij 0,5 tot 0,7, "
            "omdat elke kandidaat vragen op zijn niveau krijgt."
        ),
        _l(
            "Iedereen goed of iedereen fout (signaal all_same_score): de vraag meet niets; laat ze "
            "nakijken."
        ),
    ),
    Figure(
        "b_bank",
        _l("Moeilijkheid (bank)"),
        _l(
            "De moeilijkheid waarmee de vraag nu gescoord wordt, in logit: 0 is gemiddeld, hoger "
            "is moeilijker."
        ),
        _l("Past bij het niveau van de vraag (A1 laag, B2 hoog)."),
        _l("Zie de nieuwe moeilijkheid en de verschuiving."),
    ),
    Figure(
        "b_new",
        _l("Moeilijkheid (nieuw)"),
        _l(
            "De moeilijkheid die uit de antwoorden van de kandidaten volgt. Ze wordt pas gebruikt "
            "nadat een beheerder ze overneemt (Kalibratie overnemen)."
        ),
        _l("Dicht bij de moeilijkheid in de bank, en passend bij het niveau."),
        _l("Wijkt ze sterk af, neem ze dan pas over na de signalen te bekijken."),
    ),
    Figure(
        "drift",
        _l("Verschuiving"),
        _l(
            "De nieuwe moeilijkheid min die in de bank: hoeveel de vraag moeilijker (positief) of "
            "makkelijker (negatief) blijkt dan gedacht."
        ),
        _l("Binnen een halve logit. Een grotere verschuiving verandert scores merkbaar."),
        _l(
            "Meer dan 0,5 logit: bekijk de vraag (is de tekst verouderd, lekt de vraag uit, klopt "
            "de sleutel?) en neem de nieuwe waarde over of trek de vraag terug."
        ),
        (DISPLACEMENT,),
    ),
    Figure(
        "se_b",
        _l("Standaardfout van de moeilijkheid"),
        _l(
            "Hoe onzeker de nieuwe moeilijkheid nog is, in logit: de echte waarde ligt meestal "
            "binnen twee keer deze fout."
        ),
        _l("Onder 0,3 logit."),
        _l("Groter: wacht op meer antwoorden voor u de waarde overneemt."),
        (LINACRE_SAMPLE,),
    ),
    Figure(
        "infit",
        _l("Infit"),
        _l(
            "Of kandidaten van ongeveer het niveau van de vraag antwoorden zoals het model "
            "verwacht. 1 is precies zoals verwacht; hoger is grilliger (sterke kandidaten fout, "
            "zwakke goed), lager is voorspelbaarder dan verwacht."
        ),
        _l("Tussen 0,7 en 1,3."),
        _l(
            "Boven 1,3: de vraag meet iets anders of is dubbelzinnig; laat ze herlezen. Onder 0,7 "
            "is minder erg (de vraag scheidt zeer scherp)."
        ),
        (RASCH_FIT,),
    ),
    Figure(
        "outfit",
        _l("Outfit"),
        _l(
            "Zoals infit, maar gevoeliger voor verrassende antwoorden van kandidaten ver van het "
            "niveau van de vraag (een sterke kandidaat die een makkelijke vraag mist)."
        ),
        _l("Tussen 0,7 en 1,3."),
        _l("Boven 1,3: kijk naar gokken of slordigheid, of een sleutel die niet klopt."),
        (RASCH_FIT,),
    ),
    Figure(
        "point_biserial",
        _l("Puntbiseriële correlatie"),
        _l(
            "Of kandidaten die het in de rest van de toets goed doen, deze vraag ook vaker goed "
            "hebben (van -1 tot 1)."
        ),
        _l(
            "Minstens 0,15 (drempel van Attest; bij vaste toetsen geldt vaak 0,20 als ondergrens, "
            "bij adaptieve toetsen liggen de waarden lager omdat elke vraag kandidaten van "
            "ongeveer één niveau krijgt)."
        ),
        _l(
            "Onder 0,15 of negatief (signaal low_point_biserial): de sleutel kan fout zijn of twee "
            "antwoorden kunnen goed zijn; laat de vraag nakijken."
        ),
        (CROCKER,),
    ),
    Figure(
        "dif",
        _l("DIF (itemonzuiverheid)"),
        _l(
            "Of kandidaten van gelijke vaardigheid uit twee groepen (bijvoorbeeld twee "
            "moedertalen) de vraag even vaak goed hebben. A: verwaarloosbaar verschil, B: matig, "
            "C: groot."
        ),
        _l("A. B is een reden om de vraag te bekijken."),
        _l(
            "C (signaal dif_c): laat de vraag door iemand anders nakijken op kennis of woorden die "
            "een groep bevoordelen; neem de moeilijkheid niet over zonder die beoordeling."
        ),
        (HOLLAND, ZIEKY),
    ),
    Figure(
        "flags",
        _l("Signalen"),
        _l(
            "Waarom een vraag aandacht vraagt: few_responses (minder dan 30 antwoorden), "
            "all_same_score (iedereen goed of iedereen fout), infit of outfit (buiten 0,7-1,3), "
            "low_point_biserial (onder 0,15), dif_c (grote DIF), skipped_partial_credit (niet "
            "berekend door gedeeltelijke scores)."
        ),
        _l("Geen signalen."),
        _l("Een vraag met signalen: laat ze nakijken voor u de kalibratie overneemt."),
        (RASCH_FIT, LINACRE_SAMPLE, ZIEKY),
    ),
    Figure(
        "anchor",
        _l("Anker (*)"),
        _l(
            "Een live vraag waarvan de moeilijkheid vast blijft tijdens de kalibratie, zodat "
            "nieuwe vragen op dezelfde schaal komen als de oude."
        ),
        _l("Veel ankers over alle niveaus."),
        _l(
            "Een anker dat sterk verschuift, maakt de schaal onzeker: herkalibreer met "
            "gemiddelde-verankering (zie Kalibratie overnemen)."
        ),
        (DISPLACEMENT,),
    ),
)

_BY_KEY = {f.key: f for f in FIGURES}

# the columns that name a row rather than show a figure: they need no explanation
LABELS = ("purpose", "status", "level", "version", "item", "skill")


def figure(key: str) -> Figure:
    """Return the explanation of one figure; a figure without one is a KeyError at render."""
    return _BY_KEY[key]
