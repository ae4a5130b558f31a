"""Simulate adaptive receptive sections: our engine vs catsim, a fixed form and an ideal bank.

    .venv/bin/python benchmarks/cat_simulation.py [--bank synthetic|reading|listening]
        [--candidates N] [--quick] [--jobs 2] [--seed S] [--write] [--tasks ...] [--no-baselines]

Everything runs on the same simulated candidates, theta ~ N(-0.25, 1.5) (spread from below A1 to
B2), each simulated twice with fresh responses to measure classification consistency. Engines:
  ours      attest.assessment.cat.CatEngine (EAP, max info + randomesque, content balance,
            SPRT or GLR stop) with the settings of the shipped purposes (data/purposes.yaml) and
            the item-eligibility exposure control (van der Linden & Veldkamp 2004), marginal and
            per ability stratum, with running counts kept by the worker process over all the
            candidates it runs, in order, as production keeps them (--fresh-counts: per chunk;
            --warmup N: N other candidates first); a testlet is one partial-credit unit,
            answered question by question
Tuning and caching: --set TASK:KEY=VALUE overrides an engine setting; --catsim-cache DIR keeps
catsim's runs (they do not depend on our engine) and --catsim-only fills it; --ours-only,
--no-timing, --no-exposure (diagnostic), --marginal-rate, --stratum-rate.
  catsim    catsim MaxInfoSelector + NumericalSearchEstimator (bounded MLE, Dodd heuristic) +
            MinErrorStopper(SE < CATSIM_SE); one run serves both tasks (it does not know the cut)
  catsim-CI catsim at its best for classification: the same selector and estimator with
            ConfidenceIntervalStopper at the decision cuts (95 %): the A2 cut for one cut, the
            four cuts for placement (one run per task)
  fixed     one linear form from the same bank, as long as ours on average, scored by EAP;
            placement: items nearest evenly spaced points over the cuts; one cut: nearest the cut
  ideal     our rules on a dense bank (an item every 0.002 logit, no exposure or content rules):
            the information limit of a Rasch bank
Tasks: placement (below A1, A1, A2, B1, B2) and one cut (A2 reached or not).
Banks: a synthetic 600-item Rasch bank, or the shipped bank's live machine-scored reading or
listening items with their difficulties. Simulated answers follow the Rasch model per question.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import yaml

from attest.assessment.cat import CatConfig, CatEngine, CatItem
from attest.assessment.cut_scores import DEFAULT_SKILL, cut_scores_for
from attest.assessment.exposure import (
    FADING,
    MAX_RATE,
    STRATUM_MAX_RATE,
    EligibilityCounts,
    units_from_specs,
)
from attest.assessment.irt import ItemMatrix, ItemParams, eap
from attest.assessment.purposes import load_purposes
from attest.vocabulary import BELOW_A1, LEVELS

ROOT = Path(__file__).resolve().parents[1]
NAMES = (BELOW_A1,) + LEVELS
CUTS = cut_scores_for(DEFAULT_SKILL)  # the cuts in force (the store), as CatConfig's default
CUT_LEVEL = "A2"
BANDS = {"A1": (-3.0, -1.0), "A2": (-1.0, 0.5), "B1": (0.5, 2.0), "B2": (2.0, 3.5)}
DOMAINS = (
    "administratie",
    "gezondheid",
    "onderwijs",
    "vervoer",
    "vrije_tijd",
    "werk",
    "winkelen",
    "wonen",
)
FORMATS = (("single_choice", 0.6), ("multiple_response", 0.2), ("text_entry", 0.2))
POP_MEAN, POP_SD = -0.25, 1.5
CATSIM_SE, CATSIM_MIN, CATSIM_MAX = 0.30, 8, 60
CATSIM_CONFIDENCE = 0.95
NEAR = 0.3  # "near a cut": within this many logits of it
BAND = 0.5  # width of the ability bands of the conditional exposure figure
MIN_BAND = 100  # bands with fewer candidates are not reported (too noisy)
OVERRIDES: dict[str, dict] = {}  # task -> engine settings replacing the purposes' (tuning)
CONDITIONAL = True  # exposure control per ability stratum as well (--marginal: off)
# exposure counts per engine config, kept by the worker process across the chunks it runs (and
# across the two replications), as production keeps them across days; with --jobs 1 one process
# runs every chunk in order, so the counts run over all candidates (--fresh-counts: each chunk
# starts with none, as before 2026-12-07 evening)
PERSIST_COUNTS = True
EXPOSURE = True  # --no-exposure: no item-eligibility control at all (a diagnostic)
_COUNTS: dict = {}
STRATUM_RATE = STRATUM_MAX_RATE  # goal rate within a stratum (--stratum-rate)
MARGINAL_RATE = MAX_RATE  # goal rate over all candidates (--marginal-rate; 1: no marginal goal)
MIN_REAL_BANK = 100
# Our engine runs with the settings of the shipped purposes (what candidates get): placement
# as in "niveaubepaling", one cut as in "a2-luisteren-lezen-adaptief".
PURPOSE_OF_TASK = {"placement": "niveaubepaling", "one cut": "a2-luisteren-lezen-adaptief"}


def purpose_configs(skill: str) -> dict[str, dict]:
    """Return the engine settings per task from the shipped purposes, for one skill."""
    purposes = load_purposes()
    out = {}
    for task, code in PURPOSE_OF_TASK.items():
        section = next(s for s in purposes[code].sections if s.skill == skill)
        out[task] = dict(section.cat)
    return out


def our_configs(skill: str) -> dict[str, CatConfig]:
    """Return our engine's config per task (its exposure control is the item-eligibility
    method with running counts, in run_ours)."""
    return {
        task: CatConfig(**{**settings, **OVERRIDES.get(task, {})})
        for task, settings in purpose_configs(skill).items()
    }


OURS: dict[str, CatConfig] = {}


def synthetic_bank(n: int, seed: int) -> list[CatItem]:
    """Return n Rasch items spread evenly over the four level bands, with domains and formats."""
    rng = np.random.default_rng(seed)
    items = []
    for i in range(n):
        level = LEVELS[i % 4]
        b = float(rng.uniform(*BANDS[level]))
        fmt = rng.choice([f for f, _ in FORMATS], p=[p for _, p in FORMATS])
        items.append(CatItem(f"s{i:04d}", ItemParams(b), DOMAINS[rng.integers(8)], str(fmt)))
    return items


def ideal_bank() -> list[CatItem]:
    """Return a dense bank with an item every 0.002 logit on [-5, 5]."""
    return [
        CatItem(f"x{i}", ItemParams(float(b)), "any", "single_choice")
        for i, b in enumerate(np.arange(-5.0, 5.0001, 0.002))
    ]


def real_bank(skill: str) -> list[CatItem]:
    """Return the live, machine-scored items of the shipped bank of a skill as engine units
    (a testlet is one partial-credit unit), as the delivery builds them."""
    from attest.assessment.bank import load_bank
    from attest.assessment.formats import get_format

    items = load_bank(ROOT / "question_banks/nl").select(skill=skill, status="live")
    return units_from_specs([i for i in items if get_format(i.format).is_machine_scored])


def questions_of(units: list[CatItem]) -> tuple[np.ndarray, list[list[int]]]:
    """Return the Rasch difficulty of every question of the bank and each unit's question indices.

    A testlet's parts keep the difficulties the unit was built from (its PCM step difficulties)."""
    b, index = [], []
    for unit in units:
        parts = unit.params.deltas() if unit.parts else np.array([unit.params.b])
        index.append(list(range(len(b), len(b) + len(parts))))
        b.extend(float(x) for x in parts)
    return np.array(b), index


@dataclass
class Run:
    levels: list[str]
    reached: list[bool]
    lengths: np.ndarray
    thetas: np.ndarray
    tests: list[list[int]]
    step_ms: np.ndarray


# --- runners (module globals are set before the pool forks) -----------------------------------

BANK: list[CatItem] = []
IDEAL: list[CatItem] = []
QB = np.zeros(0)  # Rasch difficulty per question of BANK
UNIT_Q: list[list[int]] = []  # question indices of each unit of BANK


def _answer(rng: np.random.Generator, theta: float, b: float) -> int:
    return int(rng.random() < 1.0 / (1.0 + np.exp(-(theta - b))))


def set_bank(units: list[CatItem]) -> None:
    """Make units the bank of the runners (before the pool forks)."""
    global BANK, QB, UNIT_Q
    BANK = units
    QB, UNIT_Q = questions_of(units)


def run_ours(job: tuple) -> tuple:
    """Run our engine for a chunk of candidates; return per-candidate results."""
    config, ideal, thetas, first, rep, seed = job
    bank = IDEAL if ideal else BANK
    if ideal:
        config = replace(config, top_k=1, format_max_share={})
    conditional = CONDITIONAL
    engine = CatEngine(bank, config)
    # the item-eligibility method with running counts over this chunk's candidates, in order
    counts = None
    if not ideal and EXPOSURE:
        key = (repr(config), CONDITIONAL, STRATUM_RATE, MARGINAL_RATE, len(bank), bank[0].id)
        counts = _COUNTS.get(key) if PERSIST_COUNTS else None
        if counts is None:
            counts = EligibilityCounts(
                [item.id for item in bank], MARGINAL_RATE, stratum_max_rate=STRATUM_RATE
            )
            _COUNTS[key] = counts
    index = {item.id: i for i, item in enumerate(bank)}
    parts = (
        {i: [bank[i].params.b] for i in range(len(bank))}
        if ideal
        else {i: QB[q].tolist() for i, q in enumerate(UNIT_Q)}
    )
    out = []
    for k, theta in enumerate(thetas):
        rng = np.random.default_rng([seed, rep, first + k])
        state = engine.start(
            seed=seed * 1_000_003 + rep * 100_000 + first + k,
            eligibility=None if counts is None else counts.probabilities(),
            stratum_eligibility=None
            if counts is None or not conditional
            else counts.stratum_probabilities(),
        )
        times, cpu = [], []
        while True:
            t0, c0 = time.perf_counter(), time.thread_time()
            item = engine.next_item(state)
            if item is None:
                break
            t1, c1 = time.perf_counter(), time.thread_time()
            x = sum(_answer(rng, theta, b) for b in parts[index[item.id]])
            t2, c2 = time.perf_counter(), time.thread_time()
            state = engine.record(state, item.id, x)
            times.append((time.perf_counter() - t2 + (t1 - t0)) * 1000)
            cpu.append((time.thread_time() - c2 + (c1 - c0)) * 1000)
        if counts is not None:
            counts.add(
                state.items,
                state.ineligible or [],
                state.strata if conditional else None,
                state.stratum_ineligible,
            )
        d = engine.should_stop(state)
        used = [q for i in state.items for q in ([index[i]] if ideal else UNIT_Q[index[i]])]
        out.append((d.level, bool(d.reached), d.n_items, d.theta, used, times, cpu))
    return out


def run_catsim(job: tuple) -> tuple:
    """Run catsim (max info, bounded MLE with Dodd; SE stop, or with ``bounds`` the confidence
    interval stop at those cuts) for a chunk of candidates."""
    from catsim.estimation import NumericalSearchEstimator
    from catsim.item_bank import ItemBank
    from catsim.selection import MaxInfoSelector
    from catsim.stopping import ConfidenceIntervalStopper, MinErrorStopper

    bounds, _ideal, thetas, first, rep, seed = job
    b = QB
    params = np.column_stack([np.ones_like(b), b, np.zeros_like(b), np.ones_like(b)])
    bank = ItemBank(params, validate=False)  # valid by construction; validation prints to stdout
    selector, estimator = MaxInfoSelector(), NumericalSearchEstimator()
    if bounds:
        stopper = ConfidenceIntervalStopper(
            list(bounds), CATSIM_CONFIDENCE, min_items=CATSIM_MIN, max_items=CATSIM_MAX
        )
    else:
        stopper = MinErrorStopper(CATSIM_SE, min_items=CATSIM_MIN, max_items=CATSIM_MAX)
    out = []
    for k, theta in enumerate(thetas):
        rng = np.random.default_rng([seed, rep, first + k])
        est, given, answers, times = 0.0, [], [], []
        while not stopper.stop(
            administered_items=bank.get_items(given) if given else np.empty((0, 4)), theta=est
        ):
            t0 = time.perf_counter()
            # a set, not a list: catsim tests membership per bank item (same result, faster)
            i = int(selector.select(item_bank=bank, administered_items=set(given), est_theta=est))
            t1 = time.perf_counter()
            answers.append(bool(_answer(rng, theta, b[i])))
            given.append(i)
            t2 = time.perf_counter()
            est = float(
                estimator.estimate(
                    item_bank=bank, administered_items=given, response_vector=answers, est_theta=est
                )
            )
            times.append((time.perf_counter() - t2 + (t1 - t0)) * 1000)
        level = CUTS.level_for(est)
        out.append((level, est >= CUTS.cuts[CUT_LEVEL], len(given), est, given, times))
    return out


def run_fixed(job: tuple) -> tuple:
    """Score a fixed linear form (indices in job) for a chunk of candidates by EAP."""
    form, thetas, first, rep, seed = job
    matrix = ItemMatrix.from_items([ItemParams(float(QB[i])) for i in form])
    b = matrix.deltas[:, 0]
    out = []
    for k, theta in enumerate(thetas):
        rng = np.random.default_rng([seed, rep, first + k])
        x = [_answer(rng, theta, bi) for bi in b]
        t0 = time.perf_counter()
        est = eap(matrix, x).theta
        ms = (time.perf_counter() - t0) * 1000 / len(form)
        out.append(
            (
                CUTS.level_for(est),
                est >= CUTS.cuts[CUT_LEVEL],
                len(form),
                est,
                list(form),
                [ms] * len(form),
            )
        )
    return out


def fixed_form(task: str, length: int) -> list[int]:
    """Pick a linear form: items nearest evenly spaced targets (placement) or the cut (one cut)."""
    b = QB
    if task == "placement":
        targets = np.linspace(CUTS.cuts["A1"] - 0.25, CUTS.cuts["B2"] + 0.25, length)
    else:
        targets = np.full(length, CUTS.cuts[CUT_LEVEL])
    form: list[int] = []
    for t in targets:
        order = np.argsort(np.abs(b - t))
        form.append(int(next(i for i in order if i not in form)))
    return form


CACHE: Path | None = None  # --catsim-cache: catsim's runs kept per bank, seed, size and stop


def cached(name: str, compute) -> Run:
    """Return a Run from the cache directory if there, else compute and store it (catsim's
    runs do not depend on our engine, so tuning runs need not repeat them)."""
    import pickle

    if CACHE is None:
        return compute()
    path = CACHE / f"{name}.pickle"
    if path.exists():
        return pickle.loads(path.read_bytes())
    run = compute()
    CACHE.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(run))
    return run


def simulate(pool, fn, make_job, thetas: np.ndarray, rep: int, seed: int, jobs: int) -> Run:
    """Split candidates into chunks, run them on the pool, and gather one Run."""
    chunks = np.array_split(np.arange(thetas.size), max(jobs * 4, 1))
    work = [make_job(thetas[c].tolist(), int(c[0]), rep, seed) for c in chunks if c.size]
    rows = [row for part in pool.map(fn, work) for row in part]
    return Run(
        [r[0] for r in rows],
        [r[1] for r in rows],
        np.array([r[2] for r in rows]),
        np.array([r[3] for r in rows]),
        [r[4] for r in rows],
        np.concatenate([np.asarray(r[5], dtype=float) for r in rows]),
    )


# --- metrics ------------------------------------------------------------------------------------


def metrics(task: str, truth: np.ndarray, runs: tuple[Run, Run], bank_size: int | None) -> dict:
    """Compute the report's figures for one engine and task."""
    run, again = runs
    true_idx = np.array([NAMES.index(CUTS.level_for(t)) for t in truth])
    if task == "placement":
        got = np.array([NAMES.index(level) for level in run.levels])
        got2 = np.array([NAMES.index(level) for level in again.levels])
        exact = np.mean(got == true_idx)
        per_cut = {c: np.mean((true_idx > j) == (got > j)) for j, c in enumerate(LEVELS)}
        within = np.mean(np.abs(got - true_idx) <= 1)
        consistent = np.mean(got == got2)
    else:
        truth_reached = truth >= CUTS.cuts[CUT_LEVEL]
        got, got2 = np.array(run.reached), np.array(again.reached)
        exact = np.mean(got == truth_reached)
        per_cut, within, consistent = {CUT_LEVEL: exact}, None, np.mean(got == got2)
    err = run.thetas - truth
    if task == "placement":
        cut_names = list(LEVELS)
        passed = {
            c: np.array([NAMES.index(lv) > j for lv in run.levels]) for j, c in enumerate(LEVELS)
        }
    else:
        cut_names = [CUT_LEVEL]
        passed = {CUT_LEVEL: np.array(run.reached)}
    errors = {}
    for c in cut_names:
        cut = CUTS.cuts[c]
        above = truth >= cut
        near = np.abs(truth - cut) <= NEAR
        errors[c] = {
            "fp": float(np.mean(passed[c] & ~above)),
            "ff": float(np.mean(~passed[c] & above)),
            "n_near": int(near.sum()),
            "fp_near": float(np.mean(passed[c][near] & ~above[near])) if near.any() else 0.0,
            "ff_near": float(np.mean(~passed[c][near] & above[near])) if near.any() else 0.0,
        }
    out = {
        "errors": errors,
        "exact": exact,
        "per_cut": per_cut,
        "within1": within,
        "consistency": consistent,
        "mean_len": run.lengths.mean(),
        "p95_len": np.percentile(run.lengths, 95),
        "rmse": float(np.sqrt(np.mean(err**2))),
        "bias": float(err.mean()),
        "p95_ms": float(np.percentile(run.step_ms, 95)) if run.step_ms.size else float("nan"),
    }
    if bank_size:
        counts = np.zeros(bank_size)
        for test in run.tests:
            counts[test] += 1
        rng = np.random.default_rng(0)
        pairs = rng.integers(len(run.tests), size=(20_000, 2))
        overlap = [
            len(set(run.tests[i]) & set(run.tests[j])) * 2 / (len(run.tests[i]) + len(run.tests[j]))
            for i, j in pairs
            if i != j
        ]
        anchor = CUTS.cuts[CUT_LEVEL]
        band = np.floor((truth - anchor) / BAND + 0.5).astype(int)
        by_band = {}
        for k in np.unique(band):
            members = np.flatnonzero(band == k)
            if members.size >= MIN_BAND:
                c = np.zeros(bank_size)
                for m in members:
                    c[run.tests[m]] += 1
                lo = anchor + (k - 0.5) * BAND
                by_band[(round(lo, 2), round(lo + BAND, 2))] = (
                    int(members.size),
                    float(c.max() / members.size),
                    int((c / members.size > 0.25).sum()),
                )
        out |= {
            "by_band": by_band,
            "max_exp": counts.max() / len(run.tests),
            "unused": np.mean(counts == 0),
            "overlap": float(np.mean(overlap)),
        }
    return out


def table(results: dict) -> str:
    """Render the results as a Markdown table."""
    head = (
        "| task | engine | exact acc | acc per cut | within 1 | consistency | mean len "
        "| p95 len | RMSE | bias | max exposure | unused | overlap | step p95 ms |"
    )
    lines = [head, "|" + "---|" * 14]
    for (task, engine), m in results.items():
        cuts = " ".join(f"{c} {v:.3f}" for c, v in m["per_cut"].items())
        within = "-" if m["within1"] is None else f"{m['within1']:.4f}"
        expo = (
            f"{m['max_exp']:.3f} | {m['unused']:.1%} | {m['overlap']:.3f}"
            if "max_exp" in m
            else "- | - | -"
        )
        lines.append(
            f"| {task} | {engine} | {m['exact']:.4f} | {cuts} | {within} | {m['consistency']:.3f} "
            f"| {m['mean_len']:.1f} | {m['p95_len']:.0f} | {m['rmse']:.3f} | {m['bias']:+.3f} "
            f"| {expo} | {m['p95_ms']:.2f} |"
        )
    return "\n".join(lines)


def error_table(results: dict) -> str:
    """Render false passes and false fails per cut, overall and near each cut (+-NEAR)."""
    lines = [
        f"| task | engine | cut | false pass | false fail | n within +-{NEAR} | false pass near "
        "| false fail near |",
        "|" + "---|" * 8,
    ]
    for (task, engine), m in results.items():
        for c, e in m["errors"].items():
            lines.append(
                f"| {task} | {engine} | {c} | {e['fp']:.4f} | {e['ff']:.4f} | {e['n_near']} "
                f"| {e['fp_near']:.3f} | {e['ff_near']:.3f} |"
            )
    return "\n".join(lines)


def band_table(results: dict) -> str:
    """Render the maximum exposure per true-ability band (bands with >= MIN_BAND candidates)."""
    lines = [
        f"| task | engine | band (theta, width {BAND}) | candidates | max exposure "
        "| units > 0.25 |",
        "|" + "---|" * 6,
    ]
    for (task, engine), m in results.items():
        if engine != "ours" or "by_band" not in m:
            continue
        for (lo, hi), (n, top, over) in m["by_band"].items():
            lines.append(
                f"| {task} | {engine} | [{lo:+.2f}, {hi:+.2f}) | {n} | {top:.3f} | {over} |"
            )
    return "\n".join(lines)


def targets(results: dict, timing_ms: float) -> list[str]:
    """Check the issue's targets; return one line per target with met / NOT met (or not run,
    when a task or baseline was left out)."""
    lines = []
    for name, check in _checks(timing_ms).items():
        try:
            ok, detail = check(results)
        except KeyError:
            lines.append(f"- not run: {name}")
            continue
        lines.append(f"- {'met' if ok else 'NOT met'}: {name} ({detail})")
    return lines


def _checks(timing_ms: float) -> dict:
    """Return the targets as name -> check(results) -> (met, detail)."""

    def near_errors(r):
        e = r[("one cut", "ours")]["errors"][CUT_LEVEL]
        return e["fp_near"] <= e["ff_near"], (
            f"{e['fp_near']:.3f} vs {e['ff_near']:.3f} (overall {e['fp']:.4f} vs {e['ff']:.4f})"
        )

    def bands(r):
        tops = [
            top
            for task in ("placement", "one cut")
            if (task, "ours") in r
            for (_n, top, _o) in r[(task, "ours")]["by_band"].values()
        ]
        if not tops:
            raise KeyError("bands")
        return max(tops) <= 0.25, f"{max(tops):.3f}"

    def o(task):
        return lambda r: r[(task, "ours")]

    def c(task, engine):
        return lambda r: r[(task, engine)]

    p, pc, pf, pi = (
        o("placement"),
        c("placement", "catsim"),
        c("placement", "fixed"),
        c("placement", "ideal"),
    )
    oc, cc, cci, ci = (
        o("one cut"),
        c("one cut", "catsim"),
        c("one cut", "catsim-CI"),
        c("one cut", "ideal"),
    )
    return {
        "one-cut accuracy >= catsim-CI": lambda r: (
            oc(r)["exact"] >= cci(r)["exact"],
            f"{oc(r)['exact']:.4f} vs {cci(r)['exact']:.4f}",
        ),
        "one-cut mean length <= 85% of catsim-CI": lambda r: (
            oc(r)["mean_len"] <= 0.85 * cci(r)["mean_len"],
            f"{oc(r)['mean_len']:.1f} vs {cci(r)['mean_len']:.1f}: "
            f"{oc(r)['mean_len'] / cci(r)['mean_len']:.0%}",
        ),
        "placement exact >= catsim": lambda r: (
            p(r)["exact"] >= pc(r)["exact"],
            f"{p(r)['exact']:.4f} vs {pc(r)['exact']:.4f}",
        ),
        "placement mean length <= 70% of catsim": lambda r: (
            p(r)["mean_len"] <= 0.7 * pc(r)["mean_len"],
            f"{p(r)['mean_len']:.1f} vs {pc(r)['mean_len']:.1f}: "
            f"{p(r)['mean_len'] / pc(r)['mean_len']:.0%}",
        ),
        "placement exact >= catsim-CI (all cuts)": lambda r: (
            p(r)["exact"] >= r[("placement", "catsim-CI")]["exact"],
            f"{p(r)['exact']:.4f} vs {r[('placement', 'catsim-CI')]['exact']:.4f} at "
            f"{p(r)['mean_len'] / r[('placement', 'catsim-CI')]['mean_len']:.0%} of its length",
        ),
        f"one cut: false passes <= false fails within +-{NEAR} of the cut": near_errors,
        f"max exposure <= 0.25 in every band of {BAND} logit with >= {MIN_BAND} candidates": bands,
        "placement exact >= fixed": lambda r: (
            p(r)["exact"] >= pf(r)["exact"],
            f"{p(r)['exact']:.4f} vs {pf(r)['exact']:.4f}",
        ),
        "placement within one level >= 0.998": lambda r: (
            p(r)["within1"] >= 0.998,
            f"{p(r)['within1']:.4f}",
        ),
        "one-cut accuracy >= catsim (SE stop)": lambda r: (
            oc(r)["exact"] >= cc(r)["exact"],
            f"{oc(r)['exact']:.4f} vs {cc(r)['exact']:.4f}",
        ),
        "placement length <= 1.3x ideal bank": lambda r: (
            p(r)["mean_len"] <= 1.3 * pi(r)["mean_len"],
            f"{p(r)['mean_len'] / pi(r)['mean_len']:.2f}x",
        ),
        "one-cut length <= 1.3x ideal bank": lambda r: (
            oc(r)["mean_len"] <= 1.3 * ci(r)["mean_len"],
            f"{oc(r)['mean_len'] / ci(r)['mean_len']:.2f}x",
        ),
        "max exposure <= 0.25 (all candidates)": lambda r: (
            max(m["max_exp"] for (t, e), m in r.items() if e == "ours") <= 0.25,
            ", ".join(f"{t} {m['max_exp']:.3f}" for (t, e), m in r.items() if e == "ours"),
        ),
        "<= 20% of bank unused": lambda r: (
            max(m["unused"] for (t, e), m in r.items() if e == "ours") <= 0.20,
            ", ".join(f"{t} {m['unused']:.1%}" for (t, e), m in r.items() if e == "ours"),
        ),
        "selection+scoring p95 < 10 ms (1,000 items)": lambda r: (
            timing_ms < 10 if timing_ms == timing_ms else r["timing not run"],
            f"{timing_ms:.2f} ms",
        ),
    }


def time_large_bank(candidates: int, seed: int) -> tuple[float, float]:
    """Return the p95 selection+scoring time per step of our engine on a 1,000-item bank:
    wall-clock time (what a kiosk waits, including time the shared machine gave to other
    processes) and the thread's CPU time (what the code costs)."""
    saved = BANK
    set_bank(synthetic_bank(1000, seed + 1))
    try:
        rows = run_ours(
            (
                next(iter(OURS.values())),
                False,
                np.random.default_rng(seed).normal(POP_MEAN, POP_SD, candidates).tolist(),
                0,
                0,
                seed,
            )
        )
    finally:
        set_bank(saved)
    wall = np.concatenate([r[5] for r in rows])
    cpu = np.concatenate([r[6] for r in rows])
    return float(np.percentile(wall, 95)), float(np.percentile(cpu, 95))


def main(argv: list[str] | None = None) -> int:
    """Run the simulation, print the table, and append it to RESULTS.md with --write."""
    global IDEAL, OURS, CONDITIONAL, STRATUM_RATE, CACHE, PERSIST_COUNTS, EXPOSURE, MARGINAL_RATE
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--candidates", type=int, default=5000)
    ap.add_argument("--quick", action="store_true", help="1,000 candidates")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--write", action="store_true", help="append to benchmarks/RESULTS.md")
    ap.add_argument("--tasks", nargs="+", choices=("placement", "one-cut"), default=None)
    ap.add_argument(
        "--lean", action="store_true", help="ours, catsim and catsim-CI only (no fixed, ideal)"
    )
    ap.add_argument("--marginal", action="store_true", help="no exposure control per stratum")
    ap.add_argument(
        "--stratum-rate", type=float, default=STRATUM_MAX_RATE, help="goal rate per stratum"
    )
    ap.add_argument(
        "--catsim-cache",
        type=Path,
        default=None,
        help="keep catsim's runs in this directory and reuse them (same bank, seed, size)",
    )
    ap.add_argument(
        "--no-exposure", action="store_true", help="no exposure control at all (diagnostic)"
    )
    ap.add_argument(
        "--marginal-rate", type=float, default=MAX_RATE, help="goal rate over all candidates"
    )
    ap.add_argument(
        "--warmup",
        type=int,
        default=0,
        help="run this many other candidates first to fill the exposure counts (needs --jobs 1)",
    )
    ap.add_argument("--no-timing", action="store_true", help="skip the 1,000-item timing run")
    ap.add_argument("--catsim-only", action="store_true", help="run (and cache) catsim only")
    ap.add_argument(
        "--fresh-counts",
        action="store_true",
        help="each chunk of candidates starts with no exposure counts (default: counts persist)",
    )
    ap.add_argument(
        "--ours-only", action="store_true", help="our engine only (accuracy, errors, exposure)"
    )
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="TASK:KEY=VALUE",
        help="override an engine setting of a task for tuning, e.g. one-cut:sprt_delta=0.4",
    )
    ap.add_argument(
        "--bank",
        choices=("synthetic", "reading", "listening"),
        default="synthetic",
        help="the synthetic 600-item bank, or the shipped bank's live items of a skill",
    )
    args = ap.parse_args(argv)
    n = 1000 if args.quick else args.candidates
    real = args.bank != "synthetic"
    set_bank(synthetic_bank(600, args.seed) if not real else real_bank(args.bank))
    CONDITIONAL = not args.marginal
    CACHE = args.catsim_cache
    PERSIST_COUNTS = not args.fresh_counts
    EXPOSURE = not args.no_exposure
    STRATUM_RATE = args.stratum_rate
    MARGINAL_RATE = args.marginal_rate
    for item in args.set:
        task, _, setting = item.partition(":")
        key, _, value = setting.partition("=")
        OVERRIDES.setdefault(task.replace("-", " "), {})[key] = yaml.safe_load(value)
    OURS = our_configs("reading" if not real else args.bank)
    if args.tasks:
        OURS = {t: c for t, c in OURS.items() if t.replace(" ", "-") in args.tasks}
    IDEAL = ideal_bank()
    thetas = np.random.default_rng(args.seed).normal(POP_MEAN, POP_SD, n)
    started = time.time()
    results: dict = {}
    with mp.get_context("fork").Pool(args.jobs) as pool:

        def reps(fn, make_job, name=None):
            return tuple(
                simulate(pool, fn, make_job, thetas, r, args.seed, args.jobs)
                if name is None
                else cached(
                    f"{name}-{args.bank}-{args.seed}-{n}-{r}",
                    lambda r=r: simulate(pool, fn, make_job, thetas, r, args.seed, args.jobs),
                )
                for r in (0, 1)
            )

        need_se = not args.ours_only and (not args.lean or "placement" in OURS)
        catsim = (
            reps(run_catsim, lambda t, f, r, s: (None, False, t, f, r, s), "catsim")
            if need_se
            else None
        )
        all_cuts = tuple(CUTS.cuts[c] for c in LEVELS)
        catsim_ci = {
            task: reps(
                run_catsim,
                lambda t, f, r, s, b=bounds: (b, False, t, f, r, s),
                f"catsim-ci-{task.replace(' ', '-')}",
            )
            for task, bounds in (("placement", all_cuts), ("one cut", (CUTS.cuts[CUT_LEVEL],)))
            if task in OURS and not args.ours_only
        }
        if args.catsim_only:
            OURS.clear()
        for task in OURS:
            cfg = OURS[task]
            if args.warmup and EXPOSURE and PERSIST_COUNTS:
                # earlier tests, as production has them: other candidates of the same population
                # (seed + 1) fill the exposure counts before the candidates measured
                warm = np.random.default_rng(args.seed + 1).normal(POP_MEAN, POP_SD, args.warmup)
                pool.map(run_ours, [(cfg, False, warm.tolist(), 0, 9, args.seed + 1)])
            ours = reps(run_ours, lambda t, f, r, s, cfg=cfg: (cfg, False, t, f, r, s))
            results[(task, "ours")] = metrics(task, thetas, ours, QB.size)
            if catsim is not None:
                results[(task, "catsim")] = metrics(task, thetas, catsim, QB.size)
            if task in catsim_ci:
                results[(task, "catsim-CI")] = metrics(task, thetas, catsim_ci[task], QB.size)
            if args.lean or args.ours_only:
                continue
            ideal = reps(run_ours, lambda t, f, r, s, cfg=cfg: (cfg, True, t, f, r, s))
            form = fixed_form(task, int(round(ours[0].lengths.mean())))
            fixed = reps(run_fixed, lambda t, f, r, s, form=form: (form, t, f, r, s))
            results[(task, "fixed")] = metrics(task, thetas, fixed, QB.size)
            results[(task, "ideal")] = metrics(task, thetas, ideal, None)
    if args.catsim_only:
        print(f"catsim runs kept in {CACHE}")
        return 0
    timing = timing_cpu = float("nan")
    if OURS and not args.no_timing:
        timing, timing_cpu = time_large_bank(200 if args.quick or args.lean else 500, args.seed)
    elapsed = time.time() - started
    python = Path(sys.executable)
    python = python.relative_to(ROOT) if python.is_relative_to(ROOT) else Path("python")
    command = f"{python} benchmarks/cat_simulation.py " + " ".join(argv or sys.argv[1:])
    notes = [
        f"{n} candidates x 2 replications, theta ~ N({POP_MEAN}, {POP_SD}); "
        + (
            f"synthetic bank of {len(BANK)} Rasch items (150 per level band), 8 domains, 3 formats"
            if not real
            else f"the shipped {args.bank} bank: {QB.size} live machine-scored questions in "
            f"{len(BANK)} units ({sum(bool(u.parts) for u in BANK)} testlets) with their "
            "difficulties"
        )
        + f"; seed {args.seed}",
        f"catsim: MaxInfoSelector, NumericalSearchEstimator (bounded, Dodd), MinErrorStopper("
        f"{CATSIM_SE}, min {CATSIM_MIN}, max {CATSIM_MAX}); one run scored for both tasks; "
        f"catsim-CI: the same with ConfidenceIntervalStopper({CATSIM_CONFIDENCE:.0%}, min "
        f"{CATSIM_MIN}, max {CATSIM_MAX}) at the A2 cut (one cut) or all four cuts (placement)",
        "ours: "
        + "; ".join(
            f"{t}: {c.stop_rule.upper()} delta {c.sprt_delta}, alpha=beta={c.sprt_alpha}, "
            f"items {c.min_items}-"
            f"{c.max_items}, randomesque top-{c.top_k}, domains balanced (tolerance "
            f"{c.domain_tolerance:g} question), format caps"
            for t, c in OURS.items()
        )
        + "; undecided tests classified by the "
        + next(iter(OURS.values())).undecided_estimator.upper()
        + f"; item-eligibility exposure control, goal r_max {MARGINAL_RATE}, "
        + (
            f"marginal and per ability stratum of 0.5 logit (goal {STRATUM_RATE})"
            if CONDITIONAL
            else "marginal only"
        )
        + (
            f", running counts per chunk of about {n // max(args.jobs * 4, 1)} candidates "
            if not PERSIST_COUNTS
            else f", running counts kept over all candidates of a process ({args.jobs}) and "
            f"both replications, after {args.warmup} warm-up candidates, "
        )
        + f"(fading {FADING})"
        + ("" if EXPOSURE else "; NO exposure control (--no-exposure)")
        + (f"; overrides {OVERRIDES}" if OVERRIDES else ""),
        "step p95 ms: selection + scoring per item (catsim: select + estimate); "
        "fixed: scoring only",
        f"ours on a 1,000-item bank: selection+scoring p95 {timing:.2f} ms per item wall-clock "
        f"({timing_cpu:.2f} ms thread CPU time)",
        f"wall time {elapsed:.0f} s with {args.jobs} processes",
    ]
    text = "\n".join(
        [
            table(results),
            "",
            "False passes and false fails (share of all candidates; near: of those within "
            f"+-{NEAR} logit of the cut):",
            "",
            error_table(results),
            "",
            "Exposure of our engine per band of true ability (bands with at least "
            f"{MIN_BAND} candidates):",
            "",
            band_table(results),
            "",
            *[f"- {x}" for x in notes],
            "",
            "Targets:",
            *targets(results, timing),
        ]
    )
    print(text)
    if args.write:
        path = ROOT / "benchmarks" / "RESULTS.md"
        header = "" if path.exists() else "# Benchmark results\n"
        with path.open("a", encoding="utf-8") as fh:
            fh.write(
                f"{header}\n## Adaptive testing (issue [4]), {args.bank} bank: "
                f"{time.strftime('%Y-%m-%d')}\n\n"
                f"Command: `{command.strip()}`\n\n{text}\n"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
