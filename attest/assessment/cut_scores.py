"""The one cut-score store: which cuts are in force, since which version, set how (issue [10]).

Every caller that turns an estimate into a level reads its cuts here: linear scoring
(`delivery.finish_session`), the adaptive sections (`adaptive.engine_for`), targeting of the
productive tasks (`targeting.receptive_level`), the CAT's default settings (`cat.CatConfig`),
decision quality and the admin pages. The store is the data file `data/cut_scores.yaml`:

- `version`: the id of the cuts in force. It is stored with every result scored on them
  (`SkillResult.cut_scores_version`), so a result keeps saying which cuts it was scored with
  after a standard-setting panel has set new ones (issue [12]: adoption writes a new version,
  with its record, and never edits a version silently).
- per skill: `status` (provisional until a panel has set them), the `cuts`, their `record`
  (method, source, date, panel); and under `purposes:` cuts that one purpose sets for that skill,
  each with its own record (none today).

Speaking and writing entries hold band-scale thresholds (0-4, the rubric's scale: the level rule
`rubrics.task_level` reads a task's lower-median band with them), set by a benchmarking panel;
a skill without an entry uses the rubric's own thresholds (`rubrics.BAND_THRESHOLDS`, A1 1 ..
B2 4), so nothing changes until a panel is adopted (docs/standard-setting.md).

This module parses the store (the file, the seed version `provisional-1`, or a version adopted
by a standard-setting panel and kept in the database: `store_from_data`, `with_new_cuts`); the
version in force is read by `attest.assessment.cut_score_versions` (with a database session),
and the callers with a session read it there.

Pure: no Flask, no ORM. The CEFR scale logic (estimate -> level, level probabilities) is
`attest.assessment.cefr`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from attest.assessment.cefr import CutScores
from attest.assessment.rubrics import BAND_THRESHOLDS
from attest.vocabulary import LEVELS, PRODUCTIVE

CUT_SCORES_FILE = Path(__file__).with_name("data") / "cut_scores.yaml"
DEFAULT_SKILL = "reading"  # whose cuts a CatConfig gets when none are given (tests, benchmarks)


class CutScoreError(ValueError):
    """The cut-score file is malformed."""


@dataclass(frozen=True)
class CutScoreRecord:
    """Cut scores of one skill (or of one purpose's section of it) with how they were set."""

    skill: str
    cut_scores: CutScores
    status: str  # "provisional" until a standard-setting panel has set them
    date: str | None
    panel: str | None
    source: str | None = None
    purpose: str | None = None  # None: the skill's cuts for every purpose without its own

    @property
    def is_provisional(self) -> bool:
        """Return whether the cuts still await standard setting."""
        return self.status != "final"


@dataclass(frozen=True)
class CutScoreStore:
    """One version of the cut scores: per skill, and per purpose where a purpose sets its own."""

    version: str
    skills: Mapping[str, CutScoreRecord]
    purposes: Mapping[tuple[str, str], CutScoreRecord] = field(default_factory=dict)

    def record(self, skill: str, purpose: str | None = None) -> CutScoreRecord:
        """Return the record in force for a skill in a purpose (KeyError if the skill has none)."""
        return self.purposes.get((skill, purpose)) or self.skills[skill]

    def cuts(self, skill: str, purpose: str | None = None) -> CutScores:
        """Return the cut scores in force for a skill in a purpose, with this version's id."""
        return self.record(skill, purpose).cut_scores

    def band_thresholds(self, skill: str, purpose: str | None = None) -> dict[str, float]:
        """Return the band thresholds in force for a productive skill (in a purpose): the
        adopted panel's, else the rubric's own (A1 1, A2 2, B1 3, B2 4)."""
        if skill not in PRODUCTIVE:
            raise KeyError(f"{skill} is not scored on rubric bands")
        if (skill, purpose) in self.purposes or skill in self.skills:
            return dict(self.cuts(skill, purpose).cuts)
        return dict(BAND_THRESHOLDS)


def load_store(path: Path | None = None) -> CutScoreStore:
    """Return the cut-score store (default: CUT_SCORES_FILE, looked up when called)."""
    return _read(Path(path or CUT_SCORES_FILE))


def cut_scores_for(skill: str, purpose: str | None = None) -> CutScores:
    """Return the cut scores in force for a skill (in a purpose); KeyError if it has none."""
    return load_store().cuts(skill, purpose)


def load_cut_scores(path: Path | None = None) -> dict[str, CutScoreRecord]:
    """Return every skill's record in force (the cuts that apply when no purpose sets its own)."""
    return dict(load_store(path).skills)


def read_data(path: Path | None = None) -> dict:
    """Return the store file's data as written (the seed version a new version starts from)."""
    return yaml.safe_load(Path(path or CUT_SCORES_FILE).read_text(encoding="utf-8")) or {}


def store_from_data(data: Mapping, where: str = "cut-score store") -> CutScoreStore:
    """Return the store a mapping of the file's shape describes (the file, or an adopted version
    kept in the database), checked as the file is."""
    version = data.get("version")
    if not version or not isinstance(data.get("skills"), Mapping):
        raise CutScoreError(f"{where}: needs a `version` and `skills`")
    version = str(version)
    skills, purposes = {}, {}
    for skill, entry in data["skills"].items():
        skills[skill] = _record(skill, None, entry, version)
        for purpose, override in (entry.get("purposes") or {}).items():
            purposes[skill, purpose] = _record(skill, purpose, override, version)
    return CutScoreStore(version, skills, purposes)


@lru_cache(maxsize=4)  # a data file of the package: read once per process
def _read(path: Path) -> CutScoreStore:
    return store_from_data(read_data(path), path.name)


def with_new_cuts(
    data: Mapping,
    version: str,
    skill: str,
    purpose: str | None,
    cuts: Mapping[str, float],
    record: Mapping,
) -> dict:
    """Return the store's data as a new version: the skill's cuts (or those one purpose sets for
    it) replaced by final cuts with their record, everything else as it was. Checked."""
    new = copy.deepcopy(dict(data))
    new["version"] = version
    entry = {
        "status": "final",
        "cuts": {level: round(float(cuts[level]), 4) for level in LEVELS},
        "record": dict(record),
    }
    skills = new.setdefault("skills", {})
    if skill in PRODUCTIVE and purpose is not None and skill not in skills:
        skills[skill] = _rubric_entry()  # the purpose's cuts beside the rubric's own
    if purpose is None:
        entry["purposes"] = (skills.get(skill) or {}).get("purposes") or {}
        skills[skill] = entry
    else:
        if skill not in skills:
            raise CutScoreError(f"{skill}: no cuts for every purpose to set one purpose's beside")
        skills[skill].setdefault("purposes", {})[purpose] = entry
    store_from_data(new, version)
    return new


def _rubric_entry() -> dict:
    """Return a productive skill's entry holding the rubric's own band thresholds."""
    return {
        "status": "provisional",
        "cuts": dict(BAND_THRESHOLDS),
        "record": {"method": "rubric bands (docs/rating.md)", "source": "attest rubrics"},
        "purposes": {},
    }


def _record(skill: str, purpose: str | None, entry: Mapping, version: str) -> CutScoreRecord:
    where = f"{skill}" + (f" in {purpose}" if purpose else "")
    try:
        cuts = {level: float(entry["cuts"][level]) for level in LEVELS}
    except (KeyError, TypeError, ValueError):
        raise CutScoreError(f"{where}: needs a cut for each of {', '.join(LEVELS)}") from None
    if list(cuts.values()) != sorted(cuts.values()):
        raise CutScoreError(f"cut scores for {where} must rise from A1 to B2: {cuts}")
    top_band = max(BAND_THRESHOLDS.values())
    if skill in PRODUCTIVE and not all(0 < cut <= top_band for cut in cuts.values()):
        raise CutScoreError(
            f"cut scores for {where} are rubric bands: each above 0 and at most 4, got {cuts}"
        )
    record = entry.get("record") or {}
    date = record.get("date")
    return CutScoreRecord(
        skill=skill,
        cut_scores=CutScores(cuts, str(record.get("method", "unknown")), version),
        status=str(entry.get("status", "provisional")),
        date=None if date is None else str(date),
        panel=record.get("panel"),
        source=record.get("source"),
        purpose=purpose,
    )
