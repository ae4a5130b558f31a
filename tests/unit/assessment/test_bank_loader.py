"""The bank loader: a table of malformed banks, each naming file, line, item and field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from attest.assessment.bank import BankError, load_bank

READING = {
    "id": "nl-lz-a1-0001",
    "skill": "reading",
    "level": "A1",
    "domain": "winkelen",
    "format": "single_choice",
    "status": "live",
    "difficulty": -2.0,
    "author_note": "Finds a price.",
    "text": "Brood: 2 euro.",
    "stem": "Hoeveel kost het brood?",
    "options": [{"text": "twee euro"}, {"text": "drie euro"}, {"text": "vier euro"}],
    "answer": "a",
}
LISTENING = {
    **READING,
    "id": "nl-lu-a1-0001",
    "skill": "listening",
    "transcript": "B: Brood kost twee euro.",
    "media": {"audio": "listening/a1/brood.ogg"},
}
GOOD_FILE = "reading/a1/good.yaml"  # a valid neighbour: proves nothing at all is returned


def item(base: dict = READING, drop: tuple[str, ...] = (), **changes: object) -> dict:
    """Return a copy of an item with fields dropped or changed."""
    return {**{k: v for k, v in base.items() if k not in drop}, **changes}


def dump(*items: dict) -> str:
    return yaml.safe_dump(list(items), sort_keys=False, allow_unicode=True)


def make_bank(root: Path, files: dict[str, str], media: tuple[str, ...] = ()) -> Path:
    """Write bank files (and fake media) under root and return root."""
    all_files = {GOOD_FILE: dump(item(id="nl-lz-a1-0999", text="Melk: 1 euro.")), **files}
    for rel, text in all_files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    for rel in media:
        (root / "media" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "media" / rel).write_bytes(b"OggS fake audio")
    return root


BAD = "reading/a1/bad.yaml"
LATER = "reading/a2/later.yaml"  # read after GOOD_FILE, so it holds the second use of an id
SYNTAX = "- id: nl-lz-a1-0001\n  skill: reading\n  options: [a, b\n  answer: a\n"
DUP_KEY = dump(item()) + "  answer: b\n"

# (case, files, media, (file, line marker or line number, item, field, message fragment))
CASES = [
    ("yaml_syntax", {BAD: SYNTAX}, (), (BAD, 4, None, None, "YAML syntax error")),
    (
        "not_a_list",
        {BAD: yaml.safe_dump(READING)},
        (),
        (BAD, 1, None, None, "expected a list of items"),
    ),
    (
        "item_not_mapping",
        {BAD: "- just a sentence\n"},
        (),
        (BAD, 1, "#1", None, "expected a mapping"),
    ),
    (
        "missing_field",
        {BAD: dump(item(drop=("stem",)))},
        (),
        (BAD, "- id:", "nl-lz-a1-0001", "stem", "required field is missing"),
    ),
    (
        "unknown_field",
        {BAD: dump(item(stemm="x"))},
        (),
        (BAD, "stemm:", "nl-lz-a1-0001", "stemm", "unknown field (did you mean 'stem'?)"),
    ),
    (
        "wrong_type_number",
        {BAD: dump(item(difficulty="hard"))},
        (),
        (
            BAD,
            "difficulty:",
            "nl-lz-a1-0001",
            "difficulty",
            "expected a number (logits); got 'hard'",
        ),
    ),
    (
        "wrong_type_text",
        {BAD: dump(item(stem=["a", "b"]))},
        (),
        (BAD, "stem:", "nl-lz-a1-0001", "stem", "expected a non-empty text"),
    ),
    (
        "unknown_skill",
        {BAD: dump(item(skill="lezen"))},
        (),
        (
            BAD,
            "skill:",
            "nl-lz-a1-0001",
            "skill",
            "expected one of listening, reading, speaking, writing; got 'lezen'",
        ),
    ),
    (
        "unknown_level",
        {BAD: dump(item(level="C1"))},
        (),
        (BAD, "level:", "nl-lz-a1-0001", "level", "expected one of A1, A2, B1, B2; got 'C1'"),
    ),
    (
        "unknown_format",
        {BAD: dump(item(format="essay"))},
        (),
        (BAD, "format:", "nl-lz-a1-0001", "format", "got 'essay'"),
    ),
    (
        "unknown_status",
        {BAD: dump(item(status="published"))},
        (),
        (BAD, "status:", "nl-lz-a1-0001", "status", "expected one of draft, pilot, live, retired"),
    ),
    (
        "unknown_domain",
        {BAD: dump(item(domain="sport"))},
        (),
        (BAD, "domain:", "nl-lz-a1-0001", "domain", "got 'sport'"),
    ),
    (
        "difficulty_outside_band",
        {BAD: dump(item(difficulty=0.0))},
        (),
        (
            BAD,
            "difficulty:",
            "nl-lz-a1-0001",
            "difficulty",
            "expected a value in [-3.0, -1.0) for level A1; got 0.0",
        ),
    ),
    (
        "bad_id",
        {BAD: dump(item(id="lezen-1"))},
        (),
        (BAD, "- id:", "lezen-1", "id", "expected an id like nl-lz-a1-0001"),
    ),
    (
        "id_disagrees_with_level",
        {BAD: dump(item(id="nl-lz-a2-0001"))},
        (),
        (BAD, "- id:", "nl-lz-a2-0001", "id", "level 'a1'"),
    ),
    (
        "duplicate_id",
        {LATER: dump(item(id="nl-lz-a1-0999", stem="Een andere vraag?"))},
        (),
        (
            LATER,
            "- id:",
            "nl-lz-a1-0999",
            "id",
            f"duplicate id; already used in {{root}}/{GOOD_FILE}:1",
        ),
    ),
    (
        "duplicate_key",
        {BAD: DUP_KEY},
        (),
        (BAD, "  answer: b", "nl-lz-a1-0001", "answer", "field given twice"),
    ),
    (
        "missing_media",
        {BAD: dump(item(LISTENING))},
        (),
        (BAD, "audio:", "nl-lu-a1-0001", "media.audio", "media file not found"),
    ),
    (
        "media_outside_bank",
        {BAD: dump(item(LISTENING, media={"audio": "../../secret.ogg"}))},
        (),
        (BAD, "audio:", "nl-lu-a1-0001", "media.audio", "expected a relative path inside media/"),
    ),
    (
        "listening_without_audio",
        {BAD: dump(item(LISTENING, drop=("media",)))},
        (),
        (
            BAD,
            "- id:",
            "nl-lu-a1-0001",
            "media.audio",
            "expected an audio file for a listening item",
        ),
    ),
    (
        "audio_without_transcript",
        {BAD: dump(item(LISTENING, drop=("transcript",)))},
        ("listening/a1/brood.ogg",),
        (BAD, "- id:", "nl-lu-a1-0001", "transcript", "expected a transcript for the audio"),
    ),
    (
        "answer_not_an_option",
        {BAD: dump(item(answer="d"))},
        (),
        (
            BAD,
            "answer:",
            "nl-lz-a1-0001",
            "answer",
            "expected one of the option ids a, b, c; got 'd'",
        ),
    ),
    (
        "nested_option_field",
        {BAD: dump(item(options=[{"text": "a"}, {"text": ""}, {"text": "c"}]))},
        (),
        (BAD, "- text: ''", "nl-lz-a1-0001", "options[1].text", "expected a non-empty string"),
    ),
    (
        "text_entry_without_variants",
        {
            BAD: dump(
                item(
                    drop=("options", "answer"),
                    format="text_entry",
                    gaps=[{"prompt": "Het kost ___ euro.", "accept": []}],
                )
            )
        },
        (),
        (
            BAD,
            "accept:",
            "nl-lz-a1-0001",
            "gaps[0].accept",
            "expected a non-empty list of accepted answers",
        ),
    ),
]


def _line_of(text: str, marker: str | int) -> int:
    if isinstance(marker, int):
        return marker
    return next(
        n
        for n, line in enumerate(text.splitlines(), 1)
        if line.startswith(marker) or line.lstrip().startswith(marker)
    )


@pytest.mark.parametrize(
    ("files", "media", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_malformed_bank_is_rejected_with_a_located_issue(
    tmp_path: Path, files: dict[str, str], media: tuple[str, ...], expected: tuple
) -> None:
    root = make_bank(tmp_path / "bank", files, media)
    rel, marker, item_label, field, fragment = expected
    with pytest.raises(BankError) as caught:
        load_bank(root)
    issue = caught.value.errors[0]
    assert issue.file == f"{root.as_posix()}/{rel}"
    assert issue.line == _line_of(files[rel], marker)
    assert (issue.item, issue.field) == (item_label, field)
    assert fragment.format(root=root.as_posix()) in issue.message
    report = str(caught.value)
    assert str(issue) in report and f"{issue.file}:{issue.line}" in report
    assert len(caught.value.errors) == 1, report  # one mistake, one issue: no cascades


def test_all_errors_are_collected_across_files(tmp_path: Path) -> None:
    root = make_bank(
        tmp_path,
        {
            "reading/a1/x.yaml": dump(item(answer="d"), item(id="nl-lz-a1-0002", level="Z9")),
            "reading/a1/y.yaml": dump(item(id="nl-lz-a1-0003", status="done")),
        },
    )
    with pytest.raises(BankError) as caught:
        load_bank(root)
    found = [(Path(e.file).name, e.item, e.field) for e in caught.value.errors]
    assert found == [
        ("x.yaml", "nl-lz-a1-0001", "answer"),
        ("x.yaml", "nl-lz-a1-0002", "level"),
        ("y.yaml", "nl-lz-a1-0003", "status"),
    ]
    assert str(caught.value).startswith("item bank has 3 problems:\n")


def test_empty_bank_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(BankError, match="expected YAML item files; found none"):
        load_bank(tmp_path)


def test_valid_bank_loads_items_with_content_and_media(tmp_path: Path) -> None:
    root = make_bank(
        tmp_path, {"listening/a1/l.yaml": dump(LISTENING)}, ("listening/a1/brood.ogg",)
    )
    bank = load_bank(root)
    spec = bank.get("nl-lu-a1-0001")
    assert spec.source == "listening/a1/l.yaml" and spec.media == {
        "audio": "listening/a1/brood.ogg"
    }
    assert set(spec.content) == {"text", "stem", "transcript", "options", "answer"}
    assert (spec.skill, spec.level, spec.difficulty) == ("listening", "A1", -2.0)
    assert [i.id for i in bank.select(skill="reading")] == ["nl-lz-a1-0999"]


def test_content_hash_follows_content_and_media_but_not_status(tmp_path: Path) -> None:
    root = make_bank(
        tmp_path, {"listening/a1/l.yaml": dump(LISTENING)}, ("listening/a1/brood.ogg",)
    )
    before = load_bank(root).get("nl-lu-a1-0001").content_hash
    (root / "listening/a1/l.yaml").write_text(
        dump(item(LISTENING, status="retired")), encoding="utf-8"
    )
    assert load_bank(root).get("nl-lu-a1-0001").content_hash == before
    (root / "media/listening/a1/brood.ogg").write_bytes(b"OggS re-recorded")
    after_media = load_bank(root).get("nl-lu-a1-0001").content_hash
    assert after_media != before
    (root / "listening/a1/l.yaml").write_text(dump(item(LISTENING, answer="b")), encoding="utf-8")
    assert load_bank(root).get("nl-lu-a1-0001").content_hash not in (before, after_media)


def test_missing_media_is_tolerated_only_when_asked(tmp_path: Path) -> None:
    root = make_bank(tmp_path, {"listening/a1/l.yaml": dump(LISTENING)})
    assert (
        load_bank(root, require_media=False)
        .get("nl-lu-a1-0001")
        .media["audio"]
        .endswith("brood.ogg")
    )
