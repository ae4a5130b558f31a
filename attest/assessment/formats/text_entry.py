"""Text formats: text_entry (short typed answers in one or more gaps)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from attest.assessment.formats.base import (
    ItemFormat,
    KeyIssue,
    RawResponse,
    ResponseError,
    mapping_problems,
    numbered_fields,
    scoring_problems,
)

GAP_MARK = "___"
GAP_FIELD = "gap_"  # form field name prefix: gap_1, gap_2, ...
MAX_INPUT = 200  # longest text accepted in one gap; anything longer is not a short answer
GAP_KEYS = ("prompt", "accept", "max_length")
VARIANT_KEYS = ("text", "score", "case_sensitive")

# Kiosk keyboards and phones insert typographic apostrophes and quotes; treat them as plain ones.
_TYPOGRAPHIC = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
        "`": "'",
        "\u00b4": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
    }
)
_SPACES = re.compile(r"\s+")


def normalize_answer(text: str, case_sensitive: bool = False) -> str:
    """Normalize typed text for comparison: NFC, plain quotes, trimmed, one space, casefolded
    (case kept when ``case_sensitive``).

    Diacritics are kept ("ideeën" differs from "ideeen"); list such spellings as variants.
    """
    text = unicodedata.normalize("NFC", text).translate(_TYPOGRAPHIC)
    text = _SPACES.sub(" ", text).strip()
    return text if case_sensitive else text.casefold()


@dataclass(frozen=True)
class Variant:
    """One accepted answer of a gap: its text, its credit (0..1 of the gap) and case rule.

    In the bank a variant is a plain string (full credit, any case) or a mapping
    ``{text, score, case_sensitive}`` (score defaults to 1, case_sensitive to false).
    """

    text: str
    score: float = 1.0
    case_sensitive: bool = False

    @property
    def key(self) -> str:
        return normalize_answer(self.text, self.case_sensitive)

    def matches(self, typed: str) -> bool:
        return normalize_answer(typed, self.case_sensitive) == self.key

    def said(self) -> str:
        """Describe the variant for messages: 'York' (case-sensitive, 0.5)."""
        notes = (["case-sensitive"] if self.case_sensitive else []) + (
            [f"{self.score:g}"] if self.score != 1 else []
        )
        return repr(self.text) + (f" ({', '.join(notes)})" if notes else "")

    def as_field(self) -> str | dict[str, Any]:
        """Return the bank form: a plain string when full credit in any case."""
        if self.score == 1 and not self.case_sensitive:
            return self.text
        field: dict[str, Any] = {"text": self.text}
        if self.score != 1:
            field["score"] = self.score
        if self.case_sensitive:
            field["case_sensitive"] = True
        return field


def variant(value: Any) -> Variant:
    """Return the Variant of one (validated) entry of a gap's ``accept`` list."""
    if isinstance(value, Mapping):
        return Variant(
            str(value["text"]),
            float(value.get("score", 1.0)),
            bool(value.get("case_sensitive", False)),
        )
    return Variant(str(value))


def variants(gap: Mapping[str, Any]) -> list[Variant]:
    return [variant(a) for a in gap["accept"]]


def gap_credit(gap: Mapping[str, Any], typed: str) -> float:
    """Return the credit of a typed answer: the best score of the variants it matches, else 0."""
    return max((v.score for v in variants(gap) if v.matches(typed)), default=0.0)


def collisions(found: list[Variant]) -> list[str]:
    """Return why variants of one gap collide: the same answer twice under one case rule, or a
    case-sensitive variant that never scores because a case-insensitive one gives it as much."""
    problems = []
    for i, a in enumerate(found):
        for b in found[:i]:
            if a.case_sensitive == b.case_sensitive and a.key == b.key:
                rule = "in that case" if a.case_sensitive else "in any case"
                problems.append(f"{b.said()} and {a.said()} are the same answer {rule}")
            elif a.case_sensitive != b.case_sensitive:
                strict, loose = (a, b) if a.case_sensitive else (b, a)
                if normalize_answer(strict.text) == loose.key and strict.score <= loose.score:
                    problems.append(
                        f"{strict.said()} never scores: {loose.said()} accepts it in any case "
                        "for as much"
                    )
    return problems


def gap_ids(content: Mapping[str, Any]) -> list[str]:
    """Return the ids of the item's gaps: "1", "2", ... by position."""
    gaps = content.get("gaps")
    return [str(i + 1) for i in range(len(gaps))] if isinstance(gaps, list) else []


# YAML reads 7.15 as a float and 0470 as an octal int, so variants must be quoted.
_ACCEPT_EXPECTED = (
    'expected a non-empty list of accepted answers as text (quote numbers: "7.15") or as '
    "mappings with text, score (0 to 1) and case_sensitive"
)


def _variant_problems(where: str, k: int, value: Any) -> list[str]:
    """Return the errors of one entry of ``accept``: a string or {text, score, case_sensitive}."""
    here = f"{where}.accept[{k}]"
    if isinstance(value, str):
        return [] if value.strip() else [f"{here}: {_ACCEPT_EXPECTED}"]
    if not isinstance(value, Mapping):
        return [f"{here}: {_ACCEPT_EXPECTED}"]
    errors = mapping_problems(here, value, VARIANT_KEYS, "text, score and case_sensitive")
    text = value.get("text")
    if not (isinstance(text, str) and text.strip()):
        errors.append(f'{here}.text: expected the answer as text (quote numbers: "7.15")')
    score = value.get("score", 1)
    if not (isinstance(score, (int, float)) and not isinstance(score, bool) and 0 < score <= 1):
        errors.append(f"{here}.score: expected a number above 0 and at most 1; got {score!r}")
    if not isinstance(value.get("case_sensitive", False), bool):
        errors.append(f"{here}.case_sensitive: expected true or false")
    return errors


def _validate_gap(i: int, gap: Any) -> list[str]:
    where = f"gaps[{i}]"
    errors = mapping_problems(where, gap, GAP_KEYS, "prompt and accept")
    if not isinstance(gap, Mapping):
        return errors
    prompt = gap.get("prompt")
    if not (isinstance(prompt, str) and prompt.strip()):
        errors.append(f"{where}.prompt: expected a non-empty string (mark the gap with {GAP_MARK})")
    elif prompt.count(GAP_MARK) > 1:
        errors.append(f"{where}.prompt: expected at most one {GAP_MARK} gap mark per gap")
    accept = gap.get("accept")
    if not (isinstance(accept, list) and accept):
        return [*errors, f"{where}.accept: {_ACCEPT_EXPECTED}"]
    entry_errors = [e for k, a in enumerate(accept) for e in _variant_problems(where, k, a)]
    if entry_errors:
        return errors + entry_errors
    found = [variant(a) for a in accept]
    errors += [
        f"{where}.accept: expected distinct variants after normalization; {c}"
        for c in collisions(found)
    ]
    if not any(v.score == 1 for v in found):
        errors.append(f"{where}.accept: expected at least one variant with score 1 (full credit)")
    normalized = [v.key for v in found]
    limit = gap.get("max_length", MAX_INPUT)
    if not (isinstance(limit, int) and not isinstance(limit, bool) and 0 < limit <= MAX_INPUT):
        errors.append(f"{where}.max_length: expected a whole number from 1 to {MAX_INPUT}")
    elif any(len(a) > limit for a in normalized):
        errors.append(f"{where}.max_length: expected every accepted answer to fit in {limit}")
    return errors


class TextEntry(ItemFormat):
    """Type a short answer in each gap; each gap lists its accepted variants under ``accept``.

    A gap's answer earns the best score (1 unless the variant says less) of the variants it
    equals after ``normalize_answer`` (case kept for ``case_sensitive`` variants), else 0.
    Scoring (``scoring`` field): ``all_or_nothing`` (default) gives the lowest gap credit (1
    only when every gap is fully right, 0 when one is wrong); ``partial`` gives the mean of
    the gap credits. With full-credit variants only, gap credits are 1 or 0 as in
    ``base.aggregate_right``.
    """

    name = "text_entry"

    required_fields = frozenset({"gaps"})
    optional_fields = frozenset({"scoring"})
    qti_interaction = "qti-text-entry-interaction"
    math_fields = (r"gaps\[\d+\]\.prompt",)

    @classmethod
    def validate(cls, content: Mapping[str, Any]) -> list[str]:
        gaps = content.get("gaps")
        if not (isinstance(gaps, list) and gaps):
            return ["gaps: expected a non-empty list of gaps (prompt, accept)"]
        errors = [e for i, gap in enumerate(gaps) for e in _validate_gap(i, gap)]
        errors += scoring_problems(content)
        return errors

    @classmethod
    def render_data(cls, content: Mapping[str, Any]) -> dict[str, Any]:
        rendered = []
        for gid, gap in zip(gap_ids(content), content["gaps"], strict=True):
            before, _, after = gap["prompt"].partition(GAP_MARK)
            rendered.append(
                {
                    "id": gid,
                    "field": GAP_FIELD + gid,
                    "before": before,
                    "after": after,
                    "max_length": gap.get("max_length", MAX_INPUT),
                }
            )
        return {**super().render_data(content), "gaps": rendered}

    @classmethod
    def parse_response(
        cls, raw: RawResponse, content: Mapping[str, Any] | None = None
    ) -> dict[str, str]:
        """Return {gap id: typed text (NFC, trimmed)} for the gaps the candidate filled in."""
        known = gap_ids(content) if content is not None else None
        response: dict[str, str] = {}
        for key, gid, value in numbered_fields(raw, GAP_FIELD, known, what="gap"):
            value = unicodedata.normalize("NFC", value).strip()
            if len(value) > MAX_INPUT:
                raise ResponseError(f"{key}: expected at most {MAX_INPUT} characters")
            response[gid] = value
        return response

    @classmethod
    def score(cls, content: Mapping[str, Any], response: Any) -> float:
        response = response or {}
        credits = [
            gap_credit(gap, response.get(gid, ""))
            for gid, gap in zip(gap_ids(content), content["gaps"], strict=True)
        ]
        if content.get("scoring", "all_or_nothing") == "all_or_nothing":
            return min(credits)
        return sum(credits) / len(credits)

    @classmethod
    def key_issues(cls, content: Mapping[str, Any]) -> list[KeyIssue]:
        """Find a typed answer that two gaps accept: the key cannot tell the gaps apart."""
        issues: list[KeyIssue] = []
        taken: dict[str, int] = {}
        for g, gap in enumerate(content["gaps"]):
            for typed in dict.fromkeys(normalize_answer(v.text) for v in variants(gap)):
                if taken.setdefault(typed, g) != g:
                    message = (
                        f"gap {g + 1} accepts {typed!r}, which gap {taken[typed] + 1} "
                        "accepts too; make the answers of the gaps distinct"
                    )
                    issues.append(("ambiguous-key", f"gaps[{g}].accept", message))
        return issues

    @classmethod
    def worded_answers(cls, content: Mapping[str, Any]) -> tuple[list[str], list[str]]:
        return [variants(g)[0].text for g in content["gaps"]], []
