"""The interface of item formats and the helpers their modules share.

A format knows how to validate an item's content, what the kiosk may see of it (never the key),
how to turn submitted form fields into a normalized response, and how to score that response.
Each format is one class with a ``name``, in the module of its family (``choice``,
``inline_choice``, ``matching``, ``ordering``, ``text_entry``, ``productive``), listed once in
``registry``; the bank and delivery code look formats up there.

Machine-scored formats have ``is_machine_scored = True`` and ``max_score = 1.0``; ``score()``
returns a float in [0, max_score]. Examiner-scored formats (subclasses of ``ExaminerScored``) have
``is_machine_scored = False`` and ``max_score = None``; their ``score()`` returns None, and
delivery must store the response unscored and queue it for rating instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar

RawResponse = Mapping[str, "str | list[str]"]
KeyIssue = tuple[str, str, str]  # a lint finding about the key: (code, field path, message)


class ResponseError(ValueError):
    """A submitted response is malformed (not merely wrong)."""


class ItemFormat:
    """Base class of item formats; subclasses override the classmethods below."""

    name: ClassVar[str] = ""
    # Content fields this format reads, besides the fields common to every item (stem, text, ...).
    required_fields: ClassVar[frozenset[str]] = frozenset()
    optional_fields: ClassVar[frozenset[str]] = frozenset()
    # Machine-scored formats score in [0, max_score]; examiner-scored formats set None and False.
    max_score: ClassVar[float | None] = 1.0
    is_machine_scored: ClassVar[bool] = True
    # The kiosk template that shows the item (templates/kiosk/formats/<name>.html by default).
    kiosk_template: ClassVar[str] = ""
    # The productive skill an examiner-scored format tests ("writing", "speaking"); None for
    # the receptive formats, which serve reading and listening alike.
    productive_skill: ClassVar[str | None] = None
    # Whether the kiosk keeps drafts of the response while the candidate types (writing).
    keeps_drafts: ClassVar[bool] = False
    # Whether the response is a recording uploaded by the kiosk's recorder (speaking).
    takes_recording: ClassVar[bool] = False
    # The content field whose entries the kiosk may show in a per-candidate order (shuffle.py).
    shuffle_field: ClassVar[str | None] = None
    # The bank-lint gates (lint_gates.GATE_CODES) that look at this format's key: key-position
    # (keys are option letters), key-longest, diagonal-key (see ``diagonal``).
    lint_gates: ClassVar[frozenset[str]] = frozenset()
    # The QTI 3.0 interaction this format is written as and read from (None: no QTI mapping),
    # and the cardinality of its response declaration when two formats share an interaction.
    qti_interaction: ClassVar[str | None] = None
    qti_cardinality: ClassVar[str] = "single"
    # Content fields besides stem and text that the kiosk draws formulas in (MathML, see
    # attest.assessment.mathml), as patterns of their paths (``options[0].text``).
    math_fields: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.name and "kiosk_template" not in vars(cls):  # a format may name another template
            cls.kiosk_template = f"kiosk/formats/{cls.name}.html"

    @classmethod
    def validate(cls, content: Mapping[str, Any]) -> list[str]:
        """Return content errors as 'field: what was expected' messages (empty when valid)."""
        return []

    @classmethod
    def render_data(cls, content: Mapping[str, Any]) -> dict[str, Any]:
        """Return what the kiosk template needs, without the answer key."""
        data: dict[str, Any] = {
            "format": cls.name,
            "template": cls.kiosk_template,
            "stem": content.get("stem", ""),
        }
        if content.get("text"):
            data["text"] = content["text"]
        return data

    @classmethod
    def parse_response(cls, raw: RawResponse, content: Mapping[str, Any] | None = None) -> Any:
        """Turn submitted form fields into a JSON-able response or raise ResponseError.

        Without ``content`` only the shape is checked; with it, references such as option ids
        are checked against the item too.
        """
        raise NotImplementedError

    @classmethod
    def score(cls, content: Mapping[str, Any], response: Any) -> float | None:
        """Return the score of a parsed response in [0, max_score]; None if not machine-scored."""
        raise NotImplementedError

    @classmethod
    def is_blank(cls, response: Any) -> bool:
        """Return whether a parsed response holds no answer at all (the candidate skipped)."""
        return response is None or response in ("", [], {})

    @classmethod
    def media_refs(cls, content: Mapping[str, Any]) -> dict[str, str]:
        """Return media paths referenced inside the content, keyed by field path."""
        return {}

    @classmethod
    def turn_count(cls, content: Mapping[str, Any]) -> int:
        """Return how many recorded turns a response has (0: one recording, or none)."""
        return 0

    @classmethod
    def recording_seconds(cls, content: Mapping[str, Any], turn: int | None = None) -> int:
        """Return the longest a recording (of turn ``turn``, 1-based, for a task of turns) may
        last, in seconds; 0 when this format takes no such recording."""
        return int(content.get("max_recording_seconds", 0)) if turn is None else 0

    # -- the bank lint (lint.py, lint_gates.py) ask the format about its key ------------------

    @classmethod
    def key_issues(cls, content: Mapping[str, Any]) -> list[KeyIssue]:
        """Return (code, field path, message) for a key that is legal but ambiguous: two
        options that read alike, an answer two gaps accept (lint codes ambiguous-key and
        duplicate-option)."""
        return []

    @classmethod
    def worded_answers(cls, content: Mapping[str, Any]) -> tuple[list[str], list[str]]:
        """Return (key texts, distractor texts) of a machine-scored item with worded answers,
        for the lint's number gates; ([], []) when the answers are not words."""
        return [], []

    @classmethod
    def diagonal(cls, content: Mapping[str, Any], order: list[str]) -> list[int]:
        """Return the display places (0-based) at which a key sits on the diagonal when the
        entries of ``shuffle_field`` are shown in ``order`` (none for most formats)."""
        return []

    @classmethod
    def shown_order_fits(cls, content: Mapping[str, Any], order: list[str]) -> bool:
        """Return whether a drawn order of ``shuffle_field`` may be shown: no key on the
        diagonal (shuffle.py draws again otherwise)."""
        return not cls.diagonal(content, order)

    # -- QTI import (qti/importer.py) ------------------------------------------------------

    @classmethod
    def qti_import_defaults(cls, level: str) -> dict[str, Any]:
        """Return the content fields an item from another tool gets when it lacks them."""
        return {}


class ExaminerScored(ItemFormat):
    """Base of productive formats: the response is kept for examiners, never machine-scored."""

    max_score: ClassVar[float | None] = None
    is_machine_scored: ClassVar[bool] = False

    @classmethod
    def score(cls, content: Mapping[str, Any], response: Any) -> None:
        """Return None: examiners score this response (two blind ratings), not the machine."""
        return None


def single_value(raw: RawResponse, key: str) -> str | None:
    """Return the one value submitted under ``key``, None when absent or blank."""
    value = raw.get(key)
    if isinstance(value, (list, tuple)):
        values = [v for v in value if str(v).strip()]
        if len(values) > 1:
            raise ResponseError(f"{key}: expected one value, got {len(values)}")
        value = values[0] if values else None
    if value is None:
        return None
    if not isinstance(value, str):
        raise ResponseError(f"{key}: expected text, got {type(value).__name__}")
    return value if value.strip() else None


def list_values(raw: RawResponse, key: str) -> list[str]:
    """Return all non-blank values submitted under ``key``."""
    value = raw.get(key)
    if value is None:
        return []
    values = [value] if isinstance(value, str) else list(value)
    if not all(isinstance(v, str) for v in values):
        raise ResponseError(f"{key}: expected text values")
    return [v for v in values if v.strip()]


SCORING_RULES = ("all_or_nothing", "partial")


def scoring_problems(content: Mapping[str, Any]) -> list[str]:
    """Return the error for an unknown `scoring` rule (all_or_nothing is the default)."""
    if content.get("scoring", "all_or_nothing") in SCORING_RULES:
        return []
    return [f"scoring: expected one of {', '.join(SCORING_RULES)}; got {content.get('scoring')!r}"]


def aggregate_right(content: Mapping[str, Any], right: list[bool]) -> float:
    """Return 1/0 for all_or_nothing (the default) or the fraction of parts right for partial."""
    if content.get("scoring", "all_or_nothing") == "all_or_nothing":
        return 1.0 if right and all(right) else 0.0
    return sum(right) / len(right) if right else 0.0


def shuffle_problems(content: Mapping[str, Any]) -> list[str]:
    """Return the error for a `shuffle` flag that is not true or false (true is the default)."""
    value = content.get("shuffle", True)
    if isinstance(value, bool):
        return []
    return [f"shuffle: expected true or false (false keeps the bank order); got {value!r}"]


def mapping_problems(where: str, value: Any, allowed: Sequence[str], expected: str) -> list[str]:
    """Return the errors of a value that must be a mapping using only the `allowed` keys."""
    if not isinstance(value, Mapping):
        return [f"{where}: expected a mapping with {expected}, got {value!r}"]
    return [
        f"{where}.{k}: unknown field; expected one of {', '.join(allowed)}"
        for k in value
        if k not in allowed
    ]


def numbered_fields(
    raw: RawResponse, prefix: str, known: Sequence[str] | None, what: str = "field"
) -> Iterator[tuple[str, str, str]]:
    """Yield (form key, number, value) for the filled-in fields `<prefix>N` of a response.

    Other form fields (CSRF token, buttons) are skipped; a number the item does not have
    (`known`; None accepts any) raises ResponseError naming the field."""
    for key in raw:
        if not key.startswith(prefix):
            continue
        num = key[len(prefix) :]
        if not num.isdigit() or (known is not None and num not in known):
            raise ResponseError(f"{key}: this item has no such {what}")
        value = single_value(raw, key)
        if value is not None:
            yield key, num, value
