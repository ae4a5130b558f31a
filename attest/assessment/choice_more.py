"""More choice formats: inline_choice (drop-downs in a sentence) and matching (pairs).

inline_choice: a ``sentence`` with ``___`` marks and one entry of ``gaps`` per mark, each with its
``options`` (plain texts, ids a, b, c, ... by position) and its ``answer`` (the correct option's
text, as written). Form fields ``choice_1``, ``choice_2``, ... carry option ids.

matching: numbered ``prompts`` (e.g. people), each with its ``answer``, the id of one of the
lettered ``options`` (e.g. ads). There may be more options than prompts; each option is the key
of at most one prompt. Form fields ``match_1``, ``match_2``, ... carry option ids.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

from attest.assessment.choice_formats import (
    MAX_OPTIONS,
    MIN_OPTIONS,
    _option_media,
    _render_options,
    _validate_options,
    option_ids,
)
from attest.assessment.items import (
    ItemFormat,
    RawResponse,
    ResponseError,
    mapping_problems,
    numbered_fields,
    register,
    scoring_problems,
    shuffle_problems,
)

GAP_MARK = "___"
CHOICE_FIELD = "choice_"  # inline_choice form fields: choice_1, choice_2, ...
MATCH_FIELD = "match_"  # matching form fields: match_1, match_2, ...
INLINE_GAP_KEYS = ("options", "answer")
PROMPT_KEYS = ("text", "answer")
MAX_GAPS = 10
MIN_PROMPTS, MAX_PROMPTS = 2, 8


def _aggregate(content: Mapping[str, Any], right: list[bool]) -> float:
    """Return 1/0 for all_or_nothing (the default) or the fraction right for partial."""
    if content.get("scoring", "all_or_nothing") == "all_or_nothing":
        return 1.0 if right and all(right) else 0.0
    return sum(right) / len(right) if right else 0.0


def _numbered_choices(
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


def _sentence_parts(sentence: str) -> list[str]:
    return sentence.split(GAP_MARK)


@register("inline_choice")
class InlineChoice(ItemFormat):
    """Choose a word in each drop-down of a sentence; each gap has its own options and answer.

    Scoring (``scoring`` field): ``all_or_nothing`` (default) gives 1 only when every gap is
    right; ``partial`` gives the fraction of gaps that are right.
    """

    required_fields = frozenset({"sentence", "gaps"})
    optional_fields = frozenset({"scoring"})

    @classmethod
    def validate(cls, content: Mapping[str, Any]) -> list[str]:
        sentence, gaps = content.get("sentence"), content.get("gaps")
        errors: list[str] = []
        if not (isinstance(sentence, str) and sentence.strip()):
            errors.append(f"sentence: expected a non-empty text with {GAP_MARK} marks")
        if not (isinstance(gaps, list) and 0 < len(gaps) <= MAX_GAPS):
            return [*errors, f"gaps: expected a list of 1 to {MAX_GAPS} gaps (options, answer)"]
        if not errors and sentence.count(GAP_MARK) != len(gaps):
            errors.append(
                f"sentence: expected one {GAP_MARK} mark per gap ({len(gaps)}); "
                f"found {sentence.count(GAP_MARK)}"
            )
        for i, gap in enumerate(gaps):
            errors += _validate_inline_gap(i, gap)
        return errors + scoring_problems(content)

    @classmethod
    def render_data(cls, content: Mapping[str, Any]) -> dict[str, Any]:
        parts: list[dict[str, Any]] = []
        texts = _sentence_parts(content["sentence"])
        for i, text in enumerate(texts):
            if text:
                parts.append({"text": text})
            if i < len(content["gaps"]):
                gid = str(i + 1)
                options = content["gaps"][i]["options"]
                parts.append(
                    {
                        "gap": gid,
                        "field": CHOICE_FIELD + gid,
                        "options": [
                            {"id": oid, "text": str(o)}
                            for oid, o in zip(string.ascii_lowercase, options, strict=False)
                        ],
                    }
                )
        return {**super().render_data(content), "parts": parts}

    @classmethod
    def parse_response(
        cls, raw: RawResponse, content: Mapping[str, Any] | None = None
    ) -> dict[str, str]:
        """Return {gap number: chosen option id} for the gaps the candidate filled in."""
        known = options = None
        if content is not None:
            gaps = content["gaps"]
            known = [str(i + 1) for i in range(len(gaps))]
            options = {
                str(i + 1): list(string.ascii_lowercase[: len(g["options"])])
                for i, g in enumerate(gaps)
            }
        return _numbered_choices(raw, CHOICE_FIELD, known, options)

    @classmethod
    def score(cls, content: Mapping[str, Any], response: Any) -> float:
        response = response or {}
        right = []
        for i, gap in enumerate(content["gaps"]):
            key = string.ascii_lowercase[[str(o) for o in gap["options"]].index(str(gap["answer"]))]
            right.append(response.get(str(i + 1)) == key)
        return _aggregate(content, right)


def _validate_inline_gap(i: int, gap: Any) -> list[str]:
    where = f"gaps[{i}]"
    errors = mapping_problems(where, gap, INLINE_GAP_KEYS, "options and answer")
    if not isinstance(gap, Mapping):
        return errors
    options = gap.get("options")
    if not (
        isinstance(options, list)
        and MIN_OPTIONS <= len(options) <= MAX_OPTIONS
        and all(isinstance(o, str) and o.strip() for o in options)
    ):
        # YAML reads 12 as a number, so options must be quoted texts.
        return [
            *errors,
            f"{where}.options: expected {MIN_OPTIONS} to {MAX_OPTIONS} option texts "
            '(quote numbers: "12")',
        ]
    folded = [o.strip().casefold() for o in options]
    if len(set(folded)) != len(folded):
        errors.append(f"{where}.options: expected distinct options")
    if gap.get("answer") not in options:
        errors.append(
            f"{where}.answer: expected one of the options as written "
            f"({', '.join(options)}); got {gap.get('answer')!r}"
        )
    return errors


@register("matching")
class Matching(ItemFormat):
    """Match each numbered prompt to one lettered option; options may outnumber prompts.

    Each option is the key of at most one prompt. An option the candidate gives to more than one
    prompt counts as wrong for all of them, so guessing one option everywhere earns nothing.
    Scoring (``scoring`` field): ``all_or_nothing`` (default) gives 1 only when every pair is
    right; ``partial`` gives the fraction of prompts matched right.
    """

    required_fields = frozenset({"prompts", "options"})
    optional_fields = frozenset({"scoring", "shuffle"})

    @classmethod
    def validate(cls, content: Mapping[str, Any]) -> list[str]:
        errors = _validate_options(content) + shuffle_problems(content)
        prompts = content.get("prompts")
        if not (isinstance(prompts, list) and MIN_PROMPTS <= len(prompts) <= MAX_PROMPTS):
            return [
                *errors,
                f"prompts: expected a list of {MIN_PROMPTS} to {MAX_PROMPTS} prompts "
                "(text, answer)",
            ]
        ids = option_ids(content)
        if ids and len(ids) < len(prompts):
            errors.append(
                f"options: expected at least as many options as prompts ({len(prompts)}); "
                f"got {len(ids)}"
            )
        used: dict[str, int] = {}
        for i, prompt in enumerate(prompts):
            where = f"prompts[{i}]"
            errors += mapping_problems(where, prompt, PROMPT_KEYS, "text and answer")
            if not isinstance(prompt, Mapping):
                continue
            if not (isinstance(prompt.get("text"), str) and prompt["text"].strip()):
                errors.append(f"{where}.text: expected a non-empty string")
            answer = prompt.get("answer")
            if ids and answer not in ids:
                errors.append(
                    f"{where}.answer: expected one of the option ids {', '.join(ids)}; "
                    f"got {answer!r}"
                )
            elif answer in used:
                errors.append(
                    f"{where}.answer: expected each option to be the key of one prompt; "
                    f"{answer!r} is already the key of prompts[{used[answer]}]"
                )
            if isinstance(answer, str):
                used.setdefault(answer, i)
        return errors + scoring_problems(content)

    @classmethod
    def render_data(cls, content: Mapping[str, Any]) -> dict[str, Any]:
        prompts = [
            {"id": str(i + 1), "field": MATCH_FIELD + str(i + 1), "text": p["text"]}
            for i, p in enumerate(content["prompts"])
        ]
        return {
            **super().render_data(content),
            "prompts": prompts,
            "options": _render_options(content),
        }

    @classmethod
    def parse_response(
        cls, raw: RawResponse, content: Mapping[str, Any] | None = None
    ) -> dict[str, str]:
        """Return {prompt number: chosen option id} for the prompts the candidate matched."""
        known = options = None
        if content is not None:
            known = [str(i + 1) for i in range(len(content["prompts"]))]
            options = dict.fromkeys(known, option_ids(content))
        return _numbered_choices(raw, MATCH_FIELD, known, options)

    @classmethod
    def score(cls, content: Mapping[str, Any], response: Any) -> float:
        response = response or {}
        given = list(response.values())
        right = [
            response.get(str(i + 1)) == p["answer"] and given.count(p["answer"]) == 1
            for i, p in enumerate(content["prompts"])
        ]
        return _aggregate(content, right)

    @classmethod
    def media_refs(cls, content: Mapping[str, Any]) -> dict[str, str]:
        return _option_media(content)
