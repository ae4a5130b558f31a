"""Audio generation: speaker splitting, clear errors, and reproducible output."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from attest.assessment import audio
from attest.assessment.audio import (
    ANNOUNCER,
    VOICES,
    AudioError,
    generate_audio,
    split_speakers,
)

ITEM = {
    "id": "nl-lu-a1-0001",
    "skill": "listening",
    "level": "A1",
    "domain": "winkelen",
    "format": "single_choice",
    "status": "draft",
    "difficulty": -2.0,
    "author_note": "Price.",
    "transcript": "A: Dat is twee euro.\n\nB: Alstublieft.\n",
    "stem": "Hoeveel?",
    "options": [{"text": "twee euro"}, {"text": "drie euro"}],
    "answer": "a",
    "media": {"audio": "listening/a1/test.ogg"},
}


@pytest.mark.parametrize(
    ("transcript", "expected"),
    [
        ("A: Goeiedag.\nB: Dag!", [(VOICES["A"], "Goeiedag."), (VOICES["B"], "Dag!")]),
        (
            "Beste reizigers.\n\n  Let op.  ",
            [(ANNOUNCER, "Beste reizigers."), (ANNOUNCER, "Let op.")],
        ),
        ("Q: niet een spreker", [(ANNOUNCER, "Q: niet een spreker")]),
    ],
)
def test_split_speakers(transcript: str, expected: list[tuple[str, str]]) -> None:
    assert split_speakers(transcript) == expected


def _bank(root: Path) -> Path:
    (root / "listening/a1").mkdir(parents=True)
    (root / "listening/a1/t.yaml").write_text(yaml.safe_dump([ITEM]), encoding="utf-8")
    return root


def test_missing_espeak_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        audio.shutil, "which", lambda name: None if name == "espeak-ng" else "/bin/x"
    )
    with pytest.raises(AudioError, match="espeak-ng not found; install"):
        generate_audio(_bank(tmp_path))


@pytest.mark.skipif(
    not (shutil.which("espeak-ng") and shutil.which("sox")),
    reason="espeak-ng and sox are not installed",
)
def test_generate_audio_is_reproducible_and_skips_existing(tmp_path: Path) -> None:
    root = _bank(tmp_path)
    target = root / "media/listening/a1/test.ogg"
    assert generate_audio(root) == [target]
    first = target.read_bytes()
    assert first[:4] == b"OggS"
    assert generate_audio(root) == []
    assert generate_audio(root, force=True) == [target]
    assert target.read_bytes() == first
