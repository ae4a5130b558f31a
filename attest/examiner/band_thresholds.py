"""Which band thresholds score a productive skill of a test (issue [12] item 1).

A speaking or writing task's level is read from its bands with the band thresholds of one
version of the cut-score store (`rubrics.task_level`; docs/standard-setting.md). All tasks of one
skill in one test use the same version: the version the skill's result already has (a re-mark
keeps the cuts the result was scored with), else the version a task of it was finalised with,
else the version in force now. The caller holds the test session's row lock
(`scoring.submit_rating`), so the first finalisation pins the version for the others."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.assessment.cut_score_versions import store_of_version
from attest.models import Performance, SkillResult, TestSession


def thresholds_for(
    session: so.Session, ts: TestSession, skill: str
) -> tuple[str, dict[str, float]]:
    """Return (version, band thresholds) that score `skill` in the test session `ts`."""
    version = session.scalar(
        sa.select(SkillResult.cut_scores_version).where(
            SkillResult.session_id == ts.id, SkillResult.skill == skill
        )
    )
    if version is None:
        version = session.scalar(
            sa.select(Performance.cut_scores_version)
            .where(
                Performance.session_id == ts.id,
                Performance.skill == skill,
                Performance.cut_scores_version.is_not(None),
            )
            .limit(1)
        )
    store = store_of_version(session, version)
    return store.version, store.band_thresholds(skill, ts.purpose_code)
