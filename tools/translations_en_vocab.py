"""English for the cut-score version on the psychometric report (issue [10], one cut-score store)."""

EN = {
    "Grensscores": "Cut scores",
    "In gebruik: versie %(version)s (%(status)s; %(method)s).": (
        "In force: version %(version)s (%(status)s; %(method)s)."
    ),
    "Elk resultaat bewaart de versie van de grensscores waarmee het gescoord is. Nieuwe "
    "grensscores (na een standaardbepaling) krijgen een nieuwe versie; eerdere resultaten houden "
    "de hunne.": (
        "Each result keeps the version of the cut scores it was scored with. New cut scores "
        "(after a standard setting) get a new version; earlier results keep theirs."
    ),
    "Resultaten": "Results",
    "niet bewaard": "not recorded",
    "voorlopig": "provisional",
    "vastgesteld": "set",
}
