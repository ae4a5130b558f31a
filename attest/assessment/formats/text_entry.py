"""Text formats: text_entry (short typed answers in one or more gaps)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
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


def normalize_answer(text: str) -> str:
    """Normalize typed text for comparison: NFC, plain quotes, trimmed, one space, casefolded.

    Diacritics are kept ("ideeën" differs from "ideeen"); list such spellings as variants.
    """
    text = unicodedata.normalize("NFC", text).translate(_TYPOGRAPHIC)
    return _SPACES.sub(" ", text).strip().casefold()


def gap_ids(content: Mapping[str, Any]) -> list[str]:
    """Return the ids of the item's gaps: "1", "2", ... by position."""
    gaps = content.get("gaps")
    return [str(i + 1) for i in range(len(gaps))] if isinstance(gaps, list) else []


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
    if not (
        isinstance(accept, list)
        and accept
        and all(isinstance(a, str) and a.strip() for a in accept)
    ):
        # YAML reads 7.15 as a float and 0470 as an octal int, so variants must be quoted.
        message = 'expected a non-empty list of accepted answers as text (quote numbers: "7.15")'
        return [*errors, f"{where}.accept: {message}"]
    normalized = [normalize_answer(str(a)) for a in accept]
    if len(set(normalized)) != len(normalized):
        errors.append(f"{where}.accept: expected distinct variants after normalization")
    limit = gap.get("max_length", MAX_INPUT)
    if not (isinstance(limit, int) and not isinstance(limit, bool) and 0 < limit <= MAX_INPUT):
        errors.append(f"{where}.max_length: expected a whole number from 1 to {MAX_INPUT}")
    elif any(len(a) > limit for a in normalized):
        errors.append(f"{where}.max_length: expected every accepted answer to fit in {limit}")
    return errors


class TextEntry(ItemFormat):
    """Type a short answer in each gap; each gap lists its accepted variants under ``accept``.

    A gap's answer is right when it equals one variant after ``normalize_answer``. Scoring
    (``scoring`` field): ``all_or_nothing`` (default) gives 1 only when every gap is right;
    ``partial`` gives the fraction of gaps that are right.
    """

    name = "text_entry"

    required_fields = frozenset({"gaps"})
    optional_fields = frozenset({"scoring"})
    qti_interaction = "qti-text-entry-interaction"

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
        right = [
            normalize_answer(response.get(gid, ""))
            in {normalize_answer(str(a)) for a in gap["accept"]}
            for gid, gap in zip(gap_ids(content), content["gaps"], strict=True)
        ]
        if content.get("scoring", "all_or_nothing") == "all_or_nothing":
            return 1.0 if all(right) else 0.0
        return sum(right) / len(right)

    @classmethod
    def key_issues(cls, content: Mapping[str, Any]) -> list[KeyIssue]:
        """Find a typed answer that two gaps accept: the key cannot tell the gaps apart."""
        issues: list[KeyIssue] = []
        taken: dict[str, int] = {}
        for g, gap in enumerate(content["gaps"]):
            for variant in dict.fromkeys(normalize_answer(str(a)) for a in gap["accept"]):
                if taken.setdefault(variant, g) != g:
                    message = (
                        f"gap {g + 1} accepts {variant!r}, which gap {taken[variant] + 1} "
                        "accepts too; make the answers of the gaps distinct"
                    )
                    issues.append(("ambiguous-key", f"gaps[{g}].accept", message))
        return issues

    @classmethod
    def worded_answers(cls, content: Mapping[str, Any]) -> tuple[list[str], list[str]]:
        return [str(g["accept"][0]) for g in content["gaps"]], []
