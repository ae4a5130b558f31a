"""Decision quality per purpose: which sections and cuts are judged, and the bar for live."""

from __future__ import annotations

import pytest

from attest.assessment.purpose_quality import live_problems, purpose_decisions, representative_form
from attest.assessment.purposes import Purpose, PurposeError, Section, load_purposes

CUTS = {s: {"A1": -2.5, "A2": -0.75, "B1": 0.75, "B2": 2.25} for s in ("listening", "reading")}
# A bank with ten units per level spread over each level's band
BANDS = {"A1": (-3.0, -1.0), "A2": (-1.0, 0.5), "B1": (0.5, 2.0), "B2": (2.0, 3.5)}
UNITS = {
    skill: {
        lv: [lo + (hi - lo) * (i + 0.5) / 10 for i in range(10)] for lv, (lo, hi) in BANDS.items()
    }
    for skill in ("listening", "reading")
}


def _purpose(per_level: int, status: str = "live", **extra) -> Purpose:
    sections = (
        Section(skill="listening", items_per_level=per_level),
        Section(skill="speaking", mode="targeted", tasks=3, gate_level="A1"),
    )
    return Purpose("p", "P", "", "A1", "A2", sections, status=status, **extra)


def test_only_receptive_sections_at_each_decided_cut():
    decisions = purpose_decisions(_purpose(4, decides=("A1", "A2")), CUTS, UNITS)
    assert [(d.skill, d.level, d.items) for d in decisions] == [
        ("listening", "A1", 8),
        ("listening", "A2", 8),
    ]
    assert all(d.exact is not None and d.rudner.method == "rudner" for d in decisions)


def test_a_longer_form_decides_better_and_the_bar_follows():
    short = purpose_decisions(_purpose(2), CUTS, UNITS)[0]
    long = purpose_decisions(_purpose(10), CUTS, UNITS)[0]
    assert short.accuracy < 0.90 <= long.accuracy
    assert live_problems(_purpose(2), [short]) == [
        f"p: listening at the A2 cut reaches accuracy {short.accuracy:.3f} < 0.90; "
        "make the form longer or adaptive, or mark the purpose draft"
    ]
    assert live_problems(_purpose(10), [long]) == []
    assert live_problems(_purpose(2, status="draft"), [short]) == []  # a draft may be weak


def test_the_counted_accuracy_is_the_lower_of_rudner_and_exact():
    d = purpose_decisions(_purpose(4), CUTS, UNITS)[0]
    assert d.accuracy == min(d.rudner.accuracy, d.exact.accuracy)


def test_adaptive_sections_are_bounded_by_their_longest_test():
    cat = {"mode": "cut", "cut_level": "A2", "max_items": 30}
    purpose = Purpose(
        "q", "Q", "", "A1", "A2", (Section(skill="reading", mode="adaptive", cat=cat),)
    )
    (d,) = purpose_decisions(purpose, CUTS, UNITS)
    assert d.mode == "adaptive" and d.items == 30 and d.exact is None


def test_representative_form_takes_quantiles():
    assert representative_form([4, 1, 3, 2], 2) == [1.75, 3.25]
    assert representative_form([2, 1], 5) == [1.0, 2.0]


@pytest.mark.parametrize(
    ("extra", "message"),
    [("status: maybe", "status must be one of"), ("decides: [B1]", "decides must list levels")],
)
def test_bad_status_or_decisions_are_refused(tmp_path, extra, message):
    path = tmp_path / "purposes.yaml"
    path.write_text(
        "- code: x\n  title: X\n  lowest_level: A1\n  target_level: A2\n"
        f"  {extra}\n  sections: [{{skill: listening}}]\n",
        encoding="utf-8",
    )
    with pytest.raises(PurposeError, match=message):
        load_purposes(path)


def test_shipped_purposes_state_their_status_and_decisions():
    purposes = load_purposes()
    assert purposes["a2-mondeling"].decision_levels == ("A2",)
    assert purposes["niveaubepaling"].decision_levels == ("A2", "B1")
    assert all(p.is_live for p in purposes.values())


def test_precision_at_the_cut_and_marginal_reliability():
    from attest.assessment.decision_accuracy import marginal_reliability

    # a constant SE of 0.5 in a population of sd 1.5: 2.25 / (2.25 + 0.25) = 0.9 (by hand)
    assert marginal_reliability(lambda t: 0.5 + 0 * t, 0.0, 1.5) == pytest.approx(0.9, abs=1e-9)
    short, long = (purpose_decisions(_purpose(k), CUTS, UNITS)[0] for k in (2, 8))
    # a longer form measures more precisely at the cut and over the population
    assert long.se_at_cut < short.se_at_cut and long.reliability > short.reliability
    assert 0 < short.reliability < long.reliability < 1
    # SE at the cut is that of the expected test information: 8 units per level of A1 and A2
    import numpy as np

    from attest.assessment import irt

    cut = CUTS["listening"]["A2"]
    info = sum(
        8 * irt.info_2pl(np.array([cut]), np.ones(10), np.array(UNITS["listening"][lv])).mean()
        for lv in ("A1", "A2")
    )
    assert long.se_at_cut == pytest.approx(1 / np.sqrt(info), rel=1e-9)
