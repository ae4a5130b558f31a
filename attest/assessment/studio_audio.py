"""Prepare a human recording for the bank: decode, check, trim, normalise to EBU R128 -23 LUFS.

Pure apart from FFmpeg (through PyAV, already used for the kiosk's recordings): bytes in,
bytes out, or a StudioAudioError that says what is wrong with the upload. Nothing is stored
here; the admin studio (attest.admin.studio_views) stores what `prepare_clip` returns.

Loudness is measured with FFmpeg's `ebur128` filter (ITU-R BS.1770 integrated loudness, gated as
EBU R128 prescribes). Normalisation is a single linear gain: integrated loudness scales exactly
with gain, so one measurement and one multiplication reach the target (FFmpeg's `loudnorm`
would add dynamic compression, which changes the voice). A clip whose peaks would clip after the
gain is refused rather than distorted. The result is Ogg Opus, mono, 48 kHz, like what browsers
play and what the lint measures (attest.assessment.lint.ogg_duration).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from attest.assessment.audio_checks import MIN_SPEECH_MS, DecodeError, analyse, decode
from attest.assessment.lint_rules import MAX_AUDIO_SECONDS

TARGET_LUFS = -23.0  # EBU R128 (2020), section 2: programme loudness -23.0 LUFS
TOLERANCE_LU = 1.0  # EBU R128: +-1.0 LU where an exact target cannot be reached
MIN_SAMPLE_RATE = 16000  # below this, speech loses consonants (telephone band is 8 kHz)
MIN_SECONDS = 1.0
MAX_PEAK = 0.98  # full scale 1.0: a little headroom for the encoder
OUT_RATE = 48000  # what Opus works at
OPUS_BITRATE = 64000  # transparent for mono speech


class StudioAudioError(ValueError):
    """An upload cannot become a clip; `code` names the reason, the message explains it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class PreparedClip:
    """A normalised clip: Ogg Opus bytes and what was measured."""

    data: bytes
    duration_s: float
    loudness_in: float  # integrated loudness of the trimmed upload, LUFS
    loudness_out: float  # of the encoded result, measured again after decoding it


def integrated_loudness(samples: np.ndarray, rate: int) -> float:
    """Return the integrated loudness (LUFS) of mono samples, measured by FFmpeg's ebur128."""
    import av
    from av.filter import Graph

    graph = Graph()
    source = graph.add_abuffer(
        format="flt", sample_rate=rate, layout="mono", time_base=Fraction(1, rate)
    )
    meter = graph.add("ebur128", "metadata=1")
    sink = graph.add("abuffersink")
    source.link_to(meter)
    meter.link_to(sink)
    graph.configure()
    pcm = np.asarray(samples, dtype=np.float32).reshape(-1)
    step = max(1, rate // 10)
    loudness = None

    def drain() -> None:
        nonlocal loudness
        while True:
            try:
                frame = graph.pull()
            except (av.BlockingIOError, av.EOFError):
                return
            value = frame.metadata.get("lavfi.r128.I")
            if value is not None:
                loudness = float(value)

    for start in range(0, len(pcm), step):
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(pcm[start : start + step]).reshape(1, -1),
            format="flt",
            layout="mono",
        )
        frame.rate, frame.pts, frame.time_base = rate, start, Fraction(1, rate)
        graph.push(frame)
        drain()
    graph.push(None)
    drain()
    if loudness is None or loudness != loudness or loudness < -70:  # gated away: silence
        return float("-inf")
    return loudness


def prepare_clip(
    data: bytes,
    level: str | None,
    start: float | None = None,
    end: float | None = None,
    *,
    max_seconds: float | None = None,
) -> PreparedClip:
    """Check, trim and normalise an upload for an item of `level`; StudioAudioError if unfit.

    `start`/`end` are seconds into the upload (None: its beginning/end). `max_seconds` replaces
    the level's limit for audio that belongs to no item (the kiosk's spoken instructions,
    `level` None); one of the two must be given."""
    if level is None and max_seconds is None:
        raise ValueError("a clip of no item (level None) needs its max_seconds")
    if not data:
        raise StudioAudioError("empty", "the upload is empty")
    try:
        samples, rate, damaged = decode(data)
    except DecodeError:
        raise StudioAudioError("not_audio", "the file is not audio that can be decoded") from None
    if damaged:
        raise StudioAudioError("damaged", "the audio file is damaged: decoding stopped early")
    if rate < MIN_SAMPLE_RATE:
        raise StudioAudioError(
            "sample_rate",
            f"the sample rate is {rate} Hz; record at {MIN_SAMPLE_RATE} Hz or more",
        )
    total = len(samples) / rate
    begin = 0.0 if start is None else float(start)
    stop = total if end is None else float(end)
    if not (0 <= begin < stop <= total + 0.01):
        raise StudioAudioError(
            "trim", f"trim from {begin:g} s to {stop:g} s does not fit a {total:.1f} s recording"
        )
    samples = samples[int(round(begin * rate)) : int(round(stop * rate))]
    duration = len(samples) / rate
    cap = max_seconds if max_seconds is not None else MAX_AUDIO_SECONDS[level]
    if duration > cap:
        allows = "this recording allows" if max_seconds is not None else f"{level} allows"
        raise StudioAudioError(
            "too_long", f"the clip lasts {duration:.1f} s; {allows} at most {cap:g} s"
        )
    if duration < MIN_SECONDS:
        raise StudioAudioError(
            "too_short", f"the clip lasts {duration:.1f} s; at least {MIN_SECONDS:g} s is needed"
        )
    if analyse(samples, rate).speech_ms < MIN_SPEECH_MS:
        raise StudioAudioError("silent", "the clip is silent: no voice could be heard")
    loudness_in = integrated_loudness(samples, rate)
    if loudness_in == float("-inf"):
        raise StudioAudioError("silent", "the clip is silent: no voice could be heard")
    gain = 10 ** ((TARGET_LUFS - loudness_in) / 20)
    louder = samples * gain
    peak = float(np.abs(louder).max())
    if peak > MAX_PEAK:
        raise StudioAudioError(
            "peaks",
            "at -23 LUFS the peaks of this clip would clip; record again further from the "
            "microphone, or without knocks and pops",
        )
    encoded = encode_opus(louder, rate)
    decoded, out_rate, _ = decode(encoded)
    return PreparedClip(
        encoded, round(duration, 2), round(loudness_in, 2), integrated_loudness(decoded, out_rate)
    )


def encode_opus(samples: np.ndarray, rate: int) -> bytes:
    """Encode mono float samples as Ogg Opus at 48 kHz (resampled by FFmpeg when needed)."""
    import av

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="ogg") as out:
        stream = out.add_stream("libopus", rate=OUT_RATE)
        stream.layout = "mono"
        stream.bit_rate = OPUS_BITRATE
        resampler = av.AudioResampler(format="s16", layout="mono", rate=OUT_RATE)
        pcm = np.asarray(samples, dtype=np.float32).reshape(-1)
        step = max(1, rate // 50)
        for start in range(0, len(pcm), step):
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(pcm[start : start + step]).reshape(1, -1),
                format="flt",
                layout="mono",
            )
            frame.rate, frame.pts, frame.time_base = rate, start, Fraction(1, rate)
            for resampled in resampler.resample(frame):
                for packet in stream.encode(resampled):
                    out.mux(packet)
        for resampled in resampler.resample(None):
            for packet in stream.encode(resampled):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buffer.getvalue()
