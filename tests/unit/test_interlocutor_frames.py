"""The interlocutor frames of the examiner-led interview: the shipped file and the loader's
errors (file, line, field, what was expected)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from attest.assessment.interlocutor_frames import FrameError, load_frames, parse_frames

SPEAKING = Path(__file__).parents[2] / "question_banks" / "nl" / "speaking"
URL = "https://rm.coe.int/example"


def frame(fid: str, lvl: str, **extra: str) -> str:
    lines = [
        f"  - id: {fid}",
        f"    level: {lvl}",
        "    default: true",
        f"    source: CV 2020 p. 73; {URL}",
        "    timing: {opening_seconds: 60, task_seconds: 180, closing_seconds: 20}",
        "    opening: [Goeiedag.]",
        "    prompts: [Begin.]",
        "    follow_ups: [Wanneer, Waar]",
        "    closing: Dank je.",
    ]
    for key, value in extra.items():
        lines = [ln for ln in lines if not ln.startswith(f"    {key}:")]
        if value:
            lines.append(f"    {key}: {value}")
    return "\n".join(lines)


def document(*frames: str) -> str:
    head = f"version: 1\nsource: CV 2020; {URL}\nframes:\n"
    return head + "\n".join(frames) + "\n"


FOUR = [frame(f"{lv.lower()}-x", lv) for lv in ("A1", "A2", "B1", "B2")]


def test_shipped_frames_load_with_a_default_per_level_and_two_tasks_each() -> None:
    frames = load_frames()
    live = {}
    for path in SPEAKING.glob("*/*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for entry in data if isinstance(data, list) else data.get("items", []):
            live[entry["id"]] = entry["level"]
    for level in ("A1", "A2", "B1", "B2"):
        own = [f for f in frames.frames if f.level == level and f.items]
        assert len(own) >= 2, level
        for f in own:
            for item_id in f.items:  # a frame is written for a real task of its own level
                assert live[item_id] == level
    assert frames.for_task("nl-sp-a2-0011", "A2").id == "a2-kinderopvang"
    assert frames.for_task("nl-sp-a2-0001", "A2").id == "a2-standaard"
    assert all("http" in f.source for f in frames.frames)


def test_a_valid_document_parses() -> None:
    frames = parse_frames(document(*FOUR), "f.yaml")
    assert frames.version == 1
    assert frames.for_task("any", "B1").id == "b1-x"
    assert frames.by_id("a1-x").total_seconds == 260


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"level": "C1"}, "f.yaml:12: frame a1-x: level: expected one of A1, A2, B1, B2; got 'C1'"),
        ({"source": "CV 2020"}, "f.yaml:12: frame a1-x: source: expected the CEFR basis"),
        ({"follow_ups": "[Wanneer]"}, "frame a1-x: follow_ups: expected a list of at least 2"),
        (
            {"timing": "{opening_seconds: 60, task_seconds: 5, closing_seconds: 20}"},
            "f.yaml:12: frame a1-x: timing.task_seconds: expected whole seconds from 10 to 900; "
            "got 5",
        ),
        ({"closing": ""}, "f.yaml:4: frame a1-x: closing: missing"),
        ({"voice": "x"}, "f.yaml:13: frame a1-x: voice: unknown field"),
    ],
)
def test_a_bad_frame_is_named_by_file_line_and_field(change: dict, expected: str) -> None:
    with pytest.raises(FrameError) as err:
        parse_frames(document(frame("a1-x", "A1", **change), *FOUR[1:]), "f.yaml")
    assert expected in str(err.value)


def test_every_level_needs_exactly_one_default() -> None:
    with pytest.raises(FrameError, match="exactly one default frame for B2; found 0"):
        parse_frames(document(*FOUR[:3]), "f.yaml")


def test_a_task_has_one_frame_and_an_id_is_used_once() -> None:
    twice = frame("a1-y", "A1", default="false", items="[nl-sp-a1-0010]")
    text = document(*FOUR, twice, frame("a1-z", "A1", default="false", items="[nl-sp-a1-0010]"))
    with pytest.raises(FrameError, match="nl-sp-a1-0010 already has frame a1-y"):
        parse_frames(text, "f.yaml")
    with pytest.raises(FrameError, match="id: used twice"):
        parse_frames(document(*FOUR, frame("a1-x", "A1", default="false")), "f.yaml")


def test_version_source_and_yaml_errors() -> None:
    with pytest.raises(FrameError, match=r"f.yaml:1: version: expected a whole number"):
        parse_frames(document(*FOUR).replace("version: 1", "version: one"), "f.yaml")
    with pytest.raises(FrameError, match="f.yaml: not valid YAML"):
        parse_frames("frames: [", "f.yaml")
    with pytest.raises(FrameError, match="frames: expected a list"):
        parse_frames(f"version: 1\nsource: {URL}\nframes: 3\n", "f.yaml")
