"""Rasch calibration: parameter recovery on simulated incomplete data, fit, DIF, anchoring."""

import numpy as np
import pytest
import yaml

from attest.assessment.calibration import calibrate

N_ITEMS, N_PERSONS = 60, 2000
MISKEYED, STEEP, DIF_ITEM = 5, 6, 10  # planted: negative slope, slope 3, +1 logit for focal
PLANTED = (MISKEYED, STEEP, DIF_ITEM)
ANCHORS = range(20, 40)
IDS = [f"it{k:02d}" for k in range(N_ITEMS)]


def simulate(seed: int = 7, n_items: int = N_ITEMS, n_persons: int = N_PERSONS):
    """Simulate a linked booklet design: 6 blocks of 10 items, each person takes 3 in a row."""
    rng = np.random.default_rng(seed)
    b = rng.permutation(np.linspace(-2.5, 2.5, n_items))
    slope = np.ones(n_items)
    slope[MISKEYED], slope[STEEP] = -0.7, 3.0
    group = np.where(rng.random(n_persons) < 0.5, "nl", "en")
    theta = rng.normal(0.2, 1.0, n_persons) - 0.5 * (group == "en")  # impact, not DIF
    b_person = np.tile(b, (n_persons, 1))
    b_person[group == "en", DIF_ITEM] += 1.0
    p = 1 / (1 + np.exp(-slope * (theta[:, None] - b_person)))
    x = (rng.random(p.shape) < p).astype(float)
    blocks = np.arange(n_items).reshape(6, -1)
    booklet = rng.integers(0, 6, n_persons)
    shown = np.zeros(x.shape, bool)
    for k in range(3):
        shown[np.arange(n_persons)[:, None], blocks[(booklet + k) % 6]] = True
    x[~shown] = np.nan
    return x, b, group


@pytest.fixture(scope="module")
def data():
    return simulate()


@pytest.fixture(scope="module")
def report(data):
    x, b, group = data
    anchors = {IDS[k]: b[k] for k in ANCHORS}
    return calibrate(x, IDS, anchors=anchors, groups=group, reference="nl", focal="en")


def _model_fitting() -> list[int]:
    return [k for k in range(N_ITEMS) if k not in PLANTED]


def _free() -> list[int]:
    return [k for k in _model_fitting() if k not in ANCHORS]


def test_recovers_difficulties_of_free_items(report, data):
    _, b, _ = data
    est = np.array([report.items[k].difficulty for k in _free()])
    rmse = float(np.sqrt(np.mean((est - b[_free()]) ** 2)))
    assert report.converged
    assert np.corrcoef(est, b[_free()])[0, 1] > 0.99
    assert rmse < 0.15  # 1,000 responses per item: SE ~0.08 logit


def test_standard_errors_match_the_actual_error(report, data):
    _, b, _ = data
    est = np.array([report.items[k].difficulty for k in _free()])
    se = np.array([report.items[k].se for k in _free()])
    z = (est - b[_free()]) / se
    assert 0.8 < np.sqrt(np.mean(z**2)) < 1.4
    assert np.mean(np.abs(z) < 1.96) > 0.85


def test_population_is_estimated_on_the_anchor_scale(report):
    # theta ~ N(0.2, 1) for nl and N(-0.3, 1) for en: mixture mean -0.05, SD ~1.03
    assert report.anchoring == "fixed"
    assert report.population_mean == pytest.approx(-0.05, abs=0.1)
    assert report.population_sd == pytest.approx(1.03, abs=0.1)


def test_fixed_anchoring_keeps_anchor_difficulties(report, data):
    _, b, _ = data
    for k in ANCHORS:
        item = report.items[k]
        assert item.is_anchor and item.difficulty == b[k] and item.se is None


def test_mean_anchoring_matches_the_anchor_mean_and_recovers(data):
    x, b, _ = data
    anchors = {IDS[k]: b[k] + 0.7 for k in ANCHORS}  # a scale 0.7 logit above the simulation
    report = calibrate(x, IDS, anchors=anchors, anchoring="mean")
    est = np.array([it.difficulty for it in report.items])
    assert np.mean(est[list(ANCHORS)]) == pytest.approx(np.mean(b[list(ANCHORS)]) + 0.7)
    assert report.shift == pytest.approx(0.7 - 0.05, abs=0.1)  # population mean was fixed at 0
    assert np.sqrt(np.mean((est - b - 0.7)[_free()] ** 2)) < 0.15


def test_without_anchors_the_population_mean_is_zero(data):
    x, b, _ = data
    report = calibrate(x[:, :30], IDS[:30])
    assert report.anchoring == "none" and report.population_mean == 0.0
    est = np.array([it.difficulty for it in report.items])
    keep = [k for k in range(30) if k not in PLANTED]
    assert np.corrcoef(est[keep], b[keep])[0, 1] > 0.99


def test_model_fitting_items_have_mean_squares_near_one(report):
    infit = np.array([report.items[k].infit for k in _model_fitting()])
    outfit = np.array([report.items[k].outfit for k in _model_fitting()])
    assert np.mean(infit) == pytest.approx(1.0, abs=0.05)
    assert np.mean(outfit) == pytest.approx(1.0, abs=0.08)
    assert np.all((infit > 0.8) & (infit < 1.2))
    flagged = {report.items[k].item_id: report.items[k].flags for k in _model_fitting()}
    assert {i: f for i, f in flagged.items() if f} == {}


def test_planted_misfits_are_flagged(report):
    miskeyed = report.items[MISKEYED]
    assert {"infit", "outfit", "low_point_biserial"} <= set(miskeyed.flags)
    assert miskeyed.infit > 1.3 and miskeyed.point_biserial < 0
    steep = report.items[STEEP]  # too discriminating: overfit, outfit far below 1
    assert "outfit" in steep.flags and steep.outfit < 0.7


def test_planted_dif_is_category_c_and_no_other_item_is(report):
    dif = report.items[DIF_ITEM].dif
    assert dif.category == "C" and "dif_c" in report.items[DIF_ITEM].flags
    assert dif.delta == pytest.approx(-2.35, abs=0.7)  # true: -2.35 * 1 logit, harder for "en"
    assert dif.alpha > 1 and dif.p_value < 1e-6
    others = [report.items[k].dif for k in _model_fitting()]
    assert [d.category for d in others].count("C") == 0
    assert abs(np.mean([d.delta for d in others])) < 0.2  # impact does not leak into DIF
    assert report.groups == ("nl", "en")


def test_point_biserials_are_positive_for_model_fitting_items(report):
    assert min(report.items[k].point_biserial for k in _model_fitting()) > 0.15


def _three_task_item(seed: int = 3):
    rng = np.random.default_rng(seed)
    theta = rng.normal(0, 1, 1500)
    b = np.linspace(-1.5, 1.5, 12)
    x = (rng.random((1500, 12)) < 1 / (1 + np.exp(-(theta[:, None] - b)))).astype(float)
    # item 0 is three tasks of difficulty 0.4, scored as the fraction right (partial credit)
    parts = rng.random((1500, 3)) < 1 / (1 + np.exp(-(theta[:, None] - 0.4)))
    x[:, 0] = parts.mean(axis=1)
    return x, {str(k): b[k] for k in range(1, 12)}


def test_fractional_scores_recover_the_mean_task_difficulty():
    x, anchors = _three_task_item()
    item = calibrate(x, anchors=anchors, partial="fractional").item("0")
    assert item.is_partial_credit
    assert item.difficulty == pytest.approx(0.4, abs=0.15)
    assert item.infit < 0.7 and item.flags == ()  # fractions vary less: reported, not flagged


def test_partial_credit_is_rounded_like_the_adaptive_engine_by_default():
    x, anchors = _three_task_item()
    rounded = calibrate(x, anchors=anchors).item("0")
    dichotomised = x.copy()
    dichotomised[:, 0] = x[:, 0] > 0.5  # 1/3 -> 0, 2/3 -> 1
    expected = calibrate(dichotomised, anchors=anchors).item("0")
    assert rounded.is_partial_credit and rounded.mean_score == np.mean(x[:, 0] > 0.5)
    assert rounded.difficulty == pytest.approx(expected.difficulty)
    assert rounded.flags == ()


def test_partial_credit_items_can_be_skipped():
    x, anchors = _three_task_item()
    skipped = calibrate(x, anchors=anchors, partial="skip").item("0")
    assert skipped.difficulty is None and skipped.flags == ("skipped_partial_credit",)
    assert skipped.n == 1500


def test_items_answered_all_alike_or_rarely_are_flagged(data):
    x, b, _ = data
    x = x[:, :20].copy()
    x[~np.isnan(x[:, 0]), 0] = 1.0
    x[np.flatnonzero(~np.isnan(x[:, 1]))[10:], 1] = np.nan
    report = calibrate(x, IDS[:20], min_responses=30)
    assert report.items[0].difficulty is None and "all_same_score" in report.items[0].flags
    assert report.items[1].n == 10 and "few_responses" in report.items[1].flags
    assert report.items[1].difficulty is not None


def test_report_serialises_to_plain_yaml(report):
    data = yaml.safe_load(yaml.safe_dump(report.to_dict()))
    assert len(data["items"]) == N_ITEMS
    assert data["items"][DIF_ITEM]["dif"]["category"] == "C"
    assert data["items"][DIF_ITEM]["flags"] == ["dif_c"]


@pytest.mark.parametrize(
    "responses, kwargs, message",
    [
        (np.empty((0, 3)), {}, "empty"),
        (np.empty((3, 0)), {}, "empty"),
        ([1.0, 0.0, 1.0], {}, "2-dimensional"),
        (np.zeros((2, 2, 2)), {}, "2-dimensional"),
        ([["a", "b"]], {}, "numeric"),
        ([[1.0, np.nan], [0.0, np.nan]], {}, "items without any response: 1"),
        ([[1.0, 0.0], [0.0, 2.0]], {}, r"\[0, 1\]"),
        ([[1.0, 0.0], [0.0, 1.0]], {"item_ids": ["a"]}, "1 item ids for 2"),
        ([[1.0, 0.0], [0.0, 1.0]], {"item_ids": ["a", "a"]}, "unique"),
        ([[1.0, 0.0], [0.0, 1.0]], {"anchors": {"x": 0.0}}, "anchor items not in the data: x"),
        ([[1.0, 0.0], [0.0, 1.0]], {"anchoring": "median"}, "anchoring must be"),
        ([[1.0, 0.0], [0.0, 1.0]], {"partial": "floor"}, "partial must be"),
        ([[1.0, 0.0], [0.0, 1.0]], {"groups": ["nl"]}, "1 group labels for 2 persons"),
    ],
)
def test_bad_input_raises_a_clear_value_error(responses, kwargs, message):
    with pytest.raises(ValueError, match=message):
        calibrate(responses, **kwargs)
