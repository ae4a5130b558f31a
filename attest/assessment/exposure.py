"""Exposure control of the adaptive engine: the item-eligibility method with counts of earlier
tests, and the simulation helpers that check it.

The method is that of van der Linden & Veldkamp (2004, "Constraining item exposure in
computerized adaptive testing with shadow tests", J. Educ. Behav. Stat. 29(3), 273-291), with the
fading counts of van der Linden & Veldkamp (2007, J. Educ. Behav. Stat. 32(4), 398-418): before a
test, every unit gets a probability of being eligible from how often it was eligible and how
often it was given in the recent tests of the same skill and engine mode; cat.py draws the
eligible units once per test from its seed and keeps the ineligible ones in the test's state.
Unlike Sympson-Hetter parameters computed beforehand by simulation (what this module did until
2026-11), the probabilities follow the exposure actually observed, so they need no recomputing
when the live bank or the population changes. The goal ``MAX_RATE`` (0.20) leaves room under the
issue's 0.25 for sampling noise.

Conditional control (van der Linden & Veldkamp 2007): the counts are also kept per ability
stratum of the provisional estimate (``cat.stratum_of``, 0.5 logit wide, the decision cut in the
middle of one), and each test is drawn eligible per stratum too, so that candidates of one
ability (near the A2 cut, most of them) do not all meet the same few units; the stratum of each
selection and the per-stratum draws are stored in the section state (``strata``,
``stratum_ineligible``), from which ``from_states`` rebuilds the counts.

Counts are kept per engine mode (``exposure_key``: ``placement`` or ``cut-<level>``); the
delivery (adaptive.py) builds them from stored section states, a simulation from its running
tests (``simulate_tests(..., counts=...)``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np

from attest.assessment.cat import CatConfig, CatEngine, CatItem
from attest.assessment.irt import ItemParams, pcm_probabilities, testlet_params

MAX_RATE = 0.20  # the item-eligibility method's goal r_max, with room under the 0.25
# the goal within an ability stratum: lower than MAX_RATE because a band of candidates of one
# ability is small (100-300 in a day's 2,000), so its busiest units show binomial noise on top
# of the goal; 0.14 took the busiest unit near the A2 cut from 0.34-0.39 to 0.29-0.31 at no cost
# in accuracy (benchmarks/RESULTS.md, 2026-12-07)
STRATUM_MAX_RATE = 0.14
FADING = 0.999  # weight of the previous counts per new test: a memory of about 1,000 tests
# A unit given in every counted test although it was never eligible for them (the engine falls
# back on ineligible units when no eligible one fits) would get P(E) = 0: never eligible again,
# and the engine refuses a probability of 0. The floor keeps it rare but recoverable.
MIN_PROBABILITY = 0.001


def exposure_key(config: CatConfig | Mapping) -> str:
    """Return the key of an engine mode for exposure counts: placement or cut-<level>."""
    mode = config.mode if isinstance(config, CatConfig) else config.get("mode", "placement")
    if mode == "cut":
        level = config.cut_level if isinstance(config, CatConfig) else config.get("cut_level")
        return f"cut-{level}"
    return "placement"


class EligibilityCounts:
    """Exposure counts of earlier tests and the eligibility probabilities they imply.

    The item-eligibility method of van der Linden & Veldkamp (2004, "Constraining item exposure
    in computerized adaptive testing with shadow tests", J. Educ. Behav. Stat. 29(3), 273-291):
    since P(A_i) = P(A_i | E_i) P(E_i), a unit i stays under the goal rate r_max when it is
    eligible with P(E_i) = min(1, r_max * eps_i / alpha_i), where eps_i counts the earlier tests
    for which it was eligible and alpha_i those that gave it. The probabilities follow the
    observed exposure on the fly, so no simulation is needed beforehand and the control adapts
    to the population actually tested. Counts fade by ``fading`` per test (van der Linden &
    Veldkamp 2007, J. Educ. Behav. Stat. 32(4), 398-418), so old tests weigh less. A unit not
    given yet is always eligible.

    In production the counts come from the stored states of earlier sections (``from_states``);
    a simulation adds each finished test (``add``)."""

    def __init__(
        self,
        unit_ids: Sequence[str],
        max_rate: float = MAX_RATE,
        fading: float = FADING,
        stratum_max_rate: float | None = STRATUM_MAX_RATE,
    ) -> None:
        if not 0.0 < max_rate <= 1.0 or not 0.0 < fading <= 1.0:
            raise ValueError("max_rate and fading must lie in (0, 1]")
        self.unit_ids = list(unit_ids)
        self.max_rate = float(max_rate)
        # the goal rate within a stratum (None: max_rate)
        self.stratum_max_rate = float(stratum_max_rate or max_rate)
        self.fading = float(fading)
        self._position = {uid: i for i, uid in enumerate(self.unit_ids)}
        self.tests = 0.0
        self.eligible = np.zeros(len(self.unit_ids))
        self.administered = np.zeros(len(self.unit_ids))
        # conditional counts per ability stratum (cat.stratum_of): tests whose estimate was in
        # the stratum at some selection, units eligible there, units given while there
        self.stratum_tests: dict[int, float] = {}
        self.stratum_eligible: dict[int, np.ndarray] = {}
        self.stratum_administered: dict[int, np.ndarray] = {}

    def add(
        self,
        items: Sequence[str],
        ineligible: Iterable[str],
        strata: Sequence[int] | None = None,
        stratum_ineligible: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """Count one test: the units it gave and those that were not eligible for it; with
        ``strata`` (the stratum of each selection, ``CatState.strata``) also in its stratum,
        that of its last selection (the estimate nearest the candidate's ability): the units
        drawn eligible there (``stratum_ineligible``) and the units it gave."""
        w = self.fading
        self.tests = w * self.tests + 1.0
        self.eligible *= w
        self.administered *= w
        eligible = np.ones(len(self.unit_ids))
        eligible[self._positions(ineligible)] = 0.0
        self.eligible += eligible
        self.administered[self._positions(items)] += 1.0
        for k in self.stratum_tests:
            self.stratum_tests[k] *= w
            self.stratum_eligible[k] *= w
            self.stratum_administered[k] *= w
        if not strata:
            return
        if len(strata) != len(items):
            raise ValueError("strata must give one stratum per unit given")
        k = int(strata[-1])
        if k not in self.stratum_tests:
            self.stratum_tests[k] = 0.0
            self.stratum_eligible[k] = np.zeros(len(self.unit_ids))
            self.stratum_administered[k] = np.zeros(len(self.unit_ids))
        self.stratum_tests[k] += 1.0
        eligible = np.ones(len(self.unit_ids))
        eligible[self._positions((stratum_ineligible or {}).get(str(k), ()))] = 0.0
        self.stratum_eligible[k] += eligible
        self.stratum_administered[k][self._positions(items)] += 1.0

    def probabilities(self) -> dict[str, float]:
        """Return each unit's probability of being eligible for the next test, those below 1."""
        given = self.administered > 0
        p = np.ones(len(self.unit_ids))
        p[given] = np.clip(
            self.max_rate * self.eligible[given] / self.administered[given], MIN_PROBABILITY, 1.0
        )
        return {self.unit_ids[i]: float(p[i]) for i in np.flatnonzero(p < 1.0)}

    def stratum_probabilities(self) -> dict[int, dict[str, float]]:
        """Return per ability stratum each unit's probability of being eligible there, the
        conditional item-eligibility method (van der Linden & Veldkamp 2007): P(E_i | k) =
        min(1, r_max eps_ik / alpha_ik), counted over the tests that ended in stratum k (their
        last selection was made there), so no unit serves more than about r_max of the
        candidates of one ability; only strata and units below 1."""
        out = {}
        for k, administered in self.stratum_administered.items():
            given = administered > 0
            p = np.ones(len(self.unit_ids))
            p[given] = np.clip(
                self.stratum_max_rate * self.stratum_eligible[k][given] / administered[given],
                MIN_PROBABILITY,
                1.0,
            )
            low = np.flatnonzero(p < 1.0)
            if low.size:
                out[k] = {self.unit_ids[i]: float(p[i]) for i in low}
        return out

    def rates(self) -> dict[str, float]:
        """Return each unit's (faded) exposure rate over the counted tests."""
        n = max(self.tests, 1e-12)
        return {uid: float(a / n) for uid, a in zip(self.unit_ids, self.administered, strict=True)}

    @classmethod
    def from_states(
        cls,
        unit_ids: Sequence[str],
        states: Iterable[Mapping],
        max_rate: float = MAX_RATE,
        fading: float = FADING,
    ) -> EligibilityCounts:
        """Count stored section states (``CatState.to_dict``, oldest first); states from before
        the ineligible units were kept are skipped, since what was eligible is not known, and
        states from before the strata were kept count for the marginal rates only."""
        counts = cls(unit_ids, max_rate, fading)
        for state in states:
            if state.get("ineligible") is not None:
                items = state.get("items") or []
                strata = state.get("strata")
                counts.add(
                    items,
                    state["ineligible"],
                    strata if strata and len(strata) == len(items) else None,
                    state.get("stratum_ineligible"),
                )
        return counts

    def _positions(self, ids: Iterable[str]) -> list[int]:
        return [self._position[uid] for uid in ids if uid in self._position]


def units_from_specs(specs: Sequence) -> list[CatItem]:
    """Return engine units from bank items (``bank.ItemSpec``), as the delivery builds them
    from the database: a testlet is one partial-credit unit ``T:<testlet id>``."""
    groups: dict[str, list] = {}
    for spec in sorted(specs, key=lambda s: s.id):
        groups.setdefault(f"T:{spec.testlet}" if spec.testlet else spec.id, []).append(spec)
    return [
        CatItem(
            id=uid,
            params=testlet_params([s.difficulty for s in group])
            if group[0].testlet
            else ItemParams(b=float(group[0].difficulty)),
            domain=group[0].domain,
            format=group[0].format,
            parts=tuple(s.id for s in group) if group[0].testlet else (),
        )
        for uid, group in groups.items()
    ]


def simulate_tests(
    engine: CatEngine,
    thetas: Sequence[float],
    seed: int,
    answer: Callable[[np.random.Generator, float, CatItem], int] | None = None,
    counts: EligibilityCounts | None = None,
) -> list[list[str]]:
    """Run one simulated test per theta, in order; return the units each test used.

    Answers follow the unit's own model (Rasch, or partial credit for a testlet) unless
    ``answer(rng, theta, unit)`` is given. With ``counts`` each test starts with the
    eligibility probabilities of the tests before it and is then counted (the running counts
    of the item-eligibility method)."""
    answer = answer or model_answer
    tests = []
    for k, theta in enumerate(thetas):
        rng = np.random.default_rng([seed, k])
        eligibility = counts.probabilities() if counts is not None else None
        by_stratum = counts.stratum_probabilities() if counts is not None else None
        state = engine.start(
            seed=seed * 1_000_003 + k, eligibility=eligibility, stratum_eligibility=by_stratum
        )
        while (unit := engine.next_item(state)) is not None:
            state = engine.record(state, unit.id, answer(rng, float(theta), unit))
        if counts is not None:
            counts.add(state.items, state.ineligible or [], state.strata, state.stratum_ineligible)
        tests.append(state.items)
    return tests


def model_answer(rng: np.random.Generator, theta: float, unit: CatItem) -> int:
    """Draw a score for a unit from its IRT model at theta."""
    if unit.params.max_score == 1:
        return int(rng.random() < 1.0 / (1.0 + np.exp(-unit.params.a * (theta - unit.params.b))))
    probs = pcm_probabilities(theta, unit.params)
    probs = np.asarray(probs, dtype=float).ravel()
    return int(rng.choice(probs.size, p=probs / probs.sum()))


def exposure_rates(bank: Sequence[CatItem], tests: Sequence[Sequence[str]]) -> dict[str, float]:
    """Return the share of tests in which each unit of the bank was used."""
    counts = dict.fromkeys((unit.id for unit in bank), 0)
    for test in tests:
        for uid in test:
            counts[uid] += 1
    n = max(len(tests), 1)
    return {uid: c / n for uid, c in counts.items()}


def adaptive_modes(purposes: Mapping) -> dict[tuple[str, str], list]:
    """Return, per (skill, exposure key), the (purpose code, section) pairs of the purposes
    (``purposes.load_purposes()``) whose adaptive section uses that mode, in purpose order:
    the sections whose tests are counted together for exposure."""
    modes: dict[tuple[str, str], list] = {}
    for purpose in purposes.values():
        for section in purpose.sections:
            if section.is_adaptive:
                key = (section.skill, exposure_key(section.cat))
                modes.setdefault(key, []).append((purpose.code, section))
    return modes


def purpose_modes(purposes: Mapping) -> dict[tuple[str, str], dict]:
    """Return, per (skill, exposure key), the engine settings of the first adaptive section of
    the purposes (``purposes.load_purposes()``) that uses that mode."""
    return {key: dict(uses[0][1].cat) for key, uses in adaptive_modes(purposes).items()}
