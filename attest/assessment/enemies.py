"""Enemy items: a session never delivers two items (or testlets) of one enemy group.

An enemy group names a situation theme (the wijkagent checking an address, calling in sick);
items of one group cue each other or test the same thing twice. The bank gives groups per item
or testlet (``enemies:``); delivery keeps a set of the groups a session has used and draws only
units whose groups are all unused. Pure: no Flask, no database.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import TypeVar

U = TypeVar("U")


def clashes(groups: Iterable[str], used: Collection[str]) -> bool:
    """Return whether any of a unit's groups is already used."""
    return any(g in used for g in groups)


def draw_units(
    rng: random.Random,
    units: Sequence[U],
    k: int,
    groups_of: Callable[[U], Iterable[str]],
    used: set[str],
) -> list[U]:
    """Draw up to ``k`` units at random, skipping any that shares a group with ``used`` or with
    a unit drawn before it; ``used`` is updated with the groups of the units drawn."""
    chosen: list[U] = []
    for unit in rng.sample(list(units), len(units)):
        if len(chosen) == k:
            break
        groups = set(groups_of(unit))
        if clashes(groups, used):
            continue
        chosen.append(unit)
        used |= groups
    return chosen


def enemy_pairs(groups_per_unit: Sequence[Iterable[str]]) -> list[tuple[int, int, str]]:
    """Return (i, j, group) for every two units of a sequence that share a group."""
    first: dict[str, int] = {}
    pairs = []
    for j, groups in enumerate(groups_per_unit):
        for g in sorted(set(groups)):
            if g in first:
                pairs.append((first[g], j, g))
            else:
                first[g] = j
    return pairs
