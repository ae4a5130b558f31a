"""The semi-direct conversation format: the loader refuses a bad turn list with file, line and
field; the kiosk gets the clips and timing but not the transcript; the response is one
performance with a recording per turn."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from attest.assessment.bank import BankError, load_bank
from attest.assessment.formats import ResponseError, get_format
from tests.unit.assessment.test_bank_loader import make_bank

FILE = "speaking/a2/gesprek.yaml"


def turns(count: int = 4, **changes: object) -> list[dict]:
    return [
        {
            "say": f"Dag, waarmee kan ik u helpen? ({n})",
            "answer_seconds": 20,
            "audio": f"speaking/a2/gesprek/beurt{n}.ogg",
            "audio_source": "synthetic",
            **changes,
        }
        for n in range(1, count + 1)
    ]


def conversation(**changes: object) -> dict:
    return {
        "id": "nl-sp-a2-0901",
        "skill": "speaking",
        "level": "A2",
        "domain": "wonen",
        "format": "speaking_conversation",
        "status": "live",
        "difficulty": 0.0,
        "author_note": "Semi-direct phone call to the landlord (A2: simple transactions).",
        "stem": "Je belt naar je huisbaas. De verwarming werkt niet.",
        "task_type": "dialogue",
        "turns": turns(),
        **changes,
    }


def media_of(item: dict) -> tuple[str, ...]:
    return tuple(t["audio"] for t in item["turns"] if isinstance(t, dict) and "audio" in t)


def load(tmp_path: Path, item: dict):
    text = yaml.safe_dump([item], sort_keys=False, allow_unicode=True)
    root = make_bank(tmp_path / "bank", {FILE: text}, media_of(item))
    return root, text


def test_a_good_conversation_loads_with_its_clips_as_media(tmp_path: Path) -> None:
    root, _ = load(tmp_path, conversation())
    spec = load_bank(root).get("nl-sp-a2-0901")
    assert spec.media == {
        f"turns.{n}.audio": f"speaking/a2/gesprek/beurt{n + 1}.ogg" for n in range(4)
    }


@pytest.mark.parametrize(
    ("change", "field", "fragment", "marker"),
    [
        ({"turns": turns(3)}, "turns", "expected a list of 4 to 8 turns; got 3", "turns:"),
        ({"turns": turns(9)}, "turns", "expected a list of 4 to 8 turns; got 9", "turns:"),
        ({"turns": "hallo"}, "turns", "expected a list of 4 to 8 turns", "turns:"),
        (
            {"turns": turns(answer_seconds=2)},
            "turns.0.answer_seconds",
            "from 5 to 90; got 2",
            "answer_seconds:",
        ),
        (
            {"turns": turns(answer_seconds=120)},
            "turns.0.answer_seconds",
            "from 5 to 90; got 120",
            "answer_seconds:",
        ),
        ({"turns": turns(say="  ")}, "turns.0.say", "expected what the interlocutor says", "say:"),
        ({"turns": turns(voice="A")}, "turns.0.voice", "unknown field", "voice:"),
        (
            {"turns": turns(audio_source="robot")},
            "turns.0.audio_source",
            "expected one of synthetic, human",
            "audio_source:",
        ),
        ({"replays": 3}, "replays", "clip plays once", "replays:"),
        ({"task_type": "monologue"}, "task_type", "expected one of dialogue", "task_type:"),
    ],
)
def test_the_loader_refuses_a_bad_turn_list_naming_file_line_and_field(
    tmp_path: Path, change: dict, field: str, fragment: str, marker: str
) -> None:
    root, text = load(tmp_path, conversation(**change))
    with pytest.raises(BankError) as caught:
        load_bank(root)
    issue = caught.value.errors[0]
    assert issue.file.endswith(FILE) and issue.item == "nl-sp-a2-0901"
    assert issue.field == field and fragment in issue.message, str(caught.value)
    first_line = next(n for n, line in enumerate(text.splitlines(), 1) if marker in line)
    assert issue.line == first_line


def test_a_missing_clip_is_refused(tmp_path: Path) -> None:
    item = conversation()
    text = yaml.safe_dump([item], sort_keys=False, allow_unicode=True)
    root = make_bank(tmp_path / "bank", {FILE: text}, media_of(item)[:3])
    with pytest.raises(BankError) as caught:
        load_bank(root)
    assert any(e.field == "turns.3.audio" for e in caught.value.errors), str(caught.value)


FMT = get_format("speaking_conversation")
CONTENT = {k: v for k, v in conversation().items() if k in ("stem", "task_type", "turns")}


def test_the_kiosk_gets_clips_and_timing_but_not_the_transcript() -> None:
    data = FMT.render_data(CONTENT)
    assert [t["number"] for t in data["turns"]] == [1, 2, 3, 4]
    assert all(t["answer_seconds"] == 20 for t in data["turns"])
    assert "waarmee" not in repr(data)
    assert FMT.recording_seconds(CONTENT, 2) == 20 and FMT.recording_seconds(CONTENT, 9) == 0


def test_the_response_is_one_recording_per_turn_in_order() -> None:
    raw = {"recording_id": ["r1", "-", "r3", "r4"]}
    assert FMT.parse_response(raw, CONTENT) == {"turns": ["r1", None, "r3", "r4"]}
    assert FMT.is_blank(FMT.parse_response({"recording_id": ["-"] * 4}, CONTENT))
    with pytest.raises(ResponseError, match="one value per turn"):
        FMT.parse_response({"recording_id": ["r1", "r2"]}, CONTENT)
    with pytest.raises(ResponseError, match="one turn only"):
        FMT.parse_response({"recording_id": ["r1", "r1", "r3", "r4"]}, CONTENT)
    with pytest.raises(ResponseError, match="letters, digits"):
        FMT.parse_response({"recording_id": ["../x", "r2", "r3", "r4"]}, CONTENT)
