"""The fault classes of issue 21, one small item each (written here; the corpus has real ones).

Each test builds a package around one item and checks what a candidate would see, the key,
or the reason for refusing the item.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from attest.assessment.formats import get_format
from attest.assessment.qti import QtiError, assess_package, read_package
from tests.unit.assessment.qti.packages import make_zip

NS3 = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
NS22 = "http://www.imsglobal.org/xsd/imsqti_v2p2"
DEFAULTS = {"skill": "reading", "level": "A2", "domain": "onderwijs"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
CHOICE_DECL = (
    '<qti-response-declaration identifier="R" cardinality="single" base-type="identifier">'
    "<qti-correct-response><qti-value>T</qti-value></qti-correct-response>"
    "</qti-response-declaration>"
)


def _manifest(items: dict[str, str]) -> bytes:
    resources = "".join(
        f'<resource identifier="r{i}" type="{kind}" href="{name}"><file href="{name}"/></resource>'
        for i, (name, kind) in enumerate(items.items())
    )
    return (
        '<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"><resources>'
        f"{resources}</resources></manifest>"
    ).encode()


def _item3(body: str, decls: str = CHOICE_DECL, ident: str = "X1", after: str = "") -> bytes:
    return (
        f'<qti-assessment-item xmlns="{NS3}" identifier="{ident}" title="t" '
        f'time-dependent="false">{decls}<qti-item-body>{body}</qti-item-body>{after}'
        "</qti-assessment-item>"
    ).encode()


def _package(tmp_path: Path, item: bytes, **files: bytes) -> Path:
    members = {
        "imsmanifest.xml": _manifest({"item.xml": "imsqti_item_xmlv3p0"}),
        "item.xml": item,
        **{name.replace("__", "/").replace("_dot_", "."): data for name, data in files.items()},
    }
    return make_zip(tmp_path / "p.zip", members)


def _outcome(tmp_path: Path, item: bytes, approximate: bool = True, **files: bytes):
    imported = assess_package(
        _package(tmp_path, item, **files), defaults=DEFAULTS, approximate=approximate
    )
    (outcome,) = imported.report.items
    return outcome


CHOICE = """<qti-choice-interaction response-identifier="R" max-choices="1">
  <qti-prompt>Is the earth round?</qti-prompt>
  <qti-simple-choice identifier="T">True<qti-feedback-inline outcome-identifier="FB"
    identifier="T" show-hide="show">That's correct</qti-feedback-inline></qti-simple-choice>
  <qti-simple-choice identifier="F">False<qti-feedback-inline outcome-identifier="FB"
    identifier="F" show-hide="show">That's not correct</qti-feedback-inline></qti-simple-choice>
</qti-choice-interaction>"""


def test_feedback_never_becomes_item_text(tmp_path):
    body = (
        CHOICE + '<qti-feedback-block outcome-identifier="FB" identifier="T" show-hide="show">'
        "<qti-content-body><p>Well done, it is round.</p></qti-content-body></qti-feedback-block>"
    )
    outcome = _outcome(tmp_path, _item3(body))
    assert outcome.entry["options"] == [{"text": "True"}, {"text": "False"}]
    assert outcome.entry["stem"] == "Is the earth round?"
    assert "text" not in outcome.entry
    assert outcome.approximations == [
        "feedback left out (3 element(s)): Attest shows candidates no feedback"
    ]


def test_feedback_inline_in_qti22_is_left_out_too(tmp_path):
    item = f"""<assessmentItem xmlns="{NS22}" identifier="F22" title="t" adaptive="false"
      timeDependent="false">
      <responseDeclaration identifier="R" cardinality="single" baseType="identifier">
        <correctResponse><value>A</value></correctResponse></responseDeclaration>
      <itemBody><p>Pick the capital.</p><choiceInteraction responseIdentifier="R" maxChoices="1">
        <simpleChoice identifier="A">Paris <feedbackInline outcomeIdentifier="FB" identifier="A"
          showHide="show">Yes!</feedbackInline></simpleChoice>
        <simpleChoice identifier="B">Lyon</simpleChoice></choiceInteraction></itemBody>
      <modalFeedback outcomeIdentifier="FB" identifier="A" showHide="show">Right</modalFeedback>
    </assessmentItem>""".encode()
    members = {"imsmanifest.xml": _manifest({"item.xml": "imsqti_item_xmlv2p2"}), "item.xml": item}
    imported = assess_package(make_zip(tmp_path / "p.zip", members), defaults=DEFAULTS)
    (outcome,) = imported.report.items
    assert outcome.entry["options"] == [{"text": "Paris"}, {"text": "Lyon"}]
    assert outcome.entry["stem"] == "Pick the capital."


def test_a_scorer_rubric_is_a_staff_note_never_the_stem(tmp_path):
    body = (
        '<qti-rubric-block use="scoring" view="scorer"><qti-content-body><p>Model answer: yes, '
        "it is round.</p></qti-content-body></qti-rubric-block>"
        '<qti-rubric-block use="instructions" view="candidate"><qti-content-body><p>Read '
        "carefully.</p></qti-content-body></qti-rubric-block>" + CHOICE
    )
    outcome = _outcome(tmp_path, _item3(body))
    assert outcome.entry["stem"] == "Is the earth round?"
    assert outcome.entry["text"] == "Read carefully."
    assert "Model answer" not in str({k: v for k, v in outcome.entry.items() if k != "author_note"})
    assert (
        "Rubric for staff: scorer: Model answer: yes, it is round."
        in (outcome.entry["author_note"])
    )


def test_prose_beside_an_interaction_in_layout_wrappers_is_kept(tmp_path):
    body = (
        '<div class="qti-layout-row"><div class="qti-layout-col6"><p>The shop opens at nine.</p>'
        '</div><div class="qti-layout-col6">Read the sign. '
        '<qti-choice-interaction response-identifier="R" max-choices="1">'
        '<qti-simple-choice identifier="T">nine</qti-simple-choice>'
        '<qti-simple-choice identifier="F">ten</qti-simple-choice></qti-choice-interaction>'
        "<p>When does the shop open?</p></div></div>"
    )
    outcome = _outcome(tmp_path, _item3(body))
    assert outcome.status == "faithful", outcome.line()
    assert outcome.entry["stem"] == "When does the shop open?"
    assert outcome.entry["text"] == "The shop opens at nine.\nRead the sign."


def test_an_empty_prompt_does_not_replace_the_stem(tmp_path):
    body = "<p>Is the earth round?</p>" + CHOICE.replace(
        "<qti-prompt>Is the earth round?</qti-prompt>", "<qti-prompt>  </qti-prompt>"
    )
    outcome = _outcome(tmp_path, _item3(body))
    assert outcome.entry["stem"] == "Is the earth round?"


def test_media_in_a_prompt_is_kept(tmp_path):
    body = CHOICE.replace(
        "<qti-prompt>Is the earth round?",
        '<qti-prompt><img src="img/earth.png" alt="the earth"/>Is the earth round?',
    )
    outcome = _outcome(tmp_path, _item3(body), img__earth_dot_png=PNG)
    assert outcome.status != "refused", outcome.line()
    assert outcome.entry["media"] == {"image": "imported/p/img/earth.png"}
    assert outcome.entry["stem"] == "Is the earth round?"


@pytest.mark.parametrize(
    ("media", "reason"),
    [
        ('<img src="https://cdn.example/earth.png"/>', "refers to the external media"),
        ('<img src="data:image/png;base64,AAAA"/>', "data: URI"),
        ('<video src="clip.mp4"/>', "Attest shows images and audio only"),
        ('<svg xmlns="http://www.w3.org/2000/svg"><circle r="1"/></svg>', "inline SVG"),
        (
            '<math xmlns="http://www.w3.org/1998/Math/MathML"><maction><mi>x</mi></maction></math>',
            "<maction> is not MathML Core",
        ),
        (
            '<math xmlns="http://www.w3.org/1998/Math/MathML"><mi onclick="go()">x</mi></math>',
            "makes the formula act (link or script)",
        ),
    ],
)
def test_media_that_cannot_be_shown_refuses_the_item(tmp_path, media, reason):
    body = CHOICE.replace("<qti-prompt>Is", f"<qti-prompt>{media} Is")
    outcome = _outcome(tmp_path, _item3(body), clip_dot_mp4=b"\x00" * 16)
    assert outcome.status == "refused"
    assert any(reason in r for r in outcome.reasons), outcome.line()


def test_mathml_in_a_prompt_is_kept_as_sanitised_markup(tmp_path):
    formula = (
        '<math xmlns="http://www.w3.org/1998/Math/MathML" class="f">'
        "<mfrac> <mi>a</mi> <mn>2</mn> </mfrac></math>"
    )
    body = CHOICE.replace("<qti-prompt>Is", f"<qti-prompt>{formula} Is")
    outcome = _outcome(tmp_path, _item3(body))
    assert outcome.status == "approximated", outcome.line()
    assert outcome.entry["stem"] == (
        "<math><mfrac><mi>a</mi><mn>2</mn></mfrac></math> Is the earth round?"
    )
    assert "MathML: left out what browsers do not draw: class on <math>" in outcome.approximations


def test_media_with_no_place_in_attest_is_never_dropped_silently(tmp_path):
    decls = (
        '<qti-response-declaration identifier="R" cardinality="multiple" base-type="directedPair">'
        "<qti-correct-response><qti-value>P1 a</qti-value></qti-correct-response>"
        "</qti-response-declaration>"
    )
    body = (
        '<qti-match-interaction response-identifier="R"><qti-prompt>Match.</qti-prompt>'
        '<qti-simple-match-set><qti-simple-associable-choice identifier="P1">'
        '<img src="cat.png"/>cat</qti-simple-associable-choice></qti-simple-match-set>'
        '<qti-simple-match-set><qti-simple-associable-choice identifier="a">kat'
        '</qti-simple-associable-choice><qti-simple-associable-choice identifier="b">hond'
        "</qti-simple-associable-choice></qti-simple-match-set></qti-match-interaction>"
    )
    outcome = _outcome(tmp_path, _item3(body, decls), cat_dot_png=PNG)
    assert outcome.status == "refused"
    assert "media <img cat.png> inside <qti-simple-associable-choice>" in outcome.line()


UPLOAD_DECL = '<qti-response-declaration identifier="R" cardinality="single" base-type="file"/>'


@pytest.mark.parametrize(
    ("accepted", "result"),
    [("audio/*", "audio_response"), ("audio/mpeg", "audio_response"), ("image/png", None),
     ("application/pdf", None), ("", None)],
)  # fmt: skip
def test_uploads_map_by_accepted_type(tmp_path, accepted, result):
    kind = f' type="{accepted}"' if accepted else ""
    body = (
        f'<qti-upload-interaction response-identifier="R"{kind}><qti-prompt>Tell us about your '
        "day.</qti-prompt></qti-upload-interaction>"
    )
    outcome = _outcome(tmp_path, _item3(body, UPLOAD_DECL))
    if result:
        assert outcome.entry["format"] == result
        assert outcome.entry["skill"] == "speaking"  # an audio upload is speaking, always
    else:
        assert outcome.status == "refused"
        assert "Attest only takes audio recordings (type audio/*)" in outcome.line()
        assert f"accepts {accepted or 'any file type'}" in outcome.line()


def _text_entry(mapping: str, correct: str = "") -> bytes:
    decls = (
        '<qti-response-declaration identifier="R" cardinality="single" base-type="string">'
        f"{correct}{mapping}</qti-response-declaration>"
    )
    body = (
        "<p>Which city?</p><p>The Duke of <qti-text-entry-interaction "
        'response-identifier="R"/> fought at Bosworth.</p>'
    )
    return _item3(body, decls)


KEPT = "adaptive tests count a partial score above 0.5 as right, 0.5 or less as wrong"


def test_a_case_variant_worth_less_is_kept_and_named(tmp_path):
    mapping = (
        '<qti-mapping default-value="0"><qti-map-entry map-key="York" mapped-value="1" '
        'case-sensitive="true"/><qti-map-entry map-key="york" mapped-value="0.5" '
        'case-sensitive="true"/></qti-mapping>'
    )
    strict = _outcome(tmp_path, _text_entry(mapping), approximate=False)
    assert strict.status == "approximated", strict.line()  # no score changes: no opt-in needed
    assert strict.entry["gaps"] == [
        {
            "prompt": "The Duke of ___ fought at Bosworth.",
            "accept": [
                {"text": "York", "case_sensitive": True},
                {"text": "york", "score": 0.5, "case_sensitive": True},
            ],
        }
    ]
    assert strict.approximations == [
        f"gap 1: mapping York 1 (case-sensitive) / york 0.5 (case-sensitive) kept; {KEPT}"
    ]
    fmt = get_format("text_entry")
    scores = [fmt.score(strict.entry, {"1": typed}) for typed in ("York", "york", "YORK")]
    assert scores == [1.0, 0.5, 0.0]


def test_a_case_sensitive_key_stays_case_sensitive(tmp_path):
    correct = "<qti-correct-response><qti-value>York</qti-value></qti-correct-response>"
    outcome = _outcome(tmp_path, _text_entry("", correct), approximate=False)
    assert outcome.status == "faithful", outcome.line()
    assert outcome.entry["gaps"][0]["accept"] == [{"text": "York", "case_sensitive": True}]


def test_variants_that_cannot_be_told_apart_are_refused_with_the_reason(tmp_path):
    mapping = (
        '<qti-mapping default-value="0"><qti-map-entry map-key="York" mapped-value="1" '
        'case-sensitive="false"/><qti-map-entry map-key="york" mapped-value="0.5" '
        'case-sensitive="false"/></qti-mapping>'
    )
    outcome = _outcome(tmp_path, _text_entry(mapping))
    assert outcome.status == "refused"
    assert (
        "gap 1: answers that cannot be told apart: 'York' and 'york' (0.5) are the same answer "
        "in any case"
    ) in outcome.line()


def test_bounds_and_negative_values_are_named(tmp_path):
    mapping = (
        '<qti-mapping default-value="0" upper-bound="2" case-sensitive="false">'
        '<qti-map-entry map-key="York" mapped-value="4"/>'
        '<qti-map-entry map-key="Lancaster" mapped-value="1"/>'
        '<qti-map-entry map-key="Tudor" mapped-value="-1"/></qti-mapping>'
    )
    outcome = _outcome(tmp_path, _text_entry(mapping))
    assert outcome.entry["gaps"][0]["accept"] == ["York", {"text": "Lancaster", "score": 0.5}]
    assert outcome.approximations == [
        "gap 1: 'Tudor' is worth -1 in the source; Attest scores it 0",
        "gap 1: mapping York 4 / Lancaster 1 kept (scores relative to 2); " + KEPT,
    ]
    strict = _outcome(tmp_path, _text_entry(mapping), approximate=False)
    assert strict.status == "refused"
    assert "'Tudor' is worth -1" in strict.line()
    floored = mapping.replace('upper-bound="2"', 'upper-bound="2" lower-bound="0"')
    assert _outcome(tmp_path, _text_entry(floored), approximate=False).approximations == [
        "gap 1: mapping York 4 / Lancaster 1 kept (scores relative to 2); " + KEPT
    ]


def test_case_insensitive_full_credit_variants_are_faithful(tmp_path):
    mapping = (
        '<qti-mapping default-value="0" case-sensitive="false"><qti-map-entry map-key="York" '
        'mapped-value="1"/><qti-map-entry map-key="Lancaster" mapped-value="1"/></qti-mapping>'
    )
    outcome = _outcome(tmp_path, _text_entry(mapping), approximate=False)
    assert outcome.status == "faithful", outcome.line()
    assert outcome.entry["gaps"][0]["accept"] == ["York", "Lancaster"]


def test_half_credit_stays_half_credit(tmp_path):
    mapping = (
        '<qti-mapping default-value="0" case-sensitive="false"><qti-map-entry map-key="York" '
        'mapped-value="1"/><qti-map-entry map-key="Lancaster" mapped-value="0.5"/></qti-mapping>'
    )
    outcome = _outcome(tmp_path, _text_entry(mapping), approximate=False)
    assert outcome.entry["gaps"][0]["accept"] == ["York", {"text": "Lancaster", "score": 0.5}]
    assert get_format("text_entry").score(outcome.entry, {"1": "LANCASTER"}) == 0.5
    assert outcome.approximations == [f"gap 1: mapping York 1 / Lancaster 0.5 kept; {KEPT}"]


def test_non_uniform_mapping_is_refused_without_the_opt_in(tmp_path):
    decls = (
        '<qti-response-declaration identifier="R" cardinality="multiple" base-type="identifier">'
        "<qti-correct-response><qti-value>a</qti-value><qti-value>b</qti-value>"
        '</qti-correct-response><qti-mapping default-value="0"><qti-map-entry map-key="a" '
        'mapped-value="2"/><qti-map-entry map-key="b" mapped-value="1"/></qti-mapping>'
        "</qti-response-declaration>"
    )
    body = (
        '<qti-choice-interaction response-identifier="R" max-choices="2" min-choices="2">'
        "<qti-prompt>Pick two.</qti-prompt>"
        '<qti-simple-choice identifier="a">A</qti-simple-choice>'
        '<qti-simple-choice identifier="b">B</qti-simple-choice>'
        '<qti-simple-choice identifier="c">C</qti-simple-choice></qti-choice-interaction>'
    )
    strict = _outcome(tmp_path, _item3(body, decls), approximate=False)
    assert strict.status == "refused"
    assert "mapping a=2, b=1, c=0 (lower bound none) replaced by Attest's partial credit" in (
        strict.line()
    )
    outcome = _outcome(tmp_path, _item3(body, decls))
    assert outcome.entry["scoring"] == "partial"
    assert "max-choices=2 not enforced: any number may be ticked" in outcome.approximations
    assert "min-choices=2 not enforced" in outcome.approximations


def test_a_uniform_mapping_is_attests_partial_credit(tmp_path):
    decls = (
        '<qti-response-declaration identifier="R" cardinality="multiple" base-type="identifier">'
        "<qti-correct-response><qti-value>a</qti-value></qti-correct-response>"
        '<qti-mapping default-value="-1" lower-bound="0"><qti-map-entry map-key="a" '
        'mapped-value="1"/></qti-mapping></qti-response-declaration>'
    )
    body = (
        '<qti-choice-interaction response-identifier="R" max-choices="0">'
        "<qti-prompt>Pick.</qti-prompt>"
        '<qti-simple-choice identifier="a">A</qti-simple-choice>'
        '<qti-simple-choice identifier="b">B</qti-simple-choice></qti-choice-interaction>'
    )
    outcome = _outcome(tmp_path, _item3(body, decls), approximate=False)
    assert outcome.status == "faithful", outcome.line()
    assert (outcome.entry["answer"], outcome.entry["scoring"]) == (["a"], "partial")


def test_every_structural_error_of_a_package_is_reported_together(tmp_path):
    members = {
        "imsmanifest.xml": _manifest(
            {
                "a.xml": "imsqti_item_xmlv3p0",
                "b.xml": "imsqti_item_xmlv3p0",
                "c.xml": "imsqti_item_xmlv3p0",
                "d.xml": "imsqti_item_xmlv3p0",
            }
        ),
        "c.xml": b"<not-closed>",
        "d.xml": _item3(CHOICE, ident="D"),
    }
    with pytest.raises(QtiError) as caught:
        read_package(make_zip(tmp_path / "p.zip", members), defaults=DEFAULTS)
    message = str(caught.value)
    assert "resource r0 refers to a.xml, which is not in the package" in message
    assert "resource r1 refers to b.xml, which is not in the package" in message
    assert "item r2 (c.xml, QTI 3.0): refused: not well-formed XML" in message
    assert "item D (d.xml, QTI 3.0): imported with approximations" in message
    assert message.endswith("p.zip: nothing imported")


def test_what_feedback_holds_cannot_refuse_the_item(tmp_path):
    body = CHOICE.replace(
        "That's correct",
        'Yes: <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>r</mi></math>',
    )
    outcome = _outcome(tmp_path, _item3(body))
    assert outcome.status == "approximated", outcome.line()
    assert outcome.entry["options"] == [{"text": "True"}, {"text": "False"}]


def test_screen_reader_only_text_is_not_shown_as_text(tmp_path):
    body = (
        '<p>Look at the sign.<span class="qti-visually-hidden"> (A red sign.)</span></p>' + CHOICE
    )
    outcome = _outcome(tmp_path, _item3(body))
    assert outcome.entry["text"] == "Look at the sign."
    assert "screen-reader-only text '(A red sign.)' left out" in outcome.approximations


def test_packages_exported_before_keep_their_metadata_and_notes(tmp_path):
    """Older exports: data-attest-* on the item body and catalog cards for staff texts."""
    body = (
        '<p class="attest-text">Bakkerij Jansen: dicht op maandag.</p>'
        '<qti-choice-interaction response-identifier="R" max-choices="1" shuffle="false">'
        "<qti-prompt>Wanneer is de bakker dicht?</qti-prompt>"
        '<qti-simple-choice identifier="T">maandag</qti-simple-choice>'
        '<qti-simple-choice identifier="F">dinsdag</qti-simple-choice></qti-choice-interaction>'
    )
    item = (
        _item3(body, ident="nl-lz-a1-0007")
        .replace(
            b"<qti-item-body>",
            b'<qti-item-body data-catalog-idref="attest-notes" data-attest-format="single_choice" '
            b'data-attest-skill="reading" data-attest-level="A1" data-attest-domain="winkelen" '
            b'data-attest-status="live" data-attest-difficulty="-2" '
            b'data-attest-source="reading/a1.yaml">',
        )
        .replace(
            b"</qti-item-body>",
            b'</qti-item-body><qti-catalog-info><qti-catalog id="attest-notes"><qti-card '
            b'support="ext:attest-author-note"><qti-html-content><p>Checks a day.</p>'
            b"</qti-html-content></qti-card></qti-catalog></qti-catalog-info>",
        )
    )
    outcome = _outcome(tmp_path, item, approximate=False)
    assert outcome.status == "faithful", outcome.line()
    entry = outcome.entry
    assert (entry["id"], entry["skill"], entry["level"], entry["difficulty"]) == (
        "nl-lz-a1-0007",
        "reading",
        "A1",
        -2,
    )
    assert entry["author_note"] == "Checks a day."
    assert entry["text"] == "Bakkerij Jansen: dicht op maandag."


@pytest.mark.parametrize(("rule", "accept"), [("false", ["York"]), ("true", [
    {"text": "York", "case_sensitive": True}])])  # fmt: skip
def test_a_string_match_gives_the_case_rule_of_a_key_without_mapping(tmp_path, rule, accept):
    correct = "<qti-correct-response><qti-value>York</qti-value></qti-correct-response>"
    processing = (
        "<qti-response-processing><qti-response-condition><qti-response-if><qti-string-match "
        f'case-sensitive="{rule}"><qti-variable identifier="R"/><qti-correct identifier="R"/>'
        '</qti-string-match><qti-set-outcome-value identifier="SCORE"><qti-base-value '
        'base-type="float">1</qti-base-value></qti-set-outcome-value></qti-response-if>'
        "</qti-response-condition></qti-response-processing>"
    )
    item = _text_entry("", correct).replace(
        b"</qti-assessment-item>", processing.encode() + b"</qti-assessment-item>"
    )
    outcome = _outcome(tmp_path, item, approximate=False)
    assert outcome.status == "faithful", outcome.line()
    assert outcome.entry["gaps"][0]["accept"] == accept
