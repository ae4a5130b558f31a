"""English translations of the security work's Dutch strings (two-step login, errors)."""

EN = {
    "Bevestigen": "Confirm",
    "Code": "Code",
    "Deze code is niet juist, al gebruikt of verlopen. Wacht op de volgende code.": (
        "This code is wrong, already used or expired. Wait for the next code."
    ),
    "Deze code is te lang.": "This code is too long.",
    "Je code kan nu niet gecontroleerd worden door een fout in de instellingen van de server. "
    "Gebruik een herstelcode en meld het aan de beheerder.": (
        "Your code cannot be checked now because of a fault in the server's settings. Use a "
        "recovery code and tell the administrator."
    ),
    "Herstelcodes": "Recovery codes",
    "Ik heb de codes bewaard, ga verder": "I have stored the codes, continue",
    "Je gebruikte een herstelcode. Er blijven er nog %(n)d.": (
        "You used a recovery code. %(n)d remain."
    ),
    "Kun je niet scannen? Typ deze sleutel in de app:": (
        "Cannot scan? Type this key into the app:"
    ),
    "Meld je opnieuw aan met je wachtwoord.": "Log in again with your password.",
    "Open de authenticator-app op je telefoon en typ de code van 6 cijfers die ze nu toont.": (
        "Open the authenticator app on your phone and type the 6-digit code it shows now."
    ),
    "QR-code voor de authenticator-app": "QR code for the authenticator app",
    "Scan deze QR-code met de app.": "Scan this QR code with the app.",
    "Telefoon kwijt? Typ dan een van je herstelcodes (bijvoorbeeld ABCDE-12345). "
    "Elke herstelcode werkt één keer.": (
        "Lost your phone? Then type one of your recovery codes (for example ABCDE-12345). "
        "Each recovery code works once."
    ),
    "Te veel foute codes. Probeer het over enkele minuten opnieuw.": (
        "Too many wrong codes. Try again in a few minutes."
    ),
    "Tweede stap": "Second step",
    "Tweestapsverificatie instellen": "Set up two-step verification",
    "Tweestapsverificatie is ingesteld. Bewaar deze herstelcodes op een veilige plaats, niet op "
    "je telefoon: als je je telefoon verliest, meld je je met een van deze codes aan. Elke code "
    "werkt één keer. Je ziet ze alleen nu.": (
        "Two-step verification is set up. Keep these recovery codes in a safe place, not on your "
        "phone: if you lose your phone, you log in with one of these codes. Each code works "
        "once. You see them only now."
    ),
    "Typ hieronder de code van 6 cijfers die de app toont.": (
        "Type below the 6-digit code the app shows."
    ),
    "Vul de code in.": "Enter the code.",
    "Je account vraagt bij het aanmelden een tweede stap: een code uit een authenticator-app op "
    "je telefoon (bijvoorbeeld FreeOTP, Aegis, Google Authenticator of Microsoft "
    "Authenticator).": (
        "Your account asks for a second step at login: a code from an authenticator app on your "
        "phone (for example FreeOTP, Aegis, Google Authenticator or Microsoft Authenticator)."
    ),
}

EN.update(
    {
        "Dat lukte niet": "That did not work",
        "Fout": "Error",
        "Naar de startpagina": "To the home page",
        "Het verzoek was niet volledig of niet geldig. Ga terug en probeer opnieuw.": (
            "The request was incomplete or invalid. Go back and try again."
        ),
        "Je hebt geen toegang tot deze pagina.": "You have no access to this page.",
        "Deze pagina bestaat niet (meer).": "This page does not exist (any more).",
        "Deze handeling is hier niet mogelijk.": "This action is not possible here.",
        "Wat je stuurde is te groot. Stuur een kleiner bestand of minder tekst, of vraag hulp.": (
            "What you sent is too large. Send a smaller file or less text, or ask for help."
        ),
        "Te veel verzoeken na elkaar. Wacht even en probeer opnieuw.": (
            "Too many requests in a row. Wait a moment and try again."
        ),
        "Er ging iets mis aan onze kant. Probeer het later opnieuw.": (
            "Something went wrong on our side. Try again later."
        ),
        "Het formulier is verlopen of kwam niet van deze site. Laad de pagina opnieuw en "
        "probeer het nog eens.": (
            "The form has expired or did not come from this site. Reload the page and try again."
        ),
    }
)

EN.update(
    {
        "Even geen verbinding met de databank: er is niets bewaard. Probeer het over enkele "
        "seconden opnieuw.": (
            "No connection to the database for a moment: nothing was saved. Try again in a few "
            "seconds."
        ),
        "Je opname kon niet worden opgeslagen. Ze blijft op deze computer bewaard. Probeer "
        "opnieuw of roep de toezichter.": (
            "Your recording could not be saved. It is kept on this computer. Try again or call "
            "the proctor."
        ),
        "Een opname kon niet worden opgeslagen (opslag vol of onbereikbaar). De kiosk bewaart "
        "ze en probeert opnieuw; verwittig de beheerder.": (
            "A recording could not be saved (storage full or unreachable). The kiosk keeps it "
            "and tries again; tell the administrator."
        ),
    }
)
