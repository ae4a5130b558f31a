"""What the bank lint's key checks of several formats share: texts that read alike.

A format's ``key_issues`` (see ``base.ItemFormat``) finds a key that is legal but ambiguous;
``lint.py`` turns its (code, field path, message) tuples into findings with files and lines.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from attest.assessment.formats.base import KeyIssue
from attest.assessment.formats.text_entry import normalize_answer


def same_text(text: Any) -> str:
    """Fold an option for comparison: as typed answers are (case, spaces, quotes), no end stop."""
    return normalize_answer(str(text)).strip(" .,;:!?\"'")


def repeats(keys: Sequence[Any]) -> Iterator[tuple[int, int]]:
    """Yield (index, index of its first equal) for every element equal to an earlier one."""
    first: dict[Any, int] = {}
    for i, key in enumerate(keys):
        if key in first:
            yield i, first[key]
        first.setdefault(key, i)


def letter(i: int) -> str:
    """Return the id of the option at position ``i``: a, b, c, ..."""
    return "abcdefghijklmnopqrstuvwxyz"[i]


def _option_key(option: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(same_text(option[k]) if k == "text" else str(option[k]) for k in sorted(option))


def option_issues(options: list[Mapping[str, Any]], keyed: set[str]) -> list[KeyIssue]:
    """Find options that read alike; alike with the key (and not keyed too) is ambiguous."""
    issues: list[KeyIssue] = []
    for i, j in repeats([_option_key(o) for o in options]):
        if (letter(i) in keyed) != (letter(j) in keyed):
            key, other = (j, i) if letter(j) in keyed else (i, j)
            shown = options[key].get("text", options[key].get("image"))
            message = (
                f"option {letter(other)} reads the same as the keyed option {letter(key)} "
                f"({shown!r}); make the key the only right answer"
            )
            issues.append(("ambiguous-key", f"options[{other}]", message))
        else:
            shown = options[j].get("text", options[j].get("image"))
            message = (
                f"option {letter(i)} reads the same as option {letter(j)} ({shown!r}) "
                "ignoring case, spaces and end punctuation; make every option different"
            )
            issues.append(("duplicate-option", f"options[{i}]", message))
    return issues
