"""The cut-score store in force, read from the database (issue [12] item 1).

Adoption by a standard-setting panel writes a new version of the store as a row
(`models.CutScoreVersion`); the newest row is in force. With no row, the package's file
(`data/cut_scores.yaml`, `provisional-1`) is: the seed version. Scoring (linear and adaptive),
targeting, decision quality and the reports read the cuts here, and each result records the
version that scored it, so results scored earlier keep theirs.

The version in force is kept per process, keyed by `bank_state.cut_stamp`: database triggers
(migration 0048) draw a new random stamp with every insert, update or delete of a version, by
any process, so checking that a kept version is still in force is one primary-key read (the
same read that gives the adaptive engine its bank stamp: `stamps`)."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.assessment.cefr import CutScores
from attest.assessment.cut_scores import CutScoreStore, load_store, read_data, store_from_data
from attest.engine import bind_key
from attest.models import BankState, CutScoreVersion

_UNREAD = object()
_STAMPS = sa.select(BankState.stamp, BankState.cut_stamp).where(BankState.id == 1)
_CUT_STAMP = sa.select(BankState.cut_stamp).where(BankState.id == 1)
_NEWEST = (
    sa.select(CutScoreVersion.version, CutScoreVersion.store)
    .order_by(CutScoreVersion.id.desc())
    .limit(1)
)
_NEWEST_ROW = _NEWEST.subquery()
# The stamp and the newest version in one statement, so the pair kept is one state of the table
# even when an adoption commits between two reads (PostgreSQL's READ COMMITTED).
_NEWEST_WITH_STAMP = (
    sa.select(BankState.cut_stamp, _NEWEST_ROW.c.version, _NEWEST_ROW.c.store)
    .select_from(BankState)
    .outerjoin(_NEWEST_ROW, sa.true())
    .where(BankState.id == 1)
)
MAX_STORES = 16
_STORES: dict[tuple[str, str], CutScoreStore | None] = {}  # None: no row, the file is in force


def stamps(session: so.Session) -> tuple[str | None, str | None]:
    """Return (the bank's stamp, the cut-score versions' stamp), one primary-key read; None
    for each when the stamp row is missing (emptied by hand) or has no cut stamp."""
    row = session.execute(_STAMPS).first()
    return (None, None) if row is None else (row[0], row[1])


def store_in_force(session: so.Session, cut_stamp: object = _UNREAD) -> CutScoreStore:
    """Return the version of the store in force: the newest adopted row, else the file.

    An adopted row is kept per process under the versions' stamp, read here unless the caller
    passes the one it has just read (`stamps`); without a stamp the newest row is read each
    time. With no row the file is in force: only that is kept (the file is read once per
    process and path, `cut_scores.load_store`)."""
    if cut_stamp is _UNREAD:
        cut_stamp = session.execute(_CUT_STAMP).scalar()
    if cut_stamp is None:
        return _store(session.execute(_NEWEST).first())
    url = bind_key(session)
    kept = _STORES.get((url, str(cut_stamp)), _UNREAD)
    if kept is _UNREAD:
        row = session.execute(_NEWEST_WITH_STAMP).first()
        if row is None or row.cut_stamp is None:  # the stamp row went in between
            return _store(session.execute(_NEWEST).first())
        kept = None if row.version is None else store_from_data(row.store, row.version)
        if len(_STORES) >= MAX_STORES:
            _STORES.clear()
        _STORES[(url, row.cut_stamp)] = kept
    return load_store() if kept is None else kept


def _store(row) -> CutScoreStore:
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
