"""Rasch model maths with numpy: probabilities, information and EAP ability estimates."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Quadrature grid for EAP: 81 points on [-6, 6] is ample for a standard-normal prior.
_GRID = np.linspace(-6.0, 6.0, 81)


@dataclass(frozen=True)
class Estimate:
    theta: float
    standard_error: float


def p_correct(theta: float | np.ndarray, difficulty: np.ndarray) -> np.ndarray:
    """Return the Rasch probability of a correct answer (Rasch 1960)."""
    return 1.0 / (1.0 + np.exp(-(np.asarray(theta)[..., None] - difficulty)))


def eap_estimate(
    difficulties: list[float] | np.ndarray,
    scores: list[float] | np.ndarray,
    prior_mean: float = 0.0,
    prior_sd: float = 1.5,
) -> Estimate:
    """Estimate ability by EAP with a normal prior N(prior_mean, prior_sd) (Bock & Mislevy 1982).

    Scores may be fractional (partial credit counts as a fraction of a success in the likelihood).
    """
    b = np.asarray(difficulties, dtype=float)
    x = np.asarray(scores, dtype=float)
    if b.shape != x.shape:
        raise ValueError("difficulties and scores differ in length")
    p = p_correct(_GRID, b)  # grid x items
    log_like = (x * np.log(p) + (1 - x) * np.log1p(-p)).sum(axis=1)
    log_prior = -0.5 * ((_GRID - prior_mean) / prior_sd) ** 2
    weights = np.exp(log_like + log_prior - (log_like + log_prior).max())
    weights /= weights.sum()
    theta = float((weights * _GRID).sum())
    se = float(np.sqrt((weights * (_GRID - theta) ** 2).sum()))
    return Estimate(theta=theta, standard_error=se)
