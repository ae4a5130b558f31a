"""Fill the catalogues from the translation data under tools/; report strings still missing.

Usage: python tools/apply_translations.py
(after `make extract-messages`; then `make translations`)

- messages domain (staff and public pages): English from tools/translations_en*.py.
- kiosk domain (kiosk pages, docs/kiosk-languages.md): English from the same files, every other
  kiosk language from tools/translations_kiosk/<code>.py. The kiosk .po files are made from
  kiosk.pot and that data each time, so the data files are what reviewers read and edit.
"""

from __future__ import annotations

import importlib.util
import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

TOOLS = Path(__file__).resolve().parent
ROOT = TOOLS.parent
sys.path.insert(0, str(TOOLS))
sys.path.insert(0, str(ROOT))
from translations_en import EN  # noqa: E402

from attest.kiosk.languages import LANGUAGE_CODES, REFERENCE  # noqa: E402

TRANSLATIONS = ROOT / "attest" / "translations"
PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
KIOSK_POT = TRANSLATIONS / "kiosk.pot"
KIOSK_DATA = TOOLS / "translations_kiosk"


def kiosk_data(code: str) -> dict[str, str]:
    """Return the kiosk translations of one language (English shares the staff pages' file)."""
    if code == "en":
        return EN
    path = KIOSK_DATA / f"{code}.py"
    if not path.exists():
        return {}
    spec = importlib.util.spec_from_file_location(f"kiosk_{code}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # PENDING: strings translated ahead of the code that will show them (work in flight on other
    # branches); they fill the catalogue as soon as they appear in kiosk.pot.
    return {**getattr(module, "PENDING", {}), **module.T}


def fill(catalog: Catalog, data: dict[str, str]) -> list[str]:
    """Put the translations of ``data`` into the catalogue; return the message ids still empty."""
    missing = []
    for message in catalog:
        if not message.id:
            continue
        if message.id in data:
            message.string = data[message.id]
            message.flags.discard("fuzzy")
        elif not message.string:
            missing.append(message.id)
    return missing


def apply_messages() -> list[str]:
    with PO.open("rb") as fh:
        catalog = read_po(fh)
    missing = fill(catalog, EN)
    with PO.open("wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False)
    return [f"missing English: {m!r}" for m in missing]


def apply_kiosk() -> list[str]:
    problems = []
    for code in LANGUAGE_CODES:
        if code == REFERENCE:
            continue
        with KIOSK_POT.open("rb") as fh:  # afresh: update() shares the template's messages
            template = read_po(fh)
        catalog = Catalog(
            locale=code,
            domain="kiosk",
            project="Attest",
            fuzzy=False,
            creation_date=template.creation_date,
            revision_date=template.creation_date,
        )
        catalog.update(template, no_fuzzy_matching=True)
        problems += [f"missing {code} (kiosk): {m!r}" for m in fill(catalog, kiosk_data(code))]
        path = TRANSLATIONS / code / "LC_MESSAGES" / "kiosk.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        out = io.BytesIO()
        write_po(out, catalog, width=100, omit_header=False, ignore_obsolete=True)
        if not path.exists() or _undated(path.read_bytes()) != _undated(out.getvalue()):
            path.write_bytes(out.getvalue())  # only real changes: no churn of header dates
    return problems


def _undated(po: bytes) -> bytes:
    return re.sub(rb'^"(POT-Creation|PO-Revision)-Date: .*$', b"", po, flags=re.M)


def main() -> int:
    problems = apply_messages() + apply_kiosk()
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
