"""Band thresholds of the level rule (docs/standard-setting.md, "What a cut means for a
rubric-scored skill"): by default A1 1, A2 2, B1 3, B2 4, which is the rule as it always was; a
benchmarking panel's adopted cuts replace them, and a task reaches L when its lower-median band
(and its task completion band) is at or above the threshold of L, capped by the task's level."""

from __future__ import annotations

import pytest

from attest.assessment import rubrics
from attest.assessment.cut_scores import CutScoreError, read_data, store_from_data, with_new_cuts
from attest.assessment.standard_setting import (
    LevelSummary,
    StandardSettingError,
    proposed_band_cuts,
)

PANEL = {"A1": 0.8, "A2": 2.3, "B1": 2.9, "B2": 3.7}  # a severe A2, a lenient B1 and B2
RECORD = {"method": "standard setting: benchmarking", "date": "2026-12-07"}


@pytest.mark.parametrize(
    ("bands", "task", "default", "panel"),
    [
        ({"a": 2, "b": 2, "c": 2}, "B2", "A2", "A1"),  # median 2 < 2.3: A1 under the panel
        ({"a": 1, "b": 3, "c": 3}, "B2", "B1", "B1"),  # median 3 >= 2.9
        ({"a": 1, "b": 1, "c": 0}, "B2", "A1", "A1"),  # median 1 >= 0.8 (and >= 1)
        ({"a": 0, "b": 0, "c": 4}, "B2", "below_A1", "below_A1"),
        ({"a": 4, "b": 4, "c": 4}, "B2", "B2", "B2"),
        ({"a": 4, "b": 4, "c": 4}, "A2", "A2", "A2"),  # capped by the task's level
        ({"a": 3, "b": 3, "task_completion": 2}, "B2", "A2", "A1"),  # completion 2 < 2.3
        ({"a": 4, "b": 3, "c": 3, "d": 4}, "B2", "B1", "B1"),  # lower median of four: 3
    ],
)
def test_thresholds_change_the_task_level_exactly_as_documented(bands, task, default, panel):
    assert rubrics.task_level(bands, task) == default
    assert rubrics.task_level(bands, task, rubrics.BAND_THRESHOLDS) == default
    assert rubrics.task_level(bands, task, PANEL) == panel


def test_the_default_thresholds_are_the_rubric_bands():
    assert rubrics.BAND_THRESHOLDS == {"A1": 1.0, "A2": 2.0, "B1": 3.0, "B2": 4.0}
    for band in range(5):  # band n is level n, as before
        assert rubrics.task_level({"x": band}, "B2") == rubrics.BAND_LEVELS[band]


def test_thresholds_decide_whether_two_ratings_agree_and_the_final_level():
    first, second = {"a": 2, "b": 2}, {"a": 3, "b": 3}  # within a band; levels A2 and B1
    assert rubrics.decide("B2", first, second).status == "adjudicate"
    lenient = {"A1": 1.0, "A2": 1.5, "B1": 3.5, "B2": 4.0}  # both read as A2 now
    decision = rubrics.decide("B2", first, second, thresholds=lenient)
    assert (decision.status, decision.level) == ("final", "A2")
    third = rubrics.decide("B2", first, second, {"a": 2, "b": 2}, thresholds=PANEL)
    assert (third.status, third.level) == ("final", "A1")


def test_the_store_holds_band_thresholds_for_a_productive_skill():
    seed = store_from_data(read_data())
    assert seed.band_thresholds("writing") == rubrics.BAND_THRESHOLDS  # no entry: the rubric's
    data = with_new_cuts(read_data(), "panel-1-20261207", "writing", None, PANEL, RECORD)
    store = store_from_data(data)
    assert store.band_thresholds("writing") == PANEL
    assert store.band_thresholds("writing", "a2-volledig") == PANEL  # no purpose cuts of its own
    assert store.band_thresholds("speaking") == rubrics.BAND_THRESHOLDS
    assert store.record("writing").status == "final"
    assert store.cuts("reading").cuts == seed.cuts("reading").cuts  # the rest as it was
    with pytest.raises(KeyError):
        store.band_thresholds("reading")  # theta cuts, not bands


def test_a_purpose_sets_band_thresholds_beside_the_rubric_s_own():
    data = with_new_cuts(read_data(), "panel-2-20261207", "speaking", "a2-volledig", PANEL, RECORD)
    store = store_from_data(data)
    assert store.band_thresholds("speaking", "a2-volledig") == PANEL
    assert store.band_thresholds("speaking") == rubrics.BAND_THRESHOLDS


@pytest.mark.parametrize(
    "cuts",
    [
        {"A1": 0.0, "A2": 2.0, "B1": 3.0, "B2": 4.0},  # band 0 is below A1
        {"A1": 1.0, "A2": 2.0, "B1": 3.0, "B2": 4.5},  # above the top band
        {"A1": 1.0, "A2": 3.0, "B1": 2.5, "B2": 4.0},  # not rising
    ],
)
def test_band_thresholds_off_the_band_scale_are_refused(cuts):
    with pytest.raises(CutScoreError, match="writing"):
        with_new_cuts(read_data(), "v", "writing", None, cuts, RECORD)


def _summary(level: str, median: float) -> LevelSummary:
    return LevelSummary(level, 3, median, median, 0.0, 0.0, median, median)


def test_a_benchmarking_panel_without_a_cut_for_a_level_keeps_the_threshold_in_force():
    summary = {lv: _summary(lv, PANEL[lv]) for lv in ("A2", "B1", "B2")}  # none placed below A1
    proposed = proposed_band_cuts(summary, rubrics.BAND_THRESHOLDS)
    assert proposed.cuts == {"A1": 1.0, "A2": 2.3, "B1": 2.9, "B2": 3.7}
    with pytest.raises(StandardSettingError):  # the kept A1 above the panel's A2: not rising
        proposed_band_cuts({"A2": _summary("A2", 0.9)}, rubrics.BAND_THRESHOLDS)
