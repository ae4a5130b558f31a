"""Clip provenance (media/provenance.yaml) and the share of human audio per purpose."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from attest.assessment import audio
from attest.assessment.bank import load_bank
from attest.assessment.provenance import (
    ALLOW,
    REFUSE,
    ClipProvenance,
    ProvenanceError,
    clip_sources,
    load_provenance,
    parse_entry,
    purpose_audio,
    write_provenance,
)
from attest.assessment.purposes import load_purposes
from attest.assessment.studio_audio import TARGET_LUFS, integrated_loudness
from tests.audio_samples import RATE, tone

BANK_ROOT = Path(__file__).resolve().parents[3] / "question_banks" / "nl"
HUMAN = ClipProvenance(
    "human", speaker="spk-3", region="flemish", approved_by="admin2", approved_at="2026-12-07"
)


def test_every_shipped_clip_is_recorded_as_synthetic_espeak() -> None:
    bank = load_bank(BANK_ROOT)
    clips = load_provenance(BANK_ROOT)
    sources = clip_sources(bank, clips)
    assert sources and all(s is not None for s in sources.values())
    assert {(s.kind, s.engine) for s in sources.values()} == {("synthetic", "espeak-ng")}


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"kind": "robot"}, "kind must be one of"),
        ({"kind": "synthetic"}, "names its engine"),
        ({"kind": "human", "speaker": "Jan Peeters", "region": "flemish"}, "pseudonym"),
        ({"kind": "human", "speaker": "spk-1", "region": "belgium"}, "region must be"),
        ({"kind": "human", "speaker": "spk-1", "region": "flemish", "email": "x"}, "unknown"),
    ],
)
def test_a_bad_provenance_entry_is_named(entry, message) -> None:
    with pytest.raises(ProvenanceError, match=message):
        parse_entry("listening/a1/x.ogg", entry)


def test_a_live_purpose_needs_every_clip_human_and_approved_unless_allowed() -> None:
    bank = load_bank(BANK_ROOT)
    clips = load_provenance(BANK_ROOT)
    purpose = load_purposes()["a2-luisteren-lezen"]
    (row,) = purpose_audio([purpose], bank, clip_sources(bank, clips))
    assert row.human == 0 and row.share == 0.0
    assert row.problems(REFUSE) and not row.problems(ALLOW)
    # All clips recorded by people, but one not yet approved: still refused.
    every = {path: HUMAN for path in clips}
    unapproved = dataclasses.replace(HUMAN, approved_by=None)
    first = next(iter(sorted(every)))
    (row,) = purpose_audio([purpose], bank, clip_sources(bank, {**every, first: unapproved}))
    assert row.human == row.clips - 1 and row.missing == (first,)
    assert row.problems(REFUSE)
    (row,) = purpose_audio([purpose], bank, clip_sources(bank, clips, studio=every))
    assert row.share == 1.0 and row.problems(REFUSE) == []
    draft = dataclasses.replace(purpose, status="draft")
    (row,) = purpose_audio([draft], bank, clip_sources(bank, clips))
    assert row.problems(REFUSE) == []


def test_bank_audio_never_overwrites_a_human_recording(tmp_path: Path, monkeypatch) -> None:
    import shutil

    root = tmp_path / "bank"
    shutil.copytree(BANK_ROOT, root)
    clips = load_provenance(root)
    human_path = "listening/a1/nl-lu-a1-0001.ogg"
    write_provenance(root, {**clips, human_path: HUMAN})
    rendered = []
    monkeypatch.setattr(audio.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(audio, "render_item", lambda item, target, **kw: rendered.append(target))
    audio.generate_audio(root, force=True)
    assert root / "media" / human_path not in rendered and rendered
    after = load_provenance(root)
    assert after[human_path] == HUMAN
    assert after["listening/a1/nl-lu-a1-0002.ogg"].kind == "synthetic"


def test_loudness_is_measured_as_ebu_r128() -> None:
    # A full-scale 1 kHz sine measures -3.01 LUFS (ITU-R BS.1770); 0.1 of it 20 dB less.
    assert integrated_loudness(tone(3, 1.0, 1000.0), RATE) == pytest.approx(-3.0, abs=0.1)
    assert integrated_loudness(tone(3, 0.1, 1000.0), RATE) == pytest.approx(-23.0, abs=0.1)
    assert TARGET_LUFS == -23.0


def test_the_parsed_file_is_kept_until_it_changes(tmp_path: Path) -> None:
    """The proctor page and every session start read the provenance: parsed once per process,
    read again after any edit (also one made by hand, outside write_provenance)."""
    media = tmp_path / "media"
    media.mkdir()
    path = media / "provenance.yaml"
    path.write_text("clips:\n  a.ogg: {kind: synthetic, engine: espeak-ng}\n", encoding="utf-8")
    first = load_provenance(tmp_path)
    first["b.ogg"] = HUMAN  # the caller's dict is its own
    assert set(load_provenance(tmp_path)) == {"a.ogg"}
    path.write_text(
        "clips:\n  a.ogg: {kind: synthetic, engine: espeak-ng}\n"
        "  c.ogg: {kind: human, speaker: spk-9, region: flemish}\n",
        encoding="utf-8",
    )
    assert set(load_provenance(tmp_path)) == {"a.ogg", "c.ogg"}
    path.write_text("clips: [not, a, mapping]\n", encoding="utf-8")
    with pytest.raises(ProvenanceError, match="expected a mapping"):
        load_provenance(tmp_path)
    path.unlink()
    assert load_provenance(tmp_path) == {}
