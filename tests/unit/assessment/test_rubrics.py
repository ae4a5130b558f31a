"""The rubric data, the level rule and the final-rating rule, as tables of cases."""

from __future__ import annotations

import pytest

from attest.assessment import rubrics
from attest.assessment.rubrics import decide, skill_level, task_level

SPEAKING = ("task_completion", "range", "accuracy", "fluency", "pronunciation", "coherence")


def bands(*values: float) -> dict[str, float]:
    return dict(zip(SPEAKING, values, strict=True))


def test_every_task_type_has_its_cefr_criteria_with_five_described_bands():
    rules = rubrics.load_rules()
    assert set(rules.task_types["speaking"]) == {"monologue", "dialogue"}
    assert "interaction" in rules.task_types["speaking"]["dialogue"]["criteria"]
    assert "interaction" not in rules.task_types["speaking"]["monologue"]["criteria"]
    for name in rules.task_types["writing"]:
        assert rules.task_types["writing"][name]["criteria"] == [
            "task_completion",
            "range",
            "accuracy",
            "coherence",
            "spelling_layout",
        ]
    for criteria in rules.criteria.values():
        for spec in criteria.values():
            assert len(spec["bands"]) == 5 and all(d.strip() for d in spec["bands"].values())


@pytest.mark.parametrize("level, top", [("A1", 2), ("A2", 3), ("B1", 4), ("B2", 4)])
def test_a_task_allows_bands_up_to_one_above_its_level(level, top):
    rubric = rubrics.rubric_for("speaking", "dialogue", level)
    assert rubric.max_band == top
    assert all(len(c.descriptors) == top + 1 for c in rubric.criteria)
    assert len(rubric.criteria) == 7


def test_check_names_each_bad_criterion():
    rubric = rubrics.rubric_for("writing", "functional", "A2")
    problems = rubric.check(
        {"task_completion": 2, "range": 9, "accuracy": "2", "coherence": True, "extra": 1}
    )
    assert problems == {
        "range": "out_of_range",
        "accuracy": "not_a_band",
        "coherence": "not_a_band",
        "spelling_layout": "missing",
        "extra": "unknown",
    }
    assert rubric.check(dict.fromkeys(rubric.codes, 3)) == {}


@pytest.mark.parametrize(
    "skill, level, content, expected",
    [
        ("speaking", "A2", {"stem": "Beschrijf de buurt waar je woont."}, "monologue"),
        (
            "speaking",
            "A2",
            {"stem": "Je staat aan het loket. Praat met de medewerker."},
            "dialogue",
        ),
        ("speaking", "A1", {"stem": "Je belt naar de huisarts. Wat zeg je?"}, "dialogue"),
        ("speaking", "B1", {"stem": "Vertel over je werk.", "task_type": "dialogue"}, "dialogue"),
        ("writing", "A2", {"stem": "Schrijf een mail."}, "functional"),
        ("writing", "B1", {"stem": "Schrijf een verslag."}, "argumentative"),
    ],
)
def test_task_type(skill, level, content, expected):
    assert rubrics.task_type_for(skill, level, content) == expected


@pytest.mark.parametrize(
    "values, task, expected",
    [
        ((2, 2, 2, 2, 2, 2), "A2", "A2"),  # every criterion at the task's level
        ((3, 3, 3, 3, 3, 3), "A2", "A2"),  # above the task: capped at the task's level
        ((2, 2, 2, 1, 1, 1), "A2", "A1"),  # lower median of 1,1,1,2,2,2 is 1
        ((2, 2, 2, 2, 1, 1), "A2", "A2"),
        ((1, 3, 3, 3, 3, 3), "B1", "A1"),  # task not completed: capped by task completion
        ((0, 0, 0, 0, 0, 0), "A1", "below_A1"),
        ((2.5, 2, 2.5, 2, 2, 2.5), "B1", "A2"),  # means of two ratings round down
        ((4, 4, 4, 4, 4, 4), "B2", "B2"),
    ],
)
def test_task_level_rule(values, task, expected):
    assert task_level(bands(*values), task) == expected


@pytest.mark.parametrize(
    "levels, ceiling, expected",
    [
        (["A2", "A2", "A2"], None, "A2"),
        (["A2", "A2", "A1"], None, "A2"),  # the middle of three
        (["A2", "A1", "A1"], None, "A1"),
        (["A2", "A1"], None, "A1"),  # two tasks: the lower one
        (["B1", "B1", "B1"], "A2", "A2"),  # the purpose's ceiling
        (["A2", "below_A1", "A2"], None, "A2"),
        (["below_A1", "below_A1", "A2"], None, "below_A1"),  # unanswered tasks count
        ([], None, "below_A1"),
    ],
)
def test_skill_level_rule(levels, ceiling, expected):
    assert skill_level(levels, ceiling) == expected


@pytest.mark.parametrize(
    "first, second, reasons",
    [
        ((2, 2, 2, 2, 2, 2), (2, 2, 2, 2, 2, 2), ()),
        ((2, 2, 2, 2, 2, 2), (3, 3, 3, 3, 3, 3), ()),  # one band apart, both capped at A2
        ((2, 2, 2, 2, 2, 2), (2, 0, 2, 2, 2, 2), ("range",)),  # two bands apart on one criterion
        ((2, 2, 2, 2, 2, 2), (1, 1, 1, 1, 1, 1), ("level",)),  # one band apart, levels differ
        ((3, 2, 2, 2, 2, 2), (1, 2, 2, 2, 2, 2), ("task_completion", "level")),
    ],
)
def test_adjudication_trigger(first, second, reasons):
    assert rubrics.adjudication_reasons(bands(*first), bands(*second), "A2") == reasons
    decision = decide("A2", bands(*first), bands(*second))
    assert decision.status == ("adjudicate" if reasons else "final")


def test_final_rating_rule():
    assert decide("A2", None, None).status == "pending"
    assert decide("A2", bands(2, 2, 2, 2, 2, 2), None).status == "pending"
    agreed = decide("A2", bands(2, 2, 2, 2, 2, 2), bands(3, 2, 2, 2, 3, 2))
    assert (agreed.status, agreed.level, agreed.method) == ("final", "A2", "agreed")
    assert agreed.bands["task_completion"] == 2.5 and agreed.bands["range"] == 2
    waiting = decide("A2", bands(2, 2, 2, 2, 2, 2), bands(0, 0, 0, 0, 0, 0))
    assert waiting.status == "adjudicate" and waiting.level is None
    decided = decide(
        "A2", bands(2, 2, 2, 2, 2, 2), bands(0, 0, 0, 0, 0, 0), bands(1, 1, 1, 1, 1, 1)
    )
    assert (decided.status, decided.level, decided.method) == ("final", "A1", "adjudicated")
    assert decided.bands == bands(1, 1, 1, 1, 1, 1)


def test_an_item_can_name_its_rubric_and_a_wrong_name_is_refused():
    from attest.assessment.formats.productive import AudioResponse, ExtendedText

    speaking = {"stem": "Vertel.", "preparation_seconds": 10, "max_recording_seconds": 30}
    assert AudioResponse.validate({**speaking, "task_type": "dialogue"}) == []
    assert AudioResponse.validate({**speaking, "task_type": "functional"}) == [
        "task_type: expected one of monologue, dialogue; got 'functional'"
    ]
    writing = {"stem": "Schrijf.", "min_words": 10, "max_words": 40}
    assert ExtendedText.validate({**writing, "task_type": "argumentative"}) == []
    assert ExtendedText.validate({**writing, "task_type": "dialogue"})
