"""MathML in item texts (attest.assessment.mathml): kept as a whitelist, shown as markup."""

from __future__ import annotations

import pytest

from attest.assessment import mathml
from attest.assessment.bank_rules import check_item

FRACTION = "<math><mfrac><mn>1</mn><mn>4</mn></mfrac></math>"


def test_a_canonical_formula_is_shown_as_markup_and_the_text_around_it_escaped():
    html = mathml.to_html(f"a < b & {FRACTION} <b>bold</b>")
    assert html == f"a &lt; b &amp; {FRACTION} &lt;b&gt;bold&lt;/b&gt;"


@pytest.mark.parametrize(
    "formula",
    [
        '<math><mi onclick="alert(1)">x</mi></math>',
        '<math><mrow href="javascript:alert(1)"><mi>x</mi></mrow></math>',
        "<math><mtext><script>alert(1)</script></mtext></math>",
        "<math><annotation-xml><svg onload='x'/></annotation-xml></math>",
        '<math><mi style="color:red">x</mi></math>',  # not canonical: style is left out
        "<math><mi>x</mi>",  # never closed
        '<math><!DOCTYPE x [<!ENTITY a "b">]><mi>&a;</mi></math>',
    ],
)
def test_a_formula_that_is_not_clean_is_shown_as_text_never_as_markup(formula):
    html = mathml.to_html(f"see {formula}")
    assert "<math" not in html and "<mi" not in html and "<script" not in html


def test_sanitize_keeps_mathml_core_and_names_what_it_leaves_out():
    element = mathml.parse(
        '<math display="block" class="c"><mfenced open="[" close="]"><mi mathvariant="bold">v'
        "</mi><mn> 2 </mn></mfenced><semantics><mi>v</mi><annotation-xml/></semantics></math>"
    )
    clean = mathml.sanitize(element)
    assert clean.markup == (
        '<math display="block"><mrow><mo>[</mo><mi>v</mi><mo>,</mo><mn>2</mn><mo>]</mo></mrow>'
        "<semantics><mi>v</mi></semantics></math>"
    )
    assert clean.left_out == [
        "<annotation-xml> (not shown)",
        "class on <math>",
        'mathvariant="bold" (browsers draw only "normal")',
    ]
    assert mathml.canonical(clean.markup) == clean.markup


@pytest.mark.parametrize(
    ("markup", "reason"),
    [
        ("<math><menclose><mn>1</mn></menclose></math>", "<menclose> is not MathML Core"),
        ("<math><maction><mn>1</mn></maction></math>", "<maction> is not MathML Core"),
        ("<math><mi><b>x</b></mi></math>", "<b> inside the token <mi>"),
        ("<math><div>x</div></math>", "<div> is not MathML Core"),
        ('<math><mi href="x">x</mi></math>', "makes the formula act"),
    ],
)
def test_sanitize_refuses_what_browsers_cannot_draw_or_what_acts(markup, reason):
    with pytest.raises(mathml.MathError, match=reason):
        mathml.sanitize(mathml.parse(markup))


ITEM = {
    "id": "nl-lz-a2-0100",
    "skill": "reading",
    "level": "A2",
    "domain": "onderwijs",
    "status": "draft",
    "difficulty": 0.0,
    "author_note": "Test.",
    "format": "single_choice",
    "stem": f"Hoeveel is {FRACTION} van 8?",
    "options": [{"text": "2"}, {"text": FRACTION}],
    "answer": "a",
}


def test_the_bank_accepts_formulas_where_the_kiosk_shows_them():
    assert [p for p in check_item(ITEM) if "MathML" in p[1]] == []


def test_the_bank_refuses_formulas_in_a_field_shown_as_plain_text_or_not_canonical():
    ordering = {
        **ITEM,
        "format": "ordering",
        "fragments": [FRACTION, "b", "c"],
        "answer": ["a", "b", "c"],
    }
    ordering.pop("options")
    problems = dict(check_item(ordering))
    assert "shown as plain text" in problems["fragments[0]"]
    styled = {**ITEM, "stem": '<math><mi class="x">x</mi></math>'}
    assert "does not draw: class on <mi>" in dict(check_item(styled))["stem"]
    sloppy = {**ITEM, "stem": "<math> <mi> x </mi></math>"}
    assert (
        "MathML not in canonical form: <math><mi>x</mi></math>" in dict(check_item(sloppy))["stem"]
    )
    broken = {**ITEM, "stem": "<math><mi>x</mi> open"}
    assert "a <math> without its </math>" in dict(check_item(broken))["stem"]


def test_a_formula_counts_as_its_characters_for_word_counts():
    text = f"Hoeveel is {FRACTION} van <math><mi>x</mi></math>?"
    assert mathml.plain(text) == "Hoeveel is 1 4 van x?"
