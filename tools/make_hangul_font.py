"""Derive the Hangul fonts the app ships from Nanum Gothic (Debian fonts-nanum 20200506-1).

Chromium's font sanitizer (OTS) rejects NanumGothic.ttf as served ("TSI3: zero-length table"),
so a browser fell back to the machine's fonts. The TSI0-TSI5 tables hold only the source of the
font's hinting (Visual TrueType); dropping them changes no outline or hint. The SIL Open Font
License lets a modified version be shipped under a name other than the Reserved Font Names, so
the result is named "Attest Hangul". Run once; the output is committed:

    .venv/bin/python tools/make_hangul_font.py /usr/share/fonts/truetype/nanum attest/static/fonts
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools.ttLib import TTFont

SOURCES = {"NanumGothic.ttf": "Regular", "NanumGothicBold.ttf": "Bold"}
FAMILY = "Attest Hangul"
NOTE = "Derived from NanumGothic (c) 2010 NAVER Corporation: VTT source tables removed."


def derive(source: Path, style: str, out_dir: Path) -> Path:
    """Write the renamed font without its VTT source tables; return its path."""
    font = TTFont(source)
    for tag in ("TSI0", "TSI1", "TSI2", "TSI3", "TSI5"):
        if tag in font:
            del font[tag]
    names = font["name"]
    postscript = f"AttestHangul-{style}"
    for record in list(names.names):
        if record.nameID in (1, 16):
            names.setName(FAMILY, record.nameID, record.platformID, record.platEncID, record.langID)
        elif record.nameID in (2, 17):
            names.setName(style, record.nameID, record.platformID, record.platEncID, record.langID)
        elif record.nameID == 3:
            names.setName(
                f"{postscript};{NOTE}", 3, record.platformID, record.platEncID, record.langID
            )
        elif record.nameID == 4:
            names.setName(
                f"{FAMILY} {style}", 4, record.platformID, record.platEncID, record.langID
            )
        elif record.nameID == 6:
            names.setName(postscript, 6, record.platformID, record.platEncID, record.langID)
    target = out_dir / f"{postscript}.ttf"
    font.save(target)
    return target


def main(source_dir: str, out_dir: str) -> None:
    for filename, style in SOURCES.items():
        print(derive(Path(source_dir) / filename, style, Path(out_dir)))


if __name__ == "__main__":
    main(*sys.argv[1:3])
