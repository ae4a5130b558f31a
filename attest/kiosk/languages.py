"""The languages of the kiosk interface and the text of the general instructions.

The kiosk speaks the candidate's language; the items stay Dutch. Each language has its name in
its own script (what the candidate recognises), its Dutch name (what the proctor reads), its
writing direction and the espeak-ng voice that reads the general instructions aloud (None when
espeak-ng has no voice for it: a recorded human voice is planned there).
"""

from __future__ import annotations

from dataclasses import dataclass


def N_(msgid: str) -> str:
    """Mark a string for extraction into the kiosk catalogue; it is translated where shown."""
    return msgid


@dataclass(frozen=True)
class KioskLanguage:
    code: str  # the Babel locale of the catalogue
    native_name: str
    dutch_name: str
    direction: str = "ltr"
    voice: str | None = None  # espeak-ng voice of the spoken instructions

    @property
    def tag(self) -> str:
        """Return the BCP 47 language tag for HTML `lang` attributes ("fa-AF" for "fa_AF")."""
        return self.code.replace("_", "-")


# Dutch first (the reference), then English and the languages most often heard at Flemish test
# centres. Dari ("fa_AF", Afghan Persian) and Persian ("fa", Iranian) have one script but their
# own catalogues: Afghan usage (هالندی, کمپیوتر, قاموس) is not Iranian usage (هلندی, رایانه,
# فرهنگ لغت). Dari's spoken instructions use espeak-ng's Persian voice (Iranian pronunciation,
# understood in Afghanistan) until a Kabul speaker records them. espeak-ng has no Somali,
# Pashto or Tigrinya voice: the proctor reads those instructions aloud.
KIOSK_LANGUAGES: tuple[KioskLanguage, ...] = (
    KioskLanguage("nl", "Nederlands", N_("Nederlands"), voice="nl"),
    KioskLanguage("en", "English", N_("Engels"), voice="en-gb"),
    KioskLanguage("fr", "Français", N_("Frans"), voice="fr-be"),
    KioskLanguage("ar", "العربية", N_("Arabisch"), "rtl", voice="ar"),
    KioskLanguage("tr", "Türkçe", N_("Turks"), voice="tr"),
    KioskLanguage("fa_AF", "دری", N_("Dari"), "rtl", voice="fa"),
    KioskLanguage("ps", "پښتو", N_("Pasjtoe"), "rtl", voice=None),
    KioskLanguage("fa", "فارسی", N_("Perzisch"), "rtl", voice="fa"),
    KioskLanguage("so", "Soomaali", N_("Somalisch"), voice=None),
    KioskLanguage("ti", "ትግርኛ", N_("Tigrinya"), voice=None),
    KioskLanguage("ro", "Română", N_("Roemeens"), voice="ro"),
    KioskLanguage("pl", "Polski", N_("Pools"), voice="pl"),
    KioskLanguage("bg", "Български", N_("Bulgaars"), voice="bg"),
    KioskLanguage("uk", "Українська", N_("Oekraïens"), voice="uk"),
    KioskLanguage("ru", "Русский", N_("Russisch"), voice="ru"),
)
LANGUAGE_CODES: tuple[str, ...] = tuple(lang.code for lang in KIOSK_LANGUAGES)
REFERENCE = "nl"

# The general instructions, one paragraph each: shown on the instructions page. A paragraph about
# one skill is shown only when the session's purpose tests that skill; the page also lists the
# purpose's parts with their time limits (PARTS_*). The spoken version reads the paragraphs that
# hold for every purpose (SPOKEN_INSTRUCTIONS), so it never names a skill that is not tested.
INSTRUCTIONS: tuple[str, ...] = (
    N_("Deze test meet hoe goed je Nederlands kent."),
    N_("Je krijgt één vraag per scherm. De vragen zijn in het Nederlands."),
    N_("Lees of beluister de vraag. Kies of schrijf dan je antwoord."),
    N_("Druk op ‘Volgende’ om verder te gaan. Je antwoord wordt meteen bewaard."),
    N_("Weet je een antwoord niet? Kies dan wat je denkt. Een fout antwoord kost geen punten."),
    N_("Bij een luistervraag druk je op de afspeelknop. Je mag elk fragment twee keer horen."),
    N_("Bij een spreekopdracht druk je op de opnameknop en spreek je duidelijk in de microfoon."),
    N_("Heb je een probleem of een vraag? Steek je hand op. De toezichter komt naar je toe."),
    N_("Je mag geen telefoon, woordenboek of notities gebruiken."),
    N_("Neem rustig je tijd. Veel succes!"),
)
INSTRUCTION_SKILL: dict[str, str] = {
    INSTRUCTIONS[5]: "listening",
    INSTRUCTIONS[6]: "speaking",
}
SPOKEN_INSTRUCTIONS: tuple[str, ...] = tuple(p for p in INSTRUCTIONS if p not in INSTRUCTION_SKILL)
PARTS_HEADING = N_("De test heeft deze delen:")
# A timed part, "%(skill)s: %(n)s minuut/minuten", is a plural string: ngettext in
# templates/kiosk/instructions.html (pl, uk, ru and others have more than one plural form).
PART_UNTIMED = N_("%(skill)s: zonder tijdslimiet")


def instructions_for(skills: set[str] | frozenset[str]) -> list[str]:
    """Return the instruction paragraphs for a purpose testing these skills."""
    return [p for p in INSTRUCTIONS if INSTRUCTION_SKILL.get(p) in (None, *skills)]


def kiosk_language(code: str | None) -> KioskLanguage | None:
    """Return the kiosk language with this code, or None."""
    return next((lang for lang in KIOSK_LANGUAGES if lang.code == code), None)


def is_right_to_left(code: str | None) -> bool:
    """Tell whether a kiosk language is written from right to left."""
    lang = kiosk_language(code)
    return lang is not None and lang.direction == "rtl"
