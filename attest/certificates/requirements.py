"""Requirement profiles as dated data, and whether a result meets them on a test date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Mapping

import yaml

DATA_FILE = Path(__file__).with_name("data") / "requirements.yaml"
ORDER = {"below_A1": 0, "A1": 1, "A2": 2, "B1": 3, "B2": 4, "C1": 5, "C2": 6}


@dataclass(frozen=True)
class Profile:
    code: str
    title: str
    valid_from: date
    valid_to: date | None
    requirements: Mapping[str, str]

    def in_force(self, on: date) -> bool:
        """Tell whether this rule applies on a date."""
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


@dataclass(frozen=True)
class Judgement:
    code: str
    title: str
    meets: bool
    reasons: tuple[str, ...]  # unmet skills, e.g. "speaking: A1 < A2" or "speaking: not tested"
    shortfalls: tuple[tuple[str, str | None, str], ...] = ()  # (skill, level reached, needed)


@lru_cache(maxsize=2)
def load_profiles(path: Path = DATA_FILE) -> tuple[Profile, ...]:
    """Load the requirement profiles file."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return tuple(
        Profile(
            code=e["code"],
            title=e["title"],
            valid_from=e["valid_from"],
            valid_to=e.get("valid_to"),
            requirements=dict(e["requirements"]),
        )
        for e in entries
    )


def profile_in_force(code: str, on: date, profiles: tuple[Profile, ...] | None = None) -> Profile:
    """Return the rule of a profile in force on a date; KeyError if there is none."""
    for profile in profiles or load_profiles():
        if profile.code == code and profile.in_force(on):
            return profile
    raise KeyError(code)


def judge(profile: Profile, levels: Mapping[str, str | None]) -> Judgement:
    """Judge per-skill levels against one profile."""
    reasons, shortfalls = [], []
    for skill, needed in profile.requirements.items():
        got = levels.get(skill)
        if got is None or ORDER[got] < ORDER[needed]:
            reasons.append(f"{skill}: not tested" if got is None else f"{skill}: {got} < {needed}")
            shortfalls.append((skill, got, needed))
    return Judgement(profile.code, profile.title, not reasons, tuple(reasons), tuple(shortfalls))


def profile_codes(profiles: tuple[Profile, ...] | None = None) -> list[tuple[str, str]]:
    """Return (code, title of the newest rule) of every profile, for a choice list."""
    titles: dict[str, str] = {}
    for profile in sorted(profiles or load_profiles(), key=lambda p: p.valid_from):
        titles[profile.code] = profile.title
    return sorted(titles.items(), key=lambda item: item[1])


def judge_all(
    levels: Mapping[str, str | None], test_date: date, profiles: tuple[Profile, ...] | None = None
) -> list[Judgement]:
    """Judge a result against every profile in force on the test date."""
    return [judge(p, levels) for p in (profiles or load_profiles()) if p.in_force(test_date)]
