"""Testlets: one text or clip with several items; the loader expands them into located ItemSpecs."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import yaml

from attest.assessment import audio
from attest.assessment.bank import BankError, load_bank

BANK_ROOT = Path(__file__).resolve().parents[3] / "question_banks" / "nl"

QUESTION_1 = {
    "id": "nl-lz-a2-0901",
    "format": "single_choice",
    "difficulty": -0.5,
    "author_note": "Finds the day.",
    "stem": "Wanneer is de vergadering?",
    "options": [{"text": "maandag"}, {"text": "dinsdag"}, {"text": "woensdag"}],
    "answer": "b",
}
QUESTION_2 = {
    "id": "nl-lz-a2-0902",
    "format": "text_entry",
    "difficulty": 0.1,
    "author_note": "Notes what to bring.",
    "stem": "Vul in.",
    "gaps": [{"prompt": "Breng je ___ mee.", "accept": ["rapport", "het rapport"]}],
}
READING = {
    "testlet": "nl-lz-a2-t901",
    "skill": "reading",
    "level": "A2",
    "domain": "onderwijs",
    "status": "live",
    "author_note": "A letter from school with two questions.",
    "text": "Beste ouders,\nDe oudercontact is op dinsdag. Breng het rapport mee.",
    "items": [QUESTION_1, QUESTION_2],
}
LISTENING = {
    **READING,
    "testlet": "nl-lu-a2-t901",
    "skill": "listening",
    "text": None,
    "media": {"audio": "listening/a2/nl-lu-a2-t901.ogg"},
    "transcript": "B: Het oudercontact is op dinsdag. Breng het rapport mee.",
    "items": [{**QUESTION_1, "id": "nl-lu-a2-0901"}, {**QUESTION_2, "id": "nl-lu-a2-0902"}],
}
del LISTENING["text"]
PLAIN = {
    "id": "nl-lz-a2-0999",
    "skill": "reading",
    "level": "A2",
    "domain": "onderwijs",
    "format": "single_choice",
    "status": "live",
    "difficulty": 0.0,
    "author_note": "A plain item next to the testlet.",
    "text": "Het oudercontact is op dinsdag.",
    "stem": "Wanneer?",
    "options": [{"text": "maandag"}, {"text": "dinsdag"}],
    "answer": "b",
}
FILE = "reading/a2/school.yaml"


def dump(*entries: dict) -> str:
    return yaml.safe_dump(list(entries), sort_keys=False, allow_unicode=True)


def make_bank(root: Path, files: dict[str, str], media: tuple[str, ...] = ()) -> Path:
    for rel, text in {"reading/a2/plain.yaml": dump(PLAIN), **files}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    for rel in media:
        (root / "media" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "media" / rel).write_bytes(b"OggS fake audio")
    return root


def with_changes(
    entry: dict, item: int | None = None, drop: tuple[str, ...] = (), **changes
) -> dict:
    """Return a copy of a testlet, changing the testlet or (with ``item``) one of its items."""
    entry = {**entry, "items": [dict(i) for i in entry["items"]]}
    target = entry if item is None else entry["items"][item]
    for key in drop:
        target.pop(key)
    target.update(changes)
    return entry


def line_of(text: str, marker: str, nth: int = 1) -> int:
    hits = [
        n for n, line in enumerate(text.splitlines(), 1) if line.lstrip(" -").startswith(marker)
    ]
    return hits[nth - 1]


def test_a_testlet_expands_into_items_that_share_its_stimulus(tmp_path: Path) -> None:
    text = dump(READING)
    bank = load_bank(make_bank(tmp_path, {FILE: text}))
    first, second = bank.get("nl-lz-a2-0901"), bank.get("nl-lz-a2-0902")
    for spec in (first, second):
        assert spec.testlet == "nl-lz-a2-t901" and spec.source == FILE
        assert (spec.skill, spec.level, spec.domain, spec.status) == (
            "reading",
            "A2",
            "onderwijs",
            "live",
        )
        assert spec.content["text"] == READING["text"]
    assert first.format == "single_choice" and second.format == "text_entry"
    assert first.author_note == "Finds the day." and "author_note" not in first.content
    assert bank.get("nl-lz-a2-0999").testlet is None
    assert bank.testlets() == {"nl-lz-a2-t901": [first, second]}
    assert [i.id for i in bank.select(skill="reading")] == [
        "nl-lz-a2-0999",
        "nl-lz-a2-0901",
        "nl-lz-a2-0902",
    ]


def test_a_listening_testlet_shares_its_clip(tmp_path: Path) -> None:
    audio_file = LISTENING["media"]["audio"]
    bank = load_bank(make_bank(tmp_path, {"listening/a2/l.yaml": dump(LISTENING)}, (audio_file,)))
    items = bank.testlets()["nl-lu-a2-t901"]
    assert [i.media for i in items] == [{"audio": audio_file}] * 2
    assert all(i.content["transcript"] == LISTENING["transcript"] for i in items)


def test_plain_item_hash_is_unchanged_and_testlet_membership_is_hashed(tmp_path: Path) -> None:
    bank = load_bank(make_bank(tmp_path, {FILE: dump(READING)}))
    hashed = {k: v for k, v in PLAIN.items() if k not in ("status", "author_note")}
    canonical = json.dumps(
        {**hashed, "media": {}}, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    assert bank.get("nl-lz-a2-0999").content_hash == hashlib.sha256(canonical.encode()).hexdigest()
    moved = with_changes(READING, testlet="nl-lz-a2-t902")
    (tmp_path / FILE).write_text(dump(moved), encoding="utf-8")
    again = load_bank(tmp_path)
    assert again.get("nl-lz-a2-0901").content_hash != bank.get("nl-lz-a2-0901").content_hash


# (case, testlet entry, (line marker, nth occurrence), item label, field, message fragment)
CASES = [
    (
        "item_repeats_a_shared_field",
        with_changes(READING, item=1, text="Een eigen tekst."),
        ("text: Een eigen", 1),
        "nl-lz-a2-0902",
        "text",
        "belongs to the testlet; give it once at the testlet level",
    ),
    (
        "item_field_error_is_located_in_its_item",
        with_changes(READING, item=1, gaps=[{"prompt": "Breng ___ mee.", "accept": []}]),
        ("accept:", 1),
        "nl-lz-a2-0902",
        "gaps[0].accept",
        "expected a non-empty list of accepted answers",
    ),
    (
        "item_difficulty_outside_the_testlet_level",
        with_changes(READING, item=0, difficulty=1.0),
        ("difficulty:", 1),
        "nl-lz-a2-0901",
        "difficulty",
        "expected a value in [-1.0, 0.5) for level A2; got 1.0",
    ),
    (
        "item_id_disagrees_with_testlet_level",
        with_changes(READING, item=0, id="nl-lz-b1-0901"),
        ("id: nl-lz-b1-0901", 1),
        "nl-lz-b1-0901",
        "id",
        "expected the id to carry skill code 'lz' and level 'a2'",
    ),
    (
        "item_missing_its_format_field",
        with_changes(READING, item=0, drop=("stem",)),
        ("id: nl-lz-a2-0901", 1),
        "nl-lz-a2-0901",
        "stem",
        "required field is missing",
    ),
    (
        "item_unknown_field",
        with_changes(READING, item=0, awnser="b"),
        ("awnser:", 1),
        "nl-lz-a2-0901",
        "awnser",
        "unknown field (did you mean 'answer'?)",
    ),
    (
        "shared_field_error_reported_once_for_the_testlet",
        with_changes(READING, domain="school"),
        ("domain:", 1),
        "nl-lz-a2-t901",
        "domain",
        "expected one of wonen",
    ),
    (
        "shared_field_missing_reported_once",
        with_changes(READING, drop=("status",)),
        ("testlet:", 1),
        "nl-lz-a2-t901",
        "status",
        "required field is missing",
    ),
    (
        "bad_testlet_id",
        with_changes(READING, testlet="nl-lz-a2-0001"),
        ("testlet:", 1),
        "nl-lz-a2-0001",
        "testlet",
        "expected a testlet id like nl-lz-a2-t001",
    ),
    (
        "testlet_id_disagrees_with_skill",
        with_changes(READING, testlet="nl-lu-a2-t901"),
        ("testlet:", 1),
        "nl-lu-a2-t901",
        "testlet",
        "expected the testlet id to carry skill code 'lz' and level 'a2'",
    ),
    (
        "testlet_with_one_item",
        with_changes(READING, items=[QUESTION_1]),
        ("items:", 1),
        "nl-lz-a2-t901",
        "items",
        "expected a list of 2 to 8 items",
    ),
    (
        "testlet_unknown_field",
        with_changes(READING, txt="x"),
        ("txt:", 1),
        "nl-lz-a2-t901",
        "txt",
        "unknown field (did you mean 'text'?)",
    ),
    (
        "listening_testlet_without_audio",
        with_changes(LISTENING, drop=("media",)),
        ("testlet:", 1),
        "nl-lu-a2-t901",
        "media.audio",
        "expected an audio file for a listening item",
    ),
    (
        "listening_testlet_clip_missing",
        LISTENING,
        ("audio:", 1),
        "nl-lu-a2-t901",
        "media.audio",
        "media file not found",
    ),
    (
        "item_not_a_mapping",
        with_changes(READING, items=[QUESTION_1, "een vraag"]),
        ("een vraag", 1),
        "nl-lz-a2-t901#2",
        None,
        "expected a mapping of fields",
    ),
]


@pytest.mark.parametrize(
    ("entry", "marker", "label", "field", "fragment"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_malformed_testlet_gives_one_located_issue(
    tmp_path: Path, entry: dict, marker: tuple[str, int], label: str, field: str, fragment: str
) -> None:
    text = dump(entry)
    root = make_bank(tmp_path, {FILE: text})
    with pytest.raises(BankError) as caught:
        load_bank(root)
    report = str(caught.value)
    assert len(caught.value.errors) == 1, report  # one mistake, one issue: no repeat per item
    issue = caught.value.errors[0]
    assert issue.file == f"{root.as_posix()}/{FILE}"
    assert issue.line == line_of(text, *marker), report
    assert (issue.item, issue.field) == (label, field)
    assert fragment in issue.message


def test_duplicate_testlet_ids_and_item_ids_are_reported(tmp_path: Path) -> None:
    again = with_changes(READING, item=0, id="nl-lz-a2-0999")  # the plain item's id
    again["items"][1]["id"] = "nl-lz-a2-0903"
    root = make_bank(tmp_path, {FILE: dump(READING), "reading/a2/zz.yaml": dump(again)})
    with pytest.raises(BankError) as caught:
        load_bank(root)
    found = sorted((e.item, e.field, e.message.split(";")[0]) for e in caught.value.errors)
    assert found == [
        ("nl-lz-a2-0999", "id", "duplicate id"),
        ("nl-lz-a2-t901", "testlet", "duplicate testlet id"),
    ]


def test_duplicate_key_inside_a_testlet_item_names_the_item(tmp_path: Path) -> None:
    text = dump(READING).replace("  answer: b\n", "  answer: b\n    answer: c\n", 1)
    root = make_bank(tmp_path, {FILE: text})
    with pytest.raises(BankError) as caught:
        load_bank(root)
    [issue] = caught.value.errors
    assert (issue.item, issue.field, issue.line) == (
        "nl-lz-a2-0901",
        "answer",
        line_of(text, "answer: c"),
    )
    assert "field given twice" in issue.message


def test_audio_of_a_testlet_is_rendered_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_bank(tmp_path, {"listening/a2/l.yaml": dump(LISTENING)})
    rendered = []
    monkeypatch.setattr(audio.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(audio, "render_item", lambda item, target, **kw: rendered.append(item.id))
    audio.generate_audio(root, force=True)
    assert rendered == ["nl-lu-a2-0901"]


def test_real_bank_testlets_are_whole_and_of_one_level() -> None:
    bank = load_bank(BANK_ROOT)
    testlets = bank.testlets()
    assert {t.split("-")[1] for t in testlets} >= {"lz", "lu"}, "a reading and a listening testlet"
    for tid, items in testlets.items():
        assert len(items) >= 2, tid
        assert len({(i.skill, i.level, i.domain, i.source) for i in items}) == 1, tid
        assert len({json.dumps(i.media, sort_keys=True) for i in items}) == 1, tid
