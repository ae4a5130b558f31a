"""Standard setting with a panel (issue [12] item 1): the computations, plain data in and out.

A panel of judges (panellists) turns its judgements into cut scores on the bank's logit scale,
in rounds with feedback between them (Council of Europe, *Relating Language Examinations to the
CEFR*, 2009, chapter 6: https://rm.coe.int/1680667a2d). Each method here gives one panellist's cut
per level; `summarise_round` gives the panel's cut (the median), its spread and standard error;
`kendalls_w` the agreement between panellists; `familiarisation` a panellist's sort of CEFR
descriptors against the key; `impact` the share of recent candidates at each level under the
proposed cuts.

Methods (all on the Rasch model the bank is calibrated with, `irt.p_correct`):

- **Bookmark** (Lewis, Mitzel & Green 1996; Mitzel, Lewis, Patz & Green 2001): the items are
  ordered by their location at a response probability RP (RP67 by default),
  theta = b + ln(RP / (1 - RP)); a panellist's bookmark names the last page a candidate just at
  the level answers correctly with probability RP, and the cut is that page's location.
- **Modified Angoff** (Angoff 1971): per item, the probability that a candidate just at the level
  answers it correctly; their sum is the expected raw score at the cut, mapped to theta through the
  test characteristic curve.
- **Basket** (the 2009 Manual, section 6.7): per item, the lowest level at which a candidate can
  answer it; the raw cut for a level is the number of items placed at that level or below, mapped
  through the test characteristic curve (the Manual notes the method tends to set severe cuts).
- **Benchmarking** of productive performances (the Manual, chapter 5): each panellist places the
  benchmark performances on levels; a panellist's cut for a level is the score (the mean rubric
  band of a performance) that best separates the performances placed at or above the level from
  those placed below it (fewest misplaced; the middle of the best interval).

Pure: no Flask, no ORM.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from scipy.optimize import brentq
from scipy.stats import spearmanr

from attest.assessment.agreement import quadratic_weighted_kappa
from attest.assessment.cefr import CutScores
from attest.assessment.irt import p_correct
from attest.vocabulary import LEVELS, RESULT_LEVELS

RP_DEFAULT = 0.67
METHODS = ("bookmark", "angoff", "basket", "benchmark")
RECEPTIVE_METHODS = ("bookmark", "angoff", "basket")
PRODUCTIVE_METHODS = ("benchmark",)
THETA_RANGE = (-8.0, 8.0)  # where a raw score is mapped to theta


class StandardSettingError(ValueError):
    """A judgement that cannot give a cut; `code` is stable, the message says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


# --- Bookmark -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BookletPage:
    """One page of the ordered item booklet: the item, its difficulty and its RP location."""

    page: int  # 1 = the easiest
    item_id: str
    difficulty: float
    location: float


def rp_location(difficulty: float, rp: float = RP_DEFAULT) -> float:
    """Return the theta at which the Rasch item is answered correctly with probability `rp`."""
    if not 0.0 < rp < 1.0:
        raise StandardSettingError("bad_rp", f"the response probability must be in (0, 1): {rp}")
    return difficulty + math.log(rp / (1.0 - rp))


def ordered_item_booklet(
    difficulties: Mapping[str, float], rp: float = RP_DEFAULT
) -> tuple[BookletPage, ...]:
    """Return the items ordered by their RP location, easiest first (ties by item id)."""
    ordered = sorted(difficulties.items(), key=lambda pair: (pair[1], pair[0]))
    return tuple(
        BookletPage(page, item_id, float(b), rp_location(float(b), rp))
        for page, (item_id, b) in enumerate(ordered, start=1)
    )


def bookmark_cuts(booklet: Sequence[BookletPage], bookmarks: Mapping[str, int]) -> dict[str, float]:
    """Return one panellist's cut per level from their bookmarks (level -> last page mastered)."""
    _need_levels(bookmarks)
    pages = [int(bookmarks[level]) for level in LEVELS]
    if any(not 1 <= page <= len(booklet) for page in pages):
        raise StandardSettingError(
            "bad_bookmark", f"a bookmark must be a page from 1 to {len(booklet)}: {pages}"
        )
    if pages != sorted(pages):
        raise StandardSettingError(
            "bookmarks_out_of_order", f"the bookmarks must not go back from A1 to B2: {pages}"
        )
    return {level: booklet[page - 1].location for level, page in zip(LEVELS, pages, strict=True)}


# --- Angoff and Basket: raw scores through the test characteristic curve ----------------------


def expected_score(theta: float, difficulties: Sequence[float]) -> float:
    """Return the test characteristic curve at theta: the expected number correct."""
    return float(p_correct(theta, np.asarray(difficulties, dtype=float)).sum())


def theta_for_raw_score(difficulties: Sequence[float], raw: float) -> float:
    """Return the theta whose expected number correct is `raw` (0 < raw < number of items)."""
    n = len(difficulties)
    if not 0.0 < raw < n:
        raise StandardSettingError(
            "raw_out_of_range", f"a raw cut must lie strictly between 0 and {n}: {raw}"
        )
    low, high = THETA_RANGE
    return float(brentq(lambda t: expected_score(t, difficulties) - raw, low, high, xtol=1e-10))


def angoff_cuts(
    difficulties: Mapping[str, float], judgements: Mapping[str, Mapping[str, float]]
) -> dict[str, float]:
    """Return one panellist's cut per level from Angoff judgements (level -> item -> probability
    that a candidate just at the level answers the item correctly)."""
    _need_levels(judgements)
    cuts = {}
    b = [difficulties[item] for item in sorted(difficulties)]
    for level in LEVELS:
        given = judgements[level]
        if set(given) != set(difficulties):
            raise StandardSettingError("items_missing", f"{level}: judge every item once")
        if any(not 0.0 <= float(p) <= 1.0 for p in given.values()):
            raise StandardSettingError("bad_probability", f"{level}: probabilities lie in [0, 1]")
        cuts[level] = theta_for_raw_score(b, sum(float(p) for p in given.values()))
    return _rising(cuts)


def basket_raw_cuts(baskets: Mapping[str, str]) -> dict[str, int]:
    """Return the raw cut per level from one panellist's baskets (item -> lowest level at which a
    candidate answers it): the number of items placed at that level or below."""
    unknown = sorted(set(baskets.values()) - set(LEVELS))
    if unknown:
        raise StandardSettingError("bad_level", f"baskets are levels {LEVELS}: {unknown}")
    return {
        level: sum(LEVELS.index(placed) <= LEVELS.index(level) for placed in baskets.values())
        for level in LEVELS
    }


def basket_cuts(difficulties: Mapping[str, float], baskets: Mapping[str, str]) -> dict[str, float]:
    """Return one panellist's cut per level from their baskets. A raw cut of 0 or of every item
    has no finite theta: it is taken as 0.5 or n - 0.5 (the usual correction for extreme
    scores)."""
    if set(baskets) != set(difficulties):
        raise StandardSettingError("items_missing", "place every item in one basket")
    n = len(difficulties)
    b = [difficulties[item] for item in sorted(difficulties)]
    raw = basket_raw_cuts(baskets)
    return {level: theta_for_raw_score(b, min(max(r, 0.5), n - 0.5)) for level, r in raw.items()}


# --- Benchmarking of productive performances --------------------------------------------------


def benchmark_cuts(
    scores: Mapping[str, float], placements: Mapping[str, str]
) -> dict[str, float | None]:
    """Return one panellist's cut per level from their placements (performance -> level) of
    performances with known scores (performance -> mean rubric band): the threshold that
    misplaces fewest performances (placed at or above the level, or below it); the middle of the
    best interval. None for a level no performance (or every performance) was placed at or above.
    """
    if set(placements) != set(scores):
        raise StandardSettingError("performances_missing", "place every performance once")
    unknown = sorted(set(placements.values()) - set(RESULT_LEVELS))
    if unknown:
        raise StandardSettingError("bad_level", f"placements are levels {RESULT_LEVELS}: {unknown}")
    rank = {level: i for i, level in enumerate(RESULT_LEVELS)}
    values = sorted(set(float(s) for s in scores.values()))
    candidates = (
        [values[0] - 0.5]
        + [(a + b) / 2 for a, b in zip(values, values[1:], strict=False)]
        + [values[-1] + 0.5]
    )
    cuts: dict[str, float | None] = {}
    for level in LEVELS:
        above = {p: rank[placed] >= rank[level] for p, placed in placements.items()}
        if all(above.values()) or not any(above.values()):
            cuts[level] = None
            continue
        errors = [
            sum((float(scores[p]) >= t) != is_above for p, is_above in above.items())
            for t in candidates
        ]
        best = min(errors)
        tied = [t for t, e in zip(candidates, errors, strict=True) if e == best]
        cuts[level] = (tied[0] + tied[-1]) / 2
    return cuts


# --- a round: the panel's cut, spread and agreement -------------------------------------------


@dataclass(frozen=True)
class LevelSummary:
    """The panel's cut for one level in one round."""

    level: str
    n: int
    median: float
    mean: float
    sd: float  # between panellists (n - 1)
    se: float  # sd / sqrt(n): the standard error of the panel's cut
    low: float
    high: float


def summarise_round(cuts: Mapping[str, Mapping[str, float | None]]) -> dict[str, LevelSummary]:
    """Return per level the panel's median and mean cut, SD, SE = SD / sqrt(n) and range, from
    each panellist's cuts (panellist -> level -> cut; a None cut is left out)."""
    out = {}
    for level in LEVELS:
        values = [float(c[level]) for c in cuts.values() if c.get(level) is not None]
        if not values:
            continue
        n = len(values)
        sd = statistics.stdev(values) if n > 1 else 0.0
        out[level] = LevelSummary(
            level=level,
            n=n,
            median=statistics.median(values),
            mean=statistics.fmean(values),
            sd=sd,
            se=sd / math.sqrt(n),
            low=min(values),
            high=max(values),
        )
    return out


def proposed_cuts(summary: Mapping[str, LevelSummary], method: str) -> CutScores:
    """Return the panel's proposed cut scores (the medians), refusing a level without one."""
    missing = [level for level in LEVELS if level not in summary]
    if missing:
        raise StandardSettingError("no_cut", f"the panel set no cut for {', '.join(missing)}")
    return CutScores(_rising({level: summary[level].median for level in LEVELS}), method)


def proposed_band_cuts(
    summary: Mapping[str, LevelSummary], in_force: Mapping[str, float]
) -> CutScores:
    """Return a benchmarking panel's proposed band thresholds: the medians, and for a level the
    panel set no cut for (no benchmark placed on either side of it, e.g. none below A1) the
    threshold in force (`in_force`, the rubric's own until a panel was adopted). Rising."""
    cuts = {
        level: summary[level].median if level in summary else float(in_force[level])
        for level in LEVELS
    }
    return CutScores(_rising(cuts), "benchmark")


def kendalls_w(ratings: Mapping[str, Mapping[str, float]]) -> float | None:
    """Return Kendall's coefficient of concordance W (0 = none, 1 = complete) between panellists
    over the same objects (panellist -> object -> value; e.g. Angoff probabilities, basket or
    benchmark levels as ranks), with the correction for ties (Kendall & Babington Smith 1939).
    None with fewer than 2 panellists or 2 objects, or when every value is tied."""
    judges = list(ratings.values())
    objects = sorted(set().union(*[set(r) for r in judges])) if judges else []
    m, n = len(judges), len(objects)
    if m < 2 or n < 2 or any(set(r) != set(objects) for r in judges):
        return None
    ranks = np.array([_ranks([float(r[o]) for o in objects]) for r in judges])
    totals = ranks.sum(axis=0)
    s = float(((totals - totals.mean()) ** 2).sum())
    ties = sum(_tie_sum([float(r[o]) for o in objects]) for r in judges)
    denominator = m**2 * (n**3 - n) - m * ties
    return None if denominator <= 0 else 12.0 * s / denominator


def level_ranks(placements: Mapping[str, str]) -> dict[str, int]:
    """Return placements on levels as numbers (below_A1 = 0 ... B2 = 4), for kendalls_w."""
    return {key: RESULT_LEVELS.index(level) for key, level in placements.items()}


# --- familiarisation ------------------------------------------------------------------------


@dataclass(frozen=True)
class Familiarisation:
    """A panellist's sort of descriptors against the key."""

    n: int
    exact: float  # share placed at the key's level
    adjacent: float  # share at most one level away
    spearman: float | None  # rank correlation with the key (None when undefined)
    kappa: float | None  # quadratic weighted kappa over the levels


def familiarisation(sort: Mapping[str, str], key: Mapping[str, str]) -> Familiarisation:
    """Return the agreement of a panellist's sort (descriptor -> level) with the key."""
    if set(sort) != set(key):
        raise StandardSettingError("descriptors_missing", "sort every descriptor once")
    unknown = sorted(set(sort.values()) - set(LEVELS))
    if unknown:
        raise StandardSettingError("bad_level", f"descriptors go to levels {LEVELS}: {unknown}")
    ids = sorted(key)
    own = [LEVELS.index(sort[i]) for i in ids]
    right = [LEVELS.index(key[i]) for i in ids]
    rho = None
    if len(set(own)) > 1 and len(set(right)) > 1:
        rho = float(spearmanr(own, right).statistic)
    return Familiarisation(
        n=len(ids),
        exact=sum(a == b for a, b in zip(own, right, strict=True)) / len(ids),
        adjacent=sum(abs(a - b) <= 1 for a, b in zip(own, right, strict=True)) / len(ids),
        spearman=rho,
        kappa=quadratic_weighted_kappa(own, right, categories=len(LEVELS)),
    )


def mean_pairwise_exact(placements: Mapping[str, Mapping[str, str]]) -> float | None:
    """Return the mean share of objects two panellists place at the same level."""
    pairs = list(combinations(placements.values(), 2))
    if not pairs:
        return None
    shares = []
    for a, b in pairs:
        common = set(a) & set(b)
        if common:
            shares.append(sum(a[o] == b[o] for o in common) / len(common))
    return statistics.fmean(shares) if shares else None


# --- impact data ----------------------------------------------------------------------------


def impact(thetas: Sequence[float], cuts: Mapping[str, float]) -> dict[str, float]:
    """Return the share of candidates at each level (below_A1 ... B2) under the cuts."""
    counts = dict.fromkeys(RESULT_LEVELS, 0)
    scale = CutScores(dict(cuts))
    for theta in thetas:
        counts[scale.level_for(float(theta))] += 1
    total = len(thetas)
    return {level: (count / total if total else 0.0) for level, count in counts.items()}


# --- helpers --------------------------------------------------------------------------------


def _need_levels(per_level: Mapping[str, object]) -> None:
    missing = [level for level in LEVELS if level not in per_level]
    if missing:
        raise StandardSettingError("levels_missing", f"a judgement for {', '.join(missing)}")


def _rising(cuts: dict[str, float]) -> dict[str, float]:
    values = [cuts[level] for level in LEVELS]
    if values != sorted(values):
        raise StandardSettingError(
            "cuts_out_of_order", f"the cuts must rise from A1 to B2: {values}"
        )
    return cuts


def _ranks(values: Sequence[float]) -> list[float]:
    """Return the ranks 1..n, ties given their mean rank."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def _tie_sum(values: Sequence[float]) -> int:
    """Return sum(t^3 - t) over the groups of tied values."""
    counts: dict[float, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return sum(t**3 - t for t in counts.values())
