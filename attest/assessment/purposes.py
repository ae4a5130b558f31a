"""Test purposes as data: which skills are tested, in which order, up to which level."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from attest.vocabulary import LEVELS, RECEPTIVE, SKILLS, level_range

DATA_FILE = Path(__file__).with_name("data") / "purposes.yaml"


class PurposeError(ValueError):
    """The purposes file is malformed."""


MODES = ("linear", "adaptive", "targeted")
STATUSES = ("live", "draft")  # draft: sessions cannot be created (e.g. decision accuracy < 0.90)


@dataclass(frozen=True)
class Section:
    """One skill section of a purpose.

    mode `linear`: a fixed form of `items_per_level` live items per level in range;
    `adaptive`: the CAT engine chooses each item (`cat` holds its CatConfig settings);
    `targeted` (speaking, writing): `tasks` tasks at the level the receptive sections point to,
    skipped, with the reason stored, when that level is below `gate_level`. Linear and adaptive
    sections can seed `pilot_items` pilot items among their own, unscored."""

    skill: str
    mode: str = "linear"
    items_per_level: int = 4
    max_plays: int = 2
    cat: Mapping[str, Any] = field(default_factory=dict)  # attest.assessment.cat.CatConfig
    tasks: int = 2
    gate_level: str | None = None
    pilot_items: int = 0  # pilot items seeded, unscored, into the section to collect data
    # The section's time limit, kept by the server from its first item on (None: untimed).
    time_limit_minutes: float | None = None

    @property
    def time_limit_seconds(self) -> float | None:
        """Return the time limit in seconds, None for an untimed section."""
        return None if self.time_limit_minutes is None else self.time_limit_minutes * 60

    @property
    def is_adaptive(self) -> bool:
        """Tell whether items are chosen one by one by the adaptive engine."""
        return self.mode == "adaptive"

    @property
    def is_targeted(self) -> bool:
        """Tell whether the tasks depend on the receptive sections' outcome."""
        return self.mode == "targeted"


@dataclass(frozen=True)
class Purpose:
    code: str
    title: str
    description: str
    lowest_level: str
    target_level: str
    sections: tuple[Section, ...]
    status: str = "live"
    # The levels whose cut this purpose decides for a third party (A2 for social housing and
    # civic integration, B1 for taxi and childcare); the target level when not stated.
    decides: tuple[str, ...] = ()

    @property
    def is_live(self) -> bool:
        """Tell whether sessions can be created for this purpose."""
        return self.status == "live"

    @property
    def decision_levels(self) -> tuple[str, ...]:
        """Return the levels whose cut this purpose decides."""
        return self.decides or (self.target_level,)

    @property
    def skills(self) -> tuple[str, ...]:
        """Return the skills tested, in order."""
        return tuple(s.skill for s in self.sections)

    @property
    def is_adaptive(self) -> bool:
        """Tell whether items are chosen while the test runs (adaptive or targeted sections)."""
        return any(s.is_adaptive or s.is_targeted for s in self.sections)

    @property
    def has_variable_length(self) -> bool:
        """Tell whether the number of questions is known only at the end: an adaptive section
        stops when the level is clear, and a linear section after a targeted one is drawn only
        when reached. Targeted sections choose which tasks, not how many."""
        seen_targeted = False
        for section in self.sections:
            if section.is_adaptive or (seen_targeted and not section.is_targeted):
                return True
            seen_targeted = seen_targeted or section.is_targeted
        return False


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
            status=entry.get("status", "live"),
            decides=tuple(entry.get("decides") or ()),
        )
    except (KeyError, TypeError) as exc:
        raise PurposeError(f"{where}: {exc}") from exc
    if purpose.lowest_level not in LEVELS or purpose.target_level not in LEVELS:
        raise PurposeError(f"{where}: levels must be one of {', '.join(LEVELS)}")
    if purpose.status not in STATUSES:
        raise PurposeError(f"{where}: status must be one of {', '.join(STATUSES)}")
    in_range = level_range(purpose.lowest_level, purpose.target_level)
    if any(level not in in_range for level in purpose.decides):
        raise PurposeError(f"{where}: decides must list levels from {', '.join(in_range)}")
    for s in sections:
        if s.skill not in SKILLS:
            raise PurposeError(f"{where}: unknown skill {s.skill!r}")
        if s.mode not in MODES:
            raise PurposeError(f"{where}: section mode must be one of {', '.join(MODES)}")
        if s.is_targeted and s.skill in RECEPTIVE:
            raise PurposeError(f"{where}: only speaking and writing sections can be targeted")
        limit = s.time_limit_minutes
        if limit is not None and (not isinstance(limit, int | float) or not 0 < limit <= 240):
            raise PurposeError(f"{where}: time_limit_minutes must be between 0 and 240")
        if not isinstance(s.max_plays, int) or s.max_plays < 0:
            raise PurposeError(f"{where}: max_plays must be a whole number, 0 for unlimited")
        if s.gate_level is not None and s.gate_level not in LEVELS:
            raise PurposeError(f"{where}: gate_level must be one of {', '.join(LEVELS)}")
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
