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
}
CONNECTION_LABELS = {
    "never": _l("nog geen kiosk"),
    "connected": _l("verbonden"),
    "lost": _l("verbinding weg"),
}
