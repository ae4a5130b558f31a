"""The review workflow of an item (pure): draft -> reviewed -> checked -> pilot -> live.

An item's workflow history is a list of steps, each recorded with who took it, when, what
changed and comments. The history is kept beside the bank file that holds the item
(``<file>.review.yaml``, see question_banks/README.md, "Review workflow"), so it is versioned
with the items; the database keeps a copy for the running instance (``item_review_step``).

Steps and the state each leads to:

- ``written``: the writer hands in a draft (first step; its ``by`` is the item's writer);
- ``reviewed``: a second author, not the writer, reviewed content, key and distractors;
- ``returned``: a reviewer or checker sends the item back to its writer (state ``draft``);
- ``checked``: sensitivity and bias checked, again not by the writer;
- ``pilot``: given unscored to collect answers;
- ``live``: scored; only through a calibration adoption (``calibration_adoption.py``);
- ``retired``: kept for history, never delivered;
- ``migrated`` / ``migrated_pilot``: first step only, for items that were live (pilot) before
  the workflow existed (issue 16): it records that fact and no review that did not take place.

The item's ``status`` in the bank (draft | pilot | live | retired) must be the one its state
implies: reviewed and checked items are still drafts to delivery.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import yaml

STEPS = (
    "written",
    "reviewed",
    "returned",
    "checked",
    "pilot",
    "live",
    "retired",
    "migrated",
    "migrated_pilot",
)
STATES = ("draft", "reviewed", "checked", "pilot", "live", "retired")
STATE_AFTER = {
    "written": "draft",
    "reviewed": "reviewed",
    "returned": "draft",
    "checked": "checked",
    "pilot": "pilot",
    "live": "live",
    "retired": "retired",
    "migrated": "live",
    "migrated_pilot": "pilot",
}
# The states a step may be taken from (None: the history is empty).
ALLOWED_FROM: dict[str, tuple[str | None, ...]] = {
    "written": (None,),
    "migrated": (None,),
    "migrated_pilot": (None,),
    "reviewed": ("draft",),
    "returned": ("reviewed", "checked"),
    "checked": ("reviewed",),
    "pilot": ("checked",),
    "live": ("pilot",),
    "retired": ("draft", "reviewed", "checked", "pilot", "live"),
}
NOT_BY_WRITER = ("reviewed", "checked")
# The item status (bank field ``status``) each workflow state implies.
STATUS_OF_STATE = {
    "draft": "draft",
    "reviewed": "draft",
    "checked": "draft",
    "pilot": "pilot",
    "live": "live",
    "retired": "retired",
}
STEP_FIELDS = ("step", "by", "at", "note", "changes")
REQUIRED_STEP_FIELDS = ("step", "by", "at")
MIGRATION_NOTE = "live before the review workflow existed (issue 16); not reviewed in it"
SIDECAR_SUFFIX = ".review.yaml"


@dataclass(frozen=True)
class ReviewStep:
    """One step of an item's workflow history."""

    step: str
    by: str  # the staff username
    at: datetime  # UTC, whole seconds
    note: str = ""  # comments
    changes: str = ""  # what the step changed in the item

    def to_dict(self) -> dict[str, str]:
        """Return the step as it is written in a sidecar file (empty fields left out)."""
        out = {"step": self.step, "by": self.by, "at": format_at(self.at)}
        if self.note:
            out["note"] = self.note
        if self.changes:
            out["changes"] = self.changes
        return out


class ReviewRefused(Exception):
    """A step that the workflow does not allow; the message says why."""


def sidecar_text(file_name: str, histories: Sequence[tuple[str, Sequence[ReviewStep]]]) -> str:
    """Return the text of a ``<file>.review.yaml``: the histories of the file's items, in its
    order, one step per block (the same text for the same histories, so diffs stay small)."""
    lines = [
        f"# Review workflow history of the items in {file_name} "
        "(question_banks/README.md, 'Review workflow')."
    ]
    for item_id, steps in histories:
        lines.append(f"{item_id}:")
        for step in steps:
            fields = step.to_dict()
            lines.append(f"  - step: {fields['step']}")
            lines.append(f"    by: {_scalar(fields['by'])}")
            lines.append(f'    at: "{fields["at"]}"')
            for key in ("changes", "note"):
                if key in fields:
                    lines.append(f"    {key}: {_scalar(fields[key])}")
    return "\n".join(lines) + "\n"


def _scalar(text: str) -> str:
    """Return text as a YAML scalar: plain when YAML reads it back unchanged, else quoted."""
    if "\n" not in text:
        try:
            if yaml.safe_load(f"k: {text}") == {"k": text}:
                return text
        except yaml.YAMLError:
            pass
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted one


def format_at(moment: datetime) -> str:
    """Return a moment as written in the files: ISO 8601 in UTC, whole seconds, with 'Z'."""
    return as_utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def as_utc(moment: datetime) -> datetime:
    """Return the moment in UTC (a naive one is taken as UTC), to the second."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


def state_of(history: Sequence[ReviewStep]) -> str | None:
    """Return the workflow state after the history (None: no history)."""
    return STATE_AFTER[history[-1].step] if history else None


def writer_of(history: Sequence[ReviewStep]) -> str | None:
    """Return the username of the item's writer (None for a migrated item)."""
    return history[0].by if history and history[0].step == "written" else None


def step_problem(history: Sequence[ReviewStep], step: str, by: str) -> str | None:
    """Return why ``by`` may not take ``step`` after ``history`` (None: allowed)."""
    if step not in STEPS:
        return f"unknown step {step!r}; expected one of {', '.join(STEPS)}"
    state = state_of(history)
    if state not in ALLOWED_FROM[step]:
        if state is None:
            return f"the first step must be 'written' (or a migration step); got {step!r}"
        allowed = ", ".join(s for s, froms in ALLOWED_FROM.items() if state in froms)
        return f"step {step!r} is not allowed after state {state!r}; allowed: {allowed}"
    if step in NOT_BY_WRITER and by.casefold() == (writer_of(history) or "").casefold():
        return f"step {step!r} by {by!r}, who wrote the item; it must be taken by someone else"
    return None


def parse_history(raw: Any) -> tuple[list[ReviewStep], list[tuple[str, str]]]:
    """Parse one item's history as read from YAML; return the steps and (field, message)
    problems, each field a path such as ``[2].by``."""
    if not isinstance(raw, list) or not raw:
        return [], [("", "expected a non-empty list of steps ({step, by, at, note, changes})")]
    steps: list[ReviewStep] = []
    problems: list[tuple[str, str]] = []
    for i, entry in enumerate(raw):
        where = f"[{i}]"
        if not isinstance(entry, Mapping):
            problems.append((where, "expected a mapping with step, by, at"))
            continue
        unknown = [k for k in entry if k not in STEP_FIELDS]
        missing = [k for k in REQUIRED_STEP_FIELDS if k not in entry]
        for k in unknown:
            problems.append((f"{where}.{k}", f"unknown field; expected {', '.join(STEP_FIELDS)}"))
        for k in missing:
            problems.append((f"{where}.{k}", "required field is missing"))
        if unknown or missing:
            continue
        texts = {k: entry.get(k) or "" for k in ("by", "note", "changes")}
        bad = [k for k, v in texts.items() if not isinstance(v, str)]
        for k in bad:
            problems.append((f"{where}.{k}", "expected text"))
        if not str(texts["by"]).strip():
            problems.append((f"{where}.by", "expected the username of who took the step"))
        at = _moment(entry["at"])
        if at is None:
            problems.append((f"{where}.at", "expected a UTC time such as 2026-12-07T10:30:00Z"))
        if entry["step"] not in STEPS:
            problems.append((f"{where}.step", f"unknown step; expected one of {', '.join(STEPS)}"))
        if bad or at is None or entry["step"] not in STEPS or not str(texts["by"]).strip():
            continue
        steps.append(
            ReviewStep(
                entry["step"],
                texts["by"].strip(),
                at,
                texts["note"].strip(),
                texts["changes"].strip(),
            )
        )
    return steps, problems


def history_problems(steps: Sequence[ReviewStep], status: str) -> list[tuple[str, str]]:
    """Check a parsed history step by step and against the item's ``status``."""
    problems = []
    for i, step in enumerate(steps):
        why = step_problem(steps[:i], step.step, step.by)
        if why:
            problems.append((f"[{i}].step", why))
            return problems  # later steps are judged against a state that never existed
        if i and step.at < steps[i - 1].at:
            problems.append((f"[{i}].at", "earlier than the step before it; steps are in order"))
    state = state_of(steps)
    if state is not None and STATUS_OF_STATE[state] != status:
        problems.append(
            (
                "status",
                f"the item's status is {status!r} but its review history ends in state "
                f"{state!r}, which means status {STATUS_OF_STATE[state]!r}",
            )
        )
    return problems


def _moment(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return as_utc(value)
    if isinstance(value, date):
        return None
    if isinstance(value, str):
        try:
            return as_utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            return None
    return None
