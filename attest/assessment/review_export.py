"""Write the running instance's review steps, statuses and adopted difficulties back to the
bank files, which stay the versioned source (``attest bank review-export``).

Steps taken in the admin item browser and calibration adoptions change the database; this
writes them to ``<file>.review.yaml`` (each item's full history) and edits the ``status:`` and
``difficulty:`` values of the item files in place (the rest of a file is left as it is), so
that the next ``attest bank load`` finds files and database alike. A testlet's status is one
field for all its items: if they differ in the database, nothing is written and the testlet
is named. Histories that went separate ways are refused as ``bank_sync`` refuses them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so
import yaml

from attest.assessment.bank import Bank, sidecar_path
from attest.assessment.bank_sync import ReviewConflict, db_history
from attest.assessment.review_flow import ReviewStep, sidecar_text
from attest.models import Item


class ExportConflict(Exception):
    """The database holds something the files cannot say; the message names it."""


@dataclass
class ExportReport:
    files: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"{len(self.items)} items written back in {len(self.files)} files"


def export_review(session: so.Session, bank: Bank) -> ExportReport:
    """Write what the database knows beyond the bank files into them (module docs)."""
    items = {
        i.id: i
        for i in session.scalars(
            sa.select(Item).options(
                so.selectinload(Item.review_steps), so.selectinload(Item.versions)
            )
        )
    }
    report = ExportReport()
    by_file: dict[str, list] = {}
    for spec in bank.items:
        by_file.setdefault(spec.source, []).append(spec)
    conflicts: list[str] = []  # histories that went separate ways
    problems: list[str] = []  # what the files cannot say
    plans = []
    for source, specs in by_file.items():
        histories: list[tuple[str, list[ReviewStep]]] = []
        values: dict[str, dict[str, object]] = {}  # item or testlet id -> field -> value
        changed = []
        for spec in specs:
            item = items.get(spec.id)
            ours = db_history(item) if item is not None else []
            theirs = list(spec.review)
            n = min(len(ours), len(theirs))
            if ours[:n] != theirs[:n]:
                conflicts.append(f"{source} item {spec.id}: the histories differ at step {n}")
                continue
            history = ours if len(ours) > len(theirs) else theirs
            if history:
                histories.append((spec.id, history))
            if item is None:
                continue
            difficulty = item.versions[-1].difficulty if item.versions else spec.difficulty
            if (
                len(ours) > len(theirs)
                or difficulty != spec.difficulty
                or item.status != spec.status
            ):
                changed.append(spec.id)
            if difficulty != spec.difficulty:
                values.setdefault(spec.id, {})["difficulty"] = difficulty
            if item.status != spec.status:
                values.setdefault(spec.testlet or spec.id, {})["status"] = item.status
        for tid in sorted({s.testlet for s in specs if s.testlet}):
            statuses = {items[s.id].status for s in specs if s.testlet == tid and s.id in items}
            if len(statuses) > 1:
                problems.append(
                    f"{source} testlet {tid}: its items have different statuses in the "
                    f"database ({', '.join(sorted(statuses))}); a testlet has one status"
                )
        if changed:
            plans.append((source, histories, values, changed))
    if conflicts:
        raise ReviewConflict("\n".join(conflicts))
    if problems:
        raise ExportConflict("\n".join(problems))
    for source, histories, values, changed in plans:
        path = bank.root / source
        if values:
            path.write_text(_edit_values(path.read_text(encoding="utf-8"), values), "utf-8")
        sidecar_path(path).write_text(sidecar_text(path.name, histories), encoding="utf-8")
        report.files.append(source)
        report.items += changed
    return report


def _edit_values(text: str, values: dict[str, dict[str, object]]) -> str:
    """Replace the scalar values of ``status``/``difficulty`` of the named items or testlets,
    leaving every other character of the file as it was."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    edits: list[tuple[int, int, str]] = []

    def visit(entry: yaml.Node) -> None:
        if not isinstance(entry, yaml.MappingNode):
            return
        fields = {k.value: v for k, v in entry.value}
        owner = fields.get("id") or fields.get("testlet")
        wanted = values.get(owner.value) if isinstance(owner, yaml.ScalarNode) else None
        for name, value in (wanted or {}).items():
            node = fields.get(name)
            if isinstance(node, yaml.ScalarNode):
                new = f"{value:.2f}" if name == "difficulty" else str(value)
                edits.append((node.start_mark.index, node.end_mark.index, new))
        items = fields.get("items")
        if isinstance(items, yaml.SequenceNode):
            for child in items.value:
                visit(child)

    if isinstance(root, yaml.SequenceNode):
        for entry in root.value:
            visit(entry)
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text
