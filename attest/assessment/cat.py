"""Adaptive engine for one receptive skill section: entry, item selection, scoring and stopping.

The engine is pure: it takes the bank and a config, and every call maps a plain, JSON-ready
``CatState`` to a result, so a web session can store the state and drive the test step by step:

    engine = CatEngine(bank, CatConfig(mode="cut", cut_level="A2"))
    state = engine.start(seed=...)    # entry: the decision cut, a given theta, or the prior
    while (item := engine.next_item(state)) is not None:
        state = engine.record(state, item.id, score)   # EAP and SE after each answer
    decision = engine.should_stop(state)        # why it stopped, the level, its probability

Rules, each a documented choice:
- Entry: ``start(theta=...)`` if given; in mode "cut" the cut of ``cut_level``; else the cut of
  ``entry_level`` if set; else the prior mean.
- Ability: EAP with prior N(prior_mean, prior_sd) (Bock & Mislevy 1982), finite from the first
  answer. A testlet is one partial-credit unit scored 0..m (Masters 1982), so questions sharing a
  text never count as independent information; testlets are delivered whole.
- Enemies, a hard rule: a unit sharing an enemy group with a unit already given (or with a
  group ``blocked`` by the session's other sections) is never chosen.
- Selection: maximum Fisher information per question at the current estimate (Lord 1980), among
  the units of the content domain furthest below its target share (Kingsbury & Zara 1989) or,
  with ``domain_tolerance``, of every domain at most that many questions less behind (so the few
  central units of a small domain are not forced on every candidate), skipping formats over
  their maximum share; exposure control by the randomesque method, a seeded
  uniform draw among the ``top_k`` most informative units (Kingsbury & Zara 1989), on top of the
  item-eligibility method (van der Linden & Veldkamp 2004, J. Educ. Behav. Stat. 29(3), 273-291):
  at the start of a test each unit is eligible with its probability (1 when absent), drawn once
  from the seed, and the units left ineligible are stored in the state (``ineligible``); only
  eligible units are chosen while any fits the content rules. The probabilities come from the
  exposure counts of earlier tests (``attest.assessment.exposure.EligibilityCounts``), or from
  ``config.exposure`` (fixed Sympson-Hetter style parameters) when none are given.
  Conditional exposure control (van der Linden & Veldkamp 2007, J. Educ. Behav. Stat. 32(4),
  398-418): with ``start(stratum_eligibility=...)`` the units are also drawn once per ability
  stratum (``stratum_width`` logit, the decision cut in the middle of stratum 0), the draws kept
  in ``stratum_ineligible``, and a selection made while the estimate lies in stratum k uses only
  units eligible in k; each selection's stratum is kept in ``strata`` so the counts per stratum
  can be rebuilt from stored states. Without it, a near-cut population met the same few central
  units (0.45-0.58 exposure) although the marginal rate was held at 0.2.
- Stopping, checked after each answer: never before ``min_items`` questions; at ``max_items``;
  when the level is decided — by Wald's SPRT at every cut, H0 theta = c - delta vs H1 theta =
  c + delta (Reckase 1983; Eggen 1999; Eggen & Straetmans 2000), by the generalized likelihood
  ratio with ``stop_rule="glr"`` (Bartroff, Finkelman & Lai 2008, Psychometrika 73(3), 473-486;
  Thompson 2009: the SPRT's bounds, but the likelihood at the maximum-likelihood estimate
  instead of at c +- delta once the estimate lies beyond them, ``glr_log_ratio``; it decides
  whenever the SPRT does, the same way, and sooner for candidates far from a cut), or with
  ``stop_rule="ci"`` when the interval theta +- z SE holds no cut (Kingsbury & Weiss 1983) — or
  when SE <= ``se_target``.
- Selection aims at the estimate, or with ``select_at="cut"`` at the decided cut nearest to it
  (``nearest_cut``; Spray & Reckase 1994, Eggen 1999: a classification needs information at
  the cut, not at an early, unstable estimate).
- Classification of a test that stops undecided (at ``max_items``, bank exhausted, or the SE
  target): by Warm's weighted likelihood estimate (WLE; Warm 1989, Psychometrika 54, 427-450;
  ``undecided_estimator="wle"``), which the prior does not pull: near the A2 cut (-0.75) the EAP,
  pulled towards the prior mean 0, passed undecided candidates, a false-pass excess of 6-7.5
  points within +-0.3 logit of the cut. The decision then reports the WLE and its SE
  (``estimator="wle"``); decided tests report the EAP.
- Model: Rasch for single questions and the partial credit model for testlets. The engine
  computes with 2PL/GPCM slopes ``a``, but the bank has no discrimination field and
  ``attest calibrate`` estimates Rasch difficulties only: with the few hundred answers per item
  a centre collects, slopes are poorly estimated, and Rasch keeps the raw score sufficient (a
  score means the same ability whichever items were taken, which examiners and candidates can
  be told) and does not let a few high-slope items dominate selection (so the unused share of
  the bank stays low: 0-13 % in benchmarks/RESULTS.md). Carrying 2PL through needs a slope
  field in the bank, a 2PL calibration and its fit checks first.
- Randomness is drawn from (seed, step) by SplitMix64 (Steele, Lea & Flood 2014), and the
  eligibility draw from ``default_rng([seed, ELIGIBILITY_STREAM])``, so the same state always
  selects the same unit (a reload cannot change the item) and a test is reproducible from its
  seed and stored ineligible units.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, is_dataclass

import numpy as np

from attest.assessment.cefr import CONFIDENT, CutScores, level_probabilities
from attest.assessment.cut_scores import DEFAULT_SKILL, cut_scores_for
from attest.assessment.irt import (
    EAP_GRID,
    ItemMatrix,
    ItemParams,
    information,
    log_likelihood,
    wle,
)
from attest.vocabulary import BELOW_A1, LEVELS

MODES = ("placement", "cut")
STOP_RULES = ("sprt", "glr", "ci")
SELECT_AT = ("estimate", "cut")
ESTIMATORS = ("wle", "eap")
ELIGIBILITY_STREAM = 0x5E1  # a fixed second word of the seed for the eligibility draws
STRATUM_LIMIT = 8  # strata beyond +-8 widths of the anchor are merged into the outermost ones


def stratum_of(theta: float, width: float, anchor: float) -> int:
    """Return the ability stratum of an estimate for conditional exposure control: strata of
    ``width`` logit with ``anchor`` (the decision cut) in the middle of stratum 0, clipped to
    +-STRATUM_LIMIT (van der Linden & Veldkamp 2007, conditional item-eligibility)."""
    k = math.floor((theta - anchor) / width + 0.5)
    return max(-STRATUM_LIMIT, min(STRATUM_LIMIT, k))


def glr_log_ratio(points: np.ndarray, loglik: np.ndarray, lower: float, upper: float) -> float:
    """Return the generalized likelihood ratio statistic of one cut, on the log scale: the
    largest log-likelihood at abilities >= ``upper`` (cut + delta) minus the largest at abilities
    <= ``lower`` (cut - delta), over ``points`` (Bartroff, Finkelman & Lai 2008, Psychometrika
    73(3), 473-486; Thompson 2009). While the maximum-likelihood estimate lies between the two
    it equals Wald's SPRT statistic log L(cut + delta) - log L(cut - delta); once it lies
    beyond, the likelihood at the estimate replaces that at the nearer bound, so a candidate
    far from the cut is decided sooner than by the SPRT, at the same bounds."""
    points = np.asarray(points, dtype=float)
    loglik = np.asarray(loglik, dtype=float)
    eps = 1e-9
    return float(loglik[points >= upper - eps].max() - loglik[points <= lower + eps].max())


def nearest_cut(theta: float, cuts: np.ndarray) -> float:
    """Return the cut nearest to theta (the first of two at equal distance): where selection
    aims in ``select_at="cut"`` (Spray & Reckase 1994; Eggen 1999)."""
    return float(cuts[int(np.abs(np.asarray(cuts, dtype=float) - theta).argmin())])


_MISSING = object()


@dataclass(frozen=True)
class CatItem:
    """One unit of delivery: a single question, or a testlet (``parts``) scored 0..len(parts)."""

    id: str
    params: ItemParams
    domain: str
    format: str
    parts: tuple[str, ...] = ()
    enemies: tuple[str, ...] = ()  # enemy groups: never two units of one group in a test

    @property
    def length(self) -> int:
        """Return how many questions the unit puts before the candidate."""
        return max(len(self.parts), 1)


@dataclass(frozen=True)
class CatConfig:
    """Settings of one adaptive section; see the module docstring for what each rule does."""

    mode: str = "placement"
    cut_level: str | None = None  # mode "cut": the level whose cut is decided (e.g. "A2")
    entry_level: str | None = None  # mode "placement": start at this level's cut
    # The store's cuts: a live section passes its skill's (adaptive.engine_for); tests, benchmarks
    # and the docstring's example get DEFAULT_SKILL's.
    cuts: Mapping[str, float] = field(
        default_factory=lambda: dict(cut_scores_for(DEFAULT_SKILL).cuts)
    )
    prior_mean: float = 0.0
    prior_sd: float = 1.5
    min_items: int = 8
    max_items: int = 40
    se_target: float | None = None
    stop_rule: str = "sprt"
    sprt_delta: float = 0.3
    sprt_alpha: float = 0.05
    sprt_beta: float = 0.05
    ci_z: float = 1.96
    top_k: int = 5
    domain_targets: Mapping[str, float] | None = None  # None: equal shares of the bank's domains
    domain_tolerance: float = 0.0  # questions a domain may run ahead of the neediest one
    format_max_share: Mapping[str, float] = field(default_factory=dict)
    exposure: Mapping[str, float] = field(default_factory=dict)  # Sympson-Hetter eligibility
    # the estimate that classifies a test that stops undecided (max length, bank exhausted, SE
    # target): Warm's WLE (no pull towards the prior mean) or, as before 2026-12, the EAP
    undecided_estimator: str = "wle"
    stratum_width: float = 0.5  # ability strata of the conditional exposure control (logit)
    # where selection maximises information: at the estimate, or at the decided cut nearest to
    # it (Spray & Reckase 1994; Eggen 1999: for a classification, information at the cut)
    select_at: str = "estimate"

    @property
    def stratum_anchor(self) -> float:
        """Return the theta at the centre of stratum 0: the decision cut (A2 for placement)."""
        return float(self.cuts[self.cut_level if self.mode == "cut" else "A2"])

    def __post_init__(self) -> None:
        if self.mode not in MODES or self.stop_rule not in STOP_RULES:
            raise ValueError(f"mode must be one of {MODES} and stop_rule one of {STOP_RULES}")
        if self.mode == "cut" and self.cut_level not in LEVELS:
            raise ValueError("mode 'cut' needs cut_level, one of " + ", ".join(LEVELS))
        if self.select_at not in SELECT_AT:
            raise ValueError(f"select_at must be one of {SELECT_AT}")
        if self.undecided_estimator not in ESTIMATORS or not self.stratum_width > 0:
            raise ValueError(f"undecided_estimator must be one of {ESTIMATORS}, stratum_width > 0")
        if not 1 <= self.min_items <= self.max_items:
            raise ValueError("need 1 <= min_items <= max_items")
        if any(not 0.0 < float(k) <= 1.0 for k in self.exposure.values()):
            raise ValueError("exposure (eligibility) probabilities must lie in (0, 1]")


@dataclass
class CatState:
    """Everything needed to resume a section; plain data, stored as JSON with the DB session."""

    seed: int
    start_theta: float
    theta: float
    se: float
    items: list[str] = field(default_factory=list)
    scores: list[int] = field(default_factory=list)
    n_questions: int = 0
    log: list[dict] = field(default_factory=list)
    stop: dict | None = None
    ineligible: list[str] | None = None  # drawn at start; None: a state from before it was kept
    # conditional exposure control: the ability stratum each unit was selected in (parallel to
    # ``items``), and per stratum the units drawn ineligible there (drawn at start)
    strata: list[int] | None = None
    stratum_ineligible: dict[str, list[str]] | None = None

    def to_dict(self) -> dict:
        """Return the state as JSON-ready data: a deep copy, as dataclasses.asdict gives, so
        that the stored state never shares a list with a state the engine goes on changing
        (made without asdict's generic walk, which cost more than the engine's own work once
        the log of a long section had grown)."""
        # Field by field: lists of ids and scores copied flat (the generic walk per element was
        # most of the cost of storing the state at every answer), the rest deep.
        return {
            "seed": self.seed,
            "start_theta": self.start_theta,
            "theta": self.theta,
            "se": self.se,
            "items": list(self.items),
            "scores": list(self.scores),
            "n_questions": self.n_questions,
            "log": _copy(self.log),
            "stop": _copy(self.stop),
            "ineligible": None if self.ineligible is None else list(self.ineligible),
            "strata": None if self.strata is None else list(self.strata),
            "stratum_ineligible": None
            if self.stratum_ineligible is None
            else {key: list(ids) for key, ids in self.stratum_ineligible.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> CatState:
        """Rebuild a state from ``to_dict`` data."""
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


def _copy(value):
    """Deep-copy plain data (dicts, lists, tuples, scalars) as asdict does for them."""
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_copy(item) for item in value)
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return value


@dataclass(frozen=True)
class Selection:
    """A chosen unit and why: the theta it was chosen at, the domain, the shortlist drawn from."""

    item: CatItem
    theta: float
    domain: str
    shortlist: tuple[str, ...]


@dataclass(frozen=True)
class StopDecision:
    """Why the section stopped and what it concluded."""

    reason: str  # level_decided | se_target | max_length | bank_exhausted
    n_items: int
    theta: float
    se: float
    level: str
    probability: float  # of ``level`` (mode placement) or of ``reached`` (mode cut)
    is_uncertain: bool  # probability below cefr.CONFIDENT (0.80)
    decided_by: str  # sprt | glr | ci | estimate (the undecided cuts went by theta)
    reached: bool | None = None  # mode cut: whether cut_level is reached
    probabilities: dict[str, float] = field(default_factory=dict)
    # the estimate theta and se are: eap, or wle when an undecided test was classified by it
    estimator: str = "eap"

    def to_dict(self) -> dict:
        """Return the decision as JSON-ready data."""
        return asdict(self)


class CatEngine:
    """Select, score and stop one adaptive section over a fixed bank of units."""

    def __init__(
        self,
        bank: Sequence[CatItem],
        config: CatConfig | None = None,
        rng: np.random.Generator | None = None,
    ) -> None:
        self.bank = list(bank)
        self.config = config or CatConfig()
        self._rng = rng if rng is not None else np.random.default_rng()
        self._index = {item.id: i for i, item in enumerate(self.bank)}
        if len(self._index) != len(self.bank):
            raise ValueError("unit ids in the bank must be unique")
        for item in self.bank:
            if item.parts and item.params.max_score != len(item.parts):
                raise ValueError(f"testlet {item.id}: needs one PCM step per part")
        self._matrix = ItemMatrix.from_items([item.params for item in self.bank])
        self._lengths = np.array([item.length for item in self.bank])
        self._domain_names, self._domains = np.unique(
            [item.domain for item in self.bank], return_inverse=True
        )
        self._formats = np.array([item.format for item in self.bank])
        names = list(self._domain_names)
        targets = self.config.domain_targets or {d: 1.0 / len(names) for d in names}
        self._targets = np.array([float(targets.get(d, 0.0)) for d in names])
        self._cut_names = [self.config.cut_level] if self.config.mode == "cut" else list(LEVELS)
        self._cut_values = np.array([self.config.cuts[c] for c in self._cut_names], dtype=float)
        self._eligibility = self._probabilities(self.config.exposure)
        self._memo: dict[tuple, Selection | None] = {}
        # Log-likelihood on the EAP grid and at the SPRT points, per answer pattern, built by
        # adding one unit's term at a time in the order given, so it is the same number whether
        # it was cached during the test or rebuilt from a stored state.
        self._points = np.concatenate(
            [
                EAP_GRID,
                self._cut_values + self.config.sprt_delta,
                self._cut_values - self.config.sprt_delta,
            ]
        )
        self._log_prior = -0.5 * ((EAP_GRID - self.config.prior_mean) / self.config.prior_sd) ** 2
        self._terms: dict[tuple[int, int], np.ndarray] = {}
        self._ll: dict[tuple, np.ndarray] = {}
        self._eligible_memo: dict[tuple, np.ndarray] = {}
        # Per-unit arrays for selection, so a step is a few vectorised operations on the bank.
        self._dichotomous = self._matrix.max_scores == 1
        self._simple = np.flatnonzero(self._dichotomous)
        self._complex = np.flatnonzero(~self._dichotomous)
        self._a = self._matrix.a
        self._b = np.where(self._dichotomous, self._matrix.deltas[:, 0], 0.0)
        self._a2 = self._a * self._a
        self._rasch = bool((self._a == 1.0).all())
        self._complex_matrix = self._matrix.take(self._complex)
        self._n_domains = len(self._domain_names)
        self._max_length = int(self._lengths.max(initial=1))
        self._n_single = int((self._lengths == 1).sum())
        self._unit_lengths = self._lengths.tolist()
        self._domain_of = self._domains.tolist()
        self._target_list = self._targets.tolist()
        self._enemy_members: dict[str, list[int]] = {}
        for i, item in enumerate(self.bank):
            for group in item.enemies:
                self._enemy_members.setdefault(group, []).append(i)
        self._format_caps = [
            (self._formats == fmt, str(fmt), float(share))
            for fmt, share in self.config.format_max_share.items()
            if (self._formats == fmt).any()
        ]

    def start(
        self,
        seed: int | None = None,
        theta: float | None = None,
        eligibility: Mapping[str, float] | None = None,
        stratum_eligibility: Mapping[int | str, Mapping[str, float]] | None = None,
    ) -> CatState:
        """Open a section at the documented entry point; draw a seed from the rng if none given.

        ``eligibility`` maps unit ids to their probability of being eligible for this test (the
        item-eligibility method; absent units are eligible); without it ``config.exposure`` is
        used. The draw is made once, from the seed, and the ineligible units are kept in the
        state, so the test does not change when the probabilities change later.

        ``stratum_eligibility`` maps ability strata (``stratum_of``) to such probabilities, the
        conditional item-eligibility method (van der Linden & Veldkamp 2007): a unit is then
        also drawn once per stratum, and while the estimate lies in a stratum only units
        eligible there are chosen (``EligibilityCounts.stratum_probabilities``)."""
        cfg = self.config
        if theta is None:
            entry = cfg.cut_level if cfg.mode == "cut" else cfg.entry_level
            theta = cfg.cuts[entry] if entry else cfg.prior_mean
        if seed is None:
            seed = int(self._rng.integers(2**62))
        theta = float(theta)
        probabilities = (
            self._eligibility if eligibility is None else self._probabilities(eligibility)
        )
        eligible = self._draw_eligible(int(seed), probabilities)
        ineligible = [self.bank[i].id for i in np.flatnonzero(~eligible)]
        by_stratum = {}
        for k, probs in sorted((stratum_eligibility or {}).items(), key=lambda kv: int(kv[0])):
            drawn = self._draw_eligible(
                int(seed), self._probabilities(probs), STRATUM_LIMIT + 1 + int(k)
            )
            if not drawn.all():
                by_stratum[str(int(k))] = [self.bank[i].id for i in np.flatnonzero(~drawn)]
        return CatState(
            seed=int(seed),
            start_theta=theta,
            theta=theta,
            se=cfg.prior_sd,
            ineligible=ineligible,
            strata=[],
            stratum_ineligible=by_stratum,
        )

    def next_item(self, state: CatState, blocked: Iterable[str] = ()) -> CatItem | None:
        """Return the unit to deliver next, or None when the section has stopped.

        ``blocked`` lists enemy groups used elsewhere in the session (other sections); a unit
        of such a group, or of a group of a unit given in this section, is never chosen."""
        selection = self.select(state, blocked)
        return None if selection is None else selection.item

    def select(self, state: CatState, blocked: Iterable[str] = ()) -> Selection | None:
        """Choose the next unit with the enemy, content, exposure and information rules."""
        if state.stop is not None:
            return None
        ineligible = None if state.ineligible is None else tuple(state.ineligible)
        groups = frozenset(blocked)
        in_stratum = tuple(self._stratum_ineligible(state))
        key = (
            state.seed,
            state.theta,
            tuple(state.items),
            tuple(state.scores),
            ineligible,
            in_stratum,
            groups,
        )
        # One engine may serve several threads (adaptive.engine_for shares it): read the memo
        # once, so a clear by another thread between a check and a read cannot lose the entry.
        selection = self._memo.get(key, _MISSING)
        if selection is _MISSING:
            selection = self._select(state, groups)
            if len(self._memo) > 512:
                self._memo.clear()
            self._memo[key] = selection
        return selection

    def record(
        self,
        state: CatState,
        item_id: str,
        score: int | Sequence[int],
        blocked: Iterable[str] = (),
    ) -> CatState:
        """Return a new state with the answer scored, the estimate updated and the stop checked.

        A testlet's score is the number of its questions right (or the list of part scores);
        ``blocked`` is as for ``next_item`` (it only decides what the log calls the engine's
        choice).
        """
        if state.stop is not None:
            raise ValueError("the section has stopped; no more answers are recorded")
        if item_id not in self._index or item_id in state.items:
            raise ValueError(f"unit {item_id!r} is unknown or already answered")
        item = self.bank[self._index[item_id]]
        total = int(sum(score)) if isinstance(score, Sequence) else int(score)
        if not 0 <= total <= item.params.max_score:
            raise ValueError(f"score {total} outside 0..{item.params.max_score} for {item_id}")
        selection = self.select(state, blocked)
        items, scores = state.items + [item_id], state.scores + [total]
        theta, se = self._eap(items, scores)
        entry = {
            "step": len(items),
            "item": item_id,
            "parts": list(item.parts),
            "score": total,
            "max_score": item.params.max_score,
            "domain": item.domain,
            "format": item.format,
            "selected_at_theta": state.theta,
            "shortlist": list(selection.shortlist) if selection else [],
            "engine_choice": bool(selection and selection.item.id == item_id),
            "theta": theta,
            "se": se,
        }
        new = CatState(
            state.seed,
            state.start_theta,
            theta,
            se,
            items,
            scores,
            state.n_questions + item.length,
            state.log + [entry],
            None,
            state.ineligible,
            None if state.strata is None else state.strata + [self._stratum(state.theta)],
            state.stratum_ineligible,
        )
        decision = self._evaluate_stop(new)
        if decision is not None:
            new.stop = decision.to_dict()
            new.log[-1] = {**entry, "stop": decision.reason}
        return new

    def should_stop(self, state: CatState) -> StopDecision | None:
        """Return the stop decision for this state, or None while the section goes on."""
        if state.stop is not None:
            return StopDecision(**state.stop)
        return self._evaluate_stop(state)

    # --- likelihood and estimate ---------------------------------------------------------------

    def _loglik(self, items: Sequence[str], scores: Sequence[int]) -> np.ndarray:
        """Return the log-likelihood of an answer pattern on the grid and the SPRT points."""
        key = (tuple(items), tuple(scores))
        cached = self._ll.get(key)
        if cached is not None:
            return cached
        if not items:
            return np.zeros(self._points.size)
        if len(self._ll) > 4096:
            self._ll.clear()
        ll = self._loglik(items[:-1], scores[:-1]) + self._term(
            self._index[items[-1]], int(scores[-1])
        )
        self._ll[key] = ll
        return ll

    def _term(self, i: int, score: int) -> np.ndarray:
        """Return one unit's log-likelihood term on the points, computed once per unit and score:
        the log-sigmoid of the 2PL logit for one question, the partial credit model otherwise."""
        term = self._terms.get((i, score))
        if term is None:
            if self._dichotomous[i]:
                z = self._a[i] * (self._points - self._b[i])
                term = -np.logaddexp(0.0, -z if score == 1 else z)
            else:
                term = log_likelihood(self._points, self._matrix.take([i]), [score])
            self._terms[(i, score)] = term
        return term

    def _eap(self, items: Sequence[str], scores: Sequence[int]) -> tuple[float, float]:
        """Return the EAP estimate and posterior SD (Bock & Mislevy 1982), as irt.eap."""
        log_post = self._loglik(items, scores)[: EAP_GRID.size] + self._log_prior
        w = np.exp(log_post - log_post.max())
        w /= w.sum()
        theta = float(w @ EAP_GRID)
        return theta, float(np.sqrt(w @ (EAP_GRID - theta) ** 2))

    # --- selection -----------------------------------------------------------------------------

    def _done(self, state: CatState) -> np.ndarray:
        return np.array([self._index[i] for i in state.items], dtype=np.intp)

    def _available(
        self, state: CatState, done: np.ndarray | None = None, blocked: frozenset[str] = frozenset()
    ) -> np.ndarray:
        mask = self._lengths <= self.config.max_items - state.n_questions
        done = self._done(state) if done is None else done
        mask[done] = False
        if self._enemy_members:  # a hard rule, unlike the content preferences below
            used = set(blocked).union(*(self.bank[int(i)].enemies for i in done))
            for group in used:
                mask[self._enemy_members.get(group, [])] = False
        return mask

    def _select(self, state: CatState, blocked: frozenset[str] = frozenset()) -> Selection | None:
        done = self._done(state)
        mask = self._available(state, done, blocked)
        if not mask.any():
            return None
        draws = _uniforms(state.seed, len(state.items))
        mask = _prefer(mask, self._eligible(state))
        in_stratum = self._stratum_ineligible(state)
        if in_stratum:
            mask = _prefer(mask, self._eligible_in(state.seed, in_stratum))
        fits = self._format_ok(done, state.n_questions)
        if fits is not None:
            mask = _prefer(mask, fits)
        domains = self._needy_domains(done, state.n_questions, mask, next(draws))
        mask = _prefer(mask, domains[self._domains])
        candidates = np.flatnonzero(mask)
        aim = state.theta
        if self.config.select_at == "cut":
            aim = nearest_cut(state.theta, self._cut_values)
        info = self._information_per_question(aim)[candidates]
        k = self.config.top_k
        if candidates.size > k and k <= 8:
            # the k best by repeated argmax, which takes the first of equals: the order of a
            # stable sort by information, without sorting the whole bank
            best = []
            for _ in range(k):
                j = int(info.argmax())
                best.append(j)
                info[j] = -np.inf
            order = candidates[best]
        else:
            order = candidates[np.argsort(-info, kind="stable")[:k]]
        chosen = self.bank[int(order[int(next(draws) * order.size)])]
        return Selection(chosen, state.theta, chosen.domain, tuple(self.bank[i].id for i in order))

    def _information_per_question(self, theta: float) -> np.ndarray:
        """Return every unit's Fisher information at theta divided by its number of questions:
        a^2 e / (1 + e)^2 with e = exp(-a |theta - b|) for one question (= a^2 P (1 - P), Lord
        1980), the partial credit variance for a testlet; one pass over the bank's arrays."""
        e = np.abs(self._b - theta)
        if not self._rasch:
            e *= self._a
        np.negative(e, out=e)
        np.exp(e, out=e)
        d = e + 1.0
        d *= d
        e /= d
        if not self._rasch:
            e *= self._a2
        if self._complex.size:
            e[self._complex] = (
                information(theta, self._complex_matrix) / self._lengths[self._complex]
            )
        return e

    def _probabilities(self, eligibility: Mapping[str, float]) -> np.ndarray:
        """Return eligibility probabilities in bank order (1 for units not given)."""
        if not eligibility:
            return np.ones(len(self.bank))
        p = np.array([float(eligibility.get(item.id, 1.0)) for item in self.bank])
        if ((p <= 0.0) | (p > 1.0)).any():
            raise ValueError("exposure (eligibility) probabilities must lie in (0, 1]")
        return p

    def _draw_eligible(self, seed: int, probabilities: np.ndarray, stream: int = 0) -> np.ndarray:
        """Return one eligibility draw per unit for a test (Sympson & Hetter 1985; van der
        Linden & Veldkamp 2004), from the test's seed; ``stream`` > 0 for a stratum's draw."""
        if (probabilities >= 1.0).all():
            return np.ones(len(self.bank), dtype=bool)
        words = [seed, ELIGIBILITY_STREAM] + ([stream] if stream else [])
        draws = np.random.default_rng(words).random(len(self.bank))
        return draws < probabilities

    def _eligible_in(self, seed: int, ineligible: list[str]) -> np.ndarray:
        """Return the mask of units not in ``ineligible`` (one stratum's draw), memoised."""
        key = (seed, "stratum", tuple(ineligible))
        mask = self._eligible_memo.get(key)
        if mask is None:
            mask = np.ones(len(self.bank), dtype=bool)
            mask[[self._index[i] for i in ineligible if i in self._index]] = False
            if len(self._eligible_memo) > 64:
                self._eligible_memo.clear()
            self._eligible_memo[key] = mask
        return mask

    def _stratum(self, theta: float) -> int:
        return stratum_of(theta, self.config.stratum_width, self.config.stratum_anchor)

    def _stratum_ineligible(self, state: CatState) -> list[str]:
        """Return the units drawn ineligible in the stratum of the current estimate."""
        if not state.stratum_ineligible:
            return []
        return state.stratum_ineligible.get(str(self._stratum(state.theta)), [])

    def _eligible(self, state: CatState) -> np.ndarray:
        """Return which units this test may use: the stored draw, or for a state from before
        the draw was stored, the draw from ``config.exposure`` and the seed."""
        key = (state.seed, None if state.ineligible is None else tuple(state.ineligible))
        mask = self._eligible_memo.get(key)
        if mask is None:
            if state.ineligible is None:
                mask = self._draw_eligible(state.seed, self._eligibility)
            else:
                mask = np.ones(len(self.bank), dtype=bool)
                known = [self._index[i] for i in state.ineligible if i in self._index]
                mask[known] = False
            if len(self._eligible_memo) > 64:
                self._eligible_memo.clear()
            self._eligible_memo[key] = mask
        return mask

    def _needy_domains(self, done: np.ndarray, n: int, mask: np.ndarray, u: float) -> np.ndarray:
        """Return which domains the next unit may come from: the one furthest below its target
        share (Kingsbury & Zara 1989; a seeded draw among ties), or with ``domain_tolerance``
        every domain at most that many questions less behind than it."""
        counts = [0.0] * self._n_domains
        for i in done.tolist():
            counts[self._domain_of[i]] += self._unit_lengths[i]
        scale = max(n, 1)
        has_units = np.bincount(self._domains[mask], minlength=self._n_domains).tolist()
        deficit = [  # questions behind the target share
            t * scale - c if has else -math.inf
            for t, c, has in zip(self._target_list, counts, has_units, strict=True)
        ]
        top = max(deficit)
        tolerance = self.config.domain_tolerance
        if tolerance > 0:
            return np.array([d >= top - tolerance - 1e-9 for d in deficit])
        tied = [k for k, d in enumerate(deficit) if d >= top - 1e-9 * scale]
        out = np.zeros(self._n_domains, dtype=bool)
        out[tied[int(u * len(tied))]] = True
        return out

    def _format_ok(self, done: np.ndarray, n: int) -> np.ndarray | None:
        """Return which units keep every format within its maximum share, or None if all do."""
        ok = None
        for is_fmt, fmt, share in self._format_caps:
            used = sum(self._unit_lengths[i] for i in done.tolist() if self.bank[i].format == fmt)
            if used + self._max_length <= math.ceil(share * max(n + 1, self.config.min_items)):
                continue  # no unit of this format can go over its share at this step
            after = np.maximum(n + self._lengths, self.config.min_items)
            fits = ~is_fmt | (used + self._lengths <= np.ceil(share * after))
            ok = fits if ok is None else ok & fits
        return ok

    # --- stopping ------------------------------------------------------------------------------

    def _evaluate_stop(self, state: CatState) -> StopDecision | None:
        cfg = self.config
        at_max = state.n_questions >= cfg.max_items
        # a unit of one question left unused means not exhausted; else look at the whole bank
        exhausted = (
            not at_max and len(state.items) >= self._n_single and not self._available(state).any()
        )
        if state.n_questions < cfg.min_items and not (at_max or exhausted):
            return None
        decisions, rule = self._cut_decisions(state)
        decided = _ordered(decisions)
        if at_max:
            reason = "max_length"
        elif exhausted:
            reason = "bank_exhausted"
        elif decided:
            reason = "level_decided"
        elif cfg.se_target is not None and state.se <= cfg.se_target:
            reason = "se_target"
        else:
            return None
        if not decided:
            rule = "estimate"
            theta, se, estimator = state.theta, state.se, "eap"
            if cfg.undecided_estimator == "wle" and state.items:
                theta, se = self._wle(state)
                estimator = "wle"
            decisions = ["above" if theta >= c else "below" for c in self._cut_values]
            return self._conclude(state, reason, decisions, rule, theta, se, estimator)
        return self._conclude(state, reason, decisions, rule)

    def _wle(self, state: CatState) -> tuple[float, float]:
        """Return Warm's WLE and its SE for the state's answers (irt.wle): the estimate that
        classifies a test stopped undecided, since the EAP is pulled towards the prior mean
        (near the A2 cut at -0.75 that pull, towards 0, made undecided tests pass)."""
        index = [self._index[i] for i in state.items]
        est = wle(self._matrix.take(index), state.scores)
        return est.theta, est.standard_error

    def _cut_decisions(self, state: CatState) -> tuple[list[str | None], str]:
        cfg = self.config
        if not state.items:
            return [None] * len(self._cut_values), cfg.stop_rule
        if cfg.stop_rule == "ci":
            lo, hi = state.theta - cfg.ci_z * state.se, state.theta + cfg.ci_z * state.se
            return [
                ("above" if lo >= c else "below" if hi < c else None) for c in self._cut_values
            ], "ci"
        # Wald's SPRT bounds: log((1-beta)/alpha) and log(beta/(1-alpha)) (Wald 1947)
        upper = math.log((1 - cfg.sprt_beta) / cfg.sprt_alpha)
        lower = math.log(cfg.sprt_beta / (1 - cfg.sprt_alpha))
        if cfg.stop_rule == "glr":
            ll = self._loglik(state.items, state.scores)
            ratio = [
                glr_log_ratio(self._points, ll, c - cfg.sprt_delta, c + cfg.sprt_delta)
                for c in self._cut_values
            ]
            return [
                ("above" if r >= upper else "below" if r <= lower else None) for r in ratio
            ], "glr"
        ll = self._loglik(state.items, state.scores)[EAP_GRID.size :]
        ratio = ll[: self._cut_values.size] - ll[self._cut_values.size :]
        return [("above" if r >= upper else "below" if r <= lower else None) for r in ratio], "sprt"

    def _conclude(
        self,
        state: CatState,
        reason: str,
        decisions: list,
        rule: str,
        theta: float | None = None,
        se: float | None = None,
        estimator: str = "eap",
    ) -> StopDecision:
        """Return the decision; theta and se default to the state's EAP and posterior SD."""
        cfg = self.config
        theta = state.theta if theta is None else theta
        se = state.se if se is None else se
        probs = level_probabilities(theta, se, cfg.cuts)
        above = sum(d == "above" for d in decisions)
        reached = None
        if cfg.mode == "placement":
            level = ((BELOW_A1,) + LEVELS)[above]
            probability = probs[level]
        else:
            reached = above == 1
            below = LEVELS.index(cfg.cut_level) - 1
            ceiling = LEVELS[below] if below >= 0 else None
            level = (
                cfg.cut_level
                if reached
                else (CutScores(dict(cfg.cuts)).level_for(theta, ceiling) if ceiling else BELOW_A1)
            )
            p_reached = 1.0 - _phi((cfg.cuts[cfg.cut_level] - theta) / se)
            probability = p_reached if reached else 1.0 - p_reached
        return StopDecision(
            reason,
            state.n_questions,
            theta,
            se,
            level,
            probability,
            probability < CONFIDENT,
            rule,
            reached,
            probs,
            estimator,
        )


def _prefer(mask: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Narrow mask by wanted unless nothing would be left (a soft constraint)."""
    narrowed = mask & wanted
    return narrowed if narrowed.any() else mask


def _ordered(decisions: list[str | None]) -> bool:
    """Return whether every cut is decided and the decisions read above..above, below..below."""
    if any(d is None for d in decisions):
        return False
    k = sum(d == "above" for d in decisions)
    return all(d == "above" for d in decisions[:k])


_MASK64 = (1 << 64) - 1


def _uniforms(seed: int, step: int) -> Iterator[float]:
    """Yield uniform numbers in [0, 1) determined by (seed, step): SplitMix64 (Steele, Lea &
    Flood 2014) in plain Python, which costs a microsecond where a numpy generator costs ~50."""
    x = (seed * 0x9E3779B97F4A7C15 + step * 0xD1B54A32D192ED03) & _MASK64
    while True:
        x = (x + 0x9E3779B97F4A7C15) & _MASK64
        z = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
        yield ((z ^ (z >> 31)) >> 11) / 9007199254740992.0  # top 53 bits / 2**53


def _phi(z: float) -> float:
    return 0.5 * math.erfc(-z / math.sqrt(2.0))
