"""Import of a QTI 2.2/2.1 package written by another tool (fixtures/qti22)."""

from __future__ import annotations

from pathlib import Path

import pytest

from attest.assessment.bank import load_bank
from attest.assessment.formats import get_format
from attest.assessment.qti import QtiError, install_package, read_package
from tests.unit.assessment.qti.packages import FIXTURES, dir_members, make_zip, small_bank, snapshot

DEFAULTS = {"skill": "reading", "level": "A2", "domain": "onderwijs"}


@pytest.fixture
def package(tmp_path) -> Path:
    return make_zip(tmp_path / "nt2-demo.zip", dir_members(FIXTURES / "qti22"))


def _by_id(imported) -> dict:
    return {entry["id"]: entry for entry in imported.entries()}


def test_every_supported_interaction_becomes_an_attest_item(package):
    imported = read_package(package, defaults=DEFAULTS, approximate=True)
    assert imported.renamed == {
        "CHOICE-1": "nl-lz-a2-0001",
        "MULTI-1": "nl-lz-a2-0002",
        "TEXT-1": "nl-lz-a2-0003",
        "INLINE-1": "nl-lz-a2-0004",
        "MATCH-1": "nl-lz-a2-0005",
        "ORDER-1": "nl-lz-a2-0006",
        "ESSAY-1": "nl-sc-a2-0001",
    }
    items = _by_id(imported)
    choice = items["nl-lz-a2-0001"]
    assert choice["format"] == "single_choice"
    assert choice["stem"] == "Wanneer is de bibliotheek alleen 's morgens open?"
    assert (
        choice["text"]
        == "Bibliotheek Oostbeke\nmaandag tot vrijdag: 10 - 18 uur\nzaterdag: 10 - 12 uur"
    )
    assert choice["options"] == [
        {"text": "op maandag"},
        {"text": "op zaterdag"},
        {"text": "op zondag"},
    ]
    assert choice["answer"] == "b"
    assert choice["media"] == {"image": "imported/nt2-demo/images/bord.png"}
    assert (choice["status"], choice["difficulty"]) == ("draft", -0.25)

    multi = items["nl-lz-a2-0002"]
    assert (multi["format"], multi["answer"], multi["scoring"]) == (
        "multiple_response",
        ["a", "c"],
        "partial",
    )
    text = items["nl-lz-a2-0003"]
    assert text["format"] == "text_entry"
    assert text["stem"] == "Lees het bericht. Vul in."
    assert text["gaps"] == [
        # QTI matches strings case-sensitively unless an entry says otherwise: kept
        {
            "prompt": "U neemt bus ___ aan halte",
            "accept": ["21", {"text": "eenentwintig", "case_sensitive": True}],
        },
        {"prompt": "___.", "accept": [{"text": "Stationsstraat", "case_sensitive": True}]},
    ]
    inline = items["nl-lz-a2-0004"]  # a QTI 2.1 item in the same package
    assert inline["sentence"] == "De klas gaat op ___ naar de boerderij.\nZe zijn om ___ uur terug."
    assert inline["gaps"] == [
        {"options": ["maandag", "vrijdag"], "answer": "vrijdag"},
        {"options": ["zes", "vier"], "answer": "vier"},
    ]
    match = items["nl-lz-a2-0005"]
    assert [p["answer"] for p in match["prompts"]] == ["a", "c"]
    assert len(match["options"]) == 3
    order = items["nl-lz-a2-0006"]
    assert order["answer"] == ["c", "a", "b"]
    essay = items["nl-sc-a2-0001"]
    assert (essay["skill"], essay["format"], essay["min_words"], essay["max_words"]) == (
        "writing",
        "extended_text",
        30,
        80,
    )


def test_installed_items_load_and_score(package, tmp_path):
    bank = small_bank(tmp_path / "nl")
    report = install_package(package, bank, defaults=DEFAULTS, approximate=True)
    assert report.items == 7
    assert "media/imported/nt2-demo/images/bord.png" in report.written
    loaded = load_bank(bank)
    # The bank already held nl-lz-a1-0001; new numbers go per skill and level.
    assert len(loaded.items) == 8
    match = loaded.get("nl-lz-a2-0005")
    assert get_format("matching").score(match.content, {"1": "a", "2": "c"}) == 1.0
    text = loaded.get("nl-lz-a2-0003")
    response = {"1": " eenentwintig", "2": "Stationsstraat "}
    assert get_format("text_entry").score(text.content, response) == 1.0
    response = {"1": "Eenentwintig", "2": "Stationsstraat"}
    assert get_format("text_entry").score(text.content, response) == 0.0
    assert (bank / "media/imported/nt2-demo/images/bord.png").read_bytes() == (
        FIXTURES / "qti22/images/bord.png"
    ).read_bytes()


def test_items_without_metadata_are_reported_one_line_each(package, tmp_path):
    bank = small_bank(tmp_path / "nl")
    before = snapshot(bank)
    with pytest.raises(QtiError) as caught:
        install_package(package, bank)
    message = str(caught.value)
    assert message.startswith("nt2-demo.zip: 7 item(s): 0 faithful, 0 with approximations, 7 ")
    assert "item CHOICE-1 (items/choice.xml, QTI 2.2): refused: missing skill, level, domain" in (
        message
    )
    # A writing task needs no skill: extendedText makes it one.
    assert "item ESSAY-1 (items/essay.xml, QTI 2.2): refused: missing level, domain" in message
    assert message.endswith("nt2-demo.zip: nothing imported")
    assert snapshot(bank) == before


def test_a_listening_item_without_transcript_is_reported(tmp_path):
    members = dir_members(FIXTURES / "qti22")
    item = members["items/choice.xml"].replace(
        b'<p><img src="../images/bord.png" alt="Bord aan de deur"/></p>',
        b'<p><object data="../images/bericht.mp3" type="audio/mpeg"/></p>',
    )
    members.update({"items/choice.xml": item, "images/bericht.mp3": b"ID3fake"})
    package = make_zip(tmp_path / "listen.zip", members)
    with pytest.raises(QtiError) as caught:
        read_package(package, defaults={**DEFAULTS, "skill": "listening"}, approximate=True)
    assert (
        "item CHOICE-1 (items/choice.xml, QTI 2.2): refused: field transcript: expected a "
        "transcript"
    ) in str(caught.value)
