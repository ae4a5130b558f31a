"""Fill the English catalogue from tools/translations_en.py; report strings still missing.

Usage: python tools/apply_translations.py   (after `make extract-messages`)"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

sys.path.insert(0, str(Path(__file__).parent))
from translations_en import EN  # noqa: E402

PO = Path(__file__).resolve().parent.parent / "attest/translations/en/LC_MESSAGES/messages.po"


def main() -> int:
    with PO.open("rb") as fh:
        catalog = read_po(fh)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        if message.id in EN:
            message.string = EN[message.id]
            message.flags.discard("fuzzy")
        elif not message.string:
            missing.append(message.id)
    with PO.open("wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False)
    for m in missing:
        print(f"missing English: {m!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
