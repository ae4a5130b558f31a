"""Differential item functioning by the Mantel-Haenszel procedure (Holland & Thayer 1988),
with strata on the ability estimate and the ETS A/B/C classification."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import chi2 as chi2_dist


@dataclass(frozen=True)
class Dif:
    """Mantel-Haenszel DIF of one item between a reference and a focal group."""

    n_reference: int
    n_focal: int
    alpha: float  # MH common odds ratio, reference vs focal
    delta: float  # ETS delta scale: -2.35 ln(alpha); negative favours the reference group
    se: float
    chi2: float
    p_value: float
    category: str  # ETS A (negligible), B (moderate), C (large)


def item_difs(x, seen, theta, groups, reference, focal, n_strata) -> list[Dif | None]:
    """Return the MH DIF of every item (None where no groups were given or it is undefined)."""
    if groups is None:
        return [None] * x.shape[1]
    ref, foc = groups == reference, groups == focal
    return [
        mantel_haenszel(x[:, k], seen[:, k] & (ref | foc), ref, theta, n_strata)
        for k in range(x.shape[1])
    ]


def mantel_haenszel(score, took, ref, theta, n_strata) -> Dif | None:
    """Return the MH DIF statistics of one item (Holland & Thayer 1988), or None if undefined."""
    n_ref, n_foc = int((took & ref).sum()), int((took & ~ref).sum())
    if n_ref == 0 or n_foc == 0:
        return None
    t, s, r = theta[took], score[took], ref[took]
    edges = np.unique(np.quantile(t, np.linspace(0, 1, n_strata + 1)[1:-1]))
    stratum = np.searchsorted(edges, t, side="right")
    size = n_strata + 1
    a = np.bincount(stratum, s * r, size)  # reference right
    b = np.bincount(stratum, (1 - s) * r, size)  # reference wrong
    c = np.bincount(stratum, s * ~r, size)  # focal right
    d = np.bincount(stratum, (1 - s) * ~r, size)  # focal wrong
    total = a + b + c + d
    ok = ((a + b) > 0) & ((c + d) > 0) & (total > 1)
    a, b, c, d, total = a[ok], b[ok], c[ok], d[ok], total[ok]
    rr, ss = (a * d / total), (b * c / total)
    if rr.sum() <= 0 or ss.sum() <= 0:
        return None
    alpha = rr.sum() / ss.sum()
    pp, qq = (a + d) / total, (b + c) / total
    var_log = (
        (pp * rr).sum() / (2 * rr.sum() ** 2)
        + ((pp * ss + qq * rr).sum()) / (2 * rr.sum() * ss.sum())
        + (qq * ss).sum() / (2 * ss.sum() ** 2)
    )  # Robins, Breslow & Greenland 1986
    expected = (a + b) * (a + c) / total
    var_a = (a + b) * (c + d) * (a + c) * (b + d) / (total**2 * (total - 1))
    chi2 = max(abs(a.sum() - expected.sum()) - 0.5, 0.0) ** 2 / var_a.sum() if var_a.sum() else 0
    delta = -2.35 * np.log(alpha)
    se = 2.35 * np.sqrt(var_log)
    p_value = float(chi2_dist.sf(chi2, 1))
    if abs(delta) < 1.0 or p_value >= 0.05:
        category = "A"
    elif abs(delta) >= 1.5 and (abs(delta) - 1.0) / se > 1.96:
        category = "C"
    else:
        category = "B"
    return Dif(n_ref, n_foc, float(alpha), float(delta), float(se), float(chi2), p_value, category)
