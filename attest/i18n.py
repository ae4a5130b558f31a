"""Locale selection and labels shown to people (Dutch is the reference language)."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, request, session
from flask_babel import lazy_gettext as _l

RTL_LANGUAGES = {"ar", "fa", "prs", "he"}
LOCAL_TZ = ZoneInfo("Europe/Brussels")

SKILL_LABELS = {
    "listening": _l("luisteren"),
    "reading": _l("lezen"),
    "speaking": _l("spreken"),
    "writing": _l("schrijven"),
}
LEVEL_LABELS = {"below_A1": _l("onder A1"), None: _l("niet getest")}
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}


def select_locale() -> str:
    """Pick the language: explicit choice (?lang= or kiosk choice), then the browser, then Dutch."""
    languages = current_app.config["LANGUAGES"]
    asked = request.args.get("lang")
    if asked in languages:
        session["lang"] = asked
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or "nl"


def select_timezone() -> str:
    """Show times in Belgian local time."""
    return "Europe/Brussels"


def current_language() -> str:
    """Return the language of the current request."""
    try:
        return select_locale()
    except RuntimeError:
        return "nl"


def direction(language: str) -> str:
    """Return 'rtl' for right-to-left languages, else 'ltr'."""
    return "rtl" if language in RTL_LANGUAGES else "ltr"


def skill_label(skill: str) -> str:
    """Return the translated name of a skill."""
    return str(SKILL_LABELS.get(skill, skill))


def level_label(level: str | None) -> str:
    """Return a level for display; 'niet getest' for None."""
    return str(LEVEL_LABELS[level]) if level in LEVEL_LABELS else str(level)


def format_day(value: date | datetime | None) -> str:
    """Format a date as dd-mm-yyyy (a timestamp in Belgian local time)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_TZ)
        return value.strftime("%d-%m-%Y %H:%M")
    return value.strftime("%d-%m-%Y")
