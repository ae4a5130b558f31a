"""Audio made on the spot for tests: tones and silence as WebM/Opus (what Chromium records)
and as WAV (for a fake microphone)."""

from __future__ import annotations

import io
import wave

import numpy as np

RATE = 48000


def tone(seconds: float, amplitude: float = 0.3, hz: float = 440.0) -> np.ndarray:
    t = np.arange(int(RATE * seconds)) / RATE
    return amplitude * np.sin(2 * np.pi * hz * t)


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(RATE * seconds))


def webm_opus(samples: np.ndarray, *, live: bool = False) -> bytes:
    """Encode mono samples (full scale 1.0) as WebM/Opus with PyAV.

    `live=True` writes it as browsers' MediaRecorder does: no duration, no cues."""
    import av

    buf = io.BytesIO()
    out = av.open(buf, "w", format="webm", options={"live": "1"} if live else {})
    stream = out.add_stream("libopus", rate=RATE)
    stream.layout = "mono"
    pcm = (np.clip(samples, -1, 1) * 32767).astype(np.int16)
    frame_size = 960
    for pts in range(0, len(pcm), frame_size):
        part = pcm[pts : pts + frame_size]
        part = np.pad(part, (0, frame_size - len(part)))
        frame = av.AudioFrame.from_ndarray(part.reshape(1, -1), format="s16", layout="mono")
        frame.rate, frame.pts = RATE, pts
        for packet in stream.encode(frame):
            out.mux(packet)
    for packet in stream.encode(None):
        out.mux(packet)
    out.close()
    return buf.getvalue()


def wav(samples: np.ndarray, rate: int = RATE) -> bytes:
    """Mono 16-bit WAV bytes."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return buf.getvalue()
