"""The loader refuses a text shared outside one testlet, and checks enemies and lint_allow."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from attest.assessment.bank import BankError, load_bank

TEXT = "Zwembad De Golf is op maandag gesloten. Op dinsdag is het open van 12 tot 20 uur."


def item(num: int, **fields) -> dict:
    return {
        "id": f"nl-lz-a2-{num:04d}",
        "skill": "reading",
        "level": "A2",
        "domain": "vrije_tijd",
        "format": "single_choice",
        "status": "live",
        "difficulty": 0.0,
        "author_note": "Crafted.",
        "text": TEXT,
        "stem": f"Vraag {num}?",
        "options": [{"text": "ja"}, {"text": "nee"}],
        "answer": "a",
        **fields,
    }


def write(root: Path, files: dict[str, list]) -> Path:
    for rel, entries in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False))
    return root


def test_two_items_on_one_text_outside_a_testlet_are_refused_with_both_named(tmp_path):
    root = write(
        tmp_path,
        {"reading/a2/one.yaml": [item(1)], "reading/a2/two.yaml": [item(2, text=TEXT + "\n")]},
    )
    with pytest.raises(BankError) as caught:
        load_bank(root)
    (error,) = caught.value.errors
    message = str(error)
    assert "the same text is used by nl-lz-a2-0001" in message
    assert f"nl-lz-a2-0002 ({(root / 'reading/a2/two.yaml').as_posix()})" in message
    assert (root / "reading/a2/one.yaml").as_posix() in message
    assert "declare them as one testlet" in message


def test_the_same_text_in_one_testlet_loads(tmp_path):
    testlet = {
        "testlet": "nl-lz-a2-t001",
        "skill": "reading",
        "level": "A2",
        "domain": "vrije_tijd",
        "status": "live",
        "text": TEXT,
        "enemies": ["zwembad-uren"],
        "lint_allow": {"text-short": "a sign is short by nature"},
        "items": [
            {
                k: v
                for k, v in item(n).items()
                if k not in ("skill", "level", "domain", "status", "text")
            }
            for n in (1, 2)
        ],
    }
    bank = load_bank(write(tmp_path, {"reading/a2/t.yaml": [testlet]}))
    assert [i.testlet for i in bank.items] == ["nl-lz-a2-t001"] * 2
    assert all(i.enemies == ("zwembad-uren",) for i in bank.items)
    assert all(i.lint_allow == {"text-short": "a sign is short by nature"} for i in bank.items)


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ({"enemies": "wijkagent"}, "field enemies: expected a list of enemy group names"),
        ({"enemies": ["Wijk agent"]}, "field enemies[0]: expected a group name like"),
        ({"enemies": ["a1", "a1"]}, "field enemies: expected each group once"),
        (
            {"lint_allow": ["text-short"]},
            "field lint_allow: expected a mapping 'lint code: reason'",
        ),
        ({"lint_allow": {"arithmetic": "ok"}}, "field lint_allow.arithmetic: expected a reason"),
        ({"shuffle": "nee"}, "field shuffle: expected true or false"),
    ],
)
def test_enemies_lint_allow_and_shuffle_are_checked(tmp_path, fields, fragment):
    with pytest.raises(BankError, match=fragment.replace("[", r"\[").replace("]", r"\]")):
        load_bank(write(tmp_path, {"reading/a2/one.yaml": [item(1, **fields)]}))


def test_enemies_and_exceptions_do_not_change_the_content_hash(tmp_path):
    plain = load_bank(write(tmp_path / "a", {"reading/a2/one.yaml": [item(1)]})).items[0]
    marked = load_bank(
        write(
            tmp_path / "b",
            {"reading/a2/one.yaml": [item(1, enemies=["x1"], lint_allow={"x": "a b c"})]},
        )
    ).items[0]
    assert plain.content_hash == marked.content_hash
    shuffled = load_bank(
        write(tmp_path / "c", {"reading/a2/one.yaml": [item(1, shuffle=False)]})
    ).items[0]
    assert shuffled.content_hash != plain.content_hash  # the order shown changes
