"""Choice formats: single_choice and multiple_response over lettered options.

Options are a list of mappings with ``text`` and/or ``image`` (and optionally ``audio``); their ids
are their positions as letters, a, b, c, ... so authors never keep ids and order in step by hand.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

from attest.assessment.formats.base import (
    ItemFormat,
    KeyIssue,
    RawResponse,
    ResponseError,
    list_values,
    mapping_problems,
    numbered_fields,
    scoring_problems,
    shuffle_problems,
    single_value,
)
from attest.assessment.formats.key_checks import option_issues

OPTION_KEYS = ("text", "image", "audio")
MIN_OPTIONS, MAX_OPTIONS = 2, 8


def option_ids(content: Mapping[str, Any]) -> list[str]:
    """Return the ids of the item's options: a, b, c, ... by position."""
    options = content.get("options")
    return list(string.ascii_lowercase[: len(options)]) if isinstance(options, list) else []


def validate_options(content: Mapping[str, Any]) -> list[str]:
    options = content.get("options")
    if not isinstance(options, list):
        return ["options: expected a list of options (mappings with text and/or image)"]
    errors = []
    if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        errors.append(
            f"options: expected {MIN_OPTIONS} to {MAX_OPTIONS} options, got {len(options)}"
        )
    seen: dict[str, int] = {}
    for i, opt in enumerate(options):
        where = f"options[{i}]"
        errors += mapping_problems(where, opt, OPTION_KEYS, "text and/or image")
        if not isinstance(opt, Mapping):
            continue
        errors += [
            f"{where}.{k}: expected a non-empty string"
            for k in OPTION_KEYS
            if k in opt and not (isinstance(opt[k], str) and opt[k].strip())
        ]
        if "text" not in opt and "image" not in opt:
            errors.append(f"{where}.text: expected a text (or an image) for the option")
        key = str(opt.get("text", "")).strip().casefold() + "|" + str(opt.get("image", ""))
        if key in seen:
            errors.append(f"{where}: expected distinct options; same as options[{seen[key]}]")
        seen.setdefault(key, i)
    return errors


def render_options(content: Mapping[str, Any]) -> list[dict[str, str]]:
    return [
        {"id": oid, **{k: opt[k] for k in OPTION_KEYS if k in opt}}
        for oid, opt in zip(option_ids(content), content["options"], strict=True)
    ]


def option_media(content: Mapping[str, Any]) -> dict[str, str]:
    options = content.get("options")
    if not isinstance(options, list):
        return {}
    return {
        f"options[{i}].{k}": opt[k]
        for i, opt in enumerate(options)
        if isinstance(opt, Mapping)
        for k in ("image", "audio")
        if isinstance(opt.get(k), str)
    }


def worded_options(content: Mapping[str, Any], keyed: set[str]) -> tuple[list[str], list[str]]:
    """Return (texts of the keyed options, texts of the distractors)."""
    texts = [
        (oid, str(o.get("text", "")))
        for oid, o in zip(option_ids(content), content["options"], strict=True)
    ]
    return [t for oid, t in texts if oid in keyed], [t for oid, t in texts if oid not in keyed]


def _check_ids(ids: list[str], content: Mapping[str, Any] | None) -> None:
    known = option_ids(content) if content is not None else list(string.ascii_lowercase)
    for oid in ids:
        if oid not in known:
            raise ResponseError(f"answer: {oid!r} is not an option of this item")


def numbered_choices(
    raw: RawResponse, prefix: str, known: list[str] | None, options: dict[str, list[str]] | None
) -> dict[str, str]:
    """Parse fields ``<prefix>N`` holding option ids into {N: option id}, blanks left out.

    ``known`` lists the valid N (None: any number); ``options`` the valid ids per N (None: any
    letter).
    """
    response: dict[str, str] = {}
    for key, num, value in numbered_fields(raw, prefix, known):
        value = value.strip().lower()
        valid = options[num] if options is not None else list(string.ascii_lowercase)
        if value not in valid:
            raise ResponseError(f"{key}: {value!r} is not an option of this item")
        response[num] = value
    return response


class _LetteredOptions(ItemFormat):
    """A choice among lettered ``options``: what single_choice and multiple_response share."""

    required_fields = frozenset({"options", "answer"})
    shuffle_field = "options"
    qti_interaction = "qti-choice-interaction"
    math_fields = (r"options\[\d+\]\.text",)

    @classmethod
    def keyed(cls, content: Mapping[str, Any]) -> set[str]:
        """Return the ids of the keyed options."""
        raise NotImplementedError

    @classmethod
    def render_data(cls, content: Mapping[str, Any]) -> dict[str, Any]:
        return {**super().render_data(content), "options": render_options(content)}

    @classmethod
    def media_refs(cls, content: Mapping[str, Any]) -> dict[str, str]:
        return option_media(content)

    @classmethod
    def key_issues(cls, content: Mapping[str, Any]) -> list[KeyIssue]:
        return option_issues(content["options"], cls.keyed(content))

    @classmethod
    def worded_answers(cls, content: Mapping[str, Any]) -> tuple[list[str], list[str]]:
        return worded_options(content, cls.keyed(content))


class SingleChoice(_LetteredOptions):
    """Pick one option; the key ``answer`` is one option id. Score 1 if it matches, else 0."""

    name = "single_choice"

    optional_fields = frozenset({"shuffle"})
    lint_gates = frozenset({"key-position", "key-longest"})

    @classmethod
    def keyed(cls, content: Mapping[str, Any]) -> set[str]:
        return {content["answer"]}

    @classmethod
    def validate(cls, content: Mapping[str, Any]) -> list[str]:
        errors = validate_options(content) + shuffle_problems(content)
        ids, answer = option_ids(content), content.get("answer")
        if ids and answer not in ids:
            errors.append(
                f"answer: expected one of the option ids {', '.join(ids)}; got {answer!r}"
            )
        return errors

    @classmethod
    def parse_response(
        cls, raw: RawResponse, content: Mapping[str, Any] | None = None
    ) -> str | None:
        """Return the chosen option id, or None when the candidate chose nothing."""
        value = single_value(raw, "answer")
        if value is not None:
            value = value.strip().lower()
            _check_ids([value], content)
        return value

    @classmethod
    def score(cls, content: Mapping[str, Any], response: Any) -> float:
        return 1.0 if response is not None and response == content["answer"] else 0.0


class MultipleResponse(_LetteredOptions):
    """Pick all correct options; ``answer`` lists the correct ids.

    Scoring (``scoring`` field): ``all_or_nothing`` (default) gives 1 only for exactly the keyed
    set; ``partial`` gives (correct picks - wrong picks) / number of keyed options, floored at 0,
    so ticking every box earns nothing.
    """

    name = "multiple_response"

    optional_fields = frozenset({"scoring", "shuffle"})
    lint_gates = frozenset({"key-position"})
    qti_cardinality = "multiple"

    @classmethod
    def keyed(cls, content: Mapping[str, Any]) -> set[str]:
        return set(content["answer"])

    @classmethod
    def validate(cls, content: Mapping[str, Any]) -> list[str]:
        errors = validate_options(content) + shuffle_problems(content)
        ids, answer = option_ids(content), content.get("answer")
        if not (isinstance(answer, list) and answer):
            errors.append(f"answer: expected a non-empty list of option ids; got {answer!r}")
        elif ids:
            errors += [
                f"answer[{i}]: expected one of the option ids {', '.join(ids)}; got {a!r}"
                for i, a in enumerate(answer)
                if a not in ids
            ]
            if len(set(answer)) != len(answer):
                errors.append("answer: expected each option id once")
            if set(answer) >= set(ids):
                errors.append(
                    "answer: expected at least one option that is not keyed (a distractor)"
                )
        errors += scoring_problems(content)
        return errors

    @classmethod
    def parse_response(
        cls, raw: RawResponse, content: Mapping[str, Any] | None = None
    ) -> list[str]:
        """Return the sorted, distinct option ids the candidate ticked."""
        ids = sorted({v.strip().lower() for v in list_values(raw, "answer")})
        _check_ids(ids, content)
        return ids

    @classmethod
    def score(cls, content: Mapping[str, Any], response: Any) -> float:
        keyed, picked = set(content["answer"]), set(response or ())
        if content.get("scoring", "all_or_nothing") == "all_or_nothing":
            return 1.0 if picked == keyed else 0.0
        return max(0.0, (len(picked & keyed) - len(picked - keyed)) / len(keyed))
