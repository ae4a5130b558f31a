"""The semi-direct conversation: a speaking task of 4 to 8 turns with a recorded interlocutor.

For when no examiner is free to talk with the candidate (issue 18). Each turn has what the
interlocutor says (``say``, the transcript of its clip), the seconds the candidate has to answer
(``answer_seconds``) and the clip (``audio``, a path under the bank's media; synthetic clips are
rendered from ``say`` by ``attest bank audio`` and marked ``audio_source: synthetic``). The kiosk
plays the clip of a turn once (``replays`` more times at most, 0 by default), then records the
answer for exactly ``answer_seconds`` with a visible countdown, and goes on to the next turn by
itself: the timing is fixed, as in a conversation.

Every turn's answer is a recording of its own (``Recording.turn``), kept as soon as it is made,
so a reloaded kiosk resumes at the first unanswered turn (attest/assessment/conversation.py).
The response is ONE performance: ``{"turns": [recording id of turn 1, 2, ...]}`` (None for a turn
whose recording never arrived), rated by examiners on the ``dialogue`` rubric.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from attest.assessment.formats.base import RawResponse, ResponseError, list_values
from attest.assessment.formats.productive import (
    PREPARATION_RANGE,
    RECORDING_FIELD,
    _Task,
    _validate_points,
    _validate_task_type,
    _whole,
)

TURNS_RANGE = (4, 8)  # turns a conversation has
ANSWER_RANGE = (5, 90)  # seconds the candidate has to answer one turn
REPLAYS_RANGE = (0, 1)  # extra plays of an interlocutor clip the bank may allow
TURN_FIELDS = ("say", "answer_seconds", "audio", "audio_source")
AUDIO_SOURCES = ("synthetic", "human")
NO_RECORDING = "-"  # the form value of a turn whose recording never arrived
_RECORDING_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def turn_problems(turns: Any) -> list[str]:
    """Return 'field: what was expected' errors of a ``turns`` list (field paths turns.N.x)."""
    low, high = TURNS_RANGE
    if not isinstance(turns, list) or not low <= len(turns) <= high:
        count = len(turns) if isinstance(turns, list) else type(turns).__name__
        return [f"turns: expected a list of {low} to {high} turns; got {count}"]
    errors = []
    for n, turn in enumerate(turns):
        where = f"turns.{n}"
        if not isinstance(turn, Mapping):
            errors.append(
                f"{where}: expected a mapping with say, answer_seconds and audio; got {turn!r}"
            )
            continue
        errors += [
            f"{where}.{k}: unknown field; expected one of {', '.join(TURN_FIELDS)}"
            for k in turn
            if k not in TURN_FIELDS
        ]
        say = turn.get("say")
        if not (isinstance(say, str) and say.strip()):
            errors.append(f"{where}.say: expected what the interlocutor says (a non-empty text)")
        seconds = turn.get("answer_seconds")
        a_low, a_high = ANSWER_RANGE
        if not (_whole(seconds) and a_low <= seconds <= a_high):
            errors.append(
                f"{where}.answer_seconds: expected a whole number of seconds from {a_low} to "
                f"{a_high}; got {seconds!r}"
            )
        audio = turn.get("audio")
        if not (isinstance(audio, str) and audio.strip()):
            errors.append(
                f"{where}.audio: expected the path of the interlocutor's clip under media/ "
                f"(`attest bank audio` renders it from say); got {audio!r}"
            )
        source = turn.get("audio_source")
        if source is not None and source not in AUDIO_SOURCES:
            errors.append(
                f"{where}.audio_source: expected one of {', '.join(AUDIO_SOURCES)}; got {source!r}"
            )
    return errors


class SpeakingConversation(_Task):
    """A semi-direct conversation: the interlocutor's clips and the candidate's timed answers."""

    name = "speaking_conversation"

    # task_type is required: the dialogue rubric (interaction included) is the only one.
    required_fields = frozenset({"turns", "task_type"})
    optional_fields = frozenset({"points", "preparation_seconds", "replays"})
    productive_skill = "speaking"
    takes_recording = True
    task_types = ("dialogue",)
    # QTI: an upload interaction whose response is the ordered list of the turns' recordings;
    # the turns themselves travel as JSON in the item's <attest:item> metadata.
    qti_interaction = "qti-upload-interaction"
    qti_cardinality = "ordered"

    @classmethod
    def validate(cls, content: Mapping[str, Any]) -> list[str]:
        errors = turn_problems(content.get("turns"))
        prep = content.get("preparation_seconds", 0)
        if not (_whole(prep) and PREPARATION_RANGE[0] <= prep <= PREPARATION_RANGE[1]):
            errors.append(
                "preparation_seconds: expected a whole number of seconds from "
                f"{PREPARATION_RANGE[0]} to {PREPARATION_RANGE[1]}"
            )
        replays = content.get("replays", 0)
        if not (_whole(replays) and REPLAYS_RANGE[0] <= replays <= REPLAYS_RANGE[1]):
            errors.append(
                f"replays: expected {REPLAYS_RANGE[0]} (the clip plays once) or "
                f"{REPLAYS_RANGE[1]} (once more on request); got {replays!r}"
            )
        return errors + _validate_points(content) + _validate_task_type(cls.task_types, content)

    @classmethod
    def render_data(cls, content: Mapping[str, Any]) -> dict[str, Any]:
        """The turns' clips and timing; not what the interlocutor says (the candidate listens)."""
        return {
            **super().render_data(content),
            "field": RECORDING_FIELD,
            "preparation_seconds": content.get("preparation_seconds", 0),
            "replays": content.get("replays", 0),
            "turns": [
                {"number": n, "audio": turn.get("audio"), "answer_seconds": turn["answer_seconds"]}
                for n, turn in enumerate(content["turns"], start=1)
            ],
        }

    @classmethod
    def media_refs(cls, content: Mapping[str, Any]) -> dict[str, str]:
        turns = content.get("turns")
        if not isinstance(turns, list):
            return {}
        return {
            f"turns.{n}.audio": turn["audio"]
            for n, turn in enumerate(turns)
            if isinstance(turn, Mapping) and isinstance(turn.get("audio"), str)
        }

    @classmethod
    def turn_count(cls, content: Mapping[str, Any]) -> int:
        return len(content["turns"])

    @classmethod
    def recording_seconds(cls, content: Mapping[str, Any], turn: int | None = None) -> int:
        """Return the seconds the candidate has to answer turn ``turn`` (1-based)."""
        if turn is None or not 1 <= turn <= len(content["turns"]):
            return 0
        return int(content["turns"][turn - 1]["answer_seconds"])

    @classmethod
    def parse_response(
        cls, raw: RawResponse, content: Mapping[str, Any] | None = None
    ) -> dict[str, list[str | None]] | None:
        """Return {"turns": [recording id or None per turn]} from the ``recording_id`` values
        in turn order ("-" for a turn without a recording); None when nothing was recorded."""
        values = [v.strip() for v in list_values(raw, RECORDING_FIELD)]
        if not values:
            return None
        if content is not None and len(values) != len(content["turns"]):
            raise ResponseError(
                f"{RECORDING_FIELD}: expected one value per turn ({len(content['turns'])}); "
                f"got {len(values)}"
            )
        turns: list[str | None] = []
        for value in values:
            if value == NO_RECORDING:
                turns.append(None)
            elif _RECORDING_ID.match(value):
                turns.append(value)
            else:
                raise ResponseError(
                    f"{RECORDING_FIELD}: expected 1 to 64 letters, digits, '-' or '_' per turn"
                )
        if len(set(t for t in turns if t)) != len([t for t in turns if t]):
            raise ResponseError(f"{RECORDING_FIELD}: a recording answers one turn only")
        return {"turns": turns}

    @classmethod
    def is_blank(cls, response: Any) -> bool:
        return response is None or not any((response or {}).get("turns") or [])

    @classmethod
    def qti_import_defaults(cls, level: str) -> dict[str, Any]:
        return {}
