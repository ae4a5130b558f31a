"""Matching: numbered prompts (e.g. people), each matched to one of the lettered options (ads).

Each prompt has its ``answer``, the id of one of the lettered ``options``. There may be more
options than prompts; each option is the key of at most one prompt. Form fields ``match_1``,
``match_2``, ... carry option ids.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attest.assessment.formats.base import (
    ItemFormat,
    KeyIssue,
    RawResponse,
    aggregate_right,
    mapping_problems,
    scoring_problems,
    shuffle_problems,
)
from attest.assessment.formats.choice import (
    numbered_choices,
    option_ids,
    option_media,
    render_options,
    validate_options,
)
from attest.assessment.formats.key_checks import option_issues, repeats, same_text

MATCH_FIELD = "match_"  # matching form fields: match_1, match_2, ...
PROMPT_KEYS = ("text", "answer")
MIN_PROMPTS, MAX_PROMPTS = 2, 8


class Matching(ItemFormat):
    """Match each numbered prompt to one lettered option; options may outnumber prompts.

    Each option is the key of at most one prompt. An option the candidate gives to more than one
    prompt counts as wrong for all of them, so guessing one option everywhere earns nothing.
    Scoring (``scoring`` field): ``all_or_nothing`` (default) gives 1 only when every pair is
    right; ``partial`` gives the fraction of prompts matched right.
    """

    name = "matching"

    required_fields = frozenset({"prompts", "options"})
    optional_fields = frozenset({"scoring", "shuffle"})
    shuffle_field = "options"
    lint_gates = frozenset({"diagonal-key"})
    qti_interaction = "qti-match-interaction"

    @classmethod
    def validate(cls, content: Mapping[str, Any]) -> list[str]:
        errors = validate_options(content) + shuffle_problems(content)
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
            "options": render_options(content),
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
        return numbered_choices(raw, MATCH_FIELD, known, options)

    @classmethod
    def score(cls, content: Mapping[str, Any], response: Any) -> float:
        response = response or {}
        given = list(response.values())
        right = [
            response.get(str(i + 1)) == p["answer"] and given.count(p["answer"]) == 1
            for i, p in enumerate(content["prompts"])
        ]
        return aggregate_right(content, right)

    @classmethod
    def media_refs(cls, content: Mapping[str, Any]) -> dict[str, str]:
        return option_media(content)

    @classmethod
    def key_issues(cls, content: Mapping[str, Any]) -> list[KeyIssue]:
        """Options that read alike (see ``option_issues``) and prompts that read alike."""
        prompts = content["prompts"]
        issues = option_issues(content["options"], {p["answer"] for p in prompts})
        for i, j in repeats([same_text(p["text"]) for p in prompts]):
            message = (
                f"prompt {i + 1} reads the same as prompt {j + 1} but has another key; "
                "make each prompt point to one option"
            )
            issues.append(("ambiguous-key", f"prompts[{i}].text", message))
        return issues

    @classmethod
    def diagonal(cls, content: Mapping[str, Any], order: list[str]) -> list[int]:
        """The option shown at place i is the key of prompt i."""
        keys = [p.get("answer") for p in content.get("prompts", [])]
        return [i for i, key in enumerate(keys) if i < len(order) and order[i] == key]
