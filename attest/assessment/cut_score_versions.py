"""The cut-score store in force, read from the database (issue [12] item 1).

Adoption by a standard-setting panel writes a new version of the store as a row
(`models.CutScoreVersion`); the newest row is in force. With no row, the package's file
(`data/cut_scores.yaml`, `provisional-1`) is: the seed version. Scoring (linear and adaptive),
targeting, decision quality and the reports read the cuts here, and each result records the
version that scored it, so results scored earlier keep theirs."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.assessment.cefr import CutScores
from attest.assessment.cut_scores import CutScoreStore, load_store, read_data, store_from_data
from attest.models import CutScoreVersion


def store_in_force(session: so.Session) -> CutScoreStore:
    """Return the version of the store in force: the newest adopted row, else the file.

    One indexed read of the newest row per call (a small JSON document): no per-process copy
    that another process's adoption could leave stale."""
    row = session.execute(
        sa.select(CutScoreVersion.version, CutScoreVersion.store)
        .order_by(CutScoreVersion.id.desc())
        .limit(1)
    ).first()
    return load_store() if row is None else store_from_data(row.store, row.version)


def store_of_version(session: so.Session, version: str | None) -> CutScoreStore:
    """Return the store of a named version (a result's, so that it keeps its cuts): an adopted
    row, the seed file's version, else (None, or unknown) the version in force."""
    seed = load_store()
    if version == seed.version:
        return seed
    if version is not None:
        row = session.scalar(sa.select(CutScoreVersion).where(CutScoreVersion.version == version))
        if row is not None:
            return store_from_data(row.store, row.version)
    return store_in_force(session)


def cut_scores_in_force(session: so.Session, skill: str, purpose: str | None = None) -> CutScores:
    """Return the cut scores in force for a skill (in a purpose), with their version."""
    return store_in_force(session).cuts(skill, purpose)


def data_in_force(session: so.Session) -> dict:
    """Return the data (the file's shape) of the version in force, which a new version copies."""
    row = session.scalar(sa.select(CutScoreVersion).order_by(CutScoreVersion.id.desc()).limit(1))
    return read_data() if row is None else dict(row.store)


def versions(session: so.Session) -> list[CutScoreVersion]:
    """Return the adopted versions, newest first (the seed file is not a row)."""
    return list(session.scalars(sa.select(CutScoreVersion).order_by(CutScoreVersion.id.desc())))
