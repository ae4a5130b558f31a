"""English for the region work: monitoring reports, subject-access export."""

EN = {
    "90e percentiel (dagen)": "90th percentile (days)",
    "Aandeel dat aan elk vereistenprofiel voldoet": "Share meeting each requirement profile",
    "Aandeel dat aan elk vereistenprofiel voldoet, per maand": (
        "Share meeting each requirement profile, per month"
    ),
    "Attesten": "Attestations",
    "Bereikt niveau per vaardigheid en centrum": "Level reached per skill and centre",
    "Bereikt niveau per vaardigheid en maand": "Level reached per skill and month",
    "Bereikt niveau per vaardigheid en testdoel": "Level reached per skill and test purpose",
    "Cijfers over alle afgeronde tests. Er staan geen persoonsgegevens in. Cellen met minder "
    "dan 5 personen zijn verborgen (<5), en waar nodig ook een tweede cel, zodat niets terug te "
    "rekenen is.": (
        "Figures over all finished tests. They hold no personal data. Cells of fewer than 5 "
        "people are hidden (<5), and where needed a second cell too, so that nothing can be "
        "worked out."
    ),
    "Download als CSV": "Download as CSV",
    "Geteste personen per maand": "People tested per month",
    "Geteste personen per maand, centrum en testdoel": (
        "People tested per month, centre and test purpose"
    ),
    "Inzageverzoek: alle gegevens downloaden (zip)": (
        "Subject-access request: download all data (zip)"
    ),
    "Maand": "Month",
    "Mediaan (dagen)": "Median (days)",
    "Mediaan aantal dagen van test tot attest": "Median days from test to attestation",
    "Monitoring": "Monitoring",
    "Nog geen gegevens.": "No data yet.",
    "Oudste (dagen)": "Oldest (days)",
    "Personen": "People",
    "Procent": "Percent",
    "Testdoel": "Test purpose",
    "Tijd van test tot attest (dagen)": "Time from test to attestation (days)",
    "Totaal": "Total",
    "Vereistenprofiel": "Requirement profile",
    "Voldoet": "Meeting",
    "Wachtend": "Waiting",
    "Wachtrij van de examinatoren (vaardigheden zonder score)": (
        "Examiners' backlog (skills without a score)"
    ),
}
