"""Decide whether a spoken answer holds speech and is complete, from its decoded samples.

Pure: takes mono PCM samples (floats, full scale 1.0) and returns figures and a flag. The
thresholds are deliberately lenient: a flag only calls the proctor to listen, it never scores.
Levels are RMS in dBFS over 50 ms windows (20·log10 of the RMS, full scale = 0 dBFS)."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np

WINDOW_MS = 50
SPEECH_DBFS = -45.0  # a voice at a kiosk microphone is far above this; room noise is below
MIN_SPEECH_MS = 500  # less than half a second above the threshold: nobody spoke
LEVEL_SPAN_MS = 1000  # the level reported is that of the loudest second
TRUNCATION_SLACK_MS = 1000  # encoders and timers disagree by a few hundred milliseconds
TRUNCATION_RATIO = 0.9
SILENT, TRUNCATED, UNDECODABLE = "silent", "truncated", "undecodable"


class DecodeError(ValueError):
    """The bytes could not be decoded as audio."""


@dataclass(frozen=True)
class AudioVerdict:
    """What the server heard: duration, loudest second, time above the speech threshold."""

    duration_ms: int | None
    level_dbfs: float | None
    speech_ms: int | None
    flag: str | None  # SILENT, TRUNCATED, UNDECODABLE or None


def to_dbfs(rms: float) -> float:
    """Return an RMS value as dBFS (-120 for digital silence, to keep it a finite number)."""
    return 20 * math.log10(rms) if rms > 1e-6 else -120.0


def analyse(
    samples: np.ndarray,
    rate: int,
    expected_ms: int | None = None,
    damaged: bool = False,
) -> AudioVerdict:
    """Measure decoded mono samples and flag them as silent or truncated.

    Truncated: decoding stopped on damage, or the audio is shorter than the kiosk recorded
    (`expected_ms`) by more than TRUNCATION_SLACK_MS and 10 %. Silent: less than
    MIN_SPEECH_MS above SPEECH_DBFS. Truncation wins: a cut-off file may also sound silent."""
    samples = np.asarray(samples, dtype=np.float64).reshape(-1)
    duration_ms = int(round(len(samples) * 1000 / rate)) if rate > 0 else 0
    window = max(1, rate * WINDOW_MS // 1000)
    count = len(samples) // window
    if count == 0:
        level, speech_ms = -120.0, 0
    else:
        power = (samples[: count * window].reshape(count, window) ** 2).mean(axis=1)
        speech_ms = int((power > 10 ** (SPEECH_DBFS / 10)).sum()) * WINDOW_MS
        span = min(count, LEVEL_SPAN_MS // WINDOW_MS)
        loudest = np.convolve(power, np.ones(span) / span, mode="valid").max()
        level = to_dbfs(math.sqrt(float(loudest)))
    flag = None
    if damaged or is_truncated(duration_ms, expected_ms):
        flag = TRUNCATED
    elif speech_ms < MIN_SPEECH_MS:
        flag = SILENT
    return AudioVerdict(duration_ms, round(level, 1), speech_ms, flag)


def is_truncated(duration_ms: int, expected_ms: int | None) -> bool:
    """Return True when the audio is clearly shorter than what the kiosk says it recorded."""
    if not expected_ms:
        return False
    allowed = max(TRUNCATION_SLACK_MS, expected_ms * (1 - TRUNCATION_RATIO))
    return duration_ms + allowed < expected_ms


def decode(data: bytes) -> tuple[np.ndarray, int, bool]:
    """Decode any container/codec FFmpeg knows (WebM/Opus, Ogg, MP4, WAV) to mono float samples.

    Returns the samples at the stream's own rate (no resampling: the checks do not need it),
    that rate, and whether decoding stopped early on damaged data (what came before the damage
    is kept). Raises DecodeError when nothing could be decoded. Uses PyAV (FFmpeg's libraries,
    shipped in its wheel)."""
    import av  # imported here: only the server's upload path needs FFmpeg

    parts: list[np.ndarray] = []
    rate = 0
    damaged = False
    try:
        container = av.open(io.BytesIO(data), mode="r")
    except (av.FFmpegError, ValueError, OSError) as exc:
        raise DecodeError(f"not decodable audio: {exc}") from exc
    with container:
        streams = [s for s in container.streams if s.type == "audio"]
        if not streams:
            raise DecodeError("no audio stream")
        try:
            for frame in container.decode(streams[0]):
                rate = rate or frame.rate
                parts.append(_mono(frame.to_ndarray(), frame.format, len(frame.layout.channels)))
        except (av.FFmpegError, ValueError, OSError):
            damaged = True
    if not parts or not rate:
        raise DecodeError("no audio could be decoded")
    return np.concatenate(parts), rate, damaged


def _mono(array: np.ndarray, fmt, channels: int) -> np.ndarray:
    """Planar (channels x n) or packed (1 x n*channels) samples as one float channel."""
    samples = array.astype(np.float64)
    if np.issubdtype(array.dtype, np.integer):
        samples /= float(np.iinfo(array.dtype).max) + 1
    if fmt.is_planar:
        return samples.mean(axis=0)
    return samples.reshape(-1, max(1, channels)).mean(axis=1)


def check_recording(data: bytes, expected_ms: int | None = None) -> AudioVerdict:
    """Decode a recording and judge it; undecodable audio is flagged, never an exception."""
    try:
        samples, rate, damaged = decode(data)
    except DecodeError:
        return AudioVerdict(None, None, None, UNDECODABLE)
    return analyse(samples, rate, expected_ms, damaged)


def seekable_webm(data: bytes) -> bytes:
    """Return a WebM recording rewritten with its duration and seek index (cues).

    Browsers' MediaRecorder writes WebM as a live stream: no duration in the header and no cues,
    so a player shows an infinite duration and cannot seek. Remuxing copies the audio packets
    unchanged into a file written with a known end (no re-encoding: what the examiner hears is
    what was recorded). The stored original is untouched; this is for playback. Data that is
    not WebM/Matroska audio, or that cannot be remuxed, is returned as it came."""
    import av  # imported here: only the server's recording paths need FFmpeg

    try:
        with av.open(io.BytesIO(data), mode="r") as source:
            if "matroska" not in source.format.name and "webm" not in source.format.name:
                return data
            audio = next((s for s in source.streams if s.type == "audio"), None)
            if audio is None:
                return data
            out = io.BytesIO()
            with av.open(out, mode="w", format="webm") as target:
                copy = target.add_stream_from_template(audio)
                for packet in source.demux(audio):
                    if packet.dts is None:  # the flush packet at the end of the stream
                        continue
                    packet.stream = copy
                    target.mux(packet)
    except (av.FFmpegError, ValueError, OSError, StopIteration):
        return data
    return out.getvalue()
