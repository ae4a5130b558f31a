"""Test purposes as data: which skills are tested, in which order, up to which level."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from attest.assessment.cefr import LEVELS

DATA_FILE = Path(__file__).with_name("data") / "purposes.yaml"
SKILLS = ("listening", "reading", "speaking", "writing")


class PurposeError(ValueError):
    """The purposes file is malformed."""


@dataclass(frozen=True)
class Section:
    skill: str
    items_per_level: int = 4
    max_plays: int = 2


@dataclass(frozen=True)
class Purpose:
    code: str
    title: str
    description: str
    lowest_level: str
    target_level: str
    sections: tuple[Section, ...]

    @property
    def skills(self) -> tuple[str, ...]:
        """Return the skills tested, in order."""
        return tuple(s.skill for s in self.sections)


def _parse(entry: dict, where: str) -> Purpose:
    try:
        sections = tuple(Section(**s) for s in entry["sections"])
        purpose = Purpose(
            code=entry["code"],
            title=entry["title"],
            description=entry.get("description", ""),
            lowest_level=entry["lowest_level"],
            target_level=entry["target_level"],
            sections=sections,
        )
    except (KeyError, TypeError) as exc:
        raise PurposeError(f"{where}: {exc}") from exc
    if purpose.lowest_level not in LEVELS or purpose.target_level not in LEVELS:
        raise PurposeError(f"{where}: levels must be one of {', '.join(LEVELS)}")
    for s in sections:
        if s.skill not in SKILLS:
            raise PurposeError(f"{where}: unknown skill {s.skill!r}")
    return purpose


@lru_cache(maxsize=4)
def load_purposes(path: Path = DATA_FILE) -> dict[str, Purpose]:
    """Load the purposes file into a mapping code -> Purpose."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    purposes = [_parse(e, f"{path.name} entry {i + 1}") for i, e in enumerate(entries)]
    return {p.code: p for p in purposes}


def get_purpose(code: str) -> Purpose:
    """Return a purpose by code; KeyError when unknown."""
    return load_purposes()[code]
