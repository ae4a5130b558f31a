"""Calibrate Rasch item difficulties from sparse response data and screen the items.

Estimation is marginal maximum likelihood by EM on a fixed quadrature (Bock & Aitkin 1981) with
the ability distribution N(mu, sigma) estimated alongside the items (Mislevy 1984). Unpresented
items are NaN and simply drop out of each person's likelihood, which is ignorable for adaptive and
booklet designs because selection depends only on observed responses (Mislevy & Wu 1996).

Scale anchoring, two methods:
- ``"fixed"`` (default): anchor items keep their current difficulties during EM and the population
  mean and SD are estimated, so new items land on the bank scale (fixed parameter calibration,
  Kim 2006).
- ``"mean"``: calibrate freely (population mean 0), then shift every difficulty so the anchors'
  mean equals their current mean (mean/mean linking, Loyd & Hoover 1980); the anchors then show
  their own drift.
Without anchors the scale is centred on the population (mean ability 0).

Partial credit: machine scores lie in [0, 1], and some formats give fractions. Three policies:
- ``"round"`` (default): score round(x), half to even, exactly as the adaptive engine scores the
  answer (``adaptive.record_unit`` feeds ``int(round(score))`` to ``CatEngine.record``), so the
  difficulty describes the item as it is scored live.
- ``"fractional"``: a score x counts as x of a right answer and 1 - x of a wrong one in the
  Bernoulli kernel x ln P + (1 - x) ln(1 - P), a quasi-likelihood whose estimating equation
  (observed = expected score) stays unbiased for the Rasch mean structure (Wedderburn 1974;
  Papke & Wooldridge 1996). A fraction varies less than a 0/1 score, so such an item's mean
  squares run below 1 and its SE is conservative: its fit is reported but not flagged.
- ``"skip"``: items with any fractional score are reported as skipped.

Item screening:
- SE from the cross-product (XPD) of per-person score vectors, inverted jointly with the
  population parameters (Mislevy 1986; Bock & Aitkin 1981).
- Infit and outfit mean squares (Wright & Masters 1982), each squared standardised residual
  averaged over the person's posterior instead of taken at a point estimate: a plausible-value
  style statistic whose expectation is exactly 1 under the model (Mislevy 1991).
- Point-biserial item-rest correlation (Crocker & Algina 1986). Raw rest scores are not comparable
  across persons who saw different items, so the rest score is the EAP ability from the person's
  other responses. In adaptive data each item meets a narrow ability range, which lowers it.
- Mantel-Haenszel DIF (Holland & Thayer 1988) matched on EAP ability (all of the person's
  responses, the studied item included) cut into ``dif_strata`` quantile strata of the item's
  takers, as for adaptive tests (Zwick, Thayer & Wingersky 1994); common odds ratio with the
  Robins-Breslow-Greenland (1986) variance; delta = -2.35 ln(alpha), negative = harder for the
  focal group; ETS categories (Zieky 1993): A if |delta| < 1 or the continuity-corrected MH
  chi-square has p >= .05, C if |delta| >= 1.5 and |delta| exceeds 1 by 1.96 SE, B otherwise.
  Fractional scores enter the 2x2 tables as fractional counts (an approximate test).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np
from scipy.special import expit, log_expit, logsumexp

from attest.assessment.dif import Dif, item_difs

GRID = np.linspace(-7.0, 7.0, 71)
MIN_RESPONSES = 30  # ~30 persons give calibrations stable within +-1 logit (Linacre 1994)
FIT_RANGE = (0.7, 1.3)  # productive for measurement (Wright & Linacre 1994)
MIN_POINT_BISERIAL = 0.15
ANCHORINGS = ("fixed", "mean")
PARTIAL_POLICIES = ("round", "fractional", "skip")


@dataclass(frozen=True)
class ItemCalibration:
    """One item's calibration and screening figures; None where not computable."""

    item_id: str
    n: int
    mean_score: float
    difficulty: float | None
    se: float | None
    is_anchor: bool
    infit: float | None
    outfit: float | None
    point_biserial: float | None
    dif: Dif | None
    flags: tuple[str, ...]
    is_partial_credit: bool = False  # some scores were fractions (see ``partial``)


@dataclass(frozen=True)
class CalibrationReport:
    """The items' calibrations with the population and the convergence of the run."""

    items: tuple[ItemCalibration, ...]
    n_persons: int
    population_mean: float
    population_sd: float
    anchoring: str  # "fixed", "mean" or "none"
    shift: float  # added to the free solution ("mean" anchoring), else 0
    iterations: int
    converged: bool
    log_likelihood: float
    groups: tuple[str, str] | None  # (reference, focal) of the DIF analysis

    def item(self, item_id: str) -> ItemCalibration:
        """Return the calibration of one item."""
        return next(it for it in self.items if it.item_id == item_id)

    def flagged(self) -> list[ItemCalibration]:
        """Return the items with at least one flag."""
        return [it for it in self.items if it.flags]

    def to_dict(self) -> dict:
        """Return the report as plain YAML/JSON-ready data, floats rounded to 4 decimals."""
        return _plain(asdict(self))


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.bool_ | np.integer):
        return value.item()
    if isinstance(value, float | np.floating):
        return round(float(value), 4)
    return value


def calibrate(
    responses: np.ndarray | Sequence[Sequence[float]],
    item_ids: Sequence[str] | None = None,
    *,
    anchors: Mapping[str, float] | None = None,
    anchoring: str = "fixed",
    groups: Sequence[object] | None = None,
    reference: object = None,
    focal: object = None,
    min_responses: int = MIN_RESPONSES,
    partial: str = "round",
    dif_strata: int = 20,
    max_iter: int = 2000,
    tol: float = 1e-6,
) -> CalibrationReport:
    """Calibrate a persons x items score matrix (NaN = not presented) and screen every item.

    ``anchors`` maps item ids to their current difficulties; ``groups`` labels each person, and
    DIF compares persons labelled ``reference`` with those labelled ``focal``.
    """
    x, ids, anchors = _validate(responses, item_ids, anchors, anchoring, groups, partial)
    seen = ~np.isnan(x)
    keep = seen.any(axis=1)
    x, seen = x[keep], seen[keep]
    groups_kept = None if groups is None else np.asarray(groups, dtype=object)[keep]
    n = seen.sum(axis=0)
    fractional = np.array([bool(np.any(col[~np.isnan(col)] % 1)) for col in x.T])
    if partial == "round":
        x = np.round(x)  # half to even, as Python's round() in the delivery code
    mean = np.nansum(x, axis=0) / n
    skipped = fractional & (partial == "skip")
    extreme = ~skipped & ((mean <= 0.0) | (mean >= 1.0))
    is_anchor = np.array([i in anchors for i in ids])
    fixed = is_anchor & (anchoring == "fixed")
    used = ~skipped & (fixed | ~extreme)
    if anchors and not np.any(is_anchor & used):
        raise ValueError("no anchor item has usable responses: check the anchors or the data")
    anchor_b = np.array([anchors.get(i, np.nan) for i in ids])
    fit = _em(x[:, used], seen[:, used], anchor_b[used], fixed[used], max_iter, tol)
    b = np.full(len(ids), np.nan)
    b[used] = fit.b
    se = np.full(len(ids), np.nan)
    se[used] = fit.se
    shift = 0.0
    if anchoring == "mean" and anchors:
        linked = is_anchor & used
        shift = float(np.mean(anchor_b[linked]) - np.mean(b[linked]))
        b += shift
    label = "none" if not anchors else anchoring
    # screening uses the final parameters on the final scale; a shift moves theta and b together
    grid = GRID + shift
    p = expit(grid[:, None] - np.where(used, b, 0.0))
    xs, ms = np.where(seen & used, x, 0.0), (seen & used).astype(float)
    log_p, log_q = np.log(np.clip(p, 1e-300, 1.0)), np.log(np.clip(1 - p, 1e-300, 1.0))
    log_prior = -0.5 * ((grid - fit.mu - shift) / fit.sigma) ** 2
    log_like = xs @ log_p.T + (ms - xs) @ log_q.T + log_prior
    infit, outfit = _mean_squares(x, seen, p, _softmax(log_like))
    rpb = _point_biserials(x, seen, xs, ms, log_p, log_q, log_like, grid)
    theta = _softmax(log_like) @ grid
    difs = item_difs(x, seen, theta, groups_kept, reference, focal, dif_strata)
    items = []
    for k, item_id in enumerate(ids):
        estimated = bool(used[k])
        judged = estimated and not (fractional[k] and partial == "fractional")
        items.append(
            ItemCalibration(
                item_id=item_id,
                n=int(n[k]),
                mean_score=float(mean[k]),
                difficulty=anchors[item_id] if fixed[k] else _num(b[k]),
                se=None if fixed[k] else _num(se[k]),
                is_anchor=bool(is_anchor[k]),
                infit=_num(infit[k]) if estimated else None,
                outfit=_num(outfit[k]) if estimated else None,
                point_biserial=_num(rpb[k]),
                dif=difs[k],
                flags=_flags(
                    int(n[k]),
                    min_responses,
                    bool(skipped[k]),
                    bool(extreme[k]) and not fixed[k],
                    infit[k] if judged else None,
                    outfit[k] if judged else None,
                    rpb[k],
                    difs[k],
                ),
                is_partial_credit=bool(fractional[k]),
            )
        )
    return CalibrationReport(
        items=tuple(items),
        n_persons=int(keep.sum()),
        population_mean=fit.mu + shift,
        population_sd=fit.sigma,
        anchoring=label,
        shift=shift,
        iterations=fit.iterations,
        converged=fit.converged,
        log_likelihood=fit.log_likelihood,
        groups=None if groups is None else (str(reference), str(focal)),
    )


def _validate(responses, item_ids, anchors, anchoring, groups, partial):
    try:
        x = np.array(responses, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("responses must be a numeric persons x items matrix") from None
    if x.ndim != 2:
        raise ValueError(f"responses must be 2-dimensional (persons x items), got {x.ndim}-D")
    if x.size == 0:
        raise ValueError("responses are empty: no persons or no items to calibrate")
    ids = [str(i) for i in (item_ids if item_ids is not None else range(x.shape[1]))]
    if len(ids) != x.shape[1]:
        raise ValueError(f"{len(ids)} item ids for {x.shape[1]} response columns")
    if len(set(ids)) != len(ids):
        raise ValueError("item ids must be unique")
    finite = x[~np.isnan(x)]
    if np.any(~np.isfinite(finite)) or np.any((finite < 0) | (finite > 1)):
        raise ValueError("scores must lie in [0, 1] (NaN for items not presented)")
    empty = [ids[k] for k in np.flatnonzero(np.isnan(x).all(axis=0))]
    if empty:
        raise ValueError(f"items without any response: {', '.join(empty[:10])}; leave them out")
    anchors = dict(anchors or {})
    unknown = sorted(set(anchors) - set(ids))
    if unknown:
        raise ValueError(f"anchor items not in the data: {', '.join(unknown[:10])}")
    if not all(np.isfinite(float(v)) for v in anchors.values()):
        raise ValueError("anchor difficulties must be finite numbers")
    if anchoring not in ANCHORINGS:
        raise ValueError(f"anchoring must be one of {ANCHORINGS}, got {anchoring!r}")
    if partial not in PARTIAL_POLICIES:
        raise ValueError(f"partial must be one of {PARTIAL_POLICIES}, got {partial!r}")
    if groups is not None and len(groups) != x.shape[0]:
        raise ValueError(f"{len(groups)} group labels for {x.shape[0]} persons")
    return x, ids, {k: float(v) for k, v in anchors.items()}


@dataclass(frozen=True)
class _Fit:
    b: np.ndarray
    se: np.ndarray
    mu: float
    sigma: float
    iterations: int
    converged: bool
    log_likelihood: float


def _em(x, seen, anchor_b, fixed, max_iter, tol) -> _Fit:
    """Run Bock-Aitkin EM: posterior expected counts on the grid, then Newton M-steps."""
    xs, ms = np.where(seen, x, 0.0), seen.astype(float)
    rows = seen.any(axis=1)  # persons whose every response is on a skipped item drop out
    xs, ms = xs[rows], ms[rows]
    p_obs = np.clip(xs.sum(0) / ms.sum(0), 0.02, 0.98)
    logit = np.log(p_obs / (1 - p_obs))
    mu = float(np.mean(anchor_b[fixed] + logit[fixed])) if fixed.any() else 0.0
    sigma = 1.0
    b = np.where(fixed, anchor_b, mu - logit)
    iterations, converged = 0, False
    while iterations < max_iter and not converged:
        iterations += 1
        post, _ = _posterior(xs, ms, b, mu, sigma)
        n_q, r_q = post.T @ ms, post.T @ xs  # expected presented and right, grid x items
        b_new = b.copy()
        for _ in range(3):
            p = expit(GRID[:, None] - b_new)
            step = (r_q - n_q * p).sum(0) / np.maximum((n_q * p * (1 - p)).sum(0), 1e-12)
            b_new = np.where(fixed, b_new, b_new - np.clip(step, -1.0, 1.0))
        weight = post.sum(0)
        mu_new = float(weight @ GRID / weight.sum()) if fixed.any() else 0.0
        sigma_new = float(np.sqrt(weight @ (GRID - mu_new) ** 2 / weight.sum()))
        change = max(np.max(np.abs(b_new - b)), abs(mu_new - mu), abs(sigma_new - sigma))
        b, mu, sigma = b_new, mu_new, max(sigma_new, 0.05)
        converged = bool(change < tol)
    post, loglik = _posterior(xs, ms, b, mu, sigma)
    se = _xpd_se(xs, ms, post, b, mu, sigma, fixed)
    return _Fit(b, se, mu, sigma, iterations, converged, loglik)


def _posterior(xs, ms, b, mu, sigma):
    """Return the persons' posterior weights on the grid and the marginal log-likelihood."""
    z = GRID[:, None] - b
    log_like = xs @ log_expit(z).T + (ms - xs) @ log_expit(-z).T
    log_prior = -0.5 * ((GRID - mu) / sigma) ** 2
    log_prior -= logsumexp(log_prior)
    joint = log_like + log_prior
    marginal = logsumexp(joint, axis=1, keepdims=True)
    return np.exp(joint - marginal), float(marginal.sum())


def _xpd_se(xs, ms, post, b, mu, sigma, fixed) -> np.ndarray:
    """Return SEs from the cross-product of per-person scores over the free parameters."""
    expected = post @ expit(GRID[:, None] - b)
    scores = [(ms * (xs - expected))[:, ~fixed]]
    if fixed.any():  # the population mean is free only when anchors fix the scale
        scores.append((post @ ((GRID - mu) / sigma**2))[:, None])
    scores.append((post @ (((GRID - mu) / sigma) ** 2 - 1.0))[:, None])
    g = np.hstack(scores)
    info = g.T @ g
    try:
        cov = np.linalg.inv(info)
        var = np.diag(cov)[: (~fixed).sum()]
    except np.linalg.LinAlgError:
        var = 1.0 / np.diag(info)[: (~fixed).sum()]
    se = np.zeros(b.size)
    se[~fixed] = np.sqrt(np.where(var > 0, var, np.nan))
    return se


def _softmax(log_w: np.ndarray) -> np.ndarray:
    return np.exp(log_w - logsumexp(log_w, axis=-1, keepdims=True))


def _mean_squares(x, seen, p, post) -> tuple[np.ndarray, np.ndarray]:
    """Return posterior-averaged infit and outfit mean squares per item (Wright & Masters 1982)."""
    xs, ms = np.where(seen, x, 0.0), seen.astype(float)
    w = p * (1 - p)
    sq = post.T @ (xs**2) - 2 * p * (post.T @ xs) + p**2 * (post.T @ ms)  # grid x items
    n = ms.sum(0)
    with np.errstate(invalid="ignore", divide="ignore"):
        outfit = (sq / w).sum(0) / n
        infit = sq.sum(0) / (w * (post.T @ ms)).sum(0)
    return infit, outfit


def _point_biserials(x, seen, xs, ms, log_p, log_q, log_like, grid) -> np.ndarray:
    """Return item-rest correlations, the rest score being the EAP from the other responses."""
    out = np.full(x.shape[1], np.nan)
    for k in range(x.shape[1]):
        took = seen[:, k]
        score = x[took, k]
        own = xs[took, k, None] * log_p[:, k] + (ms - xs)[took, k, None] * log_q[:, k]
        rest = _softmax(log_like[took] - own) @ grid
        if took.sum() > 2 and score.std() > 0 and rest.std() > 0:
            out[k] = np.corrcoef(score, rest)[0, 1]
    return out


def _flags(n, min_responses, skipped, extreme, infit, outfit, rpb, dif) -> tuple[str, ...]:
    low, high = FIT_RANGE
    flags = [
        ("few_responses", n < min_responses),
        ("skipped_partial_credit", skipped),
        ("all_same_score", extreme),
        ("infit", infit is not None and np.isfinite(infit) and not low <= infit <= high),
        ("outfit", outfit is not None and np.isfinite(outfit) and not low <= outfit <= high),
        ("low_point_biserial", np.isfinite(rpb) and rpb < MIN_POINT_BISERIAL),
        ("dif_c", dif is not None and dif.category == "C"),
    ]
    return tuple(name for name, raised in flags if raised)


def _num(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None
