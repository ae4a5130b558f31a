"""Benchmark texts into the database (issue [17] item 1): the writing benchmark performances of
`question_banks/calibration/<language>/` are the material of a benchmarking round. Loaded by
`attest demo setup` (and `make run`) and by `attest panels load-benchmarks`; callers commit.

A file is named after its skill (`writing.yaml`). Loading is idempotent: a benchmark already
loaded with the same content is left alone, a changed one is updated (ids are never reused), and
the count of each is returned. A benchmark loaded by another process meanwhile is taken as
present (its primary key refuses the second insert, in a savepoint)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy.exc as sa_exc
import sqlalchemy.orm as so
import yaml

from attest.models import BenchmarkText
from attest.vocabulary import LEVELS, PRODUCTIVE

FIELDS = ("id", "task", "level", "bands", "text")


class BenchmarkFileError(ValueError):
    """A benchmark file that cannot be loaded (nothing of it is loaded)."""


@dataclass(frozen=True)
class LoadReport:
    added: int
    updated: int
    unchanged: int

    def summary(self) -> str:
        return f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged"


def calibration_dir(bank_dir: str | Path) -> Path:
    """Return the calibration folder beside a bank folder (question_banks/nl ->
    question_banks/calibration/nl)."""
    bank = Path(bank_dir)
    return bank.parent / "calibration" / bank.name


def read_benchmarks(directory: Path) -> list[dict]:
    """Return the entries of every productive skill's file in `directory`, checked."""
    entries = []
    for skill in PRODUCTIVE:
        path = directory / f"{skill}.yaml"
        if not path.exists():
            continue
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            missing = [f for f in FIELDS if f not in entry]
            if missing or entry["level"] not in LEVELS or not entry["bands"]:
                raise BenchmarkFileError(f"{path.name}: {entry.get('id')}: bad entry {missing}")
            entries.append({**entry, "skill": skill})
    return entries


def load_benchmark_texts(session: so.Session, directory: Path) -> LoadReport:
    """Load the benchmark texts of `directory` (see the module's description)."""
    added = updated = unchanged = 0
    for entry in read_benchmarks(directory):
        values = {
            "skill": entry["skill"],
            "task_id": str(entry["task"]),
            "level": entry["level"],
            "bands": {str(k): int(v) for k, v in entry["bands"].items()},
            "text": str(entry["text"]),
            "calibration": bool(entry.get("calibration", False)),
        }
        row = session.get(BenchmarkText, entry["id"])
        if row is None:
            try:
                with session.begin_nested():
                    session.add(BenchmarkText(id=entry["id"], **values))
                added += 1
            except sa_exc.IntegrityError:
                unchanged += 1  # loaded by another process meanwhile
            continue
        if all(getattr(row, key) == value for key, value in values.items()):
            unchanged += 1
            continue
        for key, value in values.items():
            setattr(row, key, value)
        updated += 1
    session.flush()
    return LoadReport(added, updated, unchanged)
