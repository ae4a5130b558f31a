"""Helpers for the QTI tests: build zips by hand, snapshot a directory, a tiny valid bank."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import yaml

FIXTURES = Path(__file__).resolve().parent / "fixtures"
BANK_ROOT = Path(__file__).resolve().parents[4] / "question_banks" / "nl"

SMALL_ITEM = {
    "id": "nl-lz-a1-0001",
    "skill": "reading",
    "level": "A1",
    "domain": "winkelen",
    "format": "single_choice",
    "status": "live",
    "difficulty": -2,
    "author_note": "Finds a day.",
    "stem": "Wanneer is de winkel dicht?",
    "options": [{"text": "maandag"}, {"text": "dinsdag"}],
    "answer": "a",
}


def make_zip(path: Path, members: dict[str, bytes], **info: int) -> Path:
    """Write a zip whose members are written as given (names unchecked, deflated)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            entry = zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            for key, value in info.items():
                setattr(entry, key, value)
            zf.writestr(entry, data)
    return path


def dir_members(root: Path) -> dict[str, bytes]:
    """Return every file under ``root`` as {posix relative path: bytes}."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def snapshot(root: Path) -> dict[str, str]:
    """Return every path under ``root`` (files and directories) with the SHA-256 of files."""
    return {
        p.relative_to(root).as_posix(): (
            hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        )
        for p in sorted(root.rglob("*"))
    }


def small_bank(root: Path) -> Path:
    """Write a valid one-item bank at ``root``."""
    (root / "reading").mkdir(parents=True)
    (root / "reading" / "a1.yaml").write_text(
        yaml.safe_dump([SMALL_ITEM], allow_unicode=True), encoding="utf-8"
    )
    return root
