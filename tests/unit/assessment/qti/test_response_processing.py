"""Response processing over several gaps: scored as the source does, or named and opt-in.

The items are the crafted package tests/data/qti/packages/attest-response-processing (its
outcomes are in expected.yaml); here the imported items are scored by Attest's own formats
for each combination of gaps right and wrong, and compared with what the source gives.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from attest.assessment.formats import get_format
from attest.assessment.qti import assess_package
from attest.assessment.qti.processing import gap_rule
from tests.unit.assessment.qti.packages import dir_members, make_zip

PACKAGE = Path(__file__).resolve().parents[3] / "data" / "qti" / "packages"
DEFAULTS = {"skill": "reading", "level": "A2", "domain": "onderwijs"}
# What the source gives (relative to all gaps right), by hand from each item's processing.
SOURCE = {
    "all-gaps": {(1, 1): 1, (1, 0): 0, (0, 1): 0, (0, 0): 0},
    "mapped-sum": {(1, 1): 1, (1, 0): 0.5, (0, 1): 0.5, (0, 0): 0},
    "inline-sum": {(1, 1): 1, (1, 0): 0.5, (0, 1): 0.5, (0, 0): 0},
}


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    folder = PACKAGE / "attest-response-processing"
    package = make_zip(tmp_path_factory.mktemp("rp") / "rp.zip", dir_members(folder))
    report = assess_package(package, defaults=DEFAULTS, approximate=True).report
    return {o.identifier: o for o in report.items}


def _answer(entry: dict, gap: int, right: bool) -> str:
    if entry["format"] == "text_entry":
        accept = entry["gaps"][gap]["accept"][0]
        return (accept if isinstance(accept, str) else accept["text"]) if right else "fout"
    options = entry["gaps"][gap]["options"]
    key = options.index(entry["gaps"][gap]["answer"])
    return "abcdefgh"[key if right else (key + 1) % len(options)]


@pytest.mark.parametrize("identifier", sorted(SOURCE))
def test_faithful_items_score_every_combination_as_the_source(outcomes, identifier):
    outcome = outcomes[identifier]
    assert outcome.status == "faithful", outcome.line()
    fmt = get_format(outcome.entry["format"])
    for combo, expected in SOURCE[identifier].items():
        response = {str(g + 1): _answer(outcome.entry, g, bool(ok)) for g, ok in enumerate(combo)}
        assert fmt.score(outcome.entry, response) == expected, combo


@pytest.mark.parametrize(
    ("identifier", "named"),
    [
        ("template-one-response", "the match_correct template, which reads RESPONSE only"),
        ("weighted", "gap(s) 1 right: 0.667 (Attest 0.5)"),
        ("two-of-three", "gap(s) 1, 2 right: 1 (Attest 0.667)"),
        ("pattern", "uses <qti-pattern-match>, which Attest does not read"),
    ],
)
def test_other_combinations_are_a_named_scoring_approximation(outcomes, identifier, named):
    outcome = outcomes[identifier]
    assert outcome.status == "approximated"
    assert any(named in a for a in outcome.approximations), outcome.line()


def _item(processing: str, gaps: int = 2) -> ET.Element:
    decls = "".join(
        f'<qti-response-declaration identifier="G{i}" cardinality="single" base-type="string">'
        f"<qti-correct-response><qti-value>w{i}</qti-value></qti-correct-response>"
        "</qti-response-declaration>"
        for i in range(1, gaps + 1)
    )
    return ET.fromstring(
        f"<qti-assessment-item>{decls}<qti-outcome-declaration identifier='SCORE' "
        f"base-type='float'/>{processing}</qti-assessment-item>"
    )


def _match(i: int) -> str:
    return (
        f'<qti-match><qti-variable identifier="G{i}"/><qti-correct identifier="G{i}"/></qti-match>'
    )


def test_a_rule_that_gives_a_wrong_answer_credit_is_never_taken_for_attests():
    wrong_counts = (
        "<qti-response-processing><qti-response-condition><qti-response-if>"
        f"<qti-not>{_match(1)}</qti-not><qti-set-outcome-value identifier='SCORE'>"
        "<qti-base-value base-type='float'>1</qti-base-value></qti-set-outcome-value>"
        "</qti-response-if></qti-response-condition></qti-response-processing>"
    )
    found = gap_rule(_item(wrong_counts), ["G1", "G2"])
    assert not found.faithful
    assert "SCORE of 0" in found.what


def test_every_combination_is_tried():
    """A rule that differs from Attest's in one combination of four gaps only is caught."""
    all_but = (
        "<qti-response-processing><qti-response-condition><qti-response-if><qti-and>"
        + "".join(_match(i) for i in range(1, 4))
        + "</qti-and><qti-set-outcome-value identifier='SCORE'><qti-base-value "
        "base-type='float'>1</qti-base-value></qti-set-outcome-value></qti-response-if>"
        "</qti-response-condition></qti-response-processing>"
    )  # gap 4 is never looked at
    found = gap_rule(_item(all_but, 4), ["G1", "G2", "G3", "G4"])
    assert not found.faithful and found.rule == "all_or_nothing"
    assert "gap(s) 1, 2, 3 right: 1 (Attest 0)" in found.what


def _single(processing: str) -> ET.Element:
    return ET.fromstring(
        "<qti-assessment-item><qti-response-declaration identifier='R' cardinality='single' "
        "base-type='identifier'><qti-correct-response><qti-value>A</qti-value>"
        "</qti-correct-response></qti-response-declaration><qti-outcome-declaration "
        f"identifier='SCORE' base-type='float'/>{processing}</qti-assessment-item>"
    )


TEMPLATE = (
    '<qti-response-processing template="https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/'
    'match_correct.xml"/>'
)
ANY_ANSWER = (
    "<qti-response-processing><qti-response-condition><qti-response-if><qti-not><qti-is-null>"
    "<qti-variable identifier='R'/></qti-is-null></qti-not><qti-set-outcome-value "
    "identifier='SCORE'><qti-base-value base-type='float'>1</qti-base-value>"
    "</qti-set-outcome-value></qti-response-if></qti-response-condition></qti-response-processing>"
)


def test_one_response_that_the_template_never_reads_is_named():
    found = gap_rule(_single(TEMPLATE), ["R"])
    assert not found.faithful
    assert "the match_correct template scores RESPONSE only, and the response is R" in found.what


def test_one_response_where_any_answer_scores_is_named():
    found = gap_rule(_single(ANY_ANSWER), ["R"])
    assert not found.faithful
    assert "gives an answer no key holds 1 of 1; Attest scores it 0" in found.what


def test_one_response_scored_by_the_template_is_faithful():
    renamed = _single(TEMPLATE)
    renamed.find("qti-response-declaration").set("identifier", "RESPONSE")
    assert gap_rule(renamed, ["RESPONSE"]).faithful
