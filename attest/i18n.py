"""Locale selection and labels shown to people (Dutch is the reference language)."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import current_app, g, request, session

from attest.vocabulary import SKILL_NAMES_NL


def N_(msgid: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return msgid


RTL_LANGUAGES = {"ar", "fa", "prs", "ps", "he"}
LOCAL_TZ = ZoneInfo("Europe/Brussels")

SKILL_LABELS = SKILL_NAMES_NL  # marked for both catalogues in attest/vocabulary.py
LEVEL_LABELS = {"below_A1": N_("onder A1"), None: N_("niet getest")}
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}


# Pages whose readers are not staff follow the browser's language until one is chosen.
BROWSER_LANGUAGE_BLUEPRINTS = ("kiosk", "verify", "booking")


def select_locale() -> str:
    """Pick the language: explicit choice (?lang= or kiosk choice), then Dutch for staff pages
    and the browser's language for kiosk and public verification pages.

    Kiosk pages speak every kiosk language; staff and public pages only Dutch and English.
    """
    if request.blueprint == "kiosk":
        from attest.kiosk.languages import LANGUAGE_CODES

        languages = list(LANGUAGE_CODES)
    else:
        languages = current_app.config["LANGUAGES"]
    asked = request.args.get("lang")
    if asked in languages:
        session["lang"] = asked
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if request.blueprint in BROWSER_LANGUAGE_BLUEPRINTS:
        return request.accept_languages.best_match(languages) or "nl"
    return "nl"  # staff pages: Dutch, the language of the labels the README names


def locale_of_request():
    """Flask-Babel's locale selector: select_locale's choice as a babel Locale, parsed once
    per language (Flask-Babel would parse the tag again on every request)."""
    return _locale(select_locale())


@lru_cache(maxsize=64)
def _locale(tag: str):
    from babel import Locale

    return Locale.parse(tag)


def select_timezone() -> str:
    """Show times in Belgian local time."""
    return "Europe/Brussels"


def current_language() -> str:
    """Return the language of the current request (chosen once per request by Flask-Babel)."""
    from flask_babel import get_locale

    locale = get_locale()
    return locale.language if locale is not None else "nl"


def current_language_tag() -> str:
    """Return the BCP 47 tag of the current request's locale ("fa-AF" for Dari), for `lang`."""
    from flask_babel import get_locale

    locale = get_locale()
    if locale is None:
        return "nl"
    return f"{locale.language}-{locale.territory}" if locale.territory else locale.language


def direction(language: str) -> str:
    """Return 'rtl' for right-to-left languages, else 'ltr' ("fa_AF" and "fa-AF" as "fa")."""
    return "rtl" if language.replace("-", "_").split("_")[0] in RTL_LANGUAGES else "ltr"


def request_translations():
    """Return the translations of this request, looked up once (templates call this often)."""
    try:
        return g._attest_translations
    except AttributeError:
        from flask_babel import get_translations

        g._attest_translations = get_translations()
        return g._attest_translations


def fast_gettext(msgid: str, **variables) -> str:
    """Translate with the request's cached catalogue (same result as Flask-Babel's gettext)."""
    text = request_translations().ugettext(msgid)
    return text % variables if variables else text


def skill_label(skill: str) -> str:
    """Return the translated name of a skill."""
    return fast_gettext(SKILL_LABELS[skill]) if skill in SKILL_LABELS else skill


def level_label(level: str | None) -> str:
    """Return a level for display; 'niet getest' for None."""
    return fast_gettext(LEVEL_LABELS[level]) if level in LEVEL_LABELS else str(level)


def format_day(value: date | datetime | None) -> str:
    """Format a date as dd-mm-yyyy (a timestamp in Belgian local time)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_TZ)
        return value.strftime("%d-%m-%Y %H:%M")
    return value.strftime("%d-%m-%Y")
