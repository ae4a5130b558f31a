"""Report, per language and domain, the strings still untranslated or fuzzy in the catalogues.

Usage: python tools/po_status.py [--strict] [--list] [CODE ...]

One line per catalogue (`attest/translations/<code>/LC_MESSAGES/<domain>.po`): how many strings
it holds, how many are still empty, how many fuzzy. `--list` also prints those strings. Dutch is
the source language and is not reported. `--strict` exits 1 when any reported catalogue is not
complete (or misses a string of its template); without it the exit status is 0.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parent.parent / "attest" / "translations"
SOURCE_LANGUAGE = "nl"


@dataclass
class Status:
    code: str
    domain: str
    total: int = 0
    untranslated: list[str] = field(default_factory=list)
    fuzzy: list[str] = field(default_factory=list)
    not_in_catalogue: list[str] = field(default_factory=list)  # `make extract-messages` first

    @property
    def is_complete(self) -> bool:
        return not (self.untranslated or self.fuzzy or self.not_in_catalogue)


def _read(path: Path):
    with path.open("rb") as fh:
        return read_po(fh)


def status(path: Path) -> Status:
    """Count the strings of one catalogue that still need a translator."""
    code, domain = path.parent.parent.name, path.stem
    result = Status(code, domain)
    ids = set()
    for message in _read(path):
        if not message.id:
            continue
        ids.add(message.id)
        result.total += 1
        if message.fuzzy:
            result.fuzzy.append(message.id)
        elif not message.string or (message.pluralizable and not all(message.string)):
            result.untranslated.append(message.id)
    template = TRANSLATIONS / f"{domain}.pot"
    if template.exists():
        result.not_in_catalogue = sorted({m.id for m in _read(template) if m.id} - ids)
    return result


def report(codes: list[str] | None = None) -> list[Status]:
    """Return the status of every catalogue (of the given languages), source language aside."""
    paths = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/*.po"))
    return [
        status(path)
        for path in paths
        if path.parent.parent.name != SOURCE_LANGUAGE
        and (not codes or path.parent.parent.name in codes)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("codes", nargs="*", help="languages to report (default: all)")
    parser.add_argument("--strict", action="store_true", help="exit 1 unless all complete")
    parser.add_argument("--list", action="store_true", help="print the strings to translate")
    args = parser.parse_args(argv)
    results = report(args.codes)
    for r in results:
        print(
            f"{r.code:<4} {r.domain:<9} {r.total:>5} strings  {len(r.untranslated):>4} untranslated"
            f"  {len(r.fuzzy):>4} fuzzy  {len(r.not_in_catalogue):>4} not in the .po"
        )
        if args.list:
            for label, ids in (
                ("untranslated", r.untranslated),
                ("fuzzy", r.fuzzy),
                ("not in the .po (run `make extract-messages`)", r.not_in_catalogue),
            ):
                for msgid in ids:
                    print(f"    {label}: {msgid!r}")
    if not results:
        print("no catalogue found", file=sys.stderr)
        return 1
    return 1 if args.strict and not all(r.is_complete for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
