"""Interlocutor frames of the examiner-led interview, as data (data/interlocutor_frames.yaml).

A frame is what the live examiner says and does during one speaking task: a fixed opening, the
prompts that lead into the task, follow-up questions to keep the conversation going at the
task's level, a fixed closing, and the timing of each phase. Every level A1-B2 has one default
frame (used for any speaking task of that level without its own); a frame may name the tasks
(item ids) it is written for. The file carries a version: an interview stores the frame id and
version it was held with. Each frame names its CEFR basis (`source`, with a URL).

Pure: no Flask, no ORM. Errors name the file, the line and the field, and what was expected.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from attest.vocabulary import LEVELS

DATA_FILE = Path(__file__).with_name("data") / "interlocutor_frames.yaml"
FRAME_LEVELS = LEVELS
FIELDS = (
    "id",
    "level",
    "default",
    "items",
    "source",
    "timing",
    "opening",
    "prompts",
    "follow_ups",
    "closing",
)
REQUIRED = ("id", "level", "source", "timing", "opening", "prompts", "follow_ups", "closing")
PHASES = ("opening_seconds", "task_seconds", "closing_seconds")
PHASE_RANGE = (10, 900)  # seconds one phase may take
TOTAL_MAX_SECONDS = 1200  # a whole interview: at most 20 minutes of recording


class FrameError(ValueError):
    """The frames file is malformed; the message names file, line and field."""


@dataclass(frozen=True)
class Frame:
    """One interlocutor frame."""

    id: str
    level: str
    is_default: bool
    items: tuple[str, ...]
    source: str
    opening: tuple[str, ...]
    prompts: tuple[str, ...]
    follow_ups: tuple[str, ...]
    closing: str
    timing: Mapping[str, int]

    @property
    def total_seconds(self) -> int:
        """Return the planned length of the whole interview."""
        return sum(self.timing[p] for p in PHASES)


@dataclass(frozen=True)
class Frames:
    """The frames of one version of the file."""

    version: int
    source: str
    frames: tuple[Frame, ...]

    def for_task(self, item_id: str, level: str) -> Frame | None:
        """Return the frame written for a task, else its level's default frame, else None."""
        own = next((f for f in self.frames if item_id in f.items), None)
        if own is not None:
            return own
        return next((f for f in self.frames if f.is_default and f.level == level), None)

    def by_id(self, frame_id: str) -> Frame | None:
        """Return the frame with this id."""
        return next((f for f in self.frames if f.id == frame_id), None)


def _line(node: yaml.Node | None) -> int:
    return node.start_mark.line + 1 if node is not None else 1


def _field(node: yaml.MappingNode, name: str) -> yaml.Node | None:
    return next((v for k, v in node.value if k.value == name), None)


def _texts(value: Any, low: int) -> bool:
    return (
        isinstance(value, list)
        and len(value) >= low
        and all(isinstance(t, str) and t.strip() for t in value)
    )


def _frame_problems(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Return (field, what was expected) problems of one frame's data."""
    problems = [
        (k, f"unknown field; expected one of {', '.join(FIELDS)}") for k in data if k not in FIELDS
    ]
    problems += [(k, "missing") for k in REQUIRED if k not in data]
    if "id" in data and not (isinstance(data["id"], str) and data["id"].strip()):
        problems.append(("id", "expected a non-empty text"))
    if "level" in data and data["level"] not in FRAME_LEVELS:
        problems.append(
            ("level", f"expected one of {', '.join(FRAME_LEVELS)}; got {data['level']!r}")
        )
    if not isinstance(data.get("default", False), bool):
        problems.append(("default", "expected true or false"))
    items = data.get("items", [])
    if not (isinstance(items, list) and all(isinstance(i, str) and i for i in items)):
        problems.append(("items", "expected a list of item ids"))
    source = data.get("source")
    if "source" in data and not (isinstance(source, str) and "http" in source):
        problems.append(("source", "expected the CEFR basis with its URL (a text with http…)"))
    for name, low in (("opening", 1), ("prompts", 1), ("follow_ups", 2)):
        if name in data and not _texts(data[name], low):
            problems.append((name, f"expected a list of at least {low} non-empty texts"))
    if "closing" in data and not (isinstance(data["closing"], str) and data["closing"].strip()):
        problems.append(("closing", "expected a non-empty text"))
    timing = data.get("timing")
    if "timing" in data:
        if not isinstance(timing, Mapping):
            problems.append(("timing", f"expected a mapping with {', '.join(PHASES)}"))
        else:
            low, high = PHASE_RANGE
            for phase in PHASES:
                value = timing.get(phase)
                if not (
                    isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
                ):
                    problems.append(
                        (
                            f"timing.{phase}",
                            f"expected whole seconds from {low} to {high}; got {value!r}",
                        )
                    )
            problems += [
                (f"timing.{k}", f"unknown phase; expected {', '.join(PHASES)}")
                for k in timing
                if k not in PHASES
            ]
            if not problems and sum(timing[p] for p in PHASES) > TOTAL_MAX_SECONDS:
                problems.append(
                    ("timing", f"the phases add up to more than {TOTAL_MAX_SECONDS} seconds")
                )
    return problems


def parse_frames(text: str, name: str = DATA_FILE.name) -> Frames:
    """Parse and check the frames file; raise FrameError on the first problems found."""
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise FrameError(f"{name}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(root, yaml.MappingNode):
        raise FrameError(f"{name}:1: expected a mapping with version, source and frames")
    errors = []
    version = data.get("version")
    if not (isinstance(version, int) and not isinstance(version, bool) and version >= 1):
        errors.append(
            f"{name}:{_line(_field(root, 'version') or root)}: version: expected a "
            f"whole number from 1 (raise it when a frame changes)"
        )
    if not (isinstance(data.get("source"), str) and "http" in data["source"]):
        errors.append(
            f"{name}:{_line(_field(root, 'source') or root)}: source: expected the "
            "CEFR reference the frames follow, with its URL"
        )
    frames_node = _field(root, "frames")
    if not isinstance(data.get("frames"), list) or not isinstance(frames_node, yaml.SequenceNode):
        raise FrameError("\n".join(errors + [f"{name}:{_line(root)}: frames: expected a list"]))
    frames, seen_ids, owners = [], set(), {}
    for node, entry in zip(frames_node.value, data["frames"], strict=True):
        if not isinstance(entry, dict):
            errors.append(f"{name}:{_line(node)}: frame: expected a mapping")
            continue
        label = entry.get("id", "?")
        for field_name, expected in _frame_problems(entry):
            at = _field(node, field_name.split(".")[0]) or node
            errors.append(f"{name}:{_line(at)}: frame {label}: {field_name}: {expected}")
        if entry.get("id") in seen_ids:
            errors.append(f"{name}:{_line(node)}: frame {label}: id: used twice")
        seen_ids.add(entry.get("id"))
        for item_id in entry.get("items") or []:
            if item_id in owners:
                errors.append(
                    f"{name}:{_line(_field(node, 'items'))}: frame {label}: items: "
                    f"{item_id} already has frame {owners[item_id]}"
                )
            owners[item_id] = label
        if errors:
            continue
        frames.append(
            Frame(
                id=entry["id"],
                level=entry["level"],
                is_default=entry.get("default", False),
                items=tuple(entry.get("items") or ()),
                source=entry["source"],
                opening=tuple(entry["opening"]),
                prompts=tuple(entry["prompts"]),
                follow_ups=tuple(entry["follow_ups"]),
                closing=entry["closing"],
                timing={p: entry["timing"][p] for p in PHASES},
            )
        )
    if not errors:
        for level in FRAME_LEVELS:
            count = sum(1 for f in frames if f.is_default and f.level == level)
            if count != 1:
                errors.append(
                    f"{name}:{_line(frames_node)}: frames: expected exactly one "
                    f"default frame for {level}; found {count}"
                )
    if errors:
        raise FrameError("\n".join(errors))
    return Frames(version=version, source=data["source"], frames=tuple(frames))


@lru_cache(maxsize=2)
def load_frames(path: Path = DATA_FILE) -> Frames:
    """Load the shipped frames file."""
    return parse_frames(path.read_text(encoding="utf-8"), path.name)
