"""The import report: what happened to each item of a package (docs/qti.md, "Import report").

Every item is "imported faithfully", "imported with approximations: <named>" or "refused:
<reason>". Scoring approximations (the item would score differently in Attest than in the
source) are only accepted when the import asks for them; otherwise such an item is refused
with the approximations as the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FAITHFUL = "faithful"
APPROXIMATED = "approximated"
REFUSED = "refused"


@dataclass
class ItemOutcome:
    """What became of one item of the package."""

    identifier: str
    member: str
    version: str
    status: str = FAITHFUL
    approximations: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    entry: dict[str, Any] | None = None  # the Attest item fields, for items read

    def refuse(self, reason: str) -> None:
        self.status = REFUSED
        if reason not in self.reasons:
            self.reasons.append(reason)

    def line(self) -> str:
        head = f"item {self.identifier} ({self.member}, QTI {self.version}): "
        if self.status == REFUSED:
            return head + "refused: " + "; ".join(self.reasons)
        if self.status == APPROXIMATED:
            return head + "imported with approximations: " + "; ".join(self.approximations)
        return head + "imported faithfully"


@dataclass
class ImportReport:
    """Per-item outcomes of one package, plus problems of the package as a whole."""

    package: str
    items: list[ItemOutcome] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and all(i.status != REFUSED for i in self.items)

    def count(self, status: str) -> int:
        return sum(1 for i in self.items if i.status == status)

    def text(self) -> str:
        """Return the report as printed by `attest bank import`."""
        lines = [
            f"{self.package}: {len(self.items)} item(s): {self.count(FAITHFUL)} faithful, "
            f"{self.count(APPROXIMATED)} with approximations, {self.count(REFUSED)} refused"
        ]
        lines += [f"  {problem}" for problem in self.problems]
        lines += [f"  {item.line()}" for item in self.items]
        if not self.ok:
            lines.append(f"{self.package}: nothing imported")
        return "\n".join(lines)
