"""Render listening items' transcripts (and the interlocutor turns of conversations) to speech
with espeak-ng and encode them as Ogg Vorbis.

Synthetic speech is a stand-in until studio recordings exist; it keeps the bank self-contained
and reproducible. Output is byte-for-byte repeatable for the same transcript with the same
espeak-ng and sox versions (sox runs with -R, which fixes the Ogg stream serial number).
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from attest.assessment.bank import MEDIA_DIR, ItemSpec, load_bank
from attest.assessment.pronunciation import for_engine, load_lexicon
from attest.assessment.provenance import ClipProvenance, load_provenance, write_provenance

# Slower speech at lower levels, as in graded listening material (words per minute).
SPEECH_RATE = {"A1": 140, "A2": 155, "B1": 165, "B2": 175}
# Transcript lines "A: ..." and "B: ..." are two speakers; unlabelled lines are an announcer,
# whose voice must not be taken for either speaker: espeak-ng's "announcer" variant, a low male
# voice (median pitch about 75 Hz against 110 Hz for A and 220 Hz for B; tested).
VOICES = {"A": "nl+m3", "B": "nl+f3"}
ANNOUNCER = "nl+announcer"
# The recorded interlocutor of a semi-direct conversation (formats/conversation.py) speaks with
# speaker A's voice: a person talking with the candidate, not an announcer.
INTERLOCUTOR = VOICES["A"]
# Pauses between lines, in seconds, by what happens at the boundary: an answer follows a
# question quickly, a change of speaker takes a moment, the same voice going on a short breath,
# and the step between an announcement and a dialogue a clear break. Each pause then varies by up
# to PAUSE_SPREAD, decided by the lines themselves, so that turns do not tick like a metronome
# while the same transcript always gives the same clip.
PAUSES = {"answer": 0.3, "turn": 0.55, "same": 0.35, "scene": 0.9}
PAUSE_SPREAD = 0.1
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


def pause_kind(before: tuple[str, str], after: tuple[str, str]) -> str:
    """Return the kind of pause between two (voice, text) segments (see PAUSES)."""
    (voice_a, text_a), (voice_b, _) = before, after
    if ANNOUNCER in (voice_a, voice_b) and voice_a != voice_b:
        return "scene"
    if voice_a == voice_b:
        return "same"
    return "answer" if text_a.rstrip().endswith("?") else "turn"


def pause_seconds(before: tuple[str, str], after: tuple[str, str]) -> float:
    """Return the pause between two segments: its kind's length, varied reproducibly."""
    digest = hashlib.blake2b(f"{before[1]}\x1f{after[1]}".encode(), digest_size=2).digest()
    offset = (int.from_bytes(digest, "big") / 0xFFFF * 2 - 1) * PAUSE_SPREAD
    return round(max(0.15, PAUSES[pause_kind(before, after)] + offset), 2)


def generate_audio(bank_root: Path, *, force: bool = False) -> list[Path]:
    """Render the audio of every listening item of the bank; return the files written.

    Existing files are kept unless ``force``. Each clip written is entered in the bank's
    media/provenance.yaml as synthetic (espeak-ng and its voices); a clip recorded by a person
    is never replaced. Raises AudioError when espeak-ng or sox is missing and BankError when
    the bank (apart from missing media) is invalid.
    """
    tools = {name: shutil.which(name) for name in ("espeak-ng", "sox")}
    missing = [name for name, path in tools.items() if path is None]
    if missing:
        raise AudioError(
            f"{' and '.join(missing)} not found; install them "
            "(Debian: apt-get install espeak-ng sox libsox-fmt-all)"
        )
    bank = load_bank(bank_root, require_media=False)
    provenance = dict(load_provenance(Path(bank_root)))
    written = []
    for item in bank.items:
        if "audio" not in item.media or "transcript" not in item.content:
            continue
        target = Path(bank_root) / MEDIA_DIR / item.media["audio"]
        # The items of a testlet share one clip: render it once.
        if (target.exists() and not force) or target in written:
            continue
        known = provenance.get(item.media["audio"])
        if known is not None and known.kind == "human" and target.exists():
            continue  # never replace a person's recording with synthetic speech, not even --force
        render_item(item, target, espeak=str(tools["espeak-ng"]), sox=str(tools["sox"]))
        written.append(target)
        voices = tuple(sorted({voice for voice, _ in split_speakers(item.content["transcript"])}))
        provenance[item.media["audio"]] = ClipProvenance("synthetic", "espeak-ng", voices)
    for item, number, text, rel in conversation_clips(bank.items):
        target = Path(bank_root) / MEDIA_DIR / rel
        if (target.exists() and not force) or target in written:
            continue
        known = provenance.get(rel)
        if known is not None and known.kind == "human" and target.exists():
            continue  # a studio recording of the turn: never rendered over
        render_segments(
            f"{item.id} turn {number}",
            item.level,
            [(INTERLOCUTOR, text)],
            target,
            espeak=str(tools["espeak-ng"]),
            sox=str(tools["sox"]),
        )
        written.append(target)
        provenance[rel] = ClipProvenance("synthetic", "espeak-ng", (INTERLOCUTOR,))
    if written:
        write_provenance(Path(bank_root), provenance)
    return written


def conversation_clips(items: list[ItemSpec]) -> list[tuple[ItemSpec, int, str, str]]:
    """Return (item, turn number, what the interlocutor says, clip path) of every synthetic
    interlocutor turn of the bank's conversations (a turn marked ``audio_source: human`` is a
    studio recording and never rendered over)."""
    clips = []
    for item in items:
        for number, turn in enumerate(item.content.get("turns") or [], start=1):
            if isinstance(turn, dict) and turn.get("audio") and turn.get("say"):
                if turn.get("audio_source", "synthetic") == "synthetic":
                    clips.append((item, number, str(turn["say"]), str(turn["audio"])))
    return clips


def render_item(
    item: ItemSpec, target: Path, *, espeak: str = "espeak-ng", sox: str = "sox"
) -> None:
    """Synthesize one item's transcript into ``target`` (Ogg Vorbis, mono)."""
    segments = split_speakers(item.content["transcript"])
    render_segments(item.id, item.level, segments, target, espeak=espeak, sox=sox)


def render_segments(
    label: str,
    level: str,
    segments: list[tuple[str, str]],
    target: Path,
    *,
    espeak: str = "espeak-ng",
    sox: str = "sox",
) -> None:
    """Synthesize (voice, text) segments into ``target`` (Ogg Vorbis, mono), at the level's
    speech rate, with the pronunciation lexicon and the pauses between segments."""
    rate = str(SPEECH_RATE.get(level, SPEECH_RATE["A2"]))
    lexicon = load_lexicon()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="attest-audio-") as tmp:
        work = Path(tmp)
        parts: list[str] = []
        for i, (voice, text) in enumerate(segments):
            if i:
                # The pause must have espeak-ng's WAV format to be concatenated with its
                # output. -R everywhere: sox otherwise dithers and picks Ogg serials at random.
                pause = work / f"pause{i:02d}.wav"
                seconds = pause_seconds(segments[i - 1], segments[i])
                _run([sox, "-R", "-n", *WAV_FORMAT, str(pause), "trim", "0", str(seconds)])
                parts.append(str(pause))
            wav = work / f"line{i:02d}.wav"
            # Words of the lexicon are spoken from their phonemes (attest.assessment.pronunciation).
            _run([espeak, "-v", voice, "-s", rate, "-w", str(wav), "--stdin"],
                 for_engine(text, lexicon))  # fmt: skip
            parts.append(str(wav))
        if not parts:
            raise AudioError(f"item {label}: the transcript has no text to speak")
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
