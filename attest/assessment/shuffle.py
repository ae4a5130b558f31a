"""Per-candidate order of the options (or fragments) an item shows.

The order is drawn from a seed made of the session and the item, so the same candidate sees the
same order on every reload, and it is stored with the session item so that review, examiners,
appeals and exports show exactly what the candidate saw. Responses and keys hold option ids
(a, b, c, ... by bank position), never display positions, so scoring is unchanged by the order.

An item keeps its bank order when it says so (``shuffle: false``: numbers, times, sequences).
Which field a format shuffles, and which orders it refuses, is the format's (``shuffle_field``,
``shown_order_fits``): matching and ordering items are drawn so that no key sits on the
diagonal (the option shown at place i is never the key of prompt i; no fragment is shown at its
place in the key). Pure: no Flask, no database.
"""

from __future__ import annotations

import hashlib
import random
import string
from collections.abc import Mapping
from typing import Any

from attest.assessment.formats import FORMATS, get_format

# The fields that any format shows in a per-candidate order (options, fragments).
SHUFFLED_FIELDS = frozenset(f.shuffle_field for f in FORMATS.values() if f.shuffle_field)
MAX_DRAWS = 200  # for small lists an off-diagonal order is always found long before this


def is_shuffled(fmt: str, content: Mapping[str, Any]) -> bool:
    """Return whether this item's options are shown in a per-candidate order."""
    field = get_format(fmt).shuffle_field
    return field is not None and content.get("shuffle", True) is not False


def seed_for(session_id: int, item_id: str) -> int:
    """Return the seed of one item in one session (stable across processes and reloads)."""
    digest = hashlib.sha256(f"attest-shuffle:{session_id}:{item_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def diagonal(fmt: str, content: Mapping[str, Any], order: list[str]) -> list[int]:
    """Return the display places (0-based) at which a key sits on the diagonal."""
    return get_format(fmt).diagonal(content, order)


def display_order(fmt: str, content: Mapping[str, Any], seed: int) -> dict[str, list[str]] | None:
    """Return {field: ids in the order shown} for a shuffled item, None for bank order."""
    if not is_shuffled(fmt, content):
        return None
    item_format = get_format(fmt)
    field = item_format.shuffle_field or ""
    ids = list(string.ascii_lowercase[: len(content.get(field) or [])])
    rng = random.Random(seed)
    order = ids[:]
    for _ in range(MAX_DRAWS):
        rng.shuffle(order)
        if item_format.shown_order_fits(content, order):
            break
    return {field: order}


def apply_order(data: dict[str, Any], order: Mapping[str, list[str]] | None) -> dict[str, Any]:
    """Return render data with its options (or fragments) in the stored order.

    ``data`` is a format's ``render_data``: a list of mappings with an ``id`` per option. None
    (items planned before shuffling, or ``shuffle: false``) keeps the bank order. Each shown
    entry gets a ``label``, the letter of its place on screen (the ``id`` stays what is posted
    and scored), so a shuffled list still reads A, B, C.
    """
    out = dict(data)
    for field in SHUFFLED_FIELDS:
        shown = data.get(field)
        if not isinstance(shown, list):
            continue
        ids = (order or {}).get(field)
        if ids is not None:
            by_id = {entry["id"]: entry for entry in shown}
            if sorted(by_id) != sorted(ids):
                raise ValueError(f"stored order {ids} does not match the item's {field}")
            shown = [by_id[i] for i in ids]
        out[field] = [
            {**entry, "label": letter}
            for entry, letter in zip(shown, string.ascii_lowercase, strict=False)
        ]
    return out
