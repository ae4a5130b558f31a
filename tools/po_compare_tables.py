"""Prove every msgstr of the tools/ translation tables is in the .po catalogues (run from the root).

One-off check before the tables were deleted (issue 15, item 5): prints each table entry whose
msgstr is missing from or different in the .po (obsolete `#~` entries count: a string the code
no longer shows keeps its translation there), exits 1 if any.
"""

import ast
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path.cwd()
TRANSLATIONS = ROOT / "attest" / "translations"


def catalogue(code: str, domain: str) -> dict:
    path = TRANSLATIONS / code / "LC_MESSAGES" / f"{domain}.po"
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        catalog = read_po(fh)
    return {**catalog.obsolete, **{m.id: m for m in catalog if m.id}}


def dicts(path: Path) -> dict[str, dict[str, str]]:
    out = {}
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict):
            out[node.targets[0].id] = ast.literal_eval(node.value)
    return out


def main() -> int:
    problems, total = [], 0
    english = (catalogue("en", "messages"), catalogue("en", "kiosk"))
    for path in sorted((ROOT / "tools").glob("translations_en*.py")):
        for name, table in dicts(path).items():
            for msgid, string in table.items():
                total += 1
                hits = [c[msgid] for c in english if msgid in c]
                if not hits:
                    problems.append(f"NOT IN en .po: {path.name} {name} {msgid!r}")
                elif not any(m.string == string and not m.fuzzy for m in hits):
                    found = [m.string for m in hits]
                    problems.append(f"DIFFERENT in en .po: {path.name} {msgid!r}: {found!r}")
    for path in sorted((ROOT / "tools" / "translations_kiosk").glob("*.py")):
        po = catalogue(path.stem, "kiosk")
        for name, table in dicts(path).items():
            for msgid, string in table.items():
                total += 1
                message = po.get(msgid)
                if message is None:
                    problems.append(f"NOT IN {path.stem}/kiosk.po: {name} {msgid!r}")
                elif message.string != string or message.fuzzy:
                    problems.append(f"DIFFERENT {path.stem}/kiosk.po: {msgid!r}: {string!r}")
    print("\n".join(problems))
    print(f"{total} table entries, {len(problems)} not in the .po")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
