"""CEFR levels and cut scores on the logit scale; estimate -> level and level probabilities."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

LEVELS = ("A1", "A2", "B1", "B2")
BELOW_A1 = "below_A1"

# Provisional cut scores (theta at which a level starts), the same for listening and reading
# until a standard-setting panel sets them (issue [4]). They sit one logit below the middle of
# each level's item difficulty band, so a candidate at a cut answers a typical item of that level
# correctly about 27% of the time by the Rasch model and the band's easiest items with ~50%.
PROVISIONAL_CUTS: dict[str, float] = {"A1": -2.5, "A2": -0.75, "B1": 0.75, "B2": 2.25}


@dataclass(frozen=True)
class CutScores:
    """Cut scores for one skill; `cuts` maps a level to the lowest theta that reaches it."""

    cuts: dict[str, float]
    method: str = "provisional"

    def level_for(self, theta: float, ceiling: str | None = None) -> str:
        """Return the highest level whose cut is <= theta, capped at ceiling (BELOW_A1 if none)."""
        reached = BELOW_A1
        for level in LEVELS:
            if theta >= self.cuts[level]:
                reached = level
            if level == ceiling:
                break
        return reached


def provisional_cut_scores() -> CutScores:
    """Return the provisional cut scores used before standard setting."""
    return CutScores(dict(PROVISIONAL_CUTS), method="provisional (item difficulty bands)")


def level_range(lowest: str, highest: str) -> tuple[str, ...]:
    """Return the levels from lowest to highest inclusive."""
    i, j = LEVELS.index(lowest), LEVELS.index(highest)
    return LEVELS[i : j + 1]


# --- cut scores as data, and level probabilities (issue [4]) -------------------------------------

CUT_SCORES_FILE = Path(__file__).with_name("data") / "cut_scores.yaml"
CONFIDENT = 0.80  # below this probability of the most likely level, a result is flagged


@dataclass(frozen=True)
class CutScoreRecord:
    """Cut scores of one skill with how, when and by whom they were set."""

    skill: str
    cut_scores: CutScores
    status: str  # "provisional" until a standard-setting panel has set them
    date: str | None
    panel: str | None

    @property
    def is_provisional(self) -> bool:
        """Return whether the cuts still await standard setting."""
        return self.status != "final"


@dataclass(frozen=True)
class LevelCall:
    """The most likely level, its probability, and whether it is too uncertain to state bare."""

    level: str
    probability: float
    probabilities: dict[str, float]
    is_uncertain: bool


@lru_cache(maxsize=4)  # a data file of the package: read once per process
def load_cut_scores(path: Path = CUT_SCORES_FILE) -> dict[str, CutScoreRecord]:
    """Load every skill's cut scores and standard-setting record from the YAML data file."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    records = {}
    for skill, entry in data.items():
        cuts = {level: float(entry["cuts"][level]) for level in LEVELS}
        if list(cuts.values()) != sorted(cuts.values()):
            raise ValueError(f"cut scores for {skill} must rise from A1 to B2: {cuts}")
        record = entry.get("record") or {}
        date = record.get("date")
        records[skill] = CutScoreRecord(
            skill=skill,
            cut_scores=CutScores(cuts, method=str(record.get("method", "unknown"))),
            status=str(entry.get("status", "provisional")),
            date=None if date is None else str(date),
            panel=record.get("panel"),
        )
    return records


def cut_scores_for(skill: str, path: Path = CUT_SCORES_FILE) -> CutScores:
    """Return the cut scores of one skill (KeyError if the skill has none)."""
    return load_cut_scores(path)[skill].cut_scores


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
    names = (BELOW_A1,) + LEVELS
    return {name: max(hi - lo, 0.0) for name, lo, hi in zip(names, cdf, cdf[1:], strict=False)}


def level_probabilities_from_posterior(
    grid: Sequence[float], weights: Sequence[float], cuts: CutScores | Mapping[str, float]
) -> dict[str, float]:
    """Return P(level) by summing EAP posterior weights on a quadrature grid per level interval."""
    cut_scores = cuts if isinstance(cuts, CutScores) else CutScores(dict(cuts))
    out = dict.fromkeys((BELOW_A1,) + LEVELS, 0.0)
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
    names = (BELOW_A1,) + LEVELS
    top = names.index(ceiling)
    folded = {name: float(probabilities.get(name, 0.0)) for name in names[: top + 1]}
    folded[ceiling] += sum(float(probabilities.get(name, 0.0)) for name in names[top + 1 :])
    return folded


def _normal_cdf(z: float) -> float:
    return 0.5 * math.erfc(-z / math.sqrt(2.0))
