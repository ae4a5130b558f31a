"""The quality gates of the bank lint: each fires on a crafted bad item, an exception silences
it for that item only, and the length table of the lint is the one in the authoring brief."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from attest.assessment import lint_gates, lint_rules
from attest.assessment.lint import lint_bank

ROOT = Path(__file__).resolve().parents[3]
SYLLABLES = ("ba", "de", "fi", "go", "ku", "la", "me", "ni", "po", "ru", "sa", "te", "vi", "wo")


def text(tag: str, words: int = 130) -> str:
    """Return a reading text of ``words`` made-up words, its vocabulary its own through ``tag``."""
    seed = sum(map(ord, tag))
    made = [
        SYLLABLES[(seed + i) % 14]
        + SYLLABLES[(seed * 7 + i // 14) % 14]
        + "ren"
        + tag.strip("0123456789")
        for i in range(words)
    ]
    return " ".join(w + ("." if i % 10 == 9 else "") for i, w in enumerate(made)) + "\n"


def sc(num: int, **fields: Any) -> dict[str, Any]:
    """Return a B1 reading single_choice item whose options are equally long (a, b, c, d)."""
    item = {
        "id": f"nl-lz-b1-{num:04d}",
        "skill": "reading",
        "level": "B1",
        "domain": "wonen",
        "format": "single_choice",
        "status": "live",
        "difficulty": 1.0,
        "author_note": "Crafted for a lint test.",
        "text": text("x" * num),
        "stem": f"Wat is juist over bericht {num}?",
        "options": [{"text": t} for t in ("het eerste", "het tweede", "het derde", "het vierde")],
        "answer": "abcd"[num % 4],
    }
    return {**item, **fields}


def codes(tmp_path: Path, *items: dict[str, Any]) -> dict[str, list[str]]:
    """Lint a bank of these items; return {code: [finding texts]}."""
    path = tmp_path / "bank" / "reading" / "b1" / "items.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(list(items), allow_unicode=True, sort_keys=False))
    found: dict[str, list[str]] = {}
    for finding in lint_bank(tmp_path / "bank"):
        found.setdefault(finding.code, []).append(str(finding))
    return found


def clean(n: int = 8) -> list[dict[str, Any]]:
    return [sc(k) for k in range(1, n + 1)]


def test_a_clean_crafted_bank_has_no_findings(tmp_path):
    assert codes(tmp_path, *clean()) == {}


def test_key_longest_fires_per_skill_and_level_and_an_exception_takes_an_item_out(tmp_path):
    long_key = {
        "options": [{"text": "het eerste antwoord, veel langer dan de rest"}]
        + [{"text": t} for t in ("het tweede", "het derde", "het vierde")],
        "answer": "a",
    }
    items = clean(5) + [sc(k, **long_key) for k in (6, 7)]  # 2 of 7 = 29 %: fine
    assert "key-longest" not in codes(tmp_path, *items)
    items += [sc(8, **long_key)]  # 3 of 8 = 38 %
    found = codes(tmp_path, *items)["key-longest"]
    assert len(found) == 1
    assert "reading B1: the key is the longest option in 3 of 8 items (38%" in found[0]
    assert found[0].startswith((tmp_path / "bank" / "reading" / "b1").as_posix())
    excused = {"lint_allow": {"key-longest": "the key must name the whole rule here"}}
    items[-1] = sc(8, **long_key, **excused)
    assert "key-longest" not in codes(tmp_path, *items)


def test_key_position_fires_only_for_items_shown_in_bank_order(tmp_path):
    on_a = [sc(k, answer="a") for k in range(1, 6)] + [
        sc(k, answer=key) for k, key in zip((6, 7, 8), "bcd", strict=True)
    ]
    assert "key-position" not in codes(tmp_path, *on_a)  # shuffled for every candidate
    fixed = [{**i, "shuffle": False} for i in on_a]
    found = codes(tmp_path, *fixed)["key-position"]
    assert "5 of 8 keys of items in bank order are option 'a' (62%" in found[0]
    assert "nl-lz-b1-0001" in found[0]


def test_text_short_fires_below_the_brief_minimum(tmp_path):
    found = codes(tmp_path, *clean(3), sc(9, text=text("kort", 90)))
    assert list(found) == ["text-short"]
    assert "text has 90 words; the brief asks at least 100 at B1" in found["text-short"][0]
    assert "nl-lz-b1-0009" in found["text-short"][0]


def test_near_duplicate_situations_must_be_enemies(tmp_path):
    story = (
        "Beste mevrouw Nowak, u bent verhuisd naar de Bergstraat. Binnen drie weken komt "
        "de wijkagent langs om te controleren of u echt op dit adres woont. Zet uw naam "
        "op de brievenbus en op de bel. Daarna krijgt u een brief van de dienst burgerzaken. "
    )
    twin_a = sc(1, text=story + text("a", 90))
    twin_b = sc(2, text=story + "Extra zin. " + text("a", 90))
    found = codes(tmp_path, twin_a, twin_b, *clean(6)[2:])
    assert list(found) == ["enemy-missing"]
    assert "nl-lz-b1-0002" in found["enemy-missing"][0]
    both = [{**twin_a, "enemies": ["wijkagent"]}, {**twin_b, "enemies": ["wijkagent"]}]
    assert codes(tmp_path, *both, *clean(6)[2:]) == {}


def test_a_lone_enemy_group_is_flagged(tmp_path):
    found = codes(tmp_path, sc(1, enemies=["wijkagnet"]), *clean(6)[1:])
    assert list(found) == ["enemy-alone"]
    assert "enemy group 'wijkagnet' has no other member" in found["enemy-alone"][0]


def test_the_same_question_in_two_units_is_a_duplicate_stem_unless_they_are_enemies(tmp_path):
    stem = {"stem": "Waarom belt de juf naar de mama van Adam?"}
    found = codes(tmp_path, sc(1, **stem), sc(2, **stem), *clean(6)[2:])
    assert list(found) == ["duplicate-stem"]
    assert "asks the same question as nl-lz-b1-0001" in found["duplicate-stem"][0]
    assert "duplicate-stem" not in codes(
        tmp_path, sc(1, stem="Lees de tekst. Vul in."), sc(2, stem="Lees de tekst. Vul in.")
    )  # instructions only
    enemies = {"enemies": ["juf-belt"]}
    assert codes(tmp_path, sc(1, **stem, **enemies), sc(2, **stem, **enemies), *clean(6)[2:]) == {}


def test_a_calculated_key_and_its_bait_are_flagged(tmp_path):
    camp = text("kamp", 110) + "Prijs: 75 euro per week. Voor het tweede kind betaalt u 50 euro.\n"
    sums = sc(
        1,
        text=camp,
        stem="Wat betaalt een gezin voor twee kinderen?",
        options=[{"text": "75 euro"}, {"text": "50 euro"}, {"text": "125 euro"}],
        answer="c",
    )
    found = codes(tmp_path, sums, *clean(6)[1:])
    assert sorted(found) == ["arithmetic", "number-bait"]
    assert "the key holds 125, which the text never says" in found["arithmetic"][0]
    assert "distractors repeat the text's numbers (50, 75)" in found["number-bait"][0]
    stated = {**sums, "stem": "Wat betaalt u voor het tweede kind?", "answer": "b"}
    assert codes(tmp_path, stated, *clean(6)[1:]) == {}


def test_an_exception_needs_a_reason_and_must_excuse_something(tmp_path):
    stale = sc(1, lint_allow={"text-short": "kept short on purpose, a sign"})
    found = codes(tmp_path, stale, *clean(6)[1:])
    assert list(found) == ["stale-allow"]
    assert (
        "lint_allow names 'text-short', but the lint finds no text-short here"
        in (found["stale-allow"][0])
    )
    unknown = sc(1, lint_allow={"text-shrot": "a typo in the code name"})
    assert "known codes:" in codes(tmp_path, unknown, *clean(6)[1:])["stale-allow"][0]
    from attest.assessment.bank import BankError

    with pytest.raises(BankError, match="expected a reason of at least 3 words"):
        codes(tmp_path, sc(1, lint_allow={"text-short": "ok"}))


@pytest.mark.parametrize(
    ("word", "value"),
    [("zeven", 7), ("twaalf", 12), ("vijfentwintig", 25), ("tweeëndertig", 32),
     ("zeshonderd", 600), ("zevenhonderdtachtig", 780), ("duizend", 1000), ("deur", None)],
)  # fmt: skip
def test_dutch_number_words(word, value):
    assert lint_gates.number_word(word) == value


def test_numbers_in_reads_digits_decimals_and_words():
    assert lint_gates.numbers_in("om 7.30 uur, 1,5 dag, zeshonderd tachtig euro") == {
        7, 30, 5, "1,5", 600, 80,
    }  # fmt: skip


def test_the_brief_and_the_lint_share_one_length_table():
    brief = (ROOT / "docs" / "authoring-brief.md").read_text(encoding="utf-8")
    rows = re.findall(
        r"^\| (reading|listening) [^|]*\| (\d+) \| (\d+) \| (\d+) \| (\d+) \|", brief, re.M
    )
    levels = ("A1", "A2", "B1", "B2")
    table = {skill: dict(zip(levels, map(int, nums), strict=True)) for skill, *nums in rows}
    assert table == lint_rules.BRIEF_MIN_WORDS


def test_a_matching_item_in_bank_order_with_a_key_on_the_diagonal_is_flagged(tmp_path):
    matching = {
        "format": "matching",
        "stem": "Welke advertentie past bij wie?",
        "prompts": [{"text": "Olga zoekt een knutselclub.", "answer": "a"},
                    {"text": "Karim zoekt een praatgroep.", "answer": "c"}],
        "options": [{"text": "knutselclub"}, {"text": "kookles"}, {"text": "praatgroep"}],
    }  # fmt: skip
    item = {k: v for k, v in sc(1).items() if k not in ("options", "answer")} | matching
    assert "diagonal-key" not in codes(tmp_path, item, *clean(6)[1:])  # shuffled off it
    found = codes(tmp_path, {**item, "shuffle": False}, *clean(6)[1:])
    assert list(found) == ["diagonal-key"]
    assert "the key sits on the diagonal at place(s) 1" in found["diagonal-key"][0]
