"""Decision quality per test purpose: for each receptive section and each cut the purpose decides.

A linear section draws `items_per_level` scoring units (a testlet counts once, at its mean
difficulty, as delivery scores it) of each level in range at random from the live bank. Its
Rudner figure uses the expected test information over those draws (k times the mean information
of the level's units, per level); its exact figure (Lee 2010) scores a representative form, the k
units at evenly spaced quantiles of each level's difficulties, with delivery's EAP. The lower of
the two is the section's accuracy. An adaptive section is bounded by the `max_items` most
informative live units at each ability (`decision_accuracy.best_items_standard_error`): an upper
bound on what the engine reaches; benchmarks/cat_simulation.py gives the simulated figures.
Speaking and writing are rated by examiners and not covered here (see the rating agreement).

Pure: difficulties come in as plain numbers, keyed by skill and level.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from attest.assessment import irt
from attest.assessment.decision_accuracy import (
    BAR,
    DecisionQuality,
    best_items_standard_error,
    marginal_reliability,
    rudner_quality,
    summed_score_quality,
)
from attest.assessment.purposes import Purpose, Section
from attest.vocabulary import RECEPTIVE, level_range

# The population when no calibration data says otherwise: delivery's prior, N(0, 1.5).
DEFAULT_POPULATION = irt.DEFAULT_PRIOR

UnitDifficulties = Mapping[str, Mapping[str, Sequence[float]]]  # skill -> level -> units


@dataclass(frozen=True)
class SectionDecision:
    """Decision quality of one receptive section at one decided level's cut."""

    purpose: str
    skill: str
    mode: str
    level: str
    items: int  # scoring units of a linear form; max_items of an adaptive section
    rudner: DecisionQuality
    exact: DecisionQuality | None  # linear forms only
    # the standard error of measurement at the cut (logits) and the marginal reliability over the
    # population, from the same test information as the Rudner figure (None: not computed)
    se_at_cut: float | None = None
    reliability: float | None = None

    @property
    def accuracy(self) -> float:
        """Return the accuracy that counts: the lower figure where two are known."""
        return min(self.rudner.accuracy, self.exact.accuracy if self.exact else 1.0)

    @property
    def consistency(self) -> float:
        """Return the consistency that counts: the lower figure where two are known."""
        return min(self.rudner.consistency, self.exact.consistency if self.exact else 1.0)

    @property
    def meets_bar(self) -> bool:
        """Tell whether the accuracy reaches the bar for a live purpose (0.90)."""
        return self.accuracy >= BAR


def representative_form(difficulties: Sequence[float], count: int) -> list[float]:
    """Return `count` of a level's unit difficulties at the quantiles (i + 0.5) / count."""
    ordered = sorted(float(d) for d in difficulties)
    if count >= len(ordered):
        return ordered
    return [float(np.quantile(ordered, (i + 0.5) / count)) for i in range(count)]


def _expected_standard_error(units: Mapping[str, Sequence[float]], count: int, levels):
    def se(theta: np.ndarray) -> np.ndarray:
        total = np.zeros_like(theta)
        for level in levels:
            b = np.asarray(units.get(level, ()), dtype=float)
            if b.size:
                mean_info = irt.info_2pl(theta, np.ones_like(b), b).mean(axis=-1)
                total = total + min(count, b.size) * mean_info
        return 1.0 / np.sqrt(total)

    return se


def section_decision(
    purpose: Purpose,
    section: Section,
    level: str,
    cut: float,
    units: Mapping[str, Sequence[float]],
    population: tuple[float, float] = DEFAULT_POPULATION,
) -> SectionDecision:
    """Return the decision quality of one receptive section at one level's cut."""
    mean, sd = population
    if section.is_adaptive:
        pool = [d for level_units in units.values() for d in level_units]
        length = int(section.cat.get("max_items", 40))
        if not pool:
            raise ValueError(f"{purpose.code}: no live items for {section.skill}")
        se = best_items_standard_error(pool, length)
        rudner = rudner_quality(cut, se, mean, sd)
        return SectionDecision(
            purpose.code,
            section.skill,
            "adaptive",
            level,
            length,
            rudner,
            None,
            *_precision(se, cut, mean, sd),
        )
    levels = level_range(purpose.lowest_level, purpose.target_level)
    form = [
        d for lv in levels for d in representative_form(units.get(lv, ()), section.items_per_level)
    ]
    if not form:
        raise ValueError(f"{purpose.code}: no live items for {section.skill}")
    se = _expected_standard_error(units, section.items_per_level, levels)
    rudner = rudner_quality(cut, se, mean, sd)
    exact = summed_score_quality(cut, form, mean, sd)
    return SectionDecision(
        purpose.code,
        section.skill,
        "linear",
        level,
        len(form),
        rudner,
        exact,
        *_precision(se, cut, mean, sd),
    )


def _precision(se, cut: float, mean: float, sd: float) -> tuple[float, float]:
    at_cut = float(np.ravel(se(np.array([float(cut)])))[0])
    return at_cut, marginal_reliability(se, mean, sd)


def purpose_decisions(
    purpose: Purpose,
    cuts: Mapping[str, Mapping[str, float]],
    units: UnitDifficulties,
    population: tuple[float, float] = DEFAULT_POPULATION,
) -> list[SectionDecision]:
    """Return the decision quality of every receptive section at every cut the purpose decides."""
    return [
        section_decision(
            purpose, section, level, cuts[section.skill][level], units[section.skill], population
        )
        for section in purpose.sections
        if section.skill in RECEPTIVE
        for level in purpose.decision_levels
    ]


def live_problems(purpose: Purpose, decisions: Sequence[SectionDecision]) -> list[str]:
    """Return why a live purpose may not be live (accuracy under the bar); [] when all is well."""
    if not purpose.is_live:
        return []
    return [
        f"{purpose.code}: {d.skill} at the {d.level} cut reaches accuracy {d.accuracy:.3f} "
        f"< {BAR:.2f}; make the form longer or adaptive, or mark the purpose draft"
        for d in decisions
        if not d.meets_bar
    ]


@dataclass(frozen=True)
class PurposeQuality:
    """One purpose's decisions and, for a live purpose, why it may not be live."""

    purpose: Purpose
    decisions: tuple[SectionDecision, ...]
    problems: tuple[str, ...]


def quality_table(
    purposes: Sequence[Purpose],
    cuts: Mapping[str, Mapping[str, float]],
    units: UnitDifficulties,
    population: tuple[float, float] = DEFAULT_POPULATION,
) -> list[PurposeQuality]:
    """Return the decision quality of every purpose, in the given order."""
    table = []
    for purpose in purposes:
        decisions = tuple(purpose_decisions(purpose, cuts, units, population))
        table.append(PurposeQuality(purpose, decisions, tuple(live_problems(purpose, decisions))))
    return table


def unit_difficulties(items: Sequence[tuple[str, str, str, float]]) -> dict:
    """Return skill -> level -> unit difficulties from (skill, level, unit id, difficulty) rows:
    the items of one unit (a testlet) count once, at their mean difficulty, as delivery scores
    them (delivery._units_for_scoring)."""
    grouped: dict[tuple[str, str, str], list[float]] = {}
    for skill, level, unit, difficulty in items:
        grouped.setdefault((skill, level, unit), []).append(float(difficulty))
    out: dict[str, dict[str, list[float]]] = {}
    for (skill, level, _unit), ds in grouped.items():
        out.setdefault(skill, {}).setdefault(level, []).append(sum(ds) / len(ds))
    return out
