"""Requirement profiles as dated data with their sources, and what a result shows against them.

Which date decides depends on the rule: social housing runs from the start of the lease, the
others from the test date. Some rules accept only proofs the law lists (nationality, civic
integration): for those Attest gives a level indication, never "meets". Spoken interaction is
shown only by an interactive speaking task, and a level beyond what the test form can measure is
said to be so rather than silently required."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Mapping

import yaml

from attest.vocabulary import LEVELS as MEASURABLE  # the levels Attest can measure
from attest.vocabulary import RESULT_LEVELS, SKILLS, is_measured

DATA_FILE = Path(__file__).with_name("data") / "requirements.yaml"
# Only the levels Attest can measure; a profile asking more (C1, C2) is refused when loaded.
ORDER = {level: rank for rank, level in enumerate(RESULT_LEVELS)}
DECIDED_BY = ("test_date", "lease_start")
KINDS = ("requirement", "indication", "no_level")

# Outcomes of a judgement, stable codes the pages and the API translate.
MEETS = "meets"
NOT_MET = "not_met"
CONDITIONAL = "conditional"  # a lower level accepted together with another document
INTERACTION_UNCONFIRMED = "interaction_unconfirmed"  # levels reached, interaction not shown
REACHES = "reaches"  # indication: the level is reached; acceptance is up to the authority
DOES_NOT_REACH = "does_not_reach"
NO_LEVEL = "no_level"  # the rule asks no language level
NEEDS_LEASE_START = "needs_lease_start"
NO_RULE = "no_rule"  # no rule of this profile applied on the deciding date


class ProfileError(ValueError):
    """The requirement profiles file is malformed."""


@dataclass(frozen=True)
class Source:
    url: str
    reference: str


@dataclass(frozen=True)
class Conditional:
    """A lower level accepted together with another document, until a date."""

    requirements: Mapping[str, str]
    document: str
    until: date


@dataclass(frozen=True)
class Profile:
    code: str
    title: str
    valid_from: date | None
    valid_to: date | None
    requirements: Mapping[str, str]
    decided_by: str = "test_date"
    kind: str = "requirement"
    interaction: tuple[str, ...] = ()
    conditional: Conditional | None = None
    deadline_months: int | None = None
    extension_months: int | None = None
    note: str = ""
    sources: tuple[Source, ...] = ()
    label: str = ""  # the profile's name in choice lists, when the title names one rule

    def in_force(self, on: date) -> bool:
        """Tell whether this rule applies on a date."""
        starts = self.valid_from is None or self.valid_from <= on
        return starts and (self.valid_to is None or on <= self.valid_to)

    @property
    def is_indication(self) -> bool:
        """Tell whether Attest may only indicate the level (the law lists other proofs)."""
        return self.kind == "indication"


@dataclass(frozen=True)
class Judgement:
    code: str
    title: str
    meets: bool  # the requirement is met outright; never True for an indication
    reasons: tuple[str, ...]  # unmet skills, e.g. "speaking: A1 < A2" or "speaking: not tested"
    # (skill, level reached, needed, why): why is below | not_tested | beyond_test | interaction
    shortfalls: tuple[tuple[str, str | None, str, str], ...] = ()
    outcome: str = ""
    profile: Profile | None = field(default=None, compare=False)
    deciding_date: date | None = None
    deadline: date | None = None

    @property
    def reaches(self) -> bool:
        """Tell whether the levels asked are reached (what an indication or a report counts)."""
        return self.outcome in (MEETS, REACHES, INTERACTION_UNCONFIRMED)


def _date(value, where: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    raise ProfileError(f"{where}: not a date: {value!r}")


def _levels(value, where: str) -> dict[str, str]:
    levels = dict(value or {})
    for skill, level in levels.items():
        if skill not in SKILLS:
            raise ProfileError(f"{where}: unknown skill {skill!r}")
        if not is_measured(level):  # C1 and C2 are not measured
            raise ProfileError(
                f"{where}: {skill} asks {level!r}; Attest measures only {', '.join(MEASURABLE)}"
            )
    return levels


def _profile(e: Mapping, index: int) -> Profile:
    where = f"profile {index + 1} ({e.get('code')})"
    if e.get("decided_by", "test_date") not in DECIDED_BY or e.get("kind") not in KINDS:
        raise ProfileError(f"{where}: decided_by must be one of {DECIDED_BY}, kind of {KINDS}")
    sources = tuple(Source(s["url"], s["reference"]) for s in e.get("sources") or ())
    if not sources:
        raise ProfileError(f"{where}: every rule needs a source (url and reference)")
    cond = e.get("conditional")
    return Profile(
        code=e["code"],
        title=e["title"],
        valid_from=_date(e.get("valid_from"), where),
        valid_to=_date(e.get("valid_to"), where),
        requirements=_levels(e.get("requirements"), where),
        decided_by=e.get("decided_by", "test_date"),
        kind=e["kind"],
        interaction=tuple(e.get("interaction") or ()),
        conditional=None
        if not cond
        else Conditional(
            _levels(cond["requirements"], where), cond["document"], _date(cond["until"], where)
        ),
        deadline_months=e.get("deadline_months"),
        extension_months=e.get("extension_months"),
        note=" ".join(str(e.get("note", "")).split()),
        sources=sources,
        label=e.get("label", ""),
    )


@lru_cache(maxsize=2)
def load_profiles(path: Path = DATA_FILE) -> tuple[Profile, ...]:
    """Load and check the requirement profiles file."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return tuple(_profile(e, i) for i, e in enumerate(entries))


def profile_in_force(code: str, on: date, profiles: tuple[Profile, ...] | None = None) -> Profile:
    """Return the rule of a profile in force on a date; KeyError if there is none."""
    for profile in profiles or load_profiles():
        if profile.code == code and profile.in_force(on):
            return profile
    raise KeyError(code)


def decided_by(code: str, profiles: tuple[Profile, ...] | None = None) -> str:
    """Return which date decides a profile (test_date or lease_start); KeyError if unknown."""
    for profile in profiles or load_profiles():
        if profile.code == code:
            return profile.decided_by
    raise KeyError(code)


def add_months(day: date, months: int) -> date:
    """Return the same day `months` later (the last day of the month when it has fewer days)."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _shortfalls(
    wanted: Mapping[str, str], levels: Mapping[str, str | None], ceiling: str | None
) -> list[tuple[str, str | None, str, str]]:
    out = []
    for skill, needed in wanted.items():
        got = levels.get(skill)
        if got is not None and ORDER.get(got, 0) >= ORDER[needed]:
            continue
        if ceiling is not None and ORDER[needed] > ORDER.get(ceiling, 0):
            why = "beyond_test"
        else:
            why = "not_tested" if got is None else "below"
        out.append((skill, got, needed, why))
    return out


def judge(
    profile: Profile,
    levels: Mapping[str, str | None],
    *,
    ceiling: str | None = None,
    interactive: frozenset[str] | set[str] = frozenset(),
    deciding_date: date | None = None,
) -> Judgement:
    """Judge per-skill levels against one rule.

    `ceiling` is the highest level the test form could show (a shortfall beyond it is named so);
    `interactive` holds the skills tested with an interactive task (spoken interaction)."""
    deadline = None
    if profile.deadline_months is not None and profile.decided_by == "lease_start":
        deadline = add_months(deciding_date, profile.deadline_months) if deciding_date else None
    base = dict(profile=profile, deciding_date=deciding_date, deadline=deadline)
    if profile.kind == "no_level":
        return Judgement(profile.code, profile.title, False, (), (), NO_LEVEL, **base)
    short = _shortfalls(profile.requirements, levels, ceiling)
    if not short:
        missing = [s for s in profile.interaction if s not in interactive]
        short = [(s, levels.get(s), profile.requirements[s], "interaction") for s in missing]
    reasons = tuple(_reason(*s) for s in short)
    if profile.is_indication:
        outcome = DOES_NOT_REACH if short else REACHES
        return Judgement(profile.code, profile.title, False, reasons, tuple(short), outcome, **base)
    if not short:
        return Judgement(profile.code, profile.title, True, (), (), MEETS, **base)
    if all(why == "interaction" for *_x, why in short):
        outcome = INTERACTION_UNCONFIRMED
    elif profile.conditional and not _shortfalls(profile.conditional.requirements, levels, None):
        outcome = CONDITIONAL
    else:
        outcome = NOT_MET
    return Judgement(profile.code, profile.title, False, reasons, tuple(short), outcome, **base)


def _reason(skill: str, got: str | None, needed: str, why: str) -> str:
    if why == "interaction":
        return f"{skill}: spoken interaction not shown (no interactive task)"
    if why == "beyond_test":
        return f"{skill}: {needed} is beyond what this test measures"
    return f"{skill}: not tested" if got is None else f"{skill}: {got} < {needed}"


def judge_profile(
    code: str,
    levels: Mapping[str, str | None],
    *,
    test_date: date,
    lease_start: date | None = None,
    ceiling: str | None = None,
    interactive: frozenset[str] | set[str] = frozenset(),
    profiles: tuple[Profile, ...] | None = None,
) -> Judgement:
    """Judge levels against the rule of a profile that applies, found by the date that decides.

    KeyError for an unknown profile. A profile decided by the lease start needs that date."""
    profiles = profiles or load_profiles()
    by = decided_by(code, profiles)
    on = test_date if by == "test_date" else lease_start
    if on is None:
        return Judgement(code, code, False, (), (), NEEDS_LEASE_START)
    try:
        profile = profile_in_force(code, on, profiles)
    except KeyError:
        return Judgement(code, code, False, (), (), NO_RULE, deciding_date=on)
    return judge(profile, levels, ceiling=ceiling, interactive=interactive, deciding_date=on)


def profile_codes(profiles: tuple[Profile, ...] | None = None) -> list[tuple[str, str]]:
    """Return (code, label of the newest rule) of every profile, for a choice list."""
    titles: dict[str, str] = {}
    for profile in sorted(profiles or load_profiles(), key=lambda p: p.valid_from or date.min):
        titles[profile.code] = profile.label or profile.title
    return sorted(titles.items(), key=lambda item: item[1])


def judge_all(
    levels: Mapping[str, str | None],
    test_date: date,
    profiles: tuple[Profile, ...] | None = None,
    *,
    lease_start: date | None = None,
) -> list[Judgement]:
    """Judge a result against every profile, each by the rule its deciding date selects."""
    profiles = profiles or load_profiles()
    codes = dict.fromkeys(p.code for p in profiles)
    out = [
        judge_profile(c, levels, test_date=test_date, lease_start=lease_start, profiles=profiles)
        for c in codes
    ]
    return [j for j in out if j.outcome != NO_RULE]
