"""Update every catalogue from its template, keeping the translations (`make extract-messages`).

Usage: python tools/po_update.py

For each domain (messages, kiosk) every `attest/translations/<code>/LC_MESSAGES/<domain>.po`
is merged with `<domain>.pot`: new strings arrive empty, strings the code no longer shows move to
the obsolete entries (`#~`), and a string that comes back (or that `tools/po_merge.py` stored
before the code showing it was extracted) takes its translation from there; no fuzzy guesses.
A file is written only when a message changed, so the header dates do not churn.
A new language starts with `pybabel init` (see docs/kiosk-languages.md).
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

TRANSLATIONS = Path(__file__).resolve().parent.parent / "attest" / "translations"
DOMAINS = ("messages", "kiosk")


def catalogues(domain: str) -> list[Path]:
    """Return the .po files of one domain, one per language."""
    return sorted(TRANSLATIONS.glob(f"*/LC_MESSAGES/{domain}.po"))


def read(path: Path) -> Catalog:
    """Read one catalogue (its language from the folder it is in)."""
    with path.open("rb") as fh:
        return read_po(fh, locale=path.parent.parent.name)


def write(path: Path, catalog: Catalog) -> bool:
    """Write a catalogue unless only its header dates would change; return whether it was."""
    out = io.BytesIO()
    write_po(out, catalog, width=100, omit_header=False)
    if path.exists() and _undated(path.read_bytes()) == _undated(out.getvalue()):
        return False
    path.write_bytes(out.getvalue())
    return True


def update(path: Path, template_path: Path) -> bool:
    """Merge one catalogue with its template; return whether the file changed."""
    with template_path.open("rb") as fh:  # afresh each time: update() shares its messages
        template = read_po(fh)
    catalog = read(path)
    waiting = dict(catalog.obsolete)
    catalog.update(template, no_fuzzy_matching=True)
    for message in catalog:
        old = waiting.get(message.id) if message.id and not message.string else None
        if old is not None and old.string:
            message.string = old.string
            catalog.obsolete.pop(message.id, None)
    return write(path, catalog)


def _undated(po: bytes) -> bytes:
    return re.sub(rb'^"(POT-Creation|PO-Revision)-Date: .*$', b"", po, flags=re.M)


def main() -> int:
    for domain in DOMAINS:
        for path in catalogues(domain):
            if update(path, TRANSLATIONS / f"{domain}.pot"):
                print(f"updated {path.relative_to(TRANSLATIONS.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
