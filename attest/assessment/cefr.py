"""CEFR levels and provisional cut scores on the logit scale; estimate -> level."""
from __future__ import annotations

from dataclasses import dataclass

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
