"""Build form data that answers an item right or wrong, from its content (test helper)."""

from __future__ import annotations

from typing import Any, Mapping

from attest.assessment.choice_formats import option_ids
from attest.assessment.text_formats import GAP_FIELD


def correct_answer(fmt: str, content: Mapping[str, Any]) -> dict[str, Any]:
    """Return form fields with the keyed answer."""
    if fmt == "single_choice":
        return {"answer": content["answer"]}
    if fmt == "multiple_response":
        return {"answer": list(content["answer"])}
    if fmt == "text_entry":
        return {f"{GAP_FIELD}{i + 1}": gap["accept"][0] for i, gap in enumerate(content["gaps"])}
    raise AssertionError(f"no answer builder for {fmt}")


def wrong_answer(fmt: str, content: Mapping[str, Any]) -> dict[str, Any]:
    """Return form fields with a wrong but well-formed answer."""
    if fmt == "single_choice":
        return {"answer": next(o for o in option_ids(content) if o != content["answer"])}
    if fmt == "multiple_response":
        return {"answer": [o for o in option_ids(content) if o not in content["answer"]][:1]}
    if fmt == "text_entry":
        return {f"{GAP_FIELD}{i + 1}": "xyzzy" for i in range(len(content["gaps"]))}
    raise AssertionError(f"no answer builder for {fmt}")
