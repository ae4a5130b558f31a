"""Remove stored files that no database row refers to: what a crash left between writing a file
and committing its row (the row never committed, so the file was never issued or acknowledged)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.models import Attestation, Recording
from attest.storage import DirectoryStorage

# prefix -> the column that holds the keys of committed objects
KINDS = {"attestations": Attestation.pdf_path, "recordings": Recording.storage_key}


@dataclass
class SweepReport:
    removed: list[str] = field(default_factory=list)
    kept_recent: int = 0

    def summary(self) -> str:
        return f"{len(self.removed)} orphan file(s) removed, {self.kept_recent} recent kept"


def sweep_orphans(
    session: so.Session,
    storage: DirectoryStorage,
    now: float,
    min_age_seconds: float = 600,
    dry_run: bool = False,
) -> SweepReport:
    """Delete files without a row (and interrupted temporary files) older than min_age_seconds.

    Younger files are kept: another process may be between writing its file and committing."""
    report = SweepReport()
    for prefix, column in KINDS.items():
        known = set(session.scalars(sa.select(column)))
        for key, mtime in storage.list(prefix):
            is_temp = PurePosixPath(key).name.startswith(".tmp-")
            if not is_temp and key in known:
                continue
            if now - mtime < min_age_seconds:
                report.kept_recent += 1
                continue
            if not dry_run:
                storage.delete(key)
            report.removed.append(key)
    return report
