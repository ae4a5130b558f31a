"""Merge a translation table written as Python into the .po catalogues, then delete the file.

Usage: python tools/po_merge.py [--keep] FILE [FILE ...]
       (after `make extract-messages`; then `make translations`)

The .po files under attest/translations/ are the only source of translations. A branch that
still carries the old kind of table (`tools/translations_en_<topic>.py` with an `EN` dict, or
`tools/translations_kiosk/<code>.py` with `T` and `PENDING` dicts) is merged with this script:
every `{dutch: translation}` pair goes into each catalogue of that language (English: the
`messages` and the `kiosk` domain) that holds the Dutch string, replacing what was there. A
string no catalogue holds yet is kept as an obsolete entry of the language's first catalogue
(`messages.po` for English); `tools/po_update.py` (`make extract-messages`) gives it its
translation as soon as the code showing it is extracted. The file is read, never imported, and
deleted afterwards unless `--keep` is given.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

from babel.messages.catalog import Message
from po_update import TRANSLATIONS, read, write

DICTS = ("PENDING", "T", "EN")  # later ones win


def table(path: Path) -> tuple[str, dict[str, str]]:
    """Return the language of a table file and its pairs (literals only, nothing executed)."""
    found: dict[str, dict[str, str]] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id in DICTS:
                    found[target.id] = ast.literal_eval(node.value)
    if not found:
        raise SystemExit(f"{path}: no EN, T or PENDING dict")
    code = "en" if "EN" in found else path.stem
    return code, {k: v for name in DICTS for k, v in found.get(name, {}).items()}


def merge(code: str, pairs: dict[str, str]) -> tuple[list[str], list[str]]:
    """Put the pairs into the catalogues of one language; return (files changed, kept waiting)."""
    paths = sorted(
        (TRANSLATIONS / code / "LC_MESSAGES").glob("*.po"), key=lambda p: p.stem != "messages"
    )
    if not paths:
        raise SystemExit(f"no catalogue for {code!r}: start one with `pybabel init` first")
    catalogs = {path: read(path) for path in paths}
    waiting = []
    for msgid, string in pairs.items():
        holders = [c for c in catalogs.values() if msgid in c]
        for catalog in holders:
            message = catalog[msgid]
            message.string = string
            message.flags.discard("fuzzy")
        if not holders:
            first = catalogs[paths[0]]
            first.obsolete[msgid] = Message(msgid, string)
            waiting.append(msgid)
    changed = [str(path) for path, catalog in catalogs.items() if write(path, catalog)]
    return changed, waiting


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--keep", action="store_true", help="do not delete the files")
    args = parser.parse_args(argv)
    for path in args.files:
        code, pairs = table(path)
        changed, waiting = merge(code, pairs)
        print(f"{path}: {len(pairs)} strings into {code} ({', '.join(changed) or 'no change'})")
        for msgid in waiting:
            print(f"    not in the code's catalogues yet, kept as obsolete: {msgid!r}")
        if not args.keep:
            path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
