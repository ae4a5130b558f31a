"""The rubric data, the level rule and the final-rating rule, as tables of cases."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import yaml

from attest.assessment import rubrics
from attest.assessment.rubrics import decide, skill_level, task_level

SPEAKING = ("task_completion", "range", "accuracy", "fluency", "pronunciation", "coherence")


def bands(*values: float) -> dict[str, float]:
    return dict(zip(SPEAKING, values, strict=True))


CV2020 = "https://rm.coe.int/common-european-framework-of-reference-for-languages-learning-teaching/16809ea0d4"
TASK_TYPES = {"speaking": ("monologue", "dialogue"), "writing": ("functional", "argumentative")}
ALL_TYPES = [(skill, name) for skill, names in TASK_TYPES.items() for name in names]


def test_every_task_type_has_its_cefr_criteria_with_five_described_bands():
    rules = rubrics.load_rules()
    assert {skill: tuple(types) for skill, types in rules.task_types.items()} == TASK_TYPES
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


@pytest.mark.parametrize("skill, task_type", ALL_TYPES)
def test_every_criterion_of_a_task_type_describes_every_band_and_names_its_cv2020_source(
    skill, task_type
):
    rubric = rubrics.rubric_for(skill, task_type, "B2")  # B2: bands 0..4 all shown
    assert rubric.max_band == 4
    for criterion in rubric.criteria:
        assert len(criterion.descriptors) == 5, criterion.code
        assert all(d.strip() for d in criterion.descriptors), criterion.code
        assert len(set(criterion.descriptors)) == 5, criterion.code  # no band repeats another
        assert criterion.source is not None and criterion.source.url == CV2020
        assert criterion.source.scales and all(s.pages for s in criterion.source.scales)
        assert criterion.source.citation


@pytest.mark.parametrize(
    "skill, task_type, scale",
    [
        ("speaking", "monologue", "Sustained monologue: describing experience"),
        ("speaking", "monologue", "Addressing audiences"),
        ("speaking", "dialogue", "Conversation"),
        ("speaking", "dialogue", "Goal-oriented co-operation"),
        ("speaking", "dialogue", "Information exchange"),
        ("writing", "functional", "Correspondence"),
        ("writing", "functional", "Notes, messages and forms"),
        ("writing", "argumentative", "Reports and essays"),
    ],
)
def test_task_completion_is_drawn_from_the_cv2020_scales_of_its_task_type(skill, task_type, scale):
    criterion = _criterion(rubrics.rubric_for(skill, task_type, "B2"), "task_completion")
    assert scale in {s.name for s in criterion.source.scales}


def _criterion(rubric, code):
    return next(c for c in rubric.criteria if c.code == code)


def test_each_task_type_has_its_own_task_completion_descriptors():
    for skill, (first, second) in TASK_TYPES.items():
        one = _criterion(rubrics.rubric_for(skill, first, "B2"), "task_completion")
        other = _criterion(rubrics.rubric_for(skill, second, "B2"), "task_completion")
        # band 0 may say the same (nothing relevant); every band with content differs
        assert all(a != b for a, b in zip(one.descriptors[1:], other.descriptors[1:], strict=True))
        assert one.source != other.source


def test_functional_and_argumentative_writing_differ_beyond_task_completion():
    functional = rubrics.rubric_for("writing", "functional", "B2")
    argumentative = rubrics.rubric_for("writing", "argumentative", "B2")
    differ = {
        a.code for a, b in zip(functional.criteria, argumentative.criteria, strict=True) if a != b
    }
    assert {"task_completion", "coherence", "spelling_layout"} <= differ
    assert {"range", "accuracy"}.isdisjoint(differ)  # the same CV scale: shared descriptors


def test_shared_descriptors_are_the_same_for_both_speaking_task_types():
    monologue = {c.code: c for c in rubrics.rubric_for("speaking", "monologue", "B2").criteria}
    dialogue = {c.code: c for c in rubrics.rubric_for("speaking", "dialogue", "B2").criteria}
    for code in ("range", "accuracy", "fluency", "pronunciation", "coherence"):
        assert monologue[code] == dialogue[code], code


@pytest.mark.parametrize("task_type", TASK_TYPES["speaking"])
def test_pronunciation_judges_intelligibility_not_nativeness(task_type):
    criterion = _criterion(rubrics.rubric_for("speaking", task_type, "B2"), "pronunciation")
    assert "Phonological control" in criterion.source.citation
    assert "verstaanbaar" in criterion.label.lower() + criterion.note.lower()
    assert "accent" in criterion.note and "moedertaalspreker" in criterion.note
    for band, descriptor in enumerate(criterion.descriptors):
        assert "verstaanbaar" in descriptor.lower(), band  # every band is about intelligibility
        assert "moedertaal" not in descriptor.lower() and "natuurlijk" not in descriptor.lower()
    assert "accent is geen fout" in criterion.descriptors[4].lower()  # top band: no native norm


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


# --- the loader refuses a rubric that is a draft ---------------------------------------------


def _broken_rules(tmp_path, change) -> Path:
    data = yaml.safe_load(rubrics.DATA_FILE.read_text(encoding="utf-8"))
    change(data["criteria"])
    path = tmp_path / "broken-rubrics.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _drop(mapping, key):
    del mapping[key]


def _override(criterion, task_type):
    return criterion["task_types"][task_type]


@pytest.mark.parametrize(
    "change, message",
    [
        (  # a shared set without source: the first task type using it is named
            lambda c: _drop(c["writing"]["coherence"], "source"),
            "criterion 'coherence' of writing task type 'functional' has no source",
        ),
        (  # an override without source
            lambda c: _drop(c["speaking"]["task_completion"]["task_types"]["dialogue"], "source"),
            "criterion 'task_completion' of speaking task type 'dialogue' has no source",
        ),
        (
            lambda c: c["speaking"]["pronunciation"]["source"].update(scales=[]),
            "criterion 'pronunciation' of speaking task type 'monologue' has a malformed source",
        ),
        (
            lambda c: c["speaking"]["range"]["source"]["scales"][0].pop("pages"),
            "criterion 'range' of speaking task type 'monologue' has a malformed source",
        ),
        (
            lambda c: _drop(c["speaking"]["fluency"]["bands"], 3),
            "criterion 'fluency' of speaking task type 'monologue' misses band(s) 3",
        ),
        (
            lambda c: _override(c["writing"]["spelling_layout"], "argumentative")["bands"].update(
                {5: "Perfect."}
            ),
            "criterion 'spelling_layout' of writing task type 'argumentative' has band(s) 5 "
            "outside 0..4",
        ),
        (
            lambda c: c["speaking"]["interaction"]["bands"].update({-1: "Zwijgt."}),
            "has band(s) -1 outside 0..4",
        ),
        (
            lambda c: c["speaking"]["accuracy"]["bands"].update({2: " "}),
            "criterion 'accuracy' of speaking task type 'monologue' has an empty band descriptor",
        ),
        (
            lambda c: _drop(c["writing"], "range"),
            "criterion 'range' of writing task type 'functional' is not defined",
        ),
        (
            lambda c: (
                c["writing"]["range"]
                .setdefault("task_types", {})
                .update(essay=c["writing"]["range"])
            ),
            "writing/range: unknown task type 'essay'",
        ),
    ],
)
def test_the_loader_refuses_a_draft_rubric_naming_file_criterion_and_task_type(
    tmp_path, change, message
):
    path = _broken_rules(tmp_path, change)
    with pytest.raises(rubrics.RubricError) as caught:
        rubrics.load_rules(path)
    assert str(caught.value).startswith("broken-rubrics.yaml: ")
    assert message in str(caught.value)


def test_the_shipped_rubric_file_loads_and_a_faithful_copy_does_too(tmp_path):
    rules = rubrics.load_rules(_broken_rules(tmp_path, lambda c: None))
    assert rules.criteria == rubrics.load_rules().criteria


# --- a monologue is scored on its own criteria only -------------------------------------------


def test_a_monologue_refuses_an_interaction_band():
    rubric = rubrics.rubric_for("speaking", "monologue", "B1")
    assert "interaction" not in rubric.codes
    assert rubric.check({**dict.fromkeys(rubric.codes, 3), "interaction": 0}) == {
        "interaction": "unknown"
    }


@pytest.mark.parametrize("level", ["A1", "A2", "B1", "B2"])
def test_a_monologue_level_is_never_pulled_down_by_a_criterion_it_does_not_have(level):
    """Every combination of the top three bands a monologue can get: its level is the level rule
    over its own six criteria, with no interaction band counted (as zero or otherwise)."""
    monologue = rubrics.rubric_for("speaking", "monologue", level)
    top = monologue.max_band
    for values in itertools.product(range(max(0, top - 2), top + 1), repeat=len(monologue.codes)):
        scored = dict(zip(monologue.codes, values, strict=True))
        ordered = sorted(values)
        band = min(ordered[(len(ordered) - 1) // 2], scored["task_completion"])
        expected = rubrics.BAND_LEVELS[min(band, rubrics.level_rank(level))]
        assert task_level(scored, level) == expected, scored
    agreed = decide(level, dict.fromkeys(monologue.codes, top), dict.fromkeys(monologue.codes, top))
    assert agreed.status == "final" and agreed.level == level and "interaction" not in agreed.bands


def test_docs_rating_lists_every_task_type_with_its_cv2020_sources():
    docs = (Path(__file__).resolve().parents[3] / "docs" / "rating.md").read_text("utf-8")
    for skill, task_type in ALL_TYPES:
        heading = f"**{skill.capitalize()}, {task_type}**"
        assert heading in docs
        table = docs.split(heading, 1)[1].split("\n\n", 2)[1]
        for criterion in rubrics.rubric_for(skill, task_type, "B2").criteria:
            assert f"(`{criterion.code}`)" in table and criterion.source.citation in table
