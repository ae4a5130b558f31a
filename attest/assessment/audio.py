"""Render listening items' transcripts to speech with espeak-ng and encode them as Ogg Vorbis.

Synthetic speech is a stand-in until studio recordings exist; it keeps the bank self-contained
and reproducible. Output is byte-for-byte repeatable for the same transcript with the same
espeak-ng and sox versions (sox runs with -R, which fixes the Ogg stream serial number).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from attest.assessment.bank import MEDIA_DIR, ItemSpec, load_bank

# Slower speech at lower levels, as in graded listening material (words per minute).
SPEECH_RATE = {"A1": 140, "A2": 155, "B1": 165, "B2": 175}
# Transcript lines "A: ..." and "B: ..." are two speakers; unlabelled lines are an announcer.
VOICES = {"A": "nl+m3", "B": "nl+f3"}
ANNOUNCER = "nl+f2"
PAUSE_SECONDS = 0.5  # between lines, so turns in a dialogue are audible as turns
SAMPLE_RATE = 16000  # speech needs no more; keeps files small
VORBIS_QUALITY = "0"
WAV_FORMAT = ("-r", "22050", "-c", "1", "-b", "16")  # what espeak-ng writes
_LABEL = re.compile(r"^([A-Z]):\s*(.*)$")


class AudioError(RuntimeError):
    """Audio could not be generated (missing tool or a tool failed)."""


def split_speakers(transcript: str) -> list[tuple[str, str]]:
    """Split a transcript into (voice, text) segments, one per non-empty line."""
    segments = []
    for line in transcript.splitlines():
        line = line.strip()
        if not line:
            continue
        match = _LABEL.match(line)
        if match and match.group(1) in VOICES:
            segments.append((VOICES[match.group(1)], match.group(2)))
        else:
            segments.append((ANNOUNCER, line))
    return segments


def generate_audio(bank_root: Path, *, force: bool = False) -> list[Path]:
    """Render the audio of every listening item of the bank; return the files written.

    Existing files are kept unless ``force``. Raises AudioError when espeak-ng or sox is
    missing and BankError when the bank (apart from missing media) is invalid.
    """
    tools = {name: shutil.which(name) for name in ("espeak-ng", "sox")}
    missing = [name for name, path in tools.items() if path is None]
    if missing:
        raise AudioError(
            f"{' and '.join(missing)} not found; install them "
            "(Debian: apt-get install espeak-ng sox libsox-fmt-all)"
        )
    bank = load_bank(bank_root, require_media=False)
    written = []
    for item in bank.items:
        if "audio" not in item.media or "transcript" not in item.content:
            continue
        target = Path(bank_root) / MEDIA_DIR / item.media["audio"]
        # The items of a testlet share one clip: render it once.
        if (target.exists() and not force) or target in written:
            continue
        render_item(item, target, espeak=str(tools["espeak-ng"]), sox=str(tools["sox"]))
        written.append(target)
    return written


def render_item(
    item: ItemSpec, target: Path, *, espeak: str = "espeak-ng", sox: str = "sox"
) -> None:
    """Synthesize one item's transcript into ``target`` (Ogg Vorbis, mono)."""
    rate = str(SPEECH_RATE.get(item.level, SPEECH_RATE["A2"]))
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="attest-audio-") as tmp:
        work = Path(tmp)
        pause = work / "pause.wav"
        # The pause must have espeak-ng's WAV format to be concatenated with its output.
        # -R everywhere: sox otherwise dithers and picks Ogg serials at random.
        _run([sox, "-R", "-n", *WAV_FORMAT, str(pause), "trim", "0", str(PAUSE_SECONDS)])
        parts: list[str] = []
        for i, (voice, text) in enumerate(split_speakers(item.content["transcript"])):
            wav = work / f"line{i:02d}.wav"
            _run([espeak, "-v", voice, "-s", rate, "-w", str(wav), "--stdin"], text)
            parts += [str(pause), str(wav)] if parts else [str(wav)]
        if not parts:
            raise AudioError(f"item {item.id}: the transcript has no text to speak")
        tmp_out = work / "out.ogg"
        encode = ["-r", str(SAMPLE_RATE), "-c", "1", "-C", VORBIS_QUALITY]
        # Leading/trailing silence so playback never clips the first word; -1 dBFS peak.
        effects = ["pad", "0.3", "0.5", "norm", "-1"]
        _run([sox, "-R", *parts, *encode, str(tmp_out), *effects])
        shutil.move(str(tmp_out), target)


def _run(cmd: list[str], stdin: str | None = None) -> None:
    try:
        subprocess.run(
            cmd, input=stdin, capture_output=True, text=True, check=True, encoding="utf-8"
        )
    except subprocess.CalledProcessError as exc:
        raise AudioError(f"{Path(cmd[0]).name} failed: {exc.stderr.strip() or exc}") from exc
