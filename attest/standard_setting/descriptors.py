"""The CEFR descriptors a panel's familiarisation sorts (`data/descriptors.yaml`): Dutch
paraphrases of the Companion Volume 2020 scales, each with its scale and page, and the key.

Pure: no Flask, no ORM."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from attest.vocabulary import LEVELS, SKILLS

DESCRIPTORS_FILE = Path(__file__).with_name("data") / "descriptors.yaml"


@dataclass(frozen=True)
class Descriptor:
    """One descriptor to sort: its id, Dutch text, key level, and CV 2020 scale and page."""

    id: str
    skill: str
    level: str
    text: str
    scale: str
    page: str
    source: str
    page_verified: bool = True  # False: "page to verify" against the PDF (see the data file)


@lru_cache(maxsize=1)
def load_descriptors() -> dict[str, tuple[Descriptor, ...]]:
    """Return the descriptors per skill (checked: known skills and levels, unique ids, a source
    and a scale with its page on each, every level of each skill present)."""
    data = yaml.safe_load(DESCRIPTORS_FILE.read_text(encoding="utf-8"))
    source = data["source"]
    seen: set[str] = set()
    out = {}
    for skill, rows in data["skills"].items():
        if skill not in SKILLS:
            raise ValueError(f"descriptors: unknown skill {skill!r}")
        items = []
        for row in rows:
            if row["id"] in seen or row["level"] not in LEVELS or not row.get("page"):
                raise ValueError(f"descriptors: bad or repeated entry {row!r}")
            seen.add(row["id"])
            items.append(
                Descriptor(
                    row["id"],
                    skill,
                    row["level"],
                    row["text"],
                    row["scale"],
                    str(row["page"]),
                    source,
                    bool(row.get("page_verified", True)),
                )
            )
        if {d.level for d in items} != set(LEVELS):
            raise ValueError(f"descriptors: {skill} needs descriptors of every level")
        out[skill] = tuple(items)
    return out


def descriptors_for(skill: str) -> tuple[Descriptor, ...]:
    """Return the skill's descriptors, in file order."""
    return load_descriptors().get(skill, ())


def descriptor_key(skill: str) -> dict[str, str]:
    """Return the key of the skill's descriptors (id -> level)."""
    return {d.id: d.level for d in descriptors_for(skill)}
