"""Agreement between examiners: exact and adjacent agreement, quadratic weighted kappa,
severity, the bounds that flag an examiner, and the calibration check.

All statistics take paired criterion bands (the examiner's, and the other rater's or the
benchmark's agreed band) on the 0..4 band scale.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

CATEGORIES = 5  # bands 0..4


@dataclass(frozen=True)
class Agreement:
    n: int
    exact: float | None
    adjacent: float | None
    kappa: float | None
    severity: float | None  # mean of (own - other): > 0 is lenient, < 0 is severe


def exact_agreement(own: Sequence[float], other: Sequence[float]) -> float | None:
    """Return the share of pairs with the same band."""
    return sum(a == b for a, b in zip(own, other, strict=True)) / len(own) if own else None


def adjacent_agreement(own: Sequence[float], other: Sequence[float]) -> float | None:
    """Return the share of pairs at most one band apart."""
    return sum(abs(a - b) <= 1 for a, b in zip(own, other, strict=True)) / len(own) if own else None


def severity(own: Sequence[float], other: Sequence[float]) -> float | None:
    """Return the mean signed difference own - other (negative: the examiner is severe)."""
    return sum(a - b for a, b in zip(own, other, strict=True)) / len(own) if own else None


def quadratic_weighted_kappa(
    own: Sequence[int], other: Sequence[int], categories: int = CATEGORIES
) -> float | None:
    """Return Cohen's kappa with quadratic weights (Cohen 1968), None when undefined.

    kappa = 1 - sum(w * O) / sum(w * E), w_ij = (i - j)^2, O the observed pair counts and E the
    counts expected from the two raters' marginals (Fleiss & Cohen 1973)."""
    n = len(own)
    if n == 0:
        return None
    observed = [[0.0] * categories for _ in range(categories)]
    for a, b in zip(own, other, strict=True):
        observed[int(a)][int(b)] += 1
    rows = [sum(r) for r in observed]
    cols = [sum(observed[i][j] for i in range(categories)) for j in range(categories)]
    num = den = 0.0
    for i in range(categories):
        for j in range(categories):
            weight = (i - j) ** 2
            num += weight * observed[i][j]
            den += weight * rows[i] * cols[j] / n
    if den == 0:
        return None
    return 1.0 - num / den


def agreement(own: Sequence[int], other: Sequence[int]) -> Agreement:
    """Return all agreement statistics of paired bands."""
    return Agreement(
        n=len(own),
        exact=exact_agreement(own, other),
        adjacent=adjacent_agreement(own, other),
        kappa=quadratic_weighted_kappa(own, other),
        severity=severity(own, other),
    )


def flags(stats: Agreement, bounds: Mapping[str, float]) -> list[str]:
    """Return the bounds an examiner falls outside ('exact', 'adjacent', 'kappa', 'severity').

    Nothing is flagged before `min_pairs` pairs: a handful of ratings says little."""
    if stats.n < bounds["min_pairs"]:
        return []
    out = []
    if stats.exact is not None and stats.exact < bounds["exact_min"]:
        out.append("exact")
    if stats.adjacent is not None and stats.adjacent < bounds["adjacent_min"]:
        out.append("adjacent")
    if stats.kappa is not None and stats.kappa < bounds["kappa_min"]:
        out.append("kappa")
    if stats.severity is not None and abs(stats.severity) > bounds["severity_max"]:
        out.append("severity")
    return out


@dataclass(frozen=True)
class CalibrationScore:
    """One calibration performance: the examiner's rating against the agreed one."""

    bands: Mapping[str, int]
    agreed_bands: Mapping[str, int]
    level: str
    agreed_level: str


@dataclass(frozen=True)
class CalibrationOutcome:
    passed: bool
    level_exact: float
    worst_band_difference: int


def calibration_outcome(
    scores: Sequence[CalibrationScore], tolerance: Mapping[str, float]
) -> CalibrationOutcome:
    """Judge a calibration set: pass when the level matches the agreed level often enough and no
    criterion is further than `max_band_difference` bands from the agreed band."""
    if not scores:
        return CalibrationOutcome(False, 0.0, 0)
    exact = sum(s.level == s.agreed_level for s in scores) / len(scores)
    worst = max(
        abs(s.bands.get(code, 0) - band) for s in scores for code, band in s.agreed_bands.items()
    )
    passed = exact >= tolerance["level_exact_min"] and worst <= tolerance["max_band_difference"]
    return CalibrationOutcome(passed, exact, int(worst))
