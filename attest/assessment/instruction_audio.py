"""Spoken general instructions per kiosk language, rendered with espeak-ng into Ogg Vorbis.

For candidates who cannot read well. The text is the translated instruction paragraphs of the
kiosk catalogue, so the audio says exactly what the page shows. A manifest records a digest of
the text, voice and settings each file was made from: a test compares it with the catalogues,
so a changed translation cannot ship with stale audio (`attest kiosk audio` brings it up to date).
Synthetic speech is a stand-in: native speakers should record these texts.

Each language's audio has a provenance (`instruction_provenance`): synthetic (a file listed in
the manifest, made by espeak-ng with the language's voice), human (a recording put in place of
the file, so no longer in the manifest) or none (no file: the page asks the proctor to read the
instructions aloud).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from babel.messages.pofile import read_po

from attest.assessment.audio import SAMPLE_RATE, VORBIS_QUALITY, WAV_FORMAT, AudioError, _run
from attest.kiosk.languages import KIOSK_LANGUAGES, SPOKEN_INSTRUCTIONS, KioskLanguage

SPEECH_RATE = 140  # words per minute: slow and clear, for people who struggle with reading
PAUSE_SECONDS = 0.7  # between paragraphs
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class InstructionAudio:
    language: str
    path: Path
    digest: str


SYNTHETIC, HUMAN, NONE = "synthetic", "human", "none"


@dataclass(frozen=True)
class AudioProvenance:
    """Where a language's spoken instructions come from."""

    language: KioskLanguage
    kind: str  # SYNTHETIC, HUMAN or NONE
    voice: str | None  # the espeak-ng voice of synthetic audio
    is_current: bool  # synthetic audio made from today's text and settings (human: True)
    paragraphs: int  # how many instruction paragraphs the audio speaks (0 without audio)


def instruction_provenance(translations_dir: Path, out_dir: Path) -> list[AudioProvenance]:
    """Return the provenance of every kiosk language's spoken instructions, in kiosk order."""
    out_dir = Path(out_dir)
    made = read_manifest(out_dir)
    expected = expected_audio(translations_dir)
    rows = []
    for lang in KIOSK_LANGUAGES:
        exists = (out_dir / audio_filename(lang.code)).exists()
        if not exists:
            rows.append(AudioProvenance(lang, NONE, None, False, 0))
        elif lang.code in made:
            current = made[lang.code] == expected.get(lang.code)
            rows.append(
                AudioProvenance(lang, SYNTHETIC, lang.voice, current, len(SPOKEN_INSTRUCTIONS))
            )
        else:
            rows.append(AudioProvenance(lang, HUMAN, None, True, len(SPOKEN_INSTRUCTIONS)))
    return rows


def audio_dir(static_dir: Path) -> Path:
    """Return where the instruction audio lives (served as static files)."""
    return Path(static_dir) / "audio" / "instructions"


def audio_filename(code: str) -> str:
    """Return the file name of a language's spoken instructions."""
    return f"{code}.ogg"


def load_translations(translations_dir: Path, code: str) -> dict[str, str]:
    """Read the kiosk catalogue (.po) of a language; empty for Dutch, the reference."""
    path = Path(translations_dir) / code / "LC_MESSAGES" / "kiosk.po"
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        catalog = read_po(fh)
    return {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}


def instruction_paragraphs(translations: dict[str, str]) -> list[str]:
    """Return the spoken instructions in the catalogue's language, one string per paragraph: those
    that hold for every purpose (a paragraph about one skill is only shown, not spoken)."""
    return [translations.get(msgid) or msgid for msgid in SPOKEN_INSTRUCTIONS]


def text_digest(language: KioskLanguage, paragraphs: list[str]) -> str:
    """Return a digest of everything that determines the audio of a language."""
    spec = {
        "voice": language.voice,
        "rate": SPEECH_RATE,
        "pause": PAUSE_SECONDS,
        "sample_rate": SAMPLE_RATE,
        "quality": VORBIS_QUALITY,
        "text": paragraphs,
    }
    return hashlib.sha256(json.dumps(spec, ensure_ascii=False).encode()).hexdigest()


def read_manifest(out_dir: Path) -> dict[str, str]:
    """Return {language: digest} of the audio files made so far."""
    path = Path(out_dir) / MANIFEST
    return json.loads(path.read_text()) if path.exists() else {}


def expected_audio(translations_dir: Path) -> dict[str, str]:
    """Return {language: digest} that the audio should have now, for languages with a voice."""
    return {
        lang.code: text_digest(
            lang, instruction_paragraphs(load_translations(translations_dir, lang.code))
        )
        for lang in KIOSK_LANGUAGES
        if lang.voice
    }


def generate_instruction_audio(
    translations_dir: Path, out_dir: Path, *, force: bool = False, espeak: str | None = None
) -> list[InstructionAudio]:
    """Render the spoken instructions of every language that has a voice; return what changed.

    A file is rendered again when its text, voice or settings changed, or with ``force``.
    Raises AudioError when espeak-ng or sox is missing or fails.
    """
    tools = {name: shutil.which(name) for name in ("espeak-ng", "sox")}
    if espeak:
        tools["espeak-ng"] = espeak
    missing = [name for name, path in tools.items() if path is None]
    if missing:
        raise AudioError(
            f"{' and '.join(missing)} not found; install them "
            "(Debian: apt-get install espeak-ng sox libsox-fmt-all)"
        )
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = read_manifest(out_dir)
    written = []
    for lang in KIOSK_LANGUAGES:
        if not lang.voice:
            continue
        paragraphs = instruction_paragraphs(load_translations(translations_dir, lang.code))
        digest = text_digest(lang, paragraphs)
        target = out_dir / audio_filename(lang.code)
        if not force and target.exists() and manifest.get(lang.code) == digest:
            continue
        render_speech(paragraphs, lang.voice, target, espeak=tools["espeak-ng"], sox=tools["sox"])
        manifest[lang.code] = digest
        written.append(InstructionAudio(lang.code, target, digest))
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return written


def render_speech(
    paragraphs: list[str], voice: str, target: Path, *, espeak: str, sox: str
) -> None:
    """Speak the paragraphs with one voice, a pause between them, into ``target`` (Ogg Vorbis)."""
    with tempfile.TemporaryDirectory(prefix="attest-instructions-") as tmp:
        work = Path(tmp)
        pause = work / "pause.wav"
        _run([sox, "-R", "-n", *WAV_FORMAT, str(pause), "trim", "0", str(PAUSE_SECONDS)])
        parts: list[str] = []
        for i, text in enumerate(p for p in paragraphs if p.strip()):
            wav = work / f"part{i:02d}.wav"
            _run([espeak, "-v", voice, "-s", str(SPEECH_RATE), "-w", str(wav), "--stdin"], text)
            parts += [str(pause), str(wav)] if parts else [str(wav)]
        if not parts:
            raise AudioError(f"no instruction text to speak for voice {voice}")
        tmp_out = work / "out.ogg"
        encode = ["-r", str(SAMPLE_RATE), "-c", "1", "-C", VORBIS_QUALITY]
        _run([sox, "-R", *parts, *encode, str(tmp_out), "pad", "0.3", "0.5", "norm", "-1"])
        shutil.move(str(tmp_out), target)
