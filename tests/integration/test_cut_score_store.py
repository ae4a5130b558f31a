"""One cut-score store read by every caller (issue [10]): a new version of the YAML changes the
cuts of linear scoring, of the adaptive engine, of targeting, of the CAT's defaults and of the
psychometric report at once, and each result records the version that scored it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import yaml

from attest.admin import item_queries
from attest.assessment import adaptive, cut_scores
from attest.assessment.cat import CatConfig
from attest.assessment.delivery import finish_session
from attest.assessment.purposes import get_purpose
from attest.assessment.targeting import receptive_level
from attest.models import Role
from tests.factories import (
    load_demo_bank,
    make_centre,
    make_kiosk,
    make_started_session,
    make_user,
)

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
SHIFT = 6.0  # logits: under the new version even a perfect A1-A2 form stays below A1


@pytest.fixture
def new_version(tmp_path, monkeypatch):
    """Point the store at a new version whose cuts all sit SHIFT logits higher."""
    data = yaml.safe_load(cut_scores.CUT_SCORES_FILE.read_text(encoding="utf-8"))
    data["version"] = "panel-test"
    for entry in data["skills"].values():
        entry["cuts"] = {level: cut + SHIFT for level, cut in entry["cuts"].items()}
    path = tmp_path / "cut_scores.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return lambda: monkeypatch.setattr(cut_scores, "CUT_SCORES_FILE", path)


@pytest.fixture
def answered(db):
    """Return a linear A2 session, every answer right, not yet finished."""
    load_demo_bank(db)
    centre = make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    kiosk, _token = make_kiosk(db, centre=centre)

    def make():
        return make_started_session(
            db, centre=centre, proctor=proctor, kiosk=kiosk, now=T0, answered=True
        )

    return make


def test_linear_scoring_and_targeting_use_the_version_in_force(db, answered, new_version):
    purpose = get_purpose("a2-luisteren-lezen")
    before = answered()
    assert receptive_level(db, before, purpose) == "A2"
    results = finish_session(db, before, T0 + timedelta(minutes=40))
    assert {(r.level, r.cut_scores_version) for r in results} == {("A2", "provisional-1")}

    new_version()
    after = answered()
    assert receptive_level(db, after, purpose) == "below_A1"
    results = finish_session(db, after, T0 + timedelta(minutes=40))
    assert {(r.level, r.cut_scores_version) for r in results} == {("below_A1", "panel-test")}
    for result in results:
        cuts = cut_scores.cut_scores_for(result.skill, purpose.code)
        assert cuts.version == "panel-test"
        assert cuts.level_for(result.theta, "A2") == result.level
    db.expire_all()  # results scored before keep the version they were scored with
    assert {r.cut_scores_version for r in before.results} == {"provisional-1"}


def test_the_adaptive_engine_the_cat_defaults_and_the_report_read_the_store(db, new_version):
    load_demo_bank(db)
    purpose = get_purpose("a2-luisteren-lezen-adaptief")
    old = {
        s.skill: dict(adaptive.engine_for(db, s, purpose.code)[0].config.cuts)
        for s in purpose.sections
    }
    old_report = item_queries.psychometric_report(db, "reading", T0)["cuts"]

    new_version()
    db.commit()  # a new request: a transaction keeps the engine it found (adaptive.engine_for)
    for section in purpose.sections:
        engine, _ = adaptive.engine_for(db, section, purpose.code)
        assert dict(engine.config.cuts) == {
            level: cut + SHIFT for level, cut in old[section.skill].items()
        }
    assert dict(CatConfig().cuts) == {level: cut + SHIFT for level, cut in old["reading"].items()}
    report = item_queries.psychometric_report(db, "reading", T0)
    assert report["cuts"] == {level: cut + SHIFT for level, cut in old_report.items()}
    assert report["cut_scores"].cut_scores.version == "panel-test"
