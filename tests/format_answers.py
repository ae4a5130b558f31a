"""Build kiosk form data that answers an item right or wrong, for every item format.

``correct_answer`` gives the keyed answer (score max_score); ``wrong_answer`` a well-formed answer
that scores 0. For the examiner-scored formats (extended_text, audio_response), which the machine
never scores, both give a well-formed response: ``correct_answer`` one that meets the task's
word range (a text) or names a recording, ``wrong_answer`` a text below ``min_words`` or another
recording. The three original formats give the same output as ``tests/answers.py``.
"""

from __future__ import annotations

from typing import Any, Mapping

from attest.assessment.formats.choice import option_ids
from attest.assessment.formats.inline_choice import CHOICE_FIELD
from attest.assessment.formats.matching import MATCH_FIELD
from attest.assessment.formats.ordering import ORDER_FIELD
from attest.assessment.formats.productive import RECORDING_FIELD, TEXT_FIELD
from attest.assessment.formats.text_entry import GAP_FIELD, variants

FILLER = "woord"


def _text(words: int) -> str:
    return " ".join([FILLER] * words)


def _inline_keys(content: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
    """Return (key id, all ids) per inline_choice gap."""
    result = []
    for gap in content["gaps"]:
        ids = [chr(ord("a") + i) for i in range(len(gap["options"]))]
        result.append((ids[[str(o) for o in gap["options"]].index(str(gap["answer"]))], ids))
    return result


def _positions(order: list[str]) -> dict[str, str]:
    return {f"{ORDER_FIELD}{fid}": str(n) for n, fid in enumerate(order, 1)}


def correct_answer(fmt: str, content: Mapping[str, Any]) -> dict[str, Any]:
    """Return form fields with the keyed answer."""
    if fmt == "single_choice":
        return {"answer": content["answer"]}
    if fmt == "multiple_response":
        return {"answer": list(content["answer"])}
    if fmt == "text_entry":
        return {
            f"{GAP_FIELD}{i + 1}": max(variants(gap), key=lambda v: v.score).text
            for i, gap in enumerate(content["gaps"])
        }
    if fmt == "inline_choice":
        return {f"{CHOICE_FIELD}{i + 1}": key for i, (key, _) in enumerate(_inline_keys(content))}
    if fmt == "matching":
        return {f"{MATCH_FIELD}{i + 1}": p["answer"] for i, p in enumerate(content["prompts"])}
    if fmt == "ordering":
        return _positions(list(content["answer"]))
    if fmt == "extended_text":
        low, high = content["min_words"], content["max_words"]
        return {TEXT_FIELD: _text((low + high) // 2)}
    if fmt == "audio_response":
        return {RECORDING_FIELD: "rec-test-0001"}
    if fmt == "speaking_conversation":
        return {RECORDING_FIELD: [f"rec-test-{n:04d}" for n in range(1, len(content["turns"]) + 1)]}
    raise AssertionError(f"no answer builder for {fmt}")


def wrong_answer(fmt: str, content: Mapping[str, Any]) -> dict[str, Any]:
    """Return form fields with a wrong but well-formed answer."""
    if fmt == "single_choice":
        return {"answer": next(o for o in option_ids(content) if o != content["answer"])}
    if fmt == "multiple_response":
        return {"answer": [o for o in option_ids(content) if o not in content["answer"]][:1]}
    if fmt == "text_entry":
        return {f"{GAP_FIELD}{i + 1}": "xyzzy" for i in range(len(content["gaps"]))}
    if fmt == "inline_choice":
        return {
            f"{CHOICE_FIELD}{i + 1}": next(o for o in ids if o != key)
            for i, (key, ids) in enumerate(_inline_keys(content))
        }
    if fmt == "matching":
        # Each prompt gets the key of the next prompt (or, alone, a distractor): all wrong.
        keys = [p["answer"] for p in content["prompts"]]
        spare = [o for o in option_ids(content) if o not in keys]
        shifted = keys[1:] + keys[:1] if len(keys) > 1 else spare[:1]
        return {f"{MATCH_FIELD}{i + 1}": o for i, o in enumerate(shifted)}
    if fmt == "ordering":
        # Reversed key: no adjacent pair of the key survives, so even partial scoring gives 0.
        return _positions(list(reversed(content["answer"])))
    if fmt == "extended_text":
        return {TEXT_FIELD: _text(max(1, content["min_words"] // 2))}
    if fmt == "audio_response":
        return {RECORDING_FIELD: "rec-test-0002"}
    raise AssertionError(f"no answer builder for {fmt}")
