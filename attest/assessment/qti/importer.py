"""Import a QTI package into an item bank directory, all or nothing (docs/qti.md).

``read_package`` turns a package into YAML-ready bank entries without touching any file.
``install_package`` then writes them, but only after a full ``load_bank`` of a temporary copy of
the bank with the new files has passed; on any problem nothing is written.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from attest.assessment.bank import MEDIA_DIR, BankError, load_bank
from attest.assessment.bank_rules import (
    DIFFICULTY_BANDS,
    ID_PATTERN,
    SKILL_CODES,
    TESTLET_SHARED,
    check_item,
    check_testlet,
    check_testlet_item,
)
from attest.assessment.formats import FORMATS
from attest.assessment.qti.body_reader import SCORING
from attest.assessment.qti.common import QtiError
from attest.assessment.qti.item_reader import ReadItem, read_item, unsupported_parts
from attest.assessment.qti.package import Package, open_package, parse_item
from attest.assessment.qti.report import APPROXIMATED, REFUSED, ImportReport, ItemOutcome

IMPORT_DIR = "imported"
KEY_ORDER = (
    "testlet", "id", "skill", "level", "domain", "format", "status", "difficulty", "author_note",
    "text", "media", "transcript", "stem",
)  # fmt: skip


@dataclass
class ImportedPackage:
    """A package read into bank entries: YAML files (relative to the bank) and media bytes."""

    name: str
    files: dict[str, list[dict[str, Any]]]
    media: dict[str, bytes]  # path relative to media/ -> bytes
    renamed: dict[str, str] = field(default_factory=dict)  # QTI identifier -> new Attest id
    report: ImportReport | None = None

    def entries(self) -> list[dict[str, Any]]:
        """Return every entry (item or testlet) of every file, in order."""
        return [entry for entries in self.files.values() for entry in entries]

    def item_count(self) -> int:
        """Return the number of items, counting each item of a testlet."""
        return sum(len(e["items"]) if "testlet" in e else 1 for e in self.entries())


@dataclass
class InstallReport:
    """What ``install_package`` wrote (with ``check``: would write)."""

    items: int
    written: list[str]  # paths relative to the bank root
    renamed: dict[str, str]
    report: ImportReport | None = None
    checked_only: bool = False


def package_slug(zip_path: Path) -> str:
    """Return a file-name-safe name for the package: lower case letters, digits, '-' and '_'."""
    slug = re.sub(r"[^a-z0-9_-]+", "-", Path(zip_path).stem.lower()).strip("-")
    return slug or "package"


def import_package(
    zip_path: Path,
    *,
    defaults: Mapping[str, str] | None = None,
    taken_ids: Iterable[str] = (),
    lang: str = "nl",
    keep_layout: bool = False,
    approximate: bool = False,
) -> list[dict[str, Any]]:
    """Return the YAML-ready entries of a package (raise QtiError); writes nothing."""
    return read_package(
        zip_path,
        defaults=defaults,
        taken_ids=taken_ids,
        lang=lang,
        keep_layout=keep_layout,
        approximate=approximate,
    ).entries()


def read_package(
    zip_path: Path,
    *,
    defaults: Mapping[str, str] | None = None,
    taken_ids: Iterable[str] = (),
    lang: str = "nl",
    keep_layout: bool = False,
    approximate: bool = False,
) -> ImportedPackage:
    """Read a QTI 3.0/2.2/2.1 package into bank entries; raise QtiError with the report.

    ``defaults`` (skill, level, domain) complete items that carry no Attest metadata;
    ``taken_ids`` are the ids already in the bank, so new ids do not collide with them.
    ``keep_layout`` puts Attest items back in the YAML file they came from (their source)
    instead of ``imported/<package>.yaml``. ``approximate`` accepts items whose scoring Attest
    can only approximate (named per item in the report); without it they are refused.
    The package is imported only if no item is refused.
    """
    imported = assess_package(
        zip_path,
        defaults=defaults,
        taken_ids=taken_ids,
        lang=lang,
        keep_layout=keep_layout,
        approximate=approximate,
    )
    if not imported.report.ok:
        raise QtiError(imported.report.text())
    return imported


def assess_package(
    zip_path: Path,
    *,
    defaults: Mapping[str, str] | None = None,
    taken_ids: Iterable[str] = (),
    lang: str = "nl",
    keep_layout: bool = False,
    approximate: bool = False,
) -> ImportedPackage:
    """Read every item of a package and say what becomes of it; never raises for an item.

    Only problems of the zip itself (unreadable, hostile) raise QtiError. The entries hold
    the items that are not refused; ``report`` holds one outcome per item resource.
    """
    package = open_package(Path(zip_path))
    slug = package_slug(Path(zip_path))
    report = ImportReport(package.name, problems=list(package.problems))
    found: list[ReadItem] = []
    outcomes: dict[int, ItemOutcome] = {}
    for ident, member, version in package.items:
        outcome = ItemOutcome(ident, member, version)
        report.items.append(outcome)
        prefix = package.where(member) + ": "
        try:
            root, _ = parse_item(package, member)
            outcome.identifier = root.get("identifier") or ident
            bad = unsupported_parts(root)
            if bad:
                outcome.refuse(f"{', '.join(bad)} is not supported (docs/qti.md lists what is)")
                continue
            item = read_item(root, package, member, version)
        except QtiError as exc:
            outcome.refuse(str(exc).removeprefix(prefix))
            continue
        for problem in _complete(item, defaults or {}) + item.problems:
            outcome.refuse(problem)
        _weigh(item, outcome, approximate)
        if outcome.status != REFUSED:
            found.append(item)
            outcomes[id(item)] = outcome
    imported = ImportedPackage(name=package.name, files={}, media={}, report=report)
    _assign_ids(found, set(taken_ids), lang, imported.renamed)
    for item in found:
        for member in item.media.values():
            imported.media[_media_path(item, member, slug)] = package.files[member]
        _turn_clips(item, package, imported, slug)
        _rewrite_media(item, slug)
    by_id = {item.fields["id"]: outcomes[id(item)] for item in found}
    for ident, problem in _build_entries(found, imported, slug, keep_layout):
        by_id[ident].refuse(problem)
    for ident, problem in _check_entries(imported):
        if ident in by_id:
            by_id[ident].refuse(problem)
        else:
            report.problems.append(problem)
    for item in found:
        outcomes[id(item)].entry = item.fields
    return imported


def _weigh(item: ReadItem, outcome: ItemOutcome, approximate: bool) -> None:
    """Sort the item's approximations; scoring ones refuse the item unless accepted."""
    scoring = [what for kind, what in item.approximations if kind == SCORING]
    named = [what for _, what in item.approximations]
    if scoring and not approximate:
        outcome.refuse(
            "scores differently in Attest (accept with --approximate): " + "; ".join(scoring)
        )
    if outcome.status != REFUSED and named:
        outcome.status = APPROXIMATED
        outcome.approximations = named


def _complete(item: ReadItem, defaults: Mapping[str, str]) -> list[str]:
    """Fill metadata the item lacks from ``defaults`` or fixed rules; return what is missing."""
    fields, item_format = item.fields, FORMATS.get(item.fields["format"])
    if "skill" not in fields and item_format and item_format.productive_skill:
        fields["skill"] = item_format.productive_skill
    missing, absent = [], []
    for key in ("skill", "level", "domain"):
        if key not in fields and defaults.get(key):
            fields[key] = defaults[key]
        if key not in fields:
            absent.append(key)
    if absent:
        missing.append(
            f"missing {', '.join(absent)}: the item has no Attest metadata for it; "
            f"give a default ({', '.join('--' + k for k in absent)})"
        )
    if fields.get("skill", "listening") not in SKILL_CODES:
        missing.append(f"skill: expected one of {', '.join(SKILL_CODES)}; got {fields['skill']!r}")
    level = fields.get("level")
    if level is not None and level not in DIFFICULTY_BANDS:
        missing.append(f"level: expected one of {', '.join(DIFFICULTY_BANDS)}; got {level!r}")
    fields.setdefault("status", "draft")
    if "difficulty" not in fields and level in DIFFICULTY_BANDS:
        low, high = DIFFICULTY_BANDS[level]
        fields["difficulty"] = round((low + high) / 2, 2)
    note = f"Imported from QTI {item.version} item {item.identifier}; review before use."
    if item.staff_notes:
        note += "\nRubric for staff: " + "\n".join(item.staff_notes)
    fields.setdefault("author_note", note)
    if item_format is not None and isinstance(level, str):
        for key, value in item_format.qti_import_defaults(level).items():
            fields.setdefault(key, value)
    return missing


def _assign_ids(items: list[ReadItem], taken: set[str], lang: str, renamed: dict[str, str]) -> None:
    """Keep identifiers that are Attest ids of the item's skill and level; number the others."""
    last: dict[str, int] = {}
    for used in taken | {i.identifier for i in items}:
        if ID_PATTERN.match(used):
            prefix, num = used.rsplit("-", 1)
            last[prefix] = max(last.get(prefix, 0), int(num))
    for item in items:
        code, level = SKILL_CODES[item.fields["skill"]], item.fields["level"].lower()
        prefix = f"{lang}-{code}-{level}"
        ident = item.identifier
        if ID_PATTERN.match(ident) and ident.split("-")[1:3] == [code, level]:
            item.fields["id"] = ident
            continue
        last[prefix] = last.get(prefix, 0) + 1
        item.fields["id"] = f"{prefix}-{last[prefix]:04d}"
        renamed[ident] = item.fields["id"]


def _media_path(item: ReadItem, member: str, slug: str) -> str:
    """Attest media keep their bank path; media of other packages go under imported/<slug>/."""
    inside = member[len(MEDIA_DIR) + 1 :] if member.startswith(MEDIA_DIR + "/") else member
    return inside if item.is_attest else f"{IMPORT_DIR}/{slug}/{inside}"


def _turn_clips(item: ReadItem, package: Package, imported: ImportedPackage, slug: str) -> None:
    """Take the interlocutor clips of a conversation's turns (carried in <attest:item>, their
    files in the package's media) along with the item; a clip the package lacks is left for the
    bank loader to refuse."""
    for turn in item.fields.get("turns") or []:
        if not (isinstance(turn, dict) and isinstance(turn.get("audio"), str)):
            continue
        member = f"{MEDIA_DIR}/{turn['audio']}"
        if member in package.files:
            turn["audio"] = _media_path(item, member, slug)
            imported.media[turn["audio"]] = package.files[member]


def _rewrite_media(item: ReadItem, slug: str) -> None:
    fields = item.fields
    if "media" in fields:
        fields["media"] = {k: _media_path(item, v, slug) for k, v in fields["media"].items()}
    for option in fields.get("options") or []:
        for kind in ("image", "audio"):
            if kind in option:
                option[kind] = _media_path(item, option[kind], slug)


def _ordered(mapping: Mapping[str, Any]) -> dict[str, Any]:
    first = [k for k in KEY_ORDER if k in mapping]
    return {k: mapping[k] for k in first + [k for k in mapping if k not in KEY_ORDER]}


def _safe_source(source: str | None) -> bool:
    if not source:
        return False
    path = PurePosixPath(source)
    return (
        not path.is_absolute()
        and ".." not in path.parts
        and "\\" not in source
        and path.suffix in (".yaml", ".yml")
        and path.parts[0] != MEDIA_DIR
    )


def _build_entries(
    items: list[ReadItem], imported: ImportedPackage, slug: str, keep_layout: bool
) -> list[tuple[str, str]]:
    problems = []
    testlets: dict[str, dict[str, Any]] = {}
    for item in items:
        target = f"{IMPORT_DIR}/{slug}.yaml"
        if keep_layout and _safe_source(item.source):
            target = str(item.source)
        fields = dict(item.fields)
        if item.testlet is None:
            imported.files.setdefault(target, []).append(_ordered(fields))
            continue
        shared = {k: fields.pop(k) for k in TESTLET_SHARED if k in fields}
        entry = testlets.get(item.testlet)
        if entry is None:
            entry = {"testlet": item.testlet, **shared}
            if item.testlet_note is not None:
                entry["author_note"] = item.testlet_note
            entry = _ordered(entry)
            entry["items"] = []
            testlets[item.testlet] = entry
            imported.files.setdefault(target, []).append(entry)
        else:
            for key in sorted(set(shared) | {k for k in entry if k in TESTLET_SHARED}):
                if shared.get(key) != entry.get(key):
                    problems.append(
                        (
                            item.fields["id"],
                            f"field {key} differs from the other items of testlet {item.testlet}",
                        )
                    )
        entry["items"].append(_ordered(fields))
    return problems


def _check_entries(imported: ImportedPackage) -> list[tuple[str | None, str]]:
    """Check every entry with the bank's own rules: (item id or None, problem) pairs."""
    problems: list[tuple[str | None, str]] = []
    for entry in imported.entries():
        if "testlet" in entry:
            testlet = entry["testlet"]
            for f, m in check_testlet(entry):
                problems.append((None, f"testlet {testlet} field {f}: {m}"))
            for item in entry["items"]:
                found = check_testlet_item(entry, item)
                problems += [(item.get("id"), f"field {f}: {m}") for f, m in found]
        else:
            problems += [(entry.get("id"), f"field {f}: {m}") for f, m in check_item(entry)]
    return problems


class _Dumper(yaml.SafeDumper):
    """Write multi-line texts as literal blocks, as authors do."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def to_yaml(entries: list[dict[str, Any]], package: str) -> str:
    """Return a bank YAML file holding ``entries``."""
    header = f"# Imported from the QTI package {package} by `attest bank import`.\n"
    return header + yaml.dump(
        entries, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100
    )


def existing_ids(root: Path) -> set[str]:
    """Return every item id written in the bank's YAML files (media/ excluded)."""
    ids: set[str] = set()
    pattern = re.compile(r"\b([a-z]{2}-(?:lu|lz|sp|sc)-(?:a1|a2|b1|b2)-\d{4})\b")
    for path in root.rglob("*.y*ml"):
        if path.relative_to(root).parts[0] != MEDIA_DIR:
            ids.update(pattern.findall(path.read_text(encoding="utf-8", errors="replace")))
    return ids


def install_package(
    zip_path: Path,
    bank_dir: Path,
    *,
    defaults: Mapping[str, str] | None = None,
    keep_layout: bool = False,
    approximate: bool = False,
    check: bool = False,
) -> InstallReport:
    """Import a package into ``bank_dir``; write only if the bank then loads without a problem.

    ``check`` runs every step, the trial load of the bank included, and writes nothing.
    """
    root = Path(bank_dir)
    if not root.is_dir():
        raise QtiError(f"{root}: bank directory not found")
    lang = root.name if re.fullmatch(r"[a-z]{2}", root.name) else "nl"
    imported = read_package(
        zip_path,
        defaults=defaults,
        taken_ids=existing_ids(root),
        lang=lang,
        keep_layout=keep_layout,
        approximate=approximate,
    )
    plan: dict[str, bytes] = {}
    for rel, entries in imported.files.items():
        if (root / rel).exists():
            raise QtiError(
                f"{root / rel}: exists already (package imported before?); nothing imported"
            )
        plan[rel] = to_yaml(entries, imported.name).encode("utf-8")
    for path, data in imported.media.items():
        dest = root / MEDIA_DIR / path
        if dest.exists():
            if dest.is_file() and dest.read_bytes() == data:
                continue  # the same file is there already
            raise QtiError(f"{dest}: exists with other content; nothing imported")
        plan[f"{MEDIA_DIR}/{path}"] = data
    _trial_load(root, plan)
    if not check:
        _write_all(root, plan)
    return InstallReport(
        imported.item_count(), sorted(plan), imported.renamed, imported.report, check
    )


def _trial_load(root: Path, plan: dict[str, bytes]) -> None:
    with tempfile.TemporaryDirectory(prefix="attest-qti-") as tmp:
        copy = Path(tmp) / root.name
        shutil.copytree(root, copy)
        for rel, data in plan.items():
            (copy / rel).parent.mkdir(parents=True, exist_ok=True)
            (copy / rel).write_bytes(data)
        try:
            load_bank(copy)
        except BankError as exc:
            report = str(exc).replace(copy.as_posix(), root.as_posix())
            raise QtiError(
                f"the bank would not load with the imported items; nothing imported.\n{report}"
            ) from None


def _write_all(root: Path, plan: dict[str, bytes]) -> None:
    """Write every planned file; if one fails, remove what was written and raise QtiError."""
    written: list[Path] = []
    made: list[Path] = []
    try:
        for rel, data in plan.items():
            dest = root / rel
            missing = [p for p in reversed(dest.parents) if not p.exists()]
            dest.parent.mkdir(parents=True, exist_ok=True)
            made += missing
            fd, tmp = tempfile.mkstemp(prefix=".import-", dir=dest.parent)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, dest)
            written.append(dest)
    except OSError as exc:
        for path in written:
            path.unlink(missing_ok=True)
        for directory in reversed(made):
            shutil.rmtree(directory, ignore_errors=True)
        raise QtiError(f"{root}: writing the imported files failed ({exc}); nothing kept") from None
