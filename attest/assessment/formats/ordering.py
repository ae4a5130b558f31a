"""Ordering: put 3 to 6 fragments (steps, sentences of a message) in the right order.

``fragments`` are listed in the order the candidate sees them; their ids are their letters by
position (a, b, c, ...). ``answer`` lists all ids in the correct order, and must differ from the
order shown. The kiosk gives each fragment a position number: form fields ``order_a``,
``order_b``, ... hold 1..n, and the parsed response is the list of ids in the candidate's order.
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
    scoring_problems,
    shuffle_problems,
    single_value,
)
from attest.assessment.formats.key_checks import letter, repeats, same_text

ORDER_FIELD = "order_"
MIN_FRAGMENTS, MAX_FRAGMENTS = 3, 6


def fragment_ids(content: Mapping[str, Any]) -> list[str]:
    """Return the ids of the item's fragments: a, b, c, ... by position."""
    fragments = content.get("fragments")
    return list(string.ascii_lowercase[: len(fragments)]) if isinstance(fragments, list) else []


def adjacent_pairs_right(key: list[str], order: list[str]) -> tuple[int, int]:
    """Return (pairs of the key's neighbours kept in ``order``, pairs in the key).

    A pair counts when fragment y directly follows fragment x in both orders, so one fragment
    moved to a wrong place costs at most two pairs, whatever the length.
    """
    wanted = set(zip(key, key[1:], strict=False))
    kept = set(zip(order, order[1:], strict=False)) & wanted
    return len(kept), len(wanted)


class Ordering(ItemFormat):
    """Put fragments in order; ``answer`` is the list of fragment ids in the correct order.

    Scoring (``scoring`` field): ``all_or_nothing`` (default) gives 1 only for exactly the keyed
    order; ``partial`` gives the proportion of the key's adjacent pairs (n - 1 of them) that
    the candidate's order keeps, e.g. key a b c d, response b c d a: (b, c) and (c, d) of three
    pairs, 2/3. An empty response scores 0.
    """

    name = "ordering"

    required_fields = frozenset({"fragments", "answer"})
    optional_fields = frozenset({"scoring", "shuffle"})
    shuffle_field = "fragments"
    lint_gates = frozenset({"diagonal-key"})
    qti_interaction = "qti-order-interaction"

    @classmethod
    def validate(cls, content: Mapping[str, Any]) -> list[str]:
        fragments = content.get("fragments")
        if not (isinstance(fragments, list) and MIN_FRAGMENTS <= len(fragments) <= MAX_FRAGMENTS):
            count = len(fragments) if isinstance(fragments, list) else repr(fragments)
            return [
                f"fragments: expected a list of {MIN_FRAGMENTS} to {MAX_FRAGMENTS} texts; "
                f"got {count}"
            ]
        errors = [
            f"fragments[{i}]: expected a non-empty text, got {f!r}"
            for i, f in enumerate(fragments)
            if not (isinstance(f, str) and f.strip())
        ]
        folded = [str(f).strip().casefold() for f in fragments]
        if len(set(folded)) != len(folded):
            errors.append("fragments: expected distinct fragments")
        ids, answer = fragment_ids(content), content.get("answer")
        if not (isinstance(answer, list) and sorted(map(str, answer)) == ids):
            errors.append(
                f"answer: expected every fragment id once, in the correct order "
                f"(a permutation of {', '.join(ids)}); got {answer!r}"
            )
        elif answer == ids:
            errors.append(
                "answer: expected the fragments to be listed in another order than the answer "
                "(the kiosk shows them as listed)"
            )
        errors += scoring_problems(content) + shuffle_problems(content)
        return errors

    @classmethod
    def render_data(cls, content: Mapping[str, Any]) -> dict[str, Any]:
        fragments = [
            {"id": fid, "field": ORDER_FIELD + fid, "text": text}
            for fid, text in zip(fragment_ids(content), content["fragments"], strict=True)
        ]
        return {
            **super().render_data(content),
            "fragments": fragments,
            "positions": list(range(1, len(fragments) + 1)),
        }

    @classmethod
    def parse_response(
        cls, raw: RawResponse, content: Mapping[str, Any] | None = None
    ) -> list[str]:
        """Return the fragment ids in the candidate's order, or [] when nothing was placed.

        Every fragment needs its own position 1..n once any position is given; a half-filled
        or doubled order is an error the candidate must correct.
        """
        known = fragment_ids(content) if content is not None else None
        positions: dict[str, int] = {}
        for key in raw:
            if not key.startswith(ORDER_FIELD):
                continue  # other form fields (csrf token, buttons) are not part of the answer
            fid = key[len(ORDER_FIELD) :]
            valid = known if known is not None else list(string.ascii_lowercase)
            if fid not in valid:
                raise ResponseError(f"{key}: this item has no such fragment")
            value = single_value(raw, key)
            if value is None:
                continue
            value = value.strip()
            if not value.isdigit():
                raise ResponseError(f"{key}: expected a position number; got {value!r}")
            positions[fid] = int(value)
        if not positions:
            return []
        count = len(known) if known is not None else len(positions)
        if known is not None and len(positions) != count:
            raise ResponseError(f"order: give every fragment a position from 1 to {count}")
        if sorted(positions.values()) != list(range(1, count + 1)):
            raise ResponseError(f"order: expected each position from 1 to {count} once")
        return sorted(positions, key=positions.__getitem__)

    @classmethod
    def score(cls, content: Mapping[str, Any], response: Any) -> float:
        order, key = list(response or []), list(content["answer"])
        if not order:
            return 0.0
        if content.get("scoring", "all_or_nothing") == "all_or_nothing":
            return 1.0 if order == key else 0.0
        kept, total = adjacent_pairs_right(key, order)
        return kept / total

    @classmethod
    def key_issues(cls, content: Mapping[str, Any]) -> list[KeyIssue]:
        """Fragments that read alike: either order of them is right, but one is keyed."""
        issues: list[KeyIssue] = []
        for i, j in repeats([same_text(f) for f in content["fragments"]]):
            message = (
                f"fragments {letter(j)} and {letter(i)} read the same, so either order of them "
                "is right but only one is keyed; make every fragment different"
            )
            issues.append(("ambiguous-key", f"fragments[{i}]", message))
        return issues

    @classmethod
    def diagonal(cls, content: Mapping[str, Any], order: list[str]) -> list[int]:
        """A fragment is shown at its place in the key."""
        key = list(content.get("answer", []))
        return [i for i, fid in enumerate(order) if i < len(key) and key[i] == fid]

    @classmethod
    def shown_order_fits(cls, content: Mapping[str, Any], order: list[str]) -> bool:
        """No fragment at its place in the key, and not the bank order either."""
        return not cls.diagonal(content, order) and order != fragment_ids(content)
