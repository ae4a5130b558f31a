"""English for strings added while merging the session's work."""

EN = {
    "Wat je stuurde bevat een ongeldig teken (een nulteken). Verwijder het en probeer opnieuw.": (
        "What you sent contains an invalid character (a null character). Remove it and try again."
    ),
    "Duur van de opname: %(duration)s": "Length of the recording: %(duration)s",
}
