"""Exposure control: Sympson-Hetter parameters computed by simulation and stored as data."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from attest.assessment.bank import load_bank
from attest.assessment.cat import CatConfig, CatEngine, CatItem
from attest.assessment.exposure import (
    EXPOSURE_FILE,
    exposure_key,
    exposure_rates,
    load_exposure,
    purpose_modes,
    simulate_tests,
    store_exposure,
    sympson_hetter,
    units_from_specs,
)
from attest.assessment.irt import ItemParams
from attest.assessment.purposes import load_purposes

BANK_ROOT = Path(__file__).resolve().parents[3] / "question_banks" / "nl"


def small_bank(n=60, seed=5):
    rng = np.random.default_rng(seed)
    return [
        CatItem(f"u{k}", ItemParams(float(rng.uniform(-2.5, 2.5))), ("werk", "wonen")[k % 2], "sc")
        for k in range(n)
    ]


def test_iterations_bring_the_busiest_unit_down_to_the_target():
    bank = small_bank()
    config = CatConfig(mode="cut", cut_level="A2", top_k=1, min_items=8, max_items=8)
    k, history = sympson_hetter(bank, config, candidates=150, iterations=4, target=0.3, seed=3)
    assert history[0] > 0.6  # maximum information alone gives the same items to most candidates
    assert history[-1] <= 0.3 + 0.08 < history[0]  # the check run of the final parameters
    assert k and all(0.0 < v < 1.0 for v in k.values())
    # the check holds on candidates the parameters were not computed on
    engine = CatEngine(bank, replace(config, exposure=k))
    thetas = np.random.default_rng(99).normal(-0.25, 1.5, 150)
    assert max(exposure_rates(bank, simulate_tests(engine, thetas, seed=77)).values()) <= 0.4


def test_store_and_load_round_trip(tmp_path):
    path = tmp_path / "exposure.yaml"
    assert load_exposure("reading", "placement", path) == {}
    store_exposure("reading", "cut-A2", {"nl-lz-a2-0001": 0.5}, {"seed": 1}, path)
    store_exposure("listening", "placement", {"T:nl-lu-b1-t001": 0.25}, {"seed": 1}, path)
    assert load_exposure("reading", "cut-A2", path) == {"nl-lz-a2-0001": 0.5}
    assert load_exposure("listening", "placement", path) == {"T:nl-lu-b1-t001": 0.25}
    assert load_exposure("reading", "placement", path) == {}


def test_keys_and_units_follow_the_delivery():
    assert exposure_key({"mode": "cut", "cut_level": "B1"}) == "cut-B1"
    assert exposure_key(CatConfig()) == "placement"
    bank = load_bank(BANK_ROOT)
    units = units_from_specs(bank.select(skill="reading", status="live"))
    testlets = [u for u in units if u.parts]
    assert testlets and all(u.id.startswith("T:") for u in testlets)
    assert all(u.params.max_score == len(u.parts) for u in testlets)


@pytest.mark.parametrize(("skill", "key"), sorted(purpose_modes(load_purposes())))
def test_shipped_parameters_cover_every_adaptive_mode(skill, key):
    """The stored parameters exist for each adaptive mode of the purposes and were checked."""
    import yaml

    entry = yaml.safe_load(EXPOSURE_FILE.read_text(encoding="utf-8"))[skill][key]
    history = entry["max_exposure_by_iteration"]  # the first run has no exposure control
    assert history[-1] == entry["max_exposure_check"] < history[0]
    assert all(0.0 < float(v) < 1.0 for v in entry["k"].values())
    live = {u.id for u in units_from_specs(load_bank(BANK_ROOT).select(skill=skill))}
    assert set(entry["k"]) <= live, "recompute with `attest bank exposure --write`"
