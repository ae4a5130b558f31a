"""Dutch labels (translated through Babel) of the review workflow's steps, states and refusals."""

from flask_babel import lazy_gettext as _l

STEP_LABELS = {
    "written": _l("Geschreven"),
    "reviewed": _l("Nagekeken door een tweede auteur"),
    "returned": _l("Teruggestuurd naar de schrijver"),
    "checked": _l("Gecontroleerd op gevoeligheid en vooroordelen"),
    "pilot": _l("Naar de pilot (ongescoord afnemen)"),
    "live": _l("Live (gescoord), na kalibratie"),
    "retired": _l("Uit gebruik genomen"),
    "migrated": _l("Live vóór de werkstroom bestond (issue 16)"),
    "migrated_pilot": _l("Pilot vóór de werkstroom bestond (issue 16)"),
}
STATE_LABELS = {
    "draft": _l("ontwerp"),
    "reviewed": _l("nagekeken"),
    "checked": _l("gecontroleerd"),
    "pilot": _l("pilot"),
    "live": _l("live"),
    "retired": _l("uit gebruik"),
}
REFUSALS = {
    "unknown_step": _l("Die stap bestaat niet in de werkstroom."),
    "live_by_calibration": _l(
        "Een item wordt alleen live door een kalibratie over te nemen (pagina Kalibratie)."
    ),
    "role": _l("Je rol mag deze stap niet zetten."),
    "note_required": _l("Zeg in de opmerkingen waarom je het item terugstuurt."),
    "too_long": _l("Opmerkingen en wijzigingen zijn elk hoogstens 2000 tekens."),
    "unknown_item": _l("Dat item bestaat niet."),
    "moved_on": _l(
        "Het item is intussen in een andere stap gezet; er is niets veranderd. "
        "Bekijk de geschiedenis hieronder."
    ),
    "own_item": _l("Je hebt dit item zelf geschreven: een andere auteur moet het nakijken."),
    "not_allowed": _l("Die stap kan niet vanuit de huidige toestand van het item."),
}
ADOPTION_REFUSALS = {
    "nothing_selected": _l("Kies minstens één item om over te nemen."),
    "bank_changed": _l(
        "De bank is intussen gewijzigd door een andere overname; er is niets overgenomen. "
        "Bekijk het voorstel opnieuw."
    ),
    "bad_anchoring": _l("Onbekende verankering; er is niets overgenomen:"),
    "reason_needed": _l(
        "Dit item heeft een signaal (misfit, lage puntbiseriële correlatie of DIF): schrijf "
        "waarom u het toch overneemt (minstens 10 tekens). Er is niets overgenomen:"
    ),
    "reason_too_long": _l("De reden is te lang (hoogstens 500 tekens); er is niets overgenomen:"),
    "unknown": _l("Dit item staat niet (meer) in het voorstel; er is niets overgenomen:"),
    "old_version": _l("Niet de huidige versie van het item; er is niets overgenomen:"),
    "status": _l("Alleen pilot- en live-items kunnen worden overgenomen; er is niets overgenomen:"),
    "anchor": _l(
        "Een ankeritem houdt de schaal vast en behoudt zijn waarde; er is niets overgenomen:"
    ),
    "too_little_data": _l(
        "Te weinig antwoorden voor een betrouwbare waarde; er is niets overgenomen:"
    ),
    "outside_band": _l(
        "De voorgestelde moeilijkheid valt buiten de band van het niveau; herzie eerst het "
        "niveau van het item. Er is niets overgenomen:"
    ),
}
