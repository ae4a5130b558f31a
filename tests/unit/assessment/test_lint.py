"""The bank lint: one small broken bank per kind of finding, the shipped bank clean, Ogg timing."""

from __future__ import annotations

import copy
import shutil
import struct
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from attest.assessment.bank import BankError
from attest.assessment.lint import Finding, lint_bank, ogg_duration
from attest.assessment.lint_gates import GATE_CODES
from attest.assessment.lint_rules import count_words, mean_sentence_words, sentences

BANK_ROOT = Path(__file__).resolve().parents[3] / "question_banks" / "nl"
READ = "reading/a1/lezen.yaml"
LISTEN = "listening/a1/luisteren.yaml"
MIXED = "reading/a2/formaten.yaml"
CLIP = "listening/a1/nl-lu-a1-0001.ogg"
QUALITY_CODES = (*GATE_CODES, "stale-allow")


@cache
def _shipped() -> dict[str, dict[str, Any]]:
    """Return every plain item and testlet of the shipped bank as written, keyed by id."""
    found = {}
    for path in sorted(BANK_ROOT.rglob("*.yaml")):
        if path.name.endswith(".review.yaml"):  # review histories, not items
            continue
        if path.relative_to(BANK_ROOT).parts[0] == "media":  # media/provenance.yaml
            continue
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            found[entry.get("id") or entry.get("testlet")] = entry
    return found


def real(item_id: str, **changes: Any) -> dict[str, Any]:
    """Return a copy of a shipped item (or testlet) with some fields changed."""
    return {**copy.deepcopy(_shipped()[item_id]), **changes}


def words(n: int, per_sentence: int = 8) -> str:
    """Return a text of ``n`` words in sentences of ``per_sentence`` words."""
    tokens = [("Het" if i % per_sentence == 0 else "woord") for i in range(n)]
    return " ".join(t + ("." if (i + 1) % per_sentence == 0 else "") for i, t in enumerate(tokens))


def ogg_pages(seconds: float, rate: int = 16000, opus_pre_skip: int | None = None) -> bytes:
    """Return a minimal Ogg stream: an identification page and one final audio page."""

    def page(granule: int, flags: int, body: bytes) -> bytes:
        head = b"OggS" + struct.pack("<BBqIIIB", 0, flags, granule, 7, 0, 0, 1)
        return head + bytes([len(body)]) + body

    if opus_pre_skip is None:
        ident = b"\x01vorbis" + struct.pack("<IBIiii", 0, 1, rate, 0, 0, 0) + b"\xb8\x01"
        samples = round(seconds * rate)
    else:
        ident = b"OpusHead" + struct.pack("<BBHIhB", 1, 1, opus_pre_skip, rate, 0, 0)
        samples = round(seconds * 48000) + opus_pre_skip
    return page(0, 2, ident) + page(-1, 0, b"x" * 10) + page(samples, 4, b"x" * 20)


def make_bank(root: Path, files: dict[str, list[dict]], media: dict[str, bytes]) -> Path:
    """Write a bank of a reading item, a listening item with its clip, plus the given files."""
    base = {
        READ: [real("nl-lz-a1-0001")],
        LISTEN: [real("nl-lu-a1-0001")],
        **files,
    }
    for rel, entries in base.items():
        text = yaml.safe_dump(entries, sort_keys=False, allow_unicode=True, width=1000)
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
        history = _histories(entries)
        if history:  # `attest bank check` requires one per item (docs/authoring-brief.md)
            side = (root / rel).with_name((root / rel).stem + ".review.yaml")
            side.write_text(yaml.safe_dump(history), encoding="utf-8")
    clips = {CLIP: (BANK_ROOT / "media" / CLIP).read_bytes(), **media}
    for rel, data in clips.items():
        (root / "media" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "media" / rel).write_bytes(data)
    return root


_FIRST_STEPS = {"live": ["migrated"], "pilot": ["migrated_pilot"], "draft": ["written"]}


def _histories(entries: list) -> dict[str, list[dict]]:
    """A review history for each item whose status says which one it needs."""
    found = {}
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        items = entry.get("items") if entry.get("testlet") else [entry]
        for item in items if isinstance(items, list) else []:
            steps = _FIRST_STEPS.get(entry.get("status"))
            if isinstance(item, dict) and isinstance(item.get("id"), str) and steps:
                found[item["id"]] = [
                    {"step": s, "by": "test", "at": "2026-12-01T09:00:00Z"} for s in steps
                ]
    return found


def line_of(path: Path, marker: str, nth: int = 1) -> int:
    """Return the number of the ``nth`` line of a file that contains ``marker``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [n for n, line in enumerate(lines, 1) if marker in line][nth - 1]


def sc(**changes: Any) -> dict[str, Any]:
    return real("nl-lz-a1-0001", **changes)  # options op zaterdag / op zondag / op maandag (c)


MARKET = "listening/a1/markt.yaml"

# (case, files, media, (file, line marker [or (marker, nth)] or None, item, code, fragment))
# code "schema": load_bank rejects the bank first (BankError), before any lint runs.
CASES = [
    (
        "duplicate_id",
        {MIXED: [real("nl-lz-a1-0005", id="nl-lz-a1-0001")]},
        {},
        (MIXED, "- id:", "nl-lz-a1-0001", "schema", "duplicate id; already used in"),
    ),
    (
        "missing_key",
        {READ: [{k: v for k, v in sc().items() if k != "answer"}]},
        {},
        (READ, "- id:", "nl-lz-a1-0001", "schema", "answer: required field is missing"),
    ),
    (
        "every_option_keyed",
        {MARKET: [real("nl-lu-a1-0006", answer=["a", "b", "c", "d", "e"])]},
        {"listening/a1/nl-lu-a1-0006.ogg": ogg_pages(10)},
        (MARKET, "answer:", "nl-lu-a1-0006", "schema", "at least one option that is not keyed"),
    ),
    (
        "duplicate_option_same_case",
        {
            READ: [
                sc(options=[{"text": "op zondag"}, {"text": "Op zondag"}, {"text": "op maandag"}])
            ]
        },
        {},
        (READ, "Op zondag", "nl-lz-a1-0001", "schema", "expected distinct options"),
    ),
    (
        "missing_media",
        {LISTEN: [real("nl-lu-a1-0001", media={"audio": "listening/a1/weg.ogg"})]},
        {},
        (LISTEN, "audio:", "nl-lu-a1-0001", "schema", "media file not found"),
    ),
    (
        "difficulty_outside_band",
        {READ: [sc(difficulty=-0.5)]},
        {},
        (READ, "difficulty:", "nl-lz-a1-0001", "schema", "expected a value in [-3.0, -1.0)"),
    ),
    (
        "key_repeated_as_distractor",
        {
            READ: [
                sc(
                    options=[
                        {"text": "op zaterdag"},
                        {"text": "Op  maandag."},
                        {"text": "op maandag"},
                    ]
                )
            ]
        },
        {},
        (
            READ,
            "Op  maandag.",
            "nl-lz-a1-0001",
            "ambiguous-key",
            "option b reads the same as the keyed option c ('op maandag')",
        ),
    ),
    (
        "distractors_repeated",
        {
            READ: [
                sc(
                    options=[
                        {"text": "op zondag"},
                        {"text": "op   zondag!"},
                        {"text": "op maandag"},
                    ]
                )
            ]
        },
        {},
        (
            READ,
            "op   zondag!",
            "nl-lz-a1-0001",
            "duplicate-option",
            "option b reads the same as option a ('op zondag')",
        ),
    ),
    (
        "keyed_and_unkeyed_option_alike",
        {
            MARKET: [
                real(
                    "nl-lu-a1-0006",
                    options=[
                        {"text": t} for t in ["appels", "Appels.", "tomaten", "een komkommer"]
                    ],
                )
            ]
        },
        {"listening/a1/nl-lu-a1-0006.ogg": ogg_pages(10)},
        (
            MARKET,
            "Appels.",
            "nl-lu-a1-0006",
            "ambiguous-key",
            "option b reads the same as the keyed option a ('appels')",
        ),
    ),
    (
        "gaps_accept_the_same_answer",
        {
            READ: [
                real(
                    "nl-lz-a1-0007",
                    gaps=[
                        {"prompt": "Hij is geboren in de maand ___.", "accept": ["april", "4"]},
                        {"prompt": "Zijn verjaardag is in ___.", "accept": ["mei", "April"]},
                    ],
                )
            ]
        },
        {},
        (
            READ,
            ("accept:", 2),
            "nl-lz-a1-0007",
            "ambiguous-key",
            "gap 2 accepts 'april', which gap 1 accepts too",
        ),
    ),
    (
        "inline_choice_answer_twice",
        {
            MIXED: [
                real(
                    "nl-lz-a2-0201",
                    gaps=[
                        {"options": ["maandag", "vrijdag", "Vrijdag."], "answer": "vrijdag"},
                        {"options": ["half negen", "vier", "zes"], "answer": "vier"},
                        {"options": ["eten", "laarzen", "6 euro"], "answer": "laarzen"},
                    ],
                )
            ]
        },
        {},
        (
            MIXED,
            "- options:",
            "nl-lz-a2-0201",
            "ambiguous-key",
            "gap 1: option 'Vrijdag.' reads the same as the answer 'vrijdag'",
        ),
    ),
    (
        "matching_prompts_alike",
        {
            MIXED: [
                real(
                    "nl-lz-a2-0202",
                    prompts=[
                        {"text": "Karim wil gratis Nederlands oefenen.", "answer": "e"},
                        {"text": "Karim wil  gratis Nederlands oefenen", "answer": "c"},
                    ],
                )
            ]
        },
        {},
        (
            MIXED,
            "Karim wil  gratis",
            "nl-lz-a2-0202",
            "ambiguous-key",
            "prompt 2 reads the same as prompt 1 but has another key",
        ),
    ),
    (
        "ordering_fragments_alike",
        {
            MIXED: [
                real(
                    "nl-lz-a2-0203",
                    fragments=[
                        "Je betaalt aan het loket.",
                        "Je haalt je kaart af.",
                        "je betaalt aan het loket",
                    ],
                    answer=["a", "c", "b"],
                )
            ]
        },
        {},
        (
            MIXED,
            "je betaalt aan het loket",
            "nl-lz-a2-0203",
            "ambiguous-key",
            "fragments a and c read the same",
        ),
    ),
    (
        "unused_media",
        {},
        {"listening/a1/wees.ogg": ogg_pages(5)},
        (
            "media/listening/a1/wees.ogg",
            None,
            None,
            "unused-media",
            "media file is used by no item",
        ),
    ),
    (
        "audio_too_long",
        {},
        {CLIP: ogg_pages(31.2)},
        (
            LISTEN,
            "audio:",
            "nl-lu-a1-0001",
            "audio-length",
            f"audio {CLIP} lasts 31.2 s; A1 allows at most 30 s",
        ),
    ),
    (
        "audio_unreadable",
        {},
        {CLIP: b"not audio at all"},
        (
            LISTEN,
            "audio:",
            "nl-lu-a1-0001",
            "audio-unreadable",
            "cannot read the duration of nl-lu-a1-0001.ogg: not an Ogg page at byte 0",
        ),
    ),
    (
        "reading_text_too_long",
        {READ: [sc(text=words(130))]},
        {},
        (READ, "text:", "nl-lz-a1-0001", "text-length", "text has 130 words; A1 allows 10-80"),
    ),
    (
        "transcript_too_long",
        {LISTEN: [real("nl-lu-a1-0001", transcript="B: " + words(75))]},
        {},
        (
            LISTEN,
            "transcript:",
            "nl-lu-a1-0001",
            "text-length",
            "transcript has 75 words; A1 allows 10-70",
        ),
    ),
    (
        "stem_too_long",
        {READ: [sc(stem=words(26) + " Wat is juist?")]},
        {},
        (READ, "stem:", "nl-lz-a1-0001", "text-length", "stem has 29 words; A1 allows 2-25"),
    ),
    (
        "sentences_too_long",
        {READ: [sc(text=words(60, per_sentence=20))]},
        {},
        (
            READ,
            "text:",
            "nl-lz-a1-0001",
            "sentence-length",
            "text has 20.0 words per sentence on average; A1 allows at most 12",
        ),
    ),
    (
        "testlet_transcript_reported_once",
        {"listening/b1/testlet.yaml": [real("nl-lu-b1-t001", transcript="B: " + words(200))]},
        {"listening/b1/nl-lu-b1-t001.ogg": ogg_pages(30)},
        (
            "listening/b1/testlet.yaml",
            "transcript:",
            "nl-lu-b1-t001",
            "text-length",
            "transcript has 200 words; B1 allows 60-150",
        ),
    ),
]


@pytest.mark.parametrize(("case", "files", "media", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_kind_of_problem_is_located(
    tmp_path: Path, case: str, files: dict, media: dict, expected: tuple
) -> None:
    root = make_bank(tmp_path / "bank", files, media)
    rel, marker, item, code, fragment = expected
    path = root / rel
    if isinstance(marker, str):
        marker = (marker, 1)
    line = line_of(path, *marker) if marker else None
    if code == "schema":
        with pytest.raises(BankError) as caught:
            lint_bank(root)
        found = [(e.file, e.line, e.item, str(e)) for e in caught.value.errors]
    else:
        # the quality gates judge a whole bank (key balance, enemies): tests/unit/assessment/
        # test_lint_gates.py crafts their cases; these small banks are about the checks above
        findings = [f for f in lint_bank(root) if f.code not in QUALITY_CODES]
        assert all(isinstance(f, Finding) for f in findings)
        assert [f.code for f in findings] == [code], [str(f) for f in findings]
        found = [(f.file, f.line, f.item, str(f)) for f in findings]
    assert len(found) == 1, found
    file, got_line, got_item, text = found[0]
    assert (file, got_line, got_item) == (path.as_posix(), line, item)
    assert fragment in text
    assert text.startswith(path.as_posix() + (f":{line}" if line else ""))


def test_shipped_bank_has_no_findings() -> None:
    findings = lint_bank(BANK_ROOT)
    assert findings == [], "\n".join(str(f) for f in findings)


def test_finding_reads_as_file_line_item_message() -> None:
    finding = Finding("nl/reading/a1/borden.yaml", 12, "nl-lz-a1-0003", "text-length", "too long")
    assert str(finding) == "nl/reading/a1/borden.yaml:12 item nl-lz-a1-0003: too long"
    assert str(Finding("nl/media/x.ogg", None, None, "unused-media", "unused")) == (
        "nl/media/x.ogg: unused"
    )


@pytest.mark.skipif(shutil.which("sox") is None, reason="needs sox to make a real Ogg Vorbis file")
def test_ogg_vorbis_duration_of_a_real_file(tmp_path: Path) -> None:
    clip = tmp_path / "tone.ogg"
    subprocess.run(
        ["sox", "-n", "-r", "16000", "-c", "1", str(clip), "synth", "3.0", "sine", "440"],
        check=True,
        capture_output=True,
    )
    assert ogg_duration(clip) == pytest.approx(3.0, abs=0.05)


@pytest.mark.parametrize(
    ("data", "seconds"),
    [
        (ogg_pages(12.5, rate=16000), 12.5),
        (ogg_pages(4.0, rate=44100), 4.0),
        (ogg_pages(7.25, rate=16000, opus_pre_skip=312), 7.25),
    ],
    ids=["vorbis_16k", "vorbis_44k", "opus_pre_skip"],
)
def test_ogg_duration_from_granule_and_rate(tmp_path: Path, data: bytes, seconds: float) -> None:
    clip = tmp_path / "clip.ogg"
    clip.write_bytes(data)
    assert ogg_duration(clip) == pytest.approx(seconds, abs=0.001)


@pytest.mark.parametrize(
    "data",
    [b"", b"RIFF....WAVEfmt ", ogg_pages(2.0)[:30], b"OggS" + bytes(23) + b"\x00"],
    ids=["empty", "wav", "truncated", "no_codec"],
)
def test_ogg_duration_rejects_what_is_not_ogg_audio(tmp_path: Path, data: bytes) -> None:
    clip = tmp_path / "clip.ogg"
    clip.write_bytes(data)
    with pytest.raises(ValueError):
        ogg_duration(clip)


def test_shipped_listening_clips_are_measured() -> None:
    clip = BANK_ROOT / "media" / CLIP
    assert 5.0 <= ogg_duration(clip) <= 30.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bakkerij Van Damme\n\nmaandag: gesloten\nzondag: 7.00 – 12.30 uur", 3),
        ("A: Goeiedag. Wat mag het zijn?\nB: Een kilo appels, alstublieft.", 3),
        (
            "Ben je ziek? Bel dan je ploegleider voor het begin van je shift, want hij\n"
            "moet op tijd iemand anders vragen. Een sms is niet genoeg.",
            3,
        ),
        (
            "1. Bel je ploegleider voor het begin van je shift. Een sms of een bericht via\n"
            "   WhatsApp is niet genoeg.\n2. Ga naar de dokter.",
            3,
        ),
        ("Kom bv. om 8 uur. Neem o.a. je kaart mee!", 2),
        ("Fatima: maandag, dinsdag en woensdag, van 10 tot 18 uur\nJonas: donderdag en vrijdag", 2),
    ],
    ids=["sign", "turns", "wrapped", "list", "abbreviations", "rota"],
)
def test_sentences_follow_lines_and_stops(text: str, expected: int) -> None:
    assert len(sentences(text)) == expected, sentences(text)


def test_words_ignore_speaker_labels_and_keep_numbers_whole() -> None:
    assert count_words("A: Het kost 7.50 euro.\nB: Om 14:15 uur, in de e-mail.") == 10
    assert mean_sentence_words("Een twee drie. Vier vijf.") == 2.5
    assert mean_sentence_words("") == 0.0


# The command itself needs the app (with_appcontext), hence the `app` fixture here.
def test_bank_check_command_prints_findings_and_fails(app, tmp_path: Path) -> None:
    root = make_bank(tmp_path / "bank", {}, {"listening/a1/wees.ogg": ogg_pages(5)})
    result = app.test_cli_runner().invoke(args=["bank", "check", str(root)])
    assert result.exit_code == 1
    assert f"{root.as_posix()}/media/listening/a1/wees.ogg: media file is used by no item" in (
        result.output
    )


def test_bank_check_command_reports_schema_errors_first(app, tmp_path: Path) -> None:
    root = make_bank(tmp_path / "bank", {READ: [sc(difficulty=-0.5)]}, {"x/wees.ogg": b""})
    result = app.test_cli_runner().invoke(args=["bank", "check", "--dir", str(root)])
    assert result.exit_code == 1
    assert "expected a value in [-3.0, -1.0)" in result.output
    assert "used by no item" not in result.output


def test_bank_check_command_summarises_a_clean_bank(app, tmp_path: Path) -> None:
    from attest.assessment.provenance import ClipProvenance, write_provenance

    root = make_bank(tmp_path / "bank", {}, {})
    # Every clip says where it comes from, or the check fails.
    result = app.test_cli_runner().invoke(args=["bank", "check", str(root)])
    assert result.exit_code == 1
    assert f"media/{CLIP}: no entry in media/provenance.yaml" in result.output
    write_provenance(root, {CLIP: ClipProvenance("synthetic", "espeak-ng", ("nl+m3",))})
    result = app.test_cli_runner().invoke(args=["bank", "check", str(root)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:7] == [
        "2 items (0 testlets), no findings",
        "  listening A1:   1  (single_choice 1)",
        "  reading   A1:   1  (single_choice 1)",
        "key balance (keys by bank position; key longest of single_choice):",
        "  listening A1: b=1; key longest 0/1",
        "  reading   A1: c=1; key longest 0/1",
        "audio provenance per purpose (human: recorded by a person and approved):",
    ]


def test_lint_is_pure_domain_code() -> None:
    code = (
        "import sys, attest.assessment.lint\n"
        "print('flask' in sys.modules, 'sqlalchemy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
