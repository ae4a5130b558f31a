"""What the kiosk tells a candidate when the server refuses: a start code, an answer, a
recording. Dutch source strings of the kiosk domain (babel_kiosk.cfg), shown in the kiosk's
language by the pages and the JSON calls alike."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

CODE_MESSAGES = {
    "bad_code": _l("Dit is geen geldige startcode. Controleer de code en probeer opnieuw."),
    "unknown_code": _l("Deze startcode is niet bekend. Vraag hulp aan de toezichter."),
    "used_code": _l("Deze startcode is al gebruikt. Vraag de toezichter om een nieuwe code."),
    "expired_code": _l("Deze startcode is verlopen. Vraag de toezichter om een nieuwe code."),
    "not_admitted": _l(
        "Je bent nog niet toegelaten: de toezichter moet eerst je identiteitsbewijs nakijken en "
        "een foto nemen. Roep de toezichter."
    ),
    "empty_bank": _l("De test kan niet starten. Vraag hulp aan de toezichter."),
}


STORAGE_MESSAGE = _l(
    "Je opname kon niet worden opgeslagen. Ze blijft op deze computer bewaard. Probeer opnieuw "
    "of roep de toezichter."
)
ANSWER_MESSAGES = {
    "no_answer": _l("Kies een antwoord voor je verdergaat."),
    "paused": _l("De test is gepauzeerd. Je antwoord is niet bewaard: wacht op de toezichter."),
    "section_closed": _l("Dit deel is afgesloten. Je antwoord is niet bewaard."),
    "locked": _l("Dit antwoord kan niet meer veranderen: de volgende vraag is er al op gekozen."),
    "bad_response": _l("Je antwoord is nog niet volledig. Kijk het na en probeer opnieuw."),
}
