"""Productive formats scored by examiners: extended_text (writing) and audio_response (speaking).

Both keep the candidate's response for the examiner queue; ``score()`` returns None and
``is_machine_scored`` is False (see ``base.ExaminerScored``). Their task description is the
common ``stem`` (plus ``text`` and ``media`` when given) and an optional list of ``points`` the
response must cover, shown as a checklist.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any, ClassVar

from attest.assessment.formats.base import (
    ExaminerScored,
    RawResponse,
    ResponseError,
    single_value,
)

TEXT_FIELD = "response"  # extended_text form field (a textarea)
RECORDING_FIELD = "recording_id"  # audio_response form field (set by the recorder)
MAX_TEXT_CHARS = 5000  # longest text kept; ~600 words of Dutch, far above any task's max_words
MAX_WORDS_LIMIT = 600
MAX_POINTS = 6
PREPARATION_RANGE = (0, 300)  # seconds of preparation before recording starts
RECORDING_RANGE = (10, 300)  # seconds a recording may last at most
_RECORDING_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")


def count_words(text: str) -> int:
    """Return the number of words in a text, counting "e-mail" and "z'n" as one word each."""
    return len(_WORD.findall(text or ""))


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _validate_points(content: Mapping[str, Any]) -> list[str]:
    if "points" not in content:
        return []
    points = content["points"]
    if not (
        isinstance(points, list)
        and 0 < len(points) <= MAX_POINTS
        and all(isinstance(p, str) and p.strip() for p in points)
    ):
        return [
            f"points: expected a list of 1 to {MAX_POINTS} non-empty texts "
            f"(quote a point that holds ': '); got {points!r}"
        ]
    return []


# Task sizes per level for items imported from other tools (question_banks/README.md,
# "Productive tasks").
WORDS_BY_LEVEL = {
    level: {"min_words": low, "max_words": high}
    for level, (low, high) in {
        "A1": (10, 40),
        "A2": (30, 80),
        "B1": (80, 150),
        "B2": (150, 280),
    }.items()
}
RECORDING_BY_LEVEL = {
    level: {"preparation_seconds": 30, "max_recording_seconds": seconds}
    for level, seconds in {"A1": 45, "A2": 75, "B1": 90, "B2": 150}.items()
}


def _validate_task_type(task_types: tuple[str, ...], content: Mapping[str, Any]) -> list[str]:
    """Check the optional ``task_type`` that picks the rubric (attest/assessment/rubrics.py)."""
    if "task_type" not in content or content["task_type"] in task_types:
        return []
    return [f"task_type: expected one of {', '.join(task_types)}; got {content['task_type']!r}"]


class _Task(ExaminerScored):
    """A productive task: the common fields plus an optional checklist of ``points`` and an
    optional ``task_type`` (the rubric it is scored on; inferred from the task when absent)."""

    optional_fields = frozenset({"points", "task_type"})
    # The rubrics a task may name in ``task_type`` (attest/assessment/data/rubrics.yaml).
    task_types: ClassVar[tuple[str, ...]] = ()
    # The task size per level an item imported from another tool gets when it names none.
    sizes_by_level: ClassVar[Mapping[str, Mapping[str, int]]] = {}

    @classmethod
    def render_data(cls, content: Mapping[str, Any]) -> dict[str, Any]:
        data = super().render_data(content)
        if content.get("points"):
            data["points"] = list(content["points"])
        return data

    @classmethod
    def qti_import_defaults(cls, level: str) -> dict[str, Any]:
        return dict(cls.sizes_by_level.get(level, {}))


class ExtendedText(_Task):
    """Write a text (a message, an email, an opinion) of ``min_words`` to ``max_words`` words.

    The response is the typed text (NFC, line breaks as \\n, trailing space trimmed, at most
    MAX_TEXT_CHARS characters). Word limits are guidance for the candidate and the examiner;
    a text outside them is still accepted and stored.
    """

    name = "extended_text"

    required_fields = frozenset({"min_words", "max_words"})
    productive_skill = "writing"
    keeps_drafts = True
    task_types = ("functional", "argumentative")
    sizes_by_level = WORDS_BY_LEVEL
    qti_interaction = "qti-extended-text-interaction"

    @classmethod
    def validate(cls, content: Mapping[str, Any]) -> list[str]:
        low, high = content.get("min_words"), content.get("max_words")
        errors = []
        if not (_whole(low) and 1 <= low < MAX_WORDS_LIMIT):
            errors.append(f"min_words: expected a whole number from 1 to {MAX_WORDS_LIMIT - 1}")
        if not (_whole(high) and 1 < high <= MAX_WORDS_LIMIT):
            errors.append(f"max_words: expected a whole number from 2 to {MAX_WORDS_LIMIT}")
        elif _whole(low) and high <= low:
            errors.append(f"max_words: expected more than min_words ({low}); got {high}")
        return errors + _validate_points(content) + _validate_task_type(cls.task_types, content)

    @classmethod
    def render_data(cls, content: Mapping[str, Any]) -> dict[str, Any]:
        return {
            **super().render_data(content),
            "field": TEXT_FIELD,
            "min_words": content["min_words"],
            "max_words": content["max_words"],
            "max_chars": MAX_TEXT_CHARS,
        }

    @classmethod
    def parse_response(
        cls, raw: RawResponse, content: Mapping[str, Any] | None = None
    ) -> str | None:
        """Return the written text, or None when the candidate wrote nothing."""
        value = single_value(raw, TEXT_FIELD)
        if value is None:
            return None
        text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
        text = "\n".join(line.rstrip() for line in text.strip().split("\n"))
        if len(text) > MAX_TEXT_CHARS:
            raise ResponseError(f"{TEXT_FIELD}: expected at most {MAX_TEXT_CHARS} characters")
        return text


class AudioResponse(_Task):
    """Speak in answer to a prompt (text and/or audio); the response refers to a recording.

    The kiosk records after ``preparation_seconds`` for at most ``max_recording_seconds`` and
    submits the id of the stored recording; here only its shape is checked
    (1 to 64 letters, digits, '-' or '_'). Whether the recording exists is the recorder's job.
    """

    name = "audio_response"

    required_fields = frozenset({"preparation_seconds", "max_recording_seconds"})
    productive_skill = "speaking"
    takes_recording = True
    task_types = ("monologue", "dialogue")
    sizes_by_level = RECORDING_BY_LEVEL
    qti_interaction = "qti-upload-interaction"

    @classmethod
    def validate(cls, content: Mapping[str, Any]) -> list[str]:
        errors = []
        for fld, (low, high) in (
            ("preparation_seconds", PREPARATION_RANGE),
            ("max_recording_seconds", RECORDING_RANGE),
        ):
            value = content.get(fld)
            if not (_whole(value) and low <= value <= high):
                errors.append(f"{fld}: expected a whole number of seconds from {low} to {high}")
        return errors + _validate_points(content) + _validate_task_type(cls.task_types, content)

    @classmethod
    def render_data(cls, content: Mapping[str, Any]) -> dict[str, Any]:
        return {
            **super().render_data(content),
            "field": RECORDING_FIELD,
            "preparation_seconds": content["preparation_seconds"],
            "max_recording_seconds": content["max_recording_seconds"],
        }

    @classmethod
    def parse_response(
        cls, raw: RawResponse, content: Mapping[str, Any] | None = None
    ) -> dict[str, str] | None:
        """Return {"recording_id": id}, or None when nothing was recorded."""
        value = single_value(raw, RECORDING_FIELD)
        if value is None:
            return None
        value = value.strip()
        if not _RECORDING_ID.match(value):
            raise ResponseError(f"{RECORDING_FIELD}: expected 1 to 64 letters, digits, '-' or '_'")
        return {"recording_id": value}
