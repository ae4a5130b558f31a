"""Standard-setting computations against worked examples computed by hand in each test.

The Bookmark location formula theta = b + ln(RP / (1 - RP)) and its RP 2/3 shift of about
+0.69 logit are as published in the Bookmark method's description at
https://metricgate.com/docs/bookmark-standard-setting (Lewis, Mitzel & Green 1996)."""

from __future__ import annotations

import math

import pytest

from attest.assessment import standard_setting as ss

DIFFICULTIES = {"a": 0.5, "b": -1.0, "c": 1.5, "d": -2.0, "e": 0.0}
FOUR_AT_ZERO = {"i1": 0.0, "i2": 0.0, "i3": 0.0, "i4": 0.0}


def test_rp_location_is_the_published_shift():
    # RP = 2/3: ln(2) = 0.693 above the difficulty, the published "+0.69 logits".
    assert ss.rp_location(0.0, 2 / 3) == pytest.approx(0.6931, abs=1e-4)
    # RP67 (the default): ln(0.67 / 0.33) = 0.7082; RP50: the difficulty itself.
    assert ss.rp_location(1.0) == pytest.approx(1.7082, abs=1e-4)
    assert ss.rp_location(1.0, 0.5) == 1.0
    with pytest.raises(ss.StandardSettingError):
        ss.rp_location(0.0, 1.0)


def test_the_booklet_is_ordered_by_location_and_a_bookmark_gives_its_page_location():
    booklet = ss.ordered_item_booklet(DIFFICULTIES)
    assert [p.item_id for p in booklet] == ["d", "b", "e", "a", "c"]
    assert [p.page for p in booklet] == [1, 2, 3, 4, 5]
    cuts = ss.bookmark_cuts(booklet, {"A1": 1, "A2": 2, "B1": 4, "B2": 5})
    shift = math.log(0.67 / 0.33)
    assert cuts == pytest.approx(
        {"A1": -2 + shift, "A2": -1 + shift, "B1": 0.5 + shift, "B2": 1.5 + shift}
    )


def test_bookmarks_must_be_pages_and_not_go_back():
    booklet = ss.ordered_item_booklet(DIFFICULTIES)
    with pytest.raises(ss.StandardSettingError) as err:
        ss.bookmark_cuts(booklet, {"A1": 3, "A2": 2, "B1": 4, "B2": 5})
    assert err.value.code == "bookmarks_out_of_order"
    with pytest.raises(ss.StandardSettingError) as err:
        ss.bookmark_cuts(booklet, {"A1": 1, "A2": 2, "B1": 4, "B2": 6})
    assert err.value.code == "bad_bookmark"
    with pytest.raises(ss.StandardSettingError) as err:
        ss.bookmark_cuts(booklet, {"A1": 1, "A2": 2, "B1": 4})
    assert err.value.code == "levels_missing"


def test_angoff_sums_map_through_the_test_characteristic_curve():
    # Four items at b = 0: TCC(theta) = 4 / (1 + e^-theta). Sum 1 -> p = 1/4 -> ln(1/3);
    # sum 2 -> 0; sum 3 -> ln 3; sum 3.6 -> p = 0.9 -> ln 9.
    judgements = {
        "A1": dict.fromkeys(FOUR_AT_ZERO, 0.25),
        "A2": {"i1": 0.3, "i2": 0.4, "i3": 0.6, "i4": 0.7},
        "B1": dict.fromkeys(FOUR_AT_ZERO, 0.75),
        "B2": dict.fromkeys(FOUR_AT_ZERO, 0.9),
    }
    cuts = ss.angoff_cuts(FOUR_AT_ZERO, judgements)
    assert cuts == pytest.approx(
        {"A1": math.log(1 / 3), "A2": 0.0, "B1": math.log(3), "B2": math.log(9)}, abs=1e-8
    )


def test_angoff_refuses_a_probability_outside_0_1_and_a_missing_item():
    judgements = {level: dict.fromkeys(FOUR_AT_ZERO, 0.5) for level in ("A1", "A2", "B1", "B2")}
    judgements["B1"]["i2"] = 1.2
    with pytest.raises(ss.StandardSettingError) as err:
        ss.angoff_cuts(FOUR_AT_ZERO, judgements)
    assert err.value.code == "bad_probability"
    del judgements["B1"]["i2"]
    with pytest.raises(ss.StandardSettingError) as err:
        ss.angoff_cuts(FOUR_AT_ZERO, judgements)
    assert err.value.code == "items_missing"


def test_basket_counts_the_items_at_or_below_the_level():
    baskets = {"i1": "A1", "i2": "A2", "i3": "A2", "i4": "B1"}
    assert ss.basket_raw_cuts(baskets) == {"A1": 1, "A2": 3, "B1": 4, "B2": 4}
    # Raw 1 -> ln(1/3), raw 3 -> ln 3; raw 4 of 4 is taken as 3.5 -> p = 0.875 -> ln 7.
    cuts = ss.basket_cuts(FOUR_AT_ZERO, baskets)
    assert cuts == pytest.approx(
        {"A1": math.log(1 / 3), "A2": math.log(3), "B1": math.log(7), "B2": math.log(7)},
        abs=1e-8,
    )


def test_benchmarking_separates_placements_by_score():
    scores = {"p1": 1.0, "p2": 1.4, "p3": 2.0, "p4": 2.2, "p5": 3.0, "p6": 3.8}
    clean = {"p1": "A1", "p2": "A2", "p3": "A2", "p4": "B1", "p5": "B1", "p6": "B2"}
    # A1: every performance is at A1 or above: no cut. A2: between 1.0 and 1.4 -> 1.2;
    # B1: between 2.0 and 2.2 -> 2.1; B2: between 3.0 and 3.8 -> 3.4.
    assert ss.benchmark_cuts(scores, clean) == pytest.approx(
        {"A1": None, "A2": 1.2, "B1": 2.1, "B2": 3.4}
    )
    # p3 (2.0) placed at B1 and p4 (2.2) at A2: thresholds 1.7, 2.1 and 2.6 each misplace one
    # performance, the fewest: the middle of that interval, (1.7 + 2.6) / 2 = 2.15.
    crossed = {**clean, "p3": "B1", "p4": "A2"}
    assert ss.benchmark_cuts(scores, crossed)["B1"] == pytest.approx(2.15)


def test_a_round_gives_the_median_and_the_standard_error_between_panellists():
    cuts = {f"p{i}": {"A2": value} for i, value in enumerate([-1.0, -0.8, -0.6, -0.4, -0.2])}
    summary = ss.summarise_round(cuts)["A2"]
    # SD = sqrt((0.16 + 0.04 + 0 + 0.04 + 0.16) / 4) = sqrt(0.1); SE = SD / sqrt(5).
    assert summary.median == pytest.approx(-0.6)
    assert summary.mean == pytest.approx(-0.6)
    assert summary.sd == pytest.approx(math.sqrt(0.1))
    assert summary.se == pytest.approx(math.sqrt(0.1) / math.sqrt(5))
    assert (summary.low, summary.high, summary.n) == (-1.0, -0.2, 5)
    with pytest.raises(ss.StandardSettingError) as err:
        ss.proposed_cuts(ss.summarise_round(cuts), "bookmark")
    assert err.value.code == "no_cut"


def test_kendalls_w_by_hand():
    same = {"j1": {"a": 1, "b": 2, "c": 3, "d": 4}, "j2": {"a": 1, "b": 2, "c": 3, "d": 4}}
    assert ss.kendalls_w(same) == pytest.approx(1.0)
    # Rank totals 6, 7, 8, 9 (mean 7.5): S = 5; W = 12 * 5 / (3^2 * (4^3 - 4)) = 1/9.
    mixed = {**same, "j3": {"a": 4, "b": 3, "c": 2, "d": 1}}
    assert ss.kendalls_w(mixed) == pytest.approx(1 / 9)
    assert ss.kendalls_w({"j1": same["j1"]}) is None


def test_familiarisation_against_the_key():
    key = {"d1": "A1", "d2": "A2", "d3": "B1", "d4": "B2"}
    sort = {"d1": "A1", "d2": "B1", "d3": "A2", "d4": "B2"}
    result = ss.familiarisation(sort, key)
    # Two of four exact, all within one level; Spearman: d^2 = 2, rho = 1 - 12 / 60 = 0.8;
    # quadratic kappa: observed disagreement 2, expected 40 / 4 = 10, kappa = 1 - 2 / 10 = 0.8.
    assert (result.exact, result.adjacent) == (0.5, 1.0)
    assert result.spearman == pytest.approx(0.8)
    assert result.kappa == pytest.approx(0.8)
    assert ss.familiarisation(key, key).exact == 1.0
    with pytest.raises(ss.StandardSettingError):
        ss.familiarisation({"d1": "A1"}, key)


def test_impact_counts_the_candidates_per_level():
    cuts = {"A1": -2.5, "A2": -0.75, "B1": 0.75, "B2": 2.25}
    shares = ss.impact([-3.0, -1.0, 0.0, 0.8, 2.5], cuts)
    assert shares == {"below_A1": 0.2, "A1": 0.2, "A2": 0.2, "B1": 0.2, "B2": 0.2}
    # Raising the A2 cut past 0.0 moves one candidate down to A1.
    assert ss.impact([-3.0, -1.0, 0.0, 0.8, 2.5], {**cuts, "A2": 0.1})["A1"] == 0.4
