"""What the proctor reads for session event kinds and connection states (Dutch first)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

CALL_LABELS = {
    "microphone_problem": _l("microfoon werkt niet"),
    "recording_flagged": _l("opname nakijken"),
    "sound_problem": _l("kandidaat hoort niets"),
    "outage": _l("verbinding was weg"),
    "storage_error": _l("opslagfout"),
}
EVENT_LABELS = {
    **CALL_LABELS,
    "section_start": _l("deel gestart"),
    "section_closed": _l("deel afgesloten"),
    "pause": _l("gepauzeerd"),
    "resume": _l("hervat na pauze"),
    "extra_time": _l("extra tijd"),
    "ended": _l("beëindigd"),
    "resume_code": _l("nieuwe startcode om te hervatten"),
    "resumed": _l("hervat op een kiosk"),
    "focus_lost": _l("focus verloren"),
    "sound_ok": _l("geluidstest in orde"),
    "microphone_ok": _l("microfoontest in orde"),
}
# A tooltip (title) per event kind: what happened and whether the proctor must act.
EVENT_HELP = {
    "section_start": _l("De kandidaat begon aan dit deel van de test."),
    "section_closed": _l("Dit deel is afgesloten: klaar, tijd om of beëindigd."),
    "pause": _l("De toezichter pauzeerde de test; de klok stond stil."),
    "resume": _l("De toezichter hervatte de test."),
    "extra_time": _l("De toezichter gaf extra tijd, met de reden."),
    "ended": _l("De toezichter beëindigde de sessie; er komt geen resultaat."),
    "resume_code": _l("Een nieuwe startcode om de test op een kiosk te hervatten."),
    "resumed": _l("De test ging verder op een kiosk."),
    "focus_lost": _l(
        "De kiosk meldde dat de testpagina niet meer vooraan stond (ander venster of tabblad, "
        "volledig scherm verlaten). Ga na wat er gebeurde."
    ),
    "sound_ok": _l("De kandidaat hoorde het geluidsvoorbeeld."),
    "microphone_ok": _l("De microfoon nam geluid op tijdens de test vooraf."),
    "microphone_problem": _l("De microfoon nam niets op: kijk de kiosk na."),
    "recording_flagged": _l("Een opname lijkt leeg of te stil: luister ze na."),
    "sound_problem": _l("De kandidaat hoort het geluid niet: kijk de koptelefoon na."),
    "outage": _l("De kiosk had geen verbinding met de server; de klok stond stil."),
    "storage_error": _l("Een antwoord kon niet worden opgeslagen: roep de beheerder."),
}
# What the detail codes of events mean (focus loss, section close, reasons chosen in forms).
DETAIL_LABELS = {
    "hidden": _l("ander venster of tabblad"),
    "blur": _l("venster verlaten"),
    "fullscreen_exit": _l("volledig scherm verlaten"),
    "done": _l("klaar"),
    "time_up": _l("tijd om"),
    "ended": _l("beëindigd"),
    "accommodation": _l("aanpassing voor de kandidaat"),
    "technical": _l("technisch probleem"),
    "disturbance": _l("storing in het testlokaal"),
    "other": _l("andere reden"),
    "candidate_request": _l("op vraag van de kandidaat"),
    "illness": _l("kandidaat ziek of onwel"),
    "irregularity": _l("onregelmatigheid of fraude"),
}
STATUS_LABELS = {
    "created": (_l("aangemaakt"), _l("De startcode is gemaakt; de kandidaat begon nog niet.")),
    "in_progress": (_l("bezig"), _l("De kandidaat maakt de test op een kiosk.")),
    "completed": (
        _l("afgerond"),
        _l(
            "De kandidaat is klaar; luisteren en lezen zijn gescoord, spreken en schrijven "
            "wachten eventueel op examinatoren."
        ),
    ),
    "cancelled": (_l("beëindigd"), _l("De sessie werd beëindigd en levert geen resultaat op.")),
}
# Why an adaptive section stopped (attest.assessment.cat).
STOP_LABELS = {
    "level_decided": _l("niveau vastgesteld"),
    "se_target": _l("meting nauwkeurig genoeg"),
    "max_length": _l("maximaal aantal vragen bereikt"),
    "bank_exhausted": _l("geen geschikte vragen meer"),
}
CONNECTION_LABELS = {
    "never": _l("nog geen kiosk"),
    "connected": _l("verbonden"),
    "lost": _l("verbinding weg"),
}
