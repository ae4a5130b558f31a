"""Requirement profiles as the rules are: dated cases on both sides of each change."""

from datetime import date
from pathlib import Path

import pytest

from attest.certificates import requirements as rq
from attest.certificates.requirement_text import judgement_json, verdict_nl

ALL = ("listening", "reading", "speaking", "writing")


def levels(**given):
    return dict.fromkeys(ALL) | given


def every(level):
    return dict.fromkeys(ALL, level)


@pytest.mark.parametrize(
    "lease_start, outcome, title_part, deadline",
    [
        (date(2017, 10, 31), rq.NO_LEVEL, "vóór 1 november 2017", None),
        (date(2017, 11, 1), rq.MEETS, "A1", date(2018, 11, 1)),
        (date(2022, 12, 31), rq.MEETS, "A1", date(2023, 12, 31)),
        (date(2023, 1, 1), rq.NOT_MET, "A2 mondeling", date(2025, 1, 1)),
    ],
)
def test_social_housing_is_decided_by_the_lease_start(lease_start, outcome, title_part, deadline):
    # The same A1 result, tested in 2024: only the lease start tells which rule applies.
    j = rq.judge_profile(
        "sociale-huur",
        levels(listening="A1", speaking="A1"),
        test_date=date(2024, 5, 1),
        lease_start=lease_start,
    )
    assert j.outcome == outcome
    assert title_part in j.title
    assert j.deadline == deadline
    assert j.profile.sources and j.profile.sources[0].url.startswith("https://")


def test_social_housing_a2_oral_within_two_years_with_one_year_extension():
    j = rq.judge_profile(
        "sociale-huur",
        levels(listening="A2", speaking="A2"),  # reading/writing not needed
        test_date=date(2020, 1, 1),
        lease_start=date(2024, 2, 29),
    )
    assert j.outcome == rq.MEETS and j.meets
    assert j.deadline == date(2026, 2, 28)
    assert j.profile.extension_months == 12
    assert "6.20" in j.profile.sources[0].reference
    assert "9 juli 2021" in j.profile.sources[0].reference


def test_social_housing_without_a_lease_start_asks_for_it():
    j = rq.judge_profile("sociale-huur", every("B2"), test_date=date(2024, 5, 1))
    assert j.outcome == rq.NEEDS_LEASE_START and not j.meets


@pytest.mark.parametrize(
    "test_date, result, outcome",
    [
        (date(2020, 6, 30), every("B1"), rq.NO_RULE),  # the pass was not compulsory yet
        (date(2020, 7, 1), every("B1"), rq.MEETS),
        (date(2020, 7, 1), every("A2"), rq.CONDITIONAL),  # A2 + sworn statement
        (date(2024, 6, 30), every("A2"), rq.CONDITIONAL),
        (date(2024, 7, 1), every("A2"), rq.NOT_MET),  # the transition ended
        (date(2024, 7, 1), every("B1"), rq.MEETS),
        (date(2022, 5, 1), every("A1"), rq.NOT_MET),
    ],
)
def test_taxi_transition(test_date, result, outcome):
    j = rq.judge_profile("taxi", result, test_date=test_date)
    assert j.outcome == outcome
    assert j.meets is (outcome == rq.MEETS)
    if outcome != rq.NO_RULE:
        assert "richtgraad 2.2" in j.profile.note


def test_childcare_interaction_is_not_shown_by_a_monologue():
    result = levels(listening="B1", speaking="B1", reading="A2", writing="A2")
    monologue = rq.judge_profile("kinderopvang", result, test_date=date(2024, 5, 1))
    assert monologue.outcome == rq.INTERACTION_UNCONFIRMED and not monologue.meets
    assert monologue.shortfalls == (("speaking", "B1", "B1", "interaction"),)
    assert "monoloog" in verdict_nl(monologue)[0]
    interactive = rq.judge_profile(
        "kinderopvang", result, test_date=date(2024, 5, 1), interactive={"speaking"}
    )
    assert interactive.outcome == rq.MEETS and interactive.meets


def test_childcare_dates_from_the_licensing_decree():
    result = levels(listening="B1", speaking="B1", reading="A2", writing="A2")
    before = rq.judge_profile("kinderopvang", result, test_date=date(2013, 11, 21))
    after = rq.judge_profile("kinderopvang", result, test_date=date(2013, 11, 22))
    assert before.outcome == rq.NO_RULE
    assert after.outcome == rq.INTERACTION_UNCONFIRMED
    assert "22 november 2013" in after.profile.sources[0].reference


@pytest.mark.parametrize("code", ["nationaliteit", "inburgering"])
def test_nationality_and_civic_integration_are_indications_never_met(code):
    reached = rq.judge_profile(code, every("A2"), test_date=date(2024, 5, 1))
    missed = rq.judge_profile(code, levels(listening="A2"), test_date=date(2024, 5, 1))
    assert reached.outcome == rq.REACHES and reached.reaches and not reached.meets
    assert missed.outcome == rq.DOES_NOT_REACH and not missed.reaches
    sentence, _ = verdict_nl(reached)
    assert "Niveau-indicatie" in sentence and "bevoegde overheid" in sentence
    assert "Voldoet aan" not in sentence
    assert judgement_json(reached)["indication_only"] is True


def test_civic_integration_indication_from_march_2022():
    assert rq.judge_profile("inburgering", every("A2"), test_date=date(2022, 2, 28)).outcome == (
        rq.NO_RULE
    )
    assert rq.judge_profile("inburgering", every("A2"), test_date=date(2022, 3, 1)).outcome == (
        rq.REACHES
    )


def test_a_level_beyond_the_test_form_is_named_not_silently_required():
    j = rq.judge_profile("taxi", every("A2"), test_date=date(2024, 7, 1), ceiling="A2")
    assert {why for *_x, why in j.shortfalls} == {"beyond_test"}
    assert "hoger dan deze test meet" in " ".join(verdict_nl(j)[1])


def test_a_profile_asking_a_level_attest_cannot_measure_is_refused(tmp_path: Path):
    bad = tmp_path / "profiles.yaml"
    bad.write_text(
        "- {code: x, title: X, kind: requirement, valid_from: 2020-01-01,"
        " requirements: {speaking: C1}, sources: [{url: 'https://e.org', reference: r}]}\n"
    )
    with pytest.raises(rq.ProfileError, match="C1"):
        rq.load_profiles(bad)
    unsourced = tmp_path / "unsourced.yaml"
    unsourced.write_text(
        "- {code: x, title: X, kind: requirement, valid_from: 2020-01-01,"
        " requirements: {speaking: A2}}\n"
    )
    with pytest.raises(rq.ProfileError, match="source"):
        rq.load_profiles(unsourced)


def test_every_rule_has_a_source_and_only_measurable_levels():
    profiles = rq.load_profiles()
    assert {p.code for p in profiles} >= {
        "sociale-huur",
        "taxi",
        "kinderopvang",
        "inburgering",
        "nationaliteit",
    }
    for p in profiles:
        assert all(s.url.startswith("https://") and s.reference for s in p.sources)
        assert set(p.requirements.values()) <= set(rq.MEASURABLE)


def test_api_document_names_rule_deadline_and_source():
    j = rq.judge_profile(
        "sociale-huur",
        levels(listening="A1", speaking="A2"),
        test_date=date(2024, 5, 1),
        lease_start=date(2023, 6, 15),
    )
    doc = judgement_json(j)
    assert doc["outcome"] == "not_met" and doc["deadline"] == "2025-06-15"
    assert doc["decided_by"] == "lease_start" and doc["deciding_date"] == "2023-06-15"
    assert doc["rule"]["sources"][0]["url"].startswith("https://www.vlaanderen.be/")
    assert doc["shortfalls"] == [
        {"skill": "listening", "level": "A1", "needed": "A2", "why": "below"}
    ]
