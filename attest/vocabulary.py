"""The vocabulary of a test: the skills, their kinds, and the CEFR levels Attest measures.

The one definition of these facts (issue [10]); every other module imports them from here, and
`tests/unit/test_vocabulary.py` refuses a second list of skills or levels in `attest/`. Pure: no
Flask, no ORM. How a level follows from an estimate (the CEFR scale and its cut scores) is
`attest.assessment.cefr`; which cuts are in force is `attest.assessment.cut_scores`.
"""

from __future__ import annotations

# The four skills, in the order of a test, of the PDF and of every table and payload word.
SKILLS = ("listening", "reading", "speaking", "writing")
# Receptive skills are scored by the machine (IRT); productive skills by examiners (rubrics).
RECEPTIVE = SKILLS[:2]
PRODUCTIVE = SKILLS[2:]
# Each skill by name, for code about one skill (the examiner-led interview holds speaking).
LISTENING, READING, SPEAKING, WRITING = SKILLS

# The CEFR levels Attest measures, lowest first. The CEFR's C1 and C2 are not measured: no
# purpose, item, task or requirement profile may ask for them (NOT_MEASURED).
LEVELS = ("A1", "A2", "B1", "B2")
NOT_MEASURED = ("C1", "C2")
BELOW_A1 = "below_A1"  # a result under A1
RESULT_LEVELS = (BELOW_A1, *LEVELS)  # every level a result can have, lowest first


def N_(msgid: str) -> str:
    """Mark a string for extraction (both catalogues, babel.cfg and babel_kiosk.cfg)."""
    return msgid


# The skills' Dutch names (the PDF is Dutch; pages translate them with attest.i18n.skill_label).
SKILL_NAMES_NL = {
    "listening": N_("luisteren"),
    "reading": N_("lezen"),
    "speaking": N_("spreken"),
    "writing": N_("schrijven"),
}
assert tuple(SKILL_NAMES_NL) == SKILLS, "one Dutch name per skill, in order"


def level_rank(level: str) -> int:
    """Return a result level's rank: below_A1 = 0, A1 = 1 .. B2 = 4 (ValueError if unknown)."""
    return RESULT_LEVELS.index(level)


def is_measured(level: str) -> bool:
    """Tell whether Attest measures this CEFR level (A1..B2; not C1/C2, not below_A1)."""
    return level in LEVELS


def level_range(lowest: str, highest: str) -> tuple[str, ...]:
    """Return the measured levels from lowest to highest inclusive."""
    i, j = LEVELS.index(lowest), LEVELS.index(highest)
    return LEVELS[i : j + 1]
