"""Inline choice: drop-downs in a sentence.

A ``sentence`` with ``___`` marks and one entry of ``gaps`` per mark, each with its
``options`` (plain texts, ids a, b, c, ... by position) and its ``answer`` (the correct option's
text, as written). Form fields ``choice_1``, ``choice_2``, ... carry option ids.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

from attest.assessment.formats.base import (
    ItemFormat,
    KeyIssue,
    RawResponse,
    aggregate_right,
    mapping_problems,
    scoring_problems,
)
from attest.assessment.formats.choice import MAX_OPTIONS, MIN_OPTIONS, numbered_choices
from attest.assessment.formats.key_checks import repeats, same_text

GAP_MARK = "___"
CHOICE_FIELD = "choice_"  # inline_choice form fields: choice_1, choice_2, ...
INLINE_GAP_KEYS = ("options", "answer")
MAX_GAPS = 10


def _sentence_parts(sentence: str) -> list[str]:
    return sentence.split(GAP_MARK)


class InlineChoice(ItemFormat):
    """Choose a word in each drop-down of a sentence; each gap has its own options and answer.

    Scoring (``scoring`` field): ``all_or_nothing`` (default) gives 1 only when every gap is
    right; ``partial`` gives the fraction of gaps that are right.
    """

    name = "inline_choice"

    required_fields = frozenset({"sentence", "gaps"})
    optional_fields = frozenset({"scoring"})
    qti_interaction = "qti-inline-choice-interaction"
    math_fields = ("sentence",)  # a drop-down choice shows plain text only

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
        return numbered_choices(raw, CHOICE_FIELD, known, options)

    @classmethod
    def score(cls, content: Mapping[str, Any], response: Any) -> float:
        response = response or {}
        right = []
        for i, gap in enumerate(content["gaps"]):
            key = string.ascii_lowercase[[str(o) for o in gap["options"]].index(str(gap["answer"]))]
            right.append(response.get(str(i + 1)) == key)
        return aggregate_right(content, right)

    @classmethod
    def key_issues(cls, content: Mapping[str, Any]) -> list[KeyIssue]:
        """Options of one gap that read alike; alike with the answer is ambiguous."""
        issues: list[KeyIssue] = []
        for g, gap in enumerate(content["gaps"]):
            for i, j in repeats([same_text(o) for o in gap["options"]]):
                first, later = gap["options"][j], gap["options"][i]
                if gap["answer"] in (first, later):
                    code, what = "ambiguous-key", "the answer"
                    first, later = (first, later) if gap["answer"] == first else (later, first)
                else:
                    code, what = "duplicate-option", "option"
                message = (
                    f"gap {g + 1}: option {later!r} reads the same as {what} {first!r}; "
                    "make every option different"
                )
                issues.append((code, f"gaps[{g}].options", message))
        return issues

    @classmethod
    def worded_answers(cls, content: Mapping[str, Any]) -> tuple[list[str], list[str]]:
        gaps = content["gaps"]
        return [str(g["answer"]) for g in gaps], [
            str(o) for g in gaps for o in g["options"] if o != g["answer"]
        ]


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
