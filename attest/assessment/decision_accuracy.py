"""Decision quality at a cut score: classification accuracy and consistency from IRT.

Rudner's method (Rudner 2001, 2005, "Expected classification accuracy", Practical Assessment,
Research & Evaluation 10(13)): for a true ability theta the estimate is taken as normal around
theta with the test's conditional standard error SE(theta) = 1 / sqrt(I(theta)) (Lord 1980), so

    P(pass | theta) = Phi((theta - cut) / SE(theta)),
    accuracy        = integral of phi_pop(theta) * P(right side of the cut | theta) dtheta,
    consistency     = integral of phi_pop(theta) * (P(pass)^2 + P(fail)^2) dtheta

(consistency: two parallel, independent administrations classify alike; Lee 2010, "Classification
consistency and accuracy for complex assessments using item response theory", JEM 47(1)).
The population is normal, N(mean, sd), integrated on a fixed quadrature grid.

For a fixed form of dichotomous Rasch items scored by EAP, the estimate is a function of the
number right, so the exact probability of passing at theta follows from the summed-score
distribution (Lord & Wingersky 1984 recursion) and the scores whose EAP reaches the cut: the
figure `summed_score_quality` gives, without the normal approximation (Lee 2010, section 2).

numpy/scipy only: the callers pass item difficulties and cuts as plain numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

from attest.assessment import irt

# Population quadrature on mean +- 8 sd; a fine step because the integrand jumps at the cut
# (right side switches from P(pass) to P(fail)): with 2000 midpoints the error is below 1e-4.
_POINTS = 2000
BAR = 0.90  # the lowest accuracy at a decision cut for a purpose to be live


@dataclass(frozen=True)
class DecisionQuality:
    """Expected classification figures at one cut for one population."""

    cut: float
    accuracy: float  # P(classified on the side of the cut where the true ability lies)
    consistency: float  # P(two parallel administrations give the same classification)
    false_pass: float  # P(true ability below the cut, classified as passing)
    false_fail: float  # P(true ability at or above the cut, classified as failing)
    method: str

    @property
    def meets_bar(self) -> bool:
        """Tell whether the accuracy reaches the bar for a live purpose."""
        return self.accuracy >= BAR


def population_grid(mean: float, sd: float, points: int = _POINTS) -> tuple[np.ndarray, np.ndarray]:
    """Return theta points (cell midpoints) and normalised N(mean, sd) weights on mean +- 8 sd."""
    if not sd > 0:
        raise ValueError(f"the population sd must be positive, got {sd}")
    step = 16.0 * sd / points
    theta = mean - 8.0 * sd + step * (np.arange(points) + 0.5)
    weights = norm.pdf(theta, mean, sd)
    return theta, weights / weights.sum()


def quality_from_pass_probability(
    cut: float,
    theta: np.ndarray,
    weights: np.ndarray,
    p_pass: np.ndarray,
    method: str,
) -> DecisionQuality:
    """Integrate P(pass | theta) over the population into accuracy, consistency and errors."""
    p_pass = np.clip(np.asarray(p_pass, dtype=float), 0.0, 1.0)
    above = theta >= cut
    false_pass = float((weights * np.where(above, 0.0, p_pass)).sum())
    false_fail = float((weights * np.where(above, 1.0 - p_pass, 0.0)).sum())
    consistency = float((weights * (p_pass**2 + (1.0 - p_pass) ** 2)).sum())
    return DecisionQuality(
        cut=float(cut),
        accuracy=1.0 - false_pass - false_fail,
        consistency=consistency,
        false_pass=false_pass,
        false_fail=false_fail,
        method=method,
    )


def rudner_quality(
    cut: float,
    standard_error: Callable[[np.ndarray], np.ndarray],
    mean: float = 0.0,
    sd: float = 1.0,
) -> DecisionQuality:
    """Return Rudner's expected accuracy and consistency at a cut (Rudner 2001, 2005).

    `standard_error(theta)` gives the conditional SE at an array of abilities; an SE of 0 is a
    perfect measurement (P(pass) is 1 at or above the cut, 0 below)."""
    theta, weights = population_grid(mean, sd)
    se = np.broadcast_to(np.asarray(standard_error(theta), dtype=float), theta.shape)
    if np.any(se < 0) or np.any(np.isnan(se)):
        raise ValueError("standard errors must be non-negative numbers")
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, (theta - cut) / np.where(se > 0, se, 1.0), np.inf)
    z = np.where((se == 0) & (theta < cut), -np.inf, z)
    return quality_from_pass_probability(cut, theta, weights, norm.cdf(z), "rudner")


def marginal_reliability(
    standard_error: Callable[[np.ndarray], np.ndarray], mean: float = 0.0, sd: float = 1.0
) -> float:
    """Return the marginal reliability sd^2 / (sd^2 + E[SE(theta)^2]) over N(mean, sd).

    The IRT counterpart of a reliability coefficient: the share of the variance of estimated
    abilities that is true variance, with the error variance averaged over the population
    (Green, Bock, Humphreys, Linn & Reckase 1984; Thissen & Wainer 2001, ch. 4)."""
    theta, weights = population_grid(mean, sd)
    se = np.broadcast_to(np.asarray(standard_error(theta), dtype=float), theta.shape)
    error_variance = float((weights * se**2).sum())
    return sd**2 / (sd**2 + error_variance)


def form_standard_error(difficulties: Sequence[float]) -> Callable[[np.ndarray], np.ndarray]:
    """Return SE(theta) = 1/sqrt(I(theta)) of a fixed form of Rasch items (Lord 1980)."""
    b = np.asarray(difficulties, dtype=float)
    if b.size == 0:
        raise ValueError("a form needs at least one item")
    return lambda theta: 1.0 / np.sqrt(irt.info_2pl(theta, np.ones_like(b), b).sum(axis=-1))


def summed_score_distribution(theta: np.ndarray, difficulties: Sequence[float]) -> np.ndarray:
    """Return P(number right = r | theta), theta x (n+1), by Lord & Wingersky's (1984) recursion."""
    b = np.asarray(difficulties, dtype=float)
    p = irt.p_correct(np.asarray(theta, dtype=float), b)  # theta x items
    dist = np.zeros(p.shape[:-1] + (b.size + 1,))
    dist[..., 0] = 1.0
    for j in range(b.size):
        pj = p[..., j : j + 1]
        shifted = np.concatenate([np.zeros_like(pj), dist[..., :-1]], axis=-1)
        dist = dist * (1.0 - pj) + shifted * pj
    return dist


def summed_score_quality(
    cut: float,
    difficulties: Sequence[float],
    mean: float = 0.0,
    sd: float = 1.0,
    prior_mean: float = irt.DEFAULT_PRIOR[0],
    prior_sd: float = irt.DEFAULT_PRIOR[1],
) -> DecisionQuality:
    """Return exact accuracy and consistency of a fixed Rasch form scored by EAP (Lee 2010).

    Each number right r has one EAP estimate (delivery's `irt.eap_estimate`, prior N(prior_mean,
    prior_sd)); P(pass | theta) is the probability of a score whose EAP reaches the cut."""
    b = [float(d) for d in difficulties]
    if not b:
        raise ValueError("a form needs at least one item")
    passing = np.array(
        [
            irt.eap_estimate(b, [1.0] * r + [0.0] * (len(b) - r), prior_mean, prior_sd).theta >= cut
            for r in range(len(b) + 1)
        ]
    )
    theta, weights = population_grid(mean, sd)
    p_pass = summed_score_distribution(theta, b)[:, passing].sum(axis=-1)
    return quality_from_pass_probability(cut, theta, weights, p_pass, "summed-score EAP")


def best_items_standard_error(
    difficulties: Sequence[float], length: int
) -> Callable[[np.ndarray], np.ndarray]:
    """Return SE(theta) from the `length` most informative items at each theta (Rasch).

    An adaptive section that runs to `length` items, each the best one left, can measure no more
    precisely than this: it bounds what the engine reaches (exposure control, content balance and
    an early stop lower the information actually gathered)."""
    b = np.asarray(difficulties, dtype=float)
    if b.size == 0 or length < 1:
        raise ValueError("need at least one item and a length of at least 1")

    def se(theta: np.ndarray) -> np.ndarray:
        info = np.sort(irt.info_2pl(theta, np.ones_like(b), b), axis=-1)[..., ::-1]
        return 1.0 / np.sqrt(info[..., :length].sum(axis=-1))

    return se
