"""Load and validate an item bank directory of YAML files (format: question_banks/README.md).

Loading is all-or-nothing: every problem in every file is collected, and if there is any, a
BankError lists them all with file, line, item and field, and no item is returned.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from attest.assessment.bank_rules import (
    META_FIELDS,
    check_item,
    check_testlet,
    check_testlet_item,
    is_testlet,
    testlet_item,
)
from attest.assessment.formats import FORMATS
from attest.assessment.review_flow import (
    SIDECAR_SUFFIX,
    STATE_AFTER,
    ReviewStep,
    history_problems,
    parse_history,
)

MEDIA_DIR = "media"
# Lifecycle and notes change without changing what a candidate sees or how it is scored,
# so they stay out of the content hash and never force a new item version.
# Enemy groups and lint exceptions steer delivery and review, not what is shown, likewise.
UNHASHED_FIELDS = ("status", "author_note", "enemies", "lint_allow")


@dataclass(frozen=True)
class ItemSpec:
    """One validated item as the bank declares it."""

    id: str
    skill: str
    level: str
    domain: str
    format: str
    status: str
    difficulty: float
    author_note: str
    content: dict[str, Any] = field(compare=False)  # stem, text, transcript + format fields
    media: dict[str, str] = field(compare=False)  # field path -> path relative to media/
    source: str  # YAML file relative to the bank root
    content_hash: str  # covers content and media bytes, hence stands in for them in ==
    testlet: str | None = None  # id of the testlet the item is delivered and scored with
    enemies: tuple[str, ...] = ()  # enemy groups: never two items of one group in a session
    lint_allow: dict[str, str] = field(default_factory=dict, compare=False)  # code -> reason
    # The review workflow history from <file>.review.yaml (review_flow.py); not hashed.
    review: tuple[ReviewStep, ...] = field(default=(), compare=False)

    @property
    def review_state(self) -> str | None:
        """Return the workflow state (None: no history)."""
        return STATE_AFTER[self.review[-1].step] if self.review else None


@dataclass(frozen=True)
class BankIssue:
    """One problem found in the bank, located as precisely as the YAML allows."""

    file: str
    line: int | None
    item: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        item = f" item {self.item}" if self.item else ""
        fld = f" field {self.field}" if self.field else ""
        return f"{where}{item}{fld}: {self.message}"


class BankError(Exception):
    """The bank has problems; ``errors`` lists them all."""

    def __init__(self, errors: list[BankIssue]) -> None:
        self.errors = sorted(errors, key=lambda e: (e.file, e.line or 0))
        super().__init__(str(self))

    def __str__(self) -> str:
        count = len(self.errors)
        lines = [f"item bank has {count} problem{'s' * (count != 1)}:"]
        return "\n".join(lines + [f"  {e}" for e in self.errors])


@dataclass
class Bank:
    """A validated item bank."""

    root: Path
    items: list[ItemSpec]

    def get(self, item_id: str) -> ItemSpec:
        """Return the item with this id (KeyError if absent)."""
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def select(
        self, skill: str | None = None, level: str | None = None, status: str | None = None
    ) -> list[ItemSpec]:
        """Return the items matching every given attribute."""
        wanted = {"skill": skill, "level": level, "status": status}
        return [
            i for i in self.items if all(v is None or getattr(i, k) == v for k, v in wanted.items())
        ]

    def testlets(self) -> dict[str, list[ItemSpec]]:
        """Return the items of each testlet, keyed by testlet id, in the order of the file."""
        grouped: dict[str, list[ItemSpec]] = {}
        for item in self.items:
            if item.testlet is not None:
                grouped.setdefault(item.testlet, []).append(item)
        return grouped


def load_bank(
    root: Path,
    *,
    require_media: bool = True,
    shared_stimulus_check: bool = True,
    require_review: bool = False,
) -> Bank:
    """Load and validate every YAML file under ``root``; raise BankError listing all problems.

    ``require_media=False`` lets tooling (audio generation) read a bank whose media are not
    made yet; items are then hashed without the missing files. ``shared_stimulus_check=False``
    lets reports read an older bank that predates the testlet rule; never for delivery.
    A review history beside a file (``<file>.review.yaml``) is always checked;
    ``require_review=True`` (the CLI, the app, ``attest bank check``) also refuses an item
    without one.
    """
    root = Path(root)
    issues: list[BankIssue] = []
    items: list[ItemSpec] = []
    first_seen: dict[str, str] = {}
    testlets_seen: dict[str, str] = {}
    files = sorted(
        p
        for p in root.rglob("*")
        if p.suffix in (".yaml", ".yml")
        and not p.name.endswith(SIDECAR_SUFFIX)
        and MEDIA_DIR not in p.relative_to(root).parts[:1]
    )
    if not files:
        issues.append(
            BankIssue(str(root), None, None, None, "expected YAML item files; found none")
        )
    for path in files:
        rel = path.relative_to(root).as_posix()
        display = (root / rel).as_posix()
        histories, sidecar_issues = _load_sidecar(root, path)
        issues += sidecar_issues
        in_file: set[str] = set()
        for spec, line, problems in _load_file(root, path, rel, require_media, testlets_seen):
            issues += [BankIssue(display, *p) for p in problems]
            in_file.update(str(p[1]) for p in problems if p[1])  # an item with errors is there
            if spec is None:
                continue
            in_file.add(spec.id)
            spec, review_issues = _with_review(spec, histories, display, line, require_review)
            issues += review_issues
            if spec.id in first_seen:
                issues.append(
                    BankIssue(
                        display,
                        line,
                        spec.id,
                        "id",
                        f"duplicate id; already used in {first_seen[spec.id]}",
                    )
                )
            else:
                first_seen[spec.id] = f"{display}:{line}"
                items.append(spec)
        issues += [
            BankIssue(
                sidecar_path(path).as_posix(),
                hline,
                item_id,
                None,
                f"review history of an item that is not in {display}",
            )
            for item_id, (hline, _raw) in histories.items()
            if item_id not in in_file and not item_id.startswith("#")
        ]
    if not issues and shared_stimulus_check:
        issues += shared_stimulus_issues(root, items)
    if issues:
        raise BankError(issues)
    return Bank(root=root, items=items)


def sidecar_path(path: Path) -> Path:
    """Return the review history file beside a bank file (``borden.yaml`` ->
    ``borden.review.yaml``)."""
    return path.with_name(path.stem + SIDECAR_SUFFIX)


def _load_sidecar(root: Path, path: Path) -> tuple[dict[str, tuple[int, Any]], list[BankIssue]]:
    """Read ``<file>.review.yaml``: item id -> (line, (node, raw history)); no file: nothing."""
    side = sidecar_path(path)
    display = side.as_posix()
    if not side.is_file():
        return {}, []
    try:
        node, data = _parse_yaml(side.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        return {}, [BankIssue(display, line, None, None, f"YAML syntax error: {exc.problem}")]
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        return {}, [BankIssue(display, None, None, None, f"expected a UTF-8 YAML file: {exc}")]
    if not isinstance(data, dict) or node is None:
        message = "expected a mapping of item id -> list of review steps"
        return {}, [BankIssue(display, 1, None, None, message)]
    issues = [
        BankIssue(display, _field_line(node, f), None, f, m) for f, m in _duplicate_keys(node)
    ]
    found = {}
    for key, value in node.value:
        found[str(key.value)] = (key.start_mark.line + 1, (value, data.get(key.value)))
    return found, issues


def _with_review(
    spec: ItemSpec,
    histories: dict[str, tuple[int, Any]],
    display: str,
    line: int | None,
    required: bool,
) -> tuple[ItemSpec, list[BankIssue]]:
    """Attach the item's review history, or report what is wrong with it."""
    side = display[: -len(".yaml")] + SIDECAR_SUFFIX if display.endswith(".yaml") else display
    if spec.id not in histories:
        if not required:
            return spec, []
        message = (
            f"no review history; add it under '{spec.id}:' in {side} "
            "(question_banks/README.md, 'Review workflow')"
        )
        return spec, [BankIssue(display, line, spec.id, "review", message)]
    hline, (node, raw) = histories[spec.id]
    steps, problems = parse_history(raw)
    if not problems:
        problems = history_problems(steps, spec.status)
    if problems:
        return spec, [
            BankIssue(
                display if f == "status" else side,
                line if f == "status" else _field_line(node, f.replace("[", "").replace("]", "")),
                spec.id,
                f if f == "status" else f"review{f}",
                m,
            )
            for f, m in problems
        ]
    return replace(spec, review=tuple(steps)), []


STIMULUS_FIELDS = ("text", "transcript")


def shared_stimulus_issues(root: Path, items: list[ItemSpec]) -> list[BankIssue]:
    """Report every text or transcript that items outside one testlet share.

    Two items on one stimulus are locally dependent; declared as a testlet they are delivered
    together and scored as one unit, otherwise a session could give both as independent items.
    """
    seen: dict[tuple[str, str], list[ItemSpec]] = {}
    for item in items:
        for fld in STIMULUS_FIELDS:
            value = item.content.get(fld)
            if isinstance(value, str) and value.strip():
                seen.setdefault((fld, " ".join(value.split()).casefold()), []).append(item)
    issues = []
    for (fld, _text), group in seen.items():
        if len({i.testlet or i.id for i in group}) < 2:
            continue
        where = ", ".join(f"{i.id} ({(root / i.source).as_posix()})" for i in group)
        first = group[0]
        issues.append(
            BankIssue(
                (root / first.source).as_posix(),
                None,
                first.id,
                fld,
                f"the same {fld} is used by {where} outside one testlet; declare them as "
                "one testlet (question_banks/README.md, 'Testlets') or give each its own "
                f"{fld}",
            )
        )
    return issues


_Problem = tuple[int | None, str | None, str | None, str]  # line, item, field, message
_Loaded = tuple[ItemSpec | None, int | None, list[_Problem]]


def _load_file(
    root: Path,
    path: Path,
    rel: str,
    require_media: bool,
    testlets_seen: dict[str, str] | None = None,
) -> Iterator[_Loaded]:
    """Yield (ItemSpec or None, start line, problems) per item of one file.

    ``testlets_seen`` maps testlet ids met so far to where they were declared.
    """
    try:
        node, data = _parse_yaml(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        yield None, line, [(line, None, None, f"YAML syntax error: {exc.problem or exc}")]
        return
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        yield None, None, [(None, None, None, f"expected a UTF-8 YAML file: {exc}")]
        return
    if not isinstance(data, list):
        line = node.start_mark.line + 1 if node is not None else None
        yield (
            None,
            line,
            [(line, None, None, "expected a list of items (each starting with '- id: ...')")],
        )
        return
    seen = testlets_seen if testlets_seen is not None else {}
    for index, (item_node, item) in enumerate(zip(node.value, data, strict=True)):
        if is_testlet(item):
            yield from _load_testlet(root, rel, index, item_node, item, require_media, seen)
        else:
            yield _load_item(root, rel, index, item_node, item, require_media)


def _load_item(
    root: Path, rel: str, index: int, node: yaml.Node, item: Any, require_media: bool
) -> _Loaded:
    line = node.start_mark.line + 1
    if not isinstance(item, dict):
        return (
            None,
            line,
            [(line, f"#{index + 1}", None, "expected a mapping of fields (id, skill, ...)")],
        )
    label = item["id"] if isinstance(item.get("id"), str) and item["id"] else f"#{index + 1}"
    found = [(f, m) for f, m in _duplicate_keys(node)] + check_item(item)
    fmt = FORMATS.get(item.get("format")) if isinstance(item.get("format"), str) else None
    media: dict[str, str] = {}
    if not found and fmt is not None:
        media = {**item.get("media", {}), **fmt.media_refs(item)}
        found += _check_media_files(root, media, require_media)
    problems = [(_field_line(node, f), label, f, m) for f, m in found]
    if problems:
        return None, line, problems
    return _make_spec(root, rel, item, media), line, []


def _load_testlet(
    root: Path,
    rel: str,
    index: int,
    node: yaml.Node,
    entry: dict[str, Any],
    require_media: bool,
    seen: dict[str, str],
) -> Iterator[_Loaded]:
    """Expand a testlet entry into its items; shared-field problems are reported once."""
    line = node.start_mark.line + 1
    tid = entry.get("testlet")
    label = tid if isinstance(tid, str) and tid else f"#{index + 1}"
    dups = _duplicate_keys(node)
    found = [(f, m) for f, m in dups if not f.startswith("items[")] + check_testlet(entry)
    shared_media = entry.get("media") if isinstance(entry.get("media"), dict) else {}
    if not found:
        found += _check_media_files(root, dict(shared_media), require_media)
    problems = [(_field_line(node, f), label, f, m) for f, m in found]
    # A reused testlet id does not stop its items from loading, so their ids are checked too.
    if isinstance(tid, str) and tid in seen:
        message = f"duplicate testlet id; already used in {seen[tid]}"
        yield None, line, [*problems, (_field_line(node, "testlet"), label, "testlet", message)]
    else:
        seen.setdefault(str(tid), f"{(root / rel).as_posix()}:{line}")
        yield None, line, problems
    items = entry.get("items")
    if not isinstance(items, list):
        return
    items_node = [v for k, v in node.value if k.value == "items"][-1]  # YAML keeps the last
    for j, (item_node, item) in enumerate(zip(items_node.value, items, strict=True)):
        item_line = item_node.start_mark.line + 1
        if not isinstance(item, dict):
            message = "expected a mapping of fields (id, format, ...)"
            yield None, item_line, [(item_line, f"{label}#{j + 1}", None, message)]
            continue
        own_id = item.get("id")
        item_label = own_id if isinstance(own_id, str) and own_id else f"{label}#{j + 1}"
        prefix = f"items[{j}]."
        own = [(f[len(prefix) :], m) for f, m in dups if f.startswith(prefix)]
        own += check_testlet_item(entry, item)
        merged = testlet_item(entry, item)
        fmt = FORMATS.get(item.get("format")) if isinstance(item.get("format"), str) else None
        media: dict[str, str] = {}
        if not own and fmt is not None:
            refs = fmt.media_refs(merged)
            own += _check_media_files(root, refs, require_media)
            media = {**shared_media, **refs}
        item_problems = [(_field_line(item_node, f), item_label, f, m) for f, m in own]
        if problems or item_problems:
            yield None, item_line, item_problems
        else:
            yield _make_spec(root, rel, merged, media, testlet=tid), item_line, []


def _make_spec(
    root: Path,
    rel: str,
    item: dict[str, Any],
    media: dict[str, str],
    testlet: str | None = None,
) -> ItemSpec:
    content = {k: v for k, v in item.items() if k not in META_FIELDS}
    return ItemSpec(
        id=item["id"],
        skill=item["skill"],
        level=item["level"],
        domain=item["domain"],
        format=item["format"],
        status=item["status"],
        difficulty=float(item["difficulty"]),
        author_note=item["author_note"].strip(),
        content=content,
        media=media,
        source=rel,
        content_hash=item_hash(root, item, media, testlet),
        testlet=testlet,
        enemies=tuple(item.get("enemies") or ()),
        lint_allow=dict(item.get("lint_allow") or {}),
    )


def item_hash(root: Path, item: dict[str, Any], media: dict[str, str], testlet: str | None) -> str:
    """Return an item's content hash: SHA-256 of the canonical JSON of its hashed fields, its
    testlet and the SHA-256 of each media file (question_banks/README.md, "Content hash").

    ``item`` may be the file's mapping or, to hash a changed difficulty before the file is
    written (a calibration adoption), the item's meta fields with its stored content."""
    hashed = {k: v for k, v in item.items() if k not in UNHASHED_FIELDS and k != "media"}
    if testlet is not None:
        hashed["testlet"] = testlet  # the grouping changes what a candidate sees
    hashed["media"] = {
        k: {"path": p, "sha256": _file_sha256(root / MEDIA_DIR / p)}
        for k, p in sorted(media.items())
    }
    canonical = json.dumps(
        hashed, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def stored_item_hash(
    root: Path,
    *,
    item_id: str,
    skill: str,
    domain: str,
    level: str,
    format: str,
    difficulty: float,
    content: dict[str, Any],
    media: dict[str, str],
    testlet: str | None,
) -> str:
    """Return the hash the bank file of a stored item version will give it (``item_hash``)."""
    fields = {
        "id": item_id,
        "skill": skill,
        "level": level,
        "domain": domain,
        "format": format,
        "difficulty": difficulty,
        **content,
    }
    return item_hash(root, fields, media, testlet)


def _check_media_files(
    root: Path, media: dict[str, str], require_media: bool
) -> list[tuple[str, str]]:
    problems = []
    for key, ref in media.items():
        # Item-level media are keyed by kind ("audio"); in the YAML they sit under media:.
        fld = key if "." in key else f"media.{key}"
        path = PurePosixPath(ref)
        if path.is_absolute() or ".." in path.parts or "\\" in ref:
            problems.append(
                (fld, f"expected a relative path inside {MEDIA_DIR}/ with '/'; got {ref!r}")
            )
        elif require_media and not (root / MEDIA_DIR / path).is_file():
            problems.append((fld, f"media file not found: {(root / MEDIA_DIR / path).as_posix()}"))
    return problems


def _file_sha256(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def _parse_yaml(text: str) -> tuple[yaml.Node | None, Any]:
    """Return the composed node tree (for line numbers) and the constructed data."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


def _duplicate_keys(node: yaml.Node, prefix: str = "") -> list[tuple[str, str]]:
    """Find keys given twice in a mapping (YAML would silently keep the last one)."""
    found = []
    if isinstance(node, yaml.MappingNode):
        seen = set()
        for key, value in node.value:
            path = f"{prefix}.{key.value}" if prefix else str(key.value)
            if key.value in seen:
                found.append((path, "field given twice; expected each field once"))
            seen.add(key.value)
            found += _duplicate_keys(value, path)
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            found += _duplicate_keys(value, f"{prefix}[{i}]")
    return found


def _field_line(node: yaml.Node, field_path: str) -> int:
    """Return the line of the deepest node on ``field_path`` (e.g. ``options[2].text``)."""
    line = node.start_mark.line + 1
    for token in field_path.replace("[", ".").replace("]", "").split("."):
        if isinstance(node, yaml.MappingNode):
            match = [(k, v) for k, v in node.value if k.value == token]
            if not match:
                break
            key, node = match[-1]
            line = key.start_mark.line + 1
        elif (
            isinstance(node, yaml.SequenceNode) and token.isdigit() and int(token) < len(node.value)
        ):
            node = node.value[int(token)]
            line = node.start_mark.line + 1
        else:
            break
    return line
