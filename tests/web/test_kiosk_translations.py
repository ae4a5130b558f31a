"""Every kiosk catalogue is complete, keeps the placeholders, and the spoken instructions match
the current translations."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.pofile import read_po

from attest.assessment import instruction_audio
from attest.config import PROJECT_ROOT
from attest.i18n import direction
from attest.kiosk.languages import KIOSK_LANGUAGES, LANGUAGE_CODES, REFERENCE

TRANSLATIONS = PROJECT_ROOT / "attest" / "translations"
AUDIO = instruction_audio.audio_dir(PROJECT_ROOT / "attest" / "static")
PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}")
REQUIRED = {
    *("nl", "en", "fr", "ar", "tr", "fa_AF", "ps", "fa", "so", "ti", "ro", "pl", "bg", "uk", "ru"),
}
NON_LATIN = {"ar", "fa_AF", "ps", "fa", "ti", "bg", "uk", "ru"}
TRANSLATED = [code for code in LANGUAGE_CODES if code != REFERENCE]


def _read(path: Path):
    with path.open("rb") as fh:
        return read_po(fh)


def _forms(m) -> tuple[str, ...]:
    """Return a message's translations: one, or one per plural form (ngettext)."""
    return m.string if isinstance(m.string, tuple) else (m.string,)


def _source(m) -> str:
    """Return the msgid (a plural message's plural msgid: it has the same placeholders)."""
    return m.id[-1] if isinstance(m.id, tuple) else m.id


def _template_ids() -> set[str]:
    return {m.id for m in _read(TRANSLATIONS / "kiosk.pot") if m.id}


def test_the_kiosk_speaks_the_required_languages():
    assert REQUIRED <= set(LANGUAGE_CODES)
    assert len(set(LANGUAGE_CODES)) == len(LANGUAGE_CODES)


def test_kiosk_template_holds_every_kiosk_string_of_the_code(tmp_path: Path):
    pot = tmp_path / "kiosk.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F",
         "babel_kiosk.cfg", "-k", "_l", "-k", "N_", "-o", str(pot), "."],
        cwd=PROJECT_ROOT,
        check=True,
    )  # fmt: skip
    extracted = {m.id for m in _read(pot) if m.id}
    assert extracted == _template_ids(), "run `make extract-messages` and translate"


@pytest.mark.parametrize("code", TRANSLATED)
def test_kiosk_catalogue_is_complete_and_not_fuzzy(code):
    catalog = _read(TRANSLATIONS / code / "LC_MESSAGES" / "kiosk.po")
    messages = {m.id: m for m in catalog if m.id}
    missing = sorted(_template_ids() - set(messages))
    empty = sorted(str(i) for i, m in messages.items() if not all(_forms(m)) or m.fuzzy)
    assert (missing, empty) == ([], []), "translate them in the .po (tools/po_status.py --list)"


@pytest.mark.parametrize("code", TRANSLATED)
def test_translations_keep_the_placeholders(code):
    catalog = _read(TRANSLATIONS / code / "LC_MESSAGES" / "kiosk.po")
    wrong = [
        m.id
        for m in catalog
        if m.id
        and any(
            sorted(PLACEHOLDER.findall(_source(m))) != sorted(PLACEHOLDER.findall(form))
            for form in _forms(m)
        )
    ]
    assert wrong == []


@pytest.mark.parametrize("code", sorted(NON_LATIN))
def test_non_latin_catalogues_hold_no_untranslated_dutch(code):
    catalog = _read(TRANSLATIONS / code / "LC_MESSAGES" / "kiosk.po")
    latin = [
        m.id
        for m in catalog
        if m.id and any(re.search("[A-Za-z]", PLACEHOLDER.sub("", f)) for f in _forms(m))
    ]
    assert latin == []


@pytest.mark.parametrize("code", TRANSLATED)
def test_kiosk_catalogues_hold_no_strings_the_kiosk_no_longer_uses(code):
    catalog = _read(TRANSLATIONS / code / "LC_MESSAGES" / "kiosk.po")
    stale = sorted({m.id for m in catalog if m.id} - _template_ids())
    assert stale == [], "run `make extract-messages` (tools/po_update.py)"


@pytest.mark.parametrize("lang", KIOSK_LANGUAGES, ids=lambda lang: lang.code)
def test_writing_direction_follows_the_locale(lang):
    assert lang.direction == Locale.parse(lang.code).text_direction
    assert direction(lang.code) == lang.direction
    assert (lang.direction == "rtl") == (lang.code in {"ar", "fa_AF", "ps", "fa"})


def test_spoken_instructions_match_the_current_translations():
    made = instruction_audio.read_manifest(AUDIO)
    expected = instruction_audio.expected_audio(TRANSLATIONS)
    assert made == expected, "run `attest kiosks instructions-audio` and commit the files"
    for lang in KIOSK_LANGUAGES:
        path = AUDIO / instruction_audio.audio_filename(lang.code)
        assert path.exists() == bool(lang.voice), lang.code
        if lang.voice:
            assert path.read_bytes()[:4] == b"OggS"


def test_every_voice_exists_in_espeak_ng():
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        if os.environ.get("CI"):
            pytest.fail("espeak-ng is missing; CI installs it")
        pytest.skip("espeak-ng is not installed")
    listed = subprocess.run([espeak, "--voices"], capture_output=True, text=True, check=True)
    names = {line.split()[1] for line in listed.stdout.splitlines()[1:] if line.strip()}
    assert {lang.voice for lang in KIOSK_LANGUAGES if lang.voice} <= names
    assert "ti" not in names  # when a Tigrinya voice appears, give Tigrinya its spoken version


def test_the_languages_table_of_the_docs_lists_every_kiosk_language():
    """docs/kiosk-languages.md is written by hand: its table follows KIOSK_LANGUAGES."""
    doc = (PROJECT_ROOT / "docs" / "kiosk-languages.md").read_text(encoding="utf-8")
    doc = doc.split("## Languages", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(\w+)` \| ([^|]+) \| ([^|]+) \|", doc, flags=re.M)
    assert [code for code, _name, _written in rows] == list(LANGUAGE_CODES)
    for (code, name, written), lang in zip(rows, KIOSK_LANGUAGES, strict=True):
        assert lang.native_name in name, code
        assert ("right to left" in written) == (lang.direction == "rtl"), code
