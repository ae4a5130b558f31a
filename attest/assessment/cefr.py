"""The CEFR scale on the logit scale: estimate -> level, level probabilities, uncertainty.

The levels are `attest.vocabulary`; the cuts in force are `attest.assessment.cut_scores`."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# LEVELS, BELOW_A1 and level_range are defined in attest.vocabulary; they stay importable from
# here for callers not moved yet (delivery), new code imports the vocabulary.
from attest.vocabulary import BELOW_A1, LEVELS, RESULT_LEVELS, level_range  # noqa: F401


@dataclass(frozen=True)
class CutScores:
    """Cut scores for one skill; `cuts` maps a level to the lowest theta that reaches it.

    `version` is the cut-score store's version they come from (None: made up, e.g. in a test)."""

    cuts: dict[str, float]
    method: str = "provisional"
    version: str | None = None

    def level_for(self, theta: float, ceiling: str | None = None) -> str:
        """Return the highest level whose cut is <= theta, capped at ceiling (BELOW_A1 if none)."""
        reached = BELOW_A1
        for level in LEVELS:
            if theta >= self.cuts[level]:
                reached = level
            if level == ceiling:
                break
        return reached


# --- level probabilities (issue [4]) -------------------------------------------------------

CONFIDENT = 0.80  # below this probability of the most likely level, a result is flagged


@dataclass(frozen=True)
class LevelCall:
    """The most likely level, its probability, and whether it is too uncertain to state bare."""

    level: str
    probability: float
    probabilities: dict[str, float]
    is_uncertain: bool


def level_probabilities(
    theta: float, se: float, cuts: CutScores | Mapping[str, float]
) -> dict[str, float]:
    """Return P(level) for BELOW_A1 and A1..B2 from a normal approximation N(theta, se^2).

    The normal approximation to the posterior (asymptotic normality of the EAP/ML estimate, Lord
    1980) is used so the result follows from the two stored numbers; for a short test the EAP
    posterior itself is skewed and `level_probabilities_from_posterior` is the closer figure.
    """
    values = cuts.cuts if isinstance(cuts, CutScores) else cuts
    bounds = [-math.inf] + [values[level] for level in LEVELS] + [math.inf]
    cdf = [_normal_cdf((b - theta) / se) if se > 0 else float(b > theta) for b in bounds]
    names = RESULT_LEVELS
    return {name: max(hi - lo, 0.0) for name, lo, hi in zip(names, cdf, cdf[1:], strict=False)}


def level_probabilities_from_posterior(
    grid: Sequence[float], weights: Sequence[float], cuts: CutScores | Mapping[str, float]
) -> dict[str, float]:
    """Return P(level) by summing EAP posterior weights on a quadrature grid per level interval."""
    cut_scores = cuts if isinstance(cuts, CutScores) else CutScores(dict(cuts))
    out = dict.fromkeys(RESULT_LEVELS, 0.0)
    for point, weight in zip(grid, weights, strict=True):
        out[cut_scores.level_for(float(point))] += float(weight)
    return out


def most_likely_level(
    probabilities: Mapping[str, float], threshold: float = CONFIDENT
) -> LevelCall:
    """Return the most likely level, flagged uncertain when its probability is below threshold."""
    level = max(probabilities, key=probabilities.__getitem__)
    p = probabilities[level]
    return LevelCall(level, p, dict(probabilities), is_uncertain=p < threshold)


def fold_above(probabilities: Mapping[str, float], ceiling: str) -> dict[str, float]:
    """Fold the probability of levels above a test's ceiling into the ceiling level."""
    names = RESULT_LEVELS
    top = names.index(ceiling)
    folded = {name: float(probabilities.get(name, 0.0)) for name in names[: top + 1]}
    folded[ceiling] += sum(float(probabilities.get(name, 0.0)) for name in names[top + 1 :])
    return folded


def _normal_cdf(z: float) -> float:
    return 0.5 * math.erfc(-z / math.sqrt(2.0))
