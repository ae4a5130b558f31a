"""IRT model maths with numpy/scipy: Rasch, 2PL and partial-credit items, information, EAP, MLE
and Warm's weighted likelihood estimate (WLE).

Every item is held as a (generalised) partial credit item: a dichotomous item is the one-step case,
so Rasch, 2PL, PCM and testlets share one code path. A testlet (several questions on one text) is
scored as ONE polytomous item whose score is the number of its questions answered correctly; that
keeps the local dependence between its questions from being counted as independent information
(Wainer & Kiely 1987; the PCM for testlets, Verhelst & Verstralen 2008).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar

# Quadrature grid for EAP: 81 points on [-6, 6] is ample for a standard-normal prior.
_GRID = np.linspace(-6.0, 6.0, 81)
# Grid for the general EAP: wide enough that all-right/all-wrong posteriors are not truncated;
# a step of 1/6 logit integrates a posterior with SD >= 0.2 to ~1e-10 (trapezoid on a Gaussian).
EAP_GRID = np.linspace(-8.0, 8.0, 97)
THETA_BOUNDS = (-6.0, 6.0)
DEFAULT_PRIOR = (0.0, 1.5)  # N(0, 1.5): the bank's scale centres near A2/B1 and spans ±3 logits


@dataclass(frozen=True)
class Estimate:
    theta: float
    standard_error: float
    method: str = "eap"


@dataclass(frozen=True)
class ItemParams:
    """Hold one item's parameters: Rasch (a=1), 2PL (a, b), or (G)PCM when steps are given.

    For a polytomous item scored 0..m the step difficulties are ``b + steps[k]``; one step of 0
    is the dichotomous item with difficulty ``b``.
    """

    b: float
    a: float = 1.0
    steps: tuple[float, ...] | None = None

    @property
    def max_score(self) -> int:
        """Return the highest score the item can give."""
        return len(self.steps) if self.steps else 1

    def deltas(self) -> np.ndarray:
        """Return the absolute step difficulties."""
        return self.b + np.asarray(self.steps if self.steps else (0.0,), dtype=float)

    def to_dict(self) -> dict:
        """Return the parameters as plain JSON-ready data."""
        return {"b": self.b, "a": self.a, "steps": list(self.steps) if self.steps else None}

    @classmethod
    def from_dict(cls, data: dict) -> ItemParams:
        """Build parameters from the plain data of ``to_dict``."""
        steps = data.get("steps")
        return cls(float(data["b"]), float(data.get("a", 1.0)), tuple(steps) if steps else None)


@dataclass(frozen=True)
class ItemMatrix:
    """Stack items for vectorised maths: slopes ``a`` (n,), step difficulties (n, M) +inf padded."""

    a: np.ndarray
    deltas: np.ndarray

    @classmethod
    def from_items(cls, items: Sequence[ItemParams]) -> ItemMatrix:
        """Stack a list of items."""
        width = max((it.max_score for it in items), default=1)
        deltas = np.full((len(items), width), np.inf)
        for i, it in enumerate(items):
            d = it.deltas()
            deltas[i, : d.size] = d
        return cls(np.array([it.a for it in items], dtype=float), deltas)

    def take(self, index: Sequence[int] | np.ndarray) -> ItemMatrix:
        """Return the rows at ``index``."""
        index = np.asarray(index, dtype=int)
        deltas = self.deltas[index]
        width = max(int(np.isfinite(deltas).sum(axis=1).max(initial=1)), 1)
        return ItemMatrix(self.a[index], deltas[:, :width])

    @property
    def max_scores(self) -> np.ndarray:
        """Return each item's highest score."""
        return np.isfinite(self.deltas).sum(axis=1)


def p_correct(theta: float | np.ndarray, difficulty: np.ndarray) -> np.ndarray:
    """Return the Rasch probability of a correct answer (Rasch 1960)."""
    return 1.0 / (1.0 + np.exp(-(np.asarray(theta)[..., None] - difficulty)))


def p_2pl(theta: float | np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Return the 2PL probability 1 / (1 + exp(-a(theta - b))) (Birnbaum 1968), theta x items."""
    return 1.0 / (1.0 + np.exp(-np.asarray(a) * (np.asarray(theta)[..., None] - b)))


def info_2pl(theta: float | np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Return the 2PL item information a^2 P (1 - P) (Birnbaum 1968); a=1 gives the Rasch case."""
    p = p_2pl(theta, a, b)
    return np.asarray(a) ** 2 * p * (1.0 - p)


def category_probabilities(theta: float | np.ndarray, items: ItemMatrix) -> np.ndarray:
    """Return P(X = k | theta) under the (generalised) partial credit model, theta x items x k.

    P(X=k) is proportional to exp(sum_{j<=k} a (theta - delta_j)) (Masters 1982; Muraki 1992).
    """
    t = np.asarray(theta, dtype=float)[..., None, None]
    steps = items.a[:, None] * (t - items.deltas)  # -inf for padded steps
    z = np.concatenate([np.zeros(steps.shape[:-1] + (1,)), np.cumsum(steps, axis=-1)], axis=-1)
    z = np.exp(z - z.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


def pcm_probabilities(theta: float | np.ndarray, item: ItemParams) -> np.ndarray:
    """Return the category probabilities of one partial-credit item (Masters 1982), theta x k."""
    return category_probabilities(theta, ItemMatrix.from_items([item]))[..., 0, :]


def information(theta: float | np.ndarray, items: ItemMatrix) -> np.ndarray:
    """Return each item's Fisher information a^2 Var(X | theta) (Masters 1982; Muraki 1992)."""
    if items.deltas.shape[1] == 1:  # all dichotomous: the 2PL closed form, same value, faster
        return info_2pl(theta, items.a, items.deltas[:, 0])
    p = category_probabilities(theta, items)
    k = np.arange(p.shape[-1])
    mean = (p * k).sum(axis=-1)
    var = (p * k**2).sum(axis=-1) - mean**2
    return items.a**2 * np.maximum(var, 0.0)


def item_information(theta: float | np.ndarray, item: ItemParams) -> np.ndarray:
    """Return one item's Fisher information at theta."""
    return information(theta, ItemMatrix.from_items([item]))[..., 0]


def test_information(
    theta: float | np.ndarray, items: Sequence[ItemParams] | ItemMatrix
) -> np.ndarray:
    """Return the test information, the sum of the item informations (Lord 1980)."""
    matrix = items if isinstance(items, ItemMatrix) else ItemMatrix.from_items(items)
    return information(theta, matrix).sum(axis=-1)


test_information.__test__ = False  # keep pytest from collecting it where it is imported


def log_likelihood(
    theta: float | np.ndarray, items: Sequence[ItemParams] | ItemMatrix, scores: Sequence[int]
) -> np.ndarray:
    """Return the log-likelihood of integer scores at each theta (local independence)."""
    matrix = items if isinstance(items, ItemMatrix) else ItemMatrix.from_items(items)
    x = np.asarray(scores, dtype=int)
    if x.shape != matrix.a.shape:
        raise ValueError("items and scores differ in length")
    if np.any(x < 0) or np.any(x > matrix.max_scores):
        raise ValueError("a score lies outside 0..max_score of its item")
    if matrix.deltas.shape[1] == 1:  # all dichotomous: log-sigmoid of the 2PL logit
        z = matrix.a * (np.asarray(theta, dtype=float)[..., None] - matrix.deltas[:, 0])
        return -np.logaddexp(0.0, np.where(x == 1, -z, z)).sum(axis=-1)
    p = category_probabilities(theta, matrix)
    picked = np.take_along_axis(p, np.broadcast_to(x[:, None], p.shape[:-1] + (1,)), axis=-1)
    return np.log(np.maximum(picked[..., 0], 1e-300)).sum(axis=-1)


def posterior(
    items: Sequence[ItemParams] | ItemMatrix,
    scores: Sequence[int],
    prior_mean: float = DEFAULT_PRIOR[0],
    prior_sd: float = DEFAULT_PRIOR[1],
    grid: np.ndarray = EAP_GRID,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the quadrature grid and normalised posterior weights under a normal prior."""
    log_post = log_likelihood(grid, items, scores) - 0.5 * ((grid - prior_mean) / prior_sd) ** 2
    weights = np.exp(log_post - log_post.max())
    return grid, weights / weights.sum()


def eap(
    items: Sequence[ItemParams] | ItemMatrix,
    scores: Sequence[int],
    prior_mean: float = DEFAULT_PRIOR[0],
    prior_sd: float = DEFAULT_PRIOR[1],
) -> Estimate:
    """Estimate ability by EAP with a normal prior (Bock & Mislevy 1982); SE = posterior SD."""
    grid, w = posterior(items, scores, prior_mean, prior_sd)
    theta = float((w * grid).sum())
    return Estimate(theta, float(np.sqrt((w * (grid - theta) ** 2).sum())), "eap")


def mle(
    items: Sequence[ItemParams] | ItemMatrix,
    scores: Sequence[int],
    bounds: tuple[float, float] = THETA_BOUNDS,
    prior_mean: float = DEFAULT_PRIOR[0],
    prior_sd: float = DEFAULT_PRIOR[1],
) -> Estimate:
    """Estimate ability by maximum likelihood (bounded Brent search); SE = 1/sqrt(I(theta)).

    The MLE does not exist for all-minimum or all-maximum patterns, and an estimate on a bound is
    no estimate; both fall back to EAP with the given prior, marked ``method="eap-fallback"``.
    """
    matrix = items if isinstance(items, ItemMatrix) else ItemMatrix.from_items(items)
    x = np.asarray(scores, dtype=int)
    total, top = int(x.sum()), int(matrix.max_scores.sum())
    if x.size == 0 or total == 0 or total == top:
        return _fallback(matrix, x, prior_mean, prior_sd)
    res = minimize_scalar(
        lambda t: -float(log_likelihood(t, matrix, x)),
        bounds=bounds,
        method="bounded",
        options={"xatol": 1e-6},
    )
    theta = float(res.x)
    if min(abs(theta - bounds[0]), abs(theta - bounds[1])) < 1e-3:
        return _fallback(matrix, x, prior_mean, prior_sd)
    info = float(test_information(theta, matrix))
    return Estimate(theta, float(1.0 / np.sqrt(info)), "mle")


def wle(
    items: Sequence[ItemParams] | ItemMatrix,
    scores: Sequence[int],
    grid: np.ndarray = EAP_GRID,
) -> Estimate:
    """Estimate ability by Warm's weighted likelihood (Warm 1989, Psychometrika 54, 427-450).

    Warm's estimate solves d/dtheta log L + J / (2 I) = 0, which removes the O(1/n) bias of the
    MLE; unlike EAP it has no prior pulling it towards the prior mean. For models with a
    sufficient statistic (Rasch, 2PL with known slopes, the (generalised) partial credit model,
    so every item here) J = I', and the WLE is the maximum of log L + log(I) / 2 (Warm 1989,
    section 4; the posterior mode under Jeffreys' prior, Firth 1993). It is finite for every
    pattern, also all-wrong and all-right ones. Found in pure numpy: the best point of ``grid``,
    then a local grid of 201 points around it and a parabola through the best three (accurate
    to about 1e-6 logit). SE = 1 / sqrt(I(theta)) at the estimate.
    """
    matrix = items if isinstance(items, ItemMatrix) else ItemMatrix.from_items(items)
    x = np.asarray(scores, dtype=int)
    if x.size == 0:
        raise ValueError("the WLE needs at least one answer")

    def objective(t: np.ndarray) -> np.ndarray:
        info = information(t, matrix).sum(axis=-1)
        return log_likelihood(t, matrix, x) + 0.5 * np.log(np.maximum(info, 1e-300))

    coarse = objective(grid)
    k = int(coarse.argmax())
    lo = grid[max(k - 1, 0)]
    hi = grid[min(k + 1, grid.size - 1)]
    fine = np.linspace(lo, hi, 201)
    f = objective(fine)
    j = int(f.argmax())
    theta = float(fine[j])
    if 0 < j < fine.size - 1:  # vertex of the parabola through the best point and its neighbours
        h = fine[1] - fine[0]
        denom = f[j - 1] - 2.0 * f[j] + f[j + 1]
        if denom < 0:
            theta += float(0.5 * h * (f[j - 1] - f[j + 1]) / denom)
    info = float(test_information(theta, matrix))
    return Estimate(theta, float(1.0 / np.sqrt(info)), "wle")


def _fallback(matrix: ItemMatrix, x: np.ndarray, mean: float, sd: float) -> Estimate:
    est = eap(matrix, x, mean, sd)
    return Estimate(est.theta, est.standard_error, "eap-fallback")


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


def testlet_params(difficulties: Sequence[float]) -> ItemParams:
    """Return a testlet as one partial-credit item scored 0..m (Masters 1982; Thissen,
    Steinberg & Mooney 1989): its step difficulties are the parts' Rasch difficulties in order,
    so the questions on one text count as one unit of information, not m independent ones."""
    ds = sorted(float(d) for d in difficulties)
    if not ds:
        raise ValueError("a testlet needs at least one part")
    b = sum(ds) / len(ds)
    return ItemParams(b=b, steps=tuple(d - b for d in ds))
