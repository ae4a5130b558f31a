"""Silent and truncated recordings are told apart from speech, on samples and on real audio."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

from attest.assessment import audio_checks as ac
from tests.audio_samples import RATE, silence, tone, wav, webm_opus


def burst(seconds_on: float, seconds_total: float, amplitude: float = 0.3) -> np.ndarray:
    on = tone(seconds_on, amplitude)
    return np.concatenate([on, silence(seconds_total - seconds_on)])


@pytest.mark.parametrize(
    "samples, expected_ms, flag",
    [
        (tone(3.0), 3000, None),  # speech throughout
        (burst(0.6, 5.0), 5000, None),  # a short answer is still an answer
        (burst(0.3, 5.0), 5000, ac.SILENT),  # a click, not speech
        (silence(5.0), 5000, ac.SILENT),
        (tone(5.0, amplitude=0.003), 5000, ac.SILENT),  # room noise at about -53 dBFS
        (tone(3.0), 10_000, ac.TRUNCATED),  # 10 s recorded, 3 s arrived
        (tone(9.5), 10_000, None),  # within the slack of timers and encoders
        (silence(3.0), 10_000, ac.TRUNCATED),  # truncation wins over silence
        (tone(3.0), None, None),  # no expectation declared
        (np.zeros(0), 1000, ac.SILENT),  # nothing at all (and 0 ms is within the slack)
    ],
)
def test_analyse_flags(samples, expected_ms, flag):
    verdict = ac.analyse(samples, RATE, expected_ms)
    assert verdict.flag == flag
    assert verdict.duration_ms == round(len(samples) * 1000 / RATE)


def test_levels_are_in_dbfs_of_the_loudest_second():
    verdict = ac.analyse(np.concatenate([silence(2.0), tone(1.0, 0.5)]), RATE)
    assert verdict.level_dbfs == pytest.approx(20 * np.log10(0.5 / np.sqrt(2)), abs=0.2)
    assert verdict.speech_ms == 1000
    assert ac.analyse(silence(1.0), RATE).level_dbfs == -120.0


def test_damage_while_decoding_means_truncated():
    assert ac.analyse(tone(3.0), RATE, 3000, damaged=True).flag == ac.TRUNCATED


@pytest.mark.parametrize("encode", [webm_opus, wav], ids=["webm-opus", "wav"])
def test_real_audio_is_decoded_and_judged(encode):
    spoken = ac.check_recording(encode(tone(2.0)), 2000)
    assert spoken.flag is None and 1900 <= spoken.duration_ms <= 2100
    assert ac.check_recording(encode(silence(2.0)), 2000).flag == ac.SILENT


def test_a_file_cut_in_half_is_truncated_and_garbage_undecodable():
    data = webm_opus(tone(4.0))
    assert ac.check_recording(data[: len(data) // 2], 4000).flag == ac.TRUNCATED
    garbage = ac.check_recording(b"\x1a\x45\xdf\xa3" + bytes(range(256)) * 8, 4000)
    assert garbage == ac.AudioVerdict(None, None, None, ac.UNDECODABLE)


def test_a_live_webm_gets_its_duration_for_playback_with_the_same_audio():
    import av

    from attest.assessment.audio_checks import seekable_webm

    live = webm_opus(tone(3.0), live=True)

    def facts(data):
        with av.open(io.BytesIO(data)) as container:
            audio = container.streams.audio[0]
            packets = [bytes(p) for p in container.demux(audio) if p.dts is not None]
            return container.duration, packets

    live_duration, live_packets = facts(live)
    assert live_duration is None  # what MediaRecorder gives: the player shows "Infinity"
    duration, packets = facts(seekable_webm(live))
    assert duration is not None and abs(duration / 1_000_000 - 3.0) < 0.1
    assert packets == live_packets  # copied, not re-encoded


def test_what_is_not_webm_audio_is_served_as_it_came():
    from attest.assessment.audio_checks import seekable_webm

    assert seekable_webm(b"not audio at all") == b"not audio at all"
    ogg = (Path(__file__).parents[3] / "attest" / "static" / "sound-check.ogg").read_bytes()
    assert seekable_webm(ogg) == ogg
