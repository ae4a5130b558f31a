"""A standard-setting panel from invitation to adopted cuts (issue [17] items 1 and 5): five
panellists sort the descriptors, judge two rounds with feedback between them, an admin adopts
the panel's cuts as a new version of the cut-score store; a linear and an adaptive result scored
afterwards use the new version, results scored before keep theirs, and the psychometric report
shows which version each result used."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from attest.admin import item_queries
from attest.assessment import adaptive
from attest.assessment.cut_score_versions import cut_scores_in_force, store_in_force
from attest.assessment.delivery import create_session, finish_session
from attest.assessment.purposes import get_purpose
from attest.models import AuditEvent, CutScoreVersion, Role, SkillResult
from attest.standard_setting import services
from attest.standard_setting.descriptors import descriptor_key
from tests.factories import (
    load_demo_bank,
    make_candidate,
    make_centre,
    make_kiosk,
    make_started_session,
    make_user,
)
from tests.integration.test_adaptive_session import take
from tests.web.helpers import start_at_kiosk

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
ROLES = ("docent", "docent", "examinator", "examinator", "beleid")


@pytest.fixture
def world(app, db):
    load_demo_bank(db)
    centre = make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    kiosk, token = make_kiosk(db, centre=centre)
    admin = make_user(db, role=Role.ADMIN)
    panellists = [make_user(db, role=Role.PANELLIST) for _ in ROLES]
    db.commit()

    def linear():
        """Finish a linear A2 session with every answer right; return its results."""
        ts = make_started_session(
            db, centre=centre, proctor=proctor, kiosk=kiosk, now=T0, answered=True
        )
        results = finish_session(db, ts, T0 + timedelta(minutes=40))
        db.commit()
        return results

    def adaptive_session():
        """Take an adaptive A2 session at the kiosk; return its results."""
        ts, code = create_session(
            db,
            make_candidate(db, centre=centre),
            "a2-luisteren-lezen-adaptief",
            proctor,
            datetime.now(UTC),  # the kiosk redeems the start code at the real time
        )
        db.commit()
        take(start_at_kiosk(app, token, code), db, ts.id, ability=0.3)
        db.expire_all()
        return list(db.scalars(sa.select(SkillResult).where(SkillResult.session_id == ts.id)))

    return admin, panellists, linear, adaptive_session


def bookmarks(n: int, shift: int) -> dict[str, int]:
    """Bookmarks spread over a booklet of n pages, `shift` pages later than the middle ones."""
    return {
        level: min(max(round(n * share) + shift, 1), n)
        for level, share in zip(("A1", "A2", "B1", "B2"), (0.2, 0.55, 0.8, 0.95), strict=True)
    }


def test_a_panel_of_five_sets_cuts_that_score_later_results_only(db, world):
    admin, panellists, linear, adaptive_session = world
    before_linear, before_adaptive = linear(), adaptive_session()
    assert {r.cut_scores_version for r in before_linear + before_adaptive} == {"provisional-1"}

    panel = services.create_panel(
        db, admin, name="Lezen 2026", skill="reading", method="bookmark", now=T0
    )
    n = len(panel.material)
    for user, role in zip(panellists, ROLES, strict=True):
        services.add_panellist(db, admin, panel.id, user, role, T0)
    # Familiarisation: every panellist sorts the reading descriptors; one swaps two levels.
    key = descriptor_key("reading")
    for i, user in enumerate(panellists):
        sort = dict(key)
        if i == 0:
            sort["re-03"], sort["re-05"] = "B1", "A2"
        services.submit_familiarisation(db, user, panel.id, sort, T0)
    familiarity = services.familiarisation_report(db, panel)
    assert familiarity["P1"]["exact"] == pytest.approx(6 / 8)
    assert familiarity["P2"]["exact"] == 1.0

    # Round 1: spread bookmarks; the feedback shows the spread and the impact data.
    for shift, user in zip((-4, -2, 0, 2, 4), panellists, strict=True):
        services.submit_judgement(db, user, panel.id, 1, {"bookmarks": bookmarks(n, shift)}, T0)
    with pytest.raises(services.PanelError) as refused:  # only after every round is complete
        services.adopt(db, admin, panel.id, T0)
    assert refused.value.code == "not_ready"
    first = services.round_report(db, panel, 1)
    assert first.summary["A2"].n == 5 and first.summary["A2"].se > 0
    assert (
        sum(first.impact.values()) == pytest.approx(1.0) and first.impact_n == 2
    )  # reading results so far

    # Round 2, after discussion: closer together, so the standard error shrinks.
    services.open_next_round(db, admin, panel.id, current=1)
    services.open_next_round(db, admin, panel.id, current=1)  # a double-click: no round 3
    assert panel.round == 2
    for shift, user in zip((-1, 0, 0, 0, 1), panellists, strict=True):
        services.submit_judgement(db, user, panel.id, 2, {"bookmarks": bookmarks(n, shift)}, T0)
    second = services.round_report(db, panel, 2)
    assert second.summary["A2"].se < first.summary["A2"].se

    adopted = services.adopt(db, admin, panel.id, T0 + timedelta(hours=2))
    assert services.adopt(db, admin, panel.id, T0 + timedelta(hours=2)).id == adopted.id
    db.commit()
    version = adopted.version
    assert adopted.based_on == "provisional-1"
    assert db.scalar(sa.select(sa.func.count(CutScoreVersion.id))) == 1
    record = adopted.store["skills"]["reading"]["record"]
    assert record["rounds"] == 2 and record["se"]["A2"] == pytest.approx(second.summary["A2"].se)
    assert "5 panellists (beleid 1, docent 2, examinator 2)" in record["panel"]
    assert adopted.store["skills"]["listening"] == store_in_force_data_of_file()["listening"]
    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "cut_scores.adopt"))
    assert event is not None and event.detail["version"] == version

    cuts = cut_scores_in_force(db, "reading", "a2-luisteren-lezen")
    assert cuts.version == version
    assert cuts.cuts == pytest.approx({lv: s.median for lv, s in second.summary.items()}, abs=1e-4)

    after_linear, after_adaptive = linear(), adaptive_session()
    for result in after_linear + after_adaptive:
        assert result.cut_scores_version == version
    reading = next(r for r in after_linear if r.skill == "reading")
    assert reading.level == cuts.level_for(reading.theta, "A2")
    engine, _ = adaptive.engine_for(
        db, get_purpose("a2-luisteren-lezen-adaptief").sections[1], "a2-luisteren-lezen-adaptief"
    )
    assert dict(engine.config.cuts) == pytest.approx(cuts.cuts)

    db.expire_all()  # the results scored before keep the version that scored them
    earlier = [db.get(SkillResult, r.id) for r in before_linear + before_adaptive]
    assert {r.cut_scores_version for r in earlier} == {"provisional-1"}
    report = item_queries.psychometric_report(db, "reading", T0)
    assert dict(report["results_by_cut_version"]) == {"provisional-1": 2, version: 2}
    assert report["cut_scores"].cut_scores.version == version


def store_in_force_data_of_file() -> dict:
    from attest.assessment.cut_scores import read_data

    return read_data()["skills"]


def test_a_panellist_judges_a_round_once_and_bad_judgements_change_nothing(db, world):
    admin, panellists, _linear, _adaptive = world
    panel = services.create_panel(
        db, admin, name="Lezen", skill="reading", method="bookmark", now=T0
    )
    services.add_panellist(db, admin, panel.id, panellists[0], "docent", T0)
    with pytest.raises(services.PanelError) as refused:
        services.add_panellist(db, admin, panel.id, panellists[0], "docent", T0)
    assert refused.value.code == "already_member"
    with pytest.raises(services.PanelError) as refused:
        services.add_panellist(db, admin, panel.id, admin, "beleid", T0)
    assert refused.value.code == "not_panellist"
    n = len(panel.material)
    good = {"bookmarks": bookmarks(n, 0)}
    with pytest.raises(services.PanelError) as refused:  # familiarisation comes first
        services.submit_judgement(db, panellists[0], panel.id, 1, good, T0)
    assert refused.value.code == "not_familiarised"
    services.submit_familiarisation(db, panellists[0], panel.id, descriptor_key("reading"), T0)
    bad = {"bookmarks": {"A1": 5, "A2": 3, "B1": n, "B2": n}}
    with pytest.raises(services.PanelError) as refused:
        services.submit_judgement(db, panellists[0], panel.id, 1, bad, T0)
    assert refused.value.code == "bookmarks_out_of_order"
    services.submit_judgement(db, panellists[0], panel.id, 1, good, T0)
    with pytest.raises(services.PanelError) as refused:
        services.submit_judgement(db, panellists[0], panel.id, 1, good, T0)
    assert refused.value.code == "already_submitted"
    with pytest.raises(services.PanelError) as refused:
        services.submit_judgement(db, panellists[1], panel.id, 1, good, T0)
    assert refused.value.code == "not_member"
    assert len(services.round_report(db, panel, 1).cuts) == 1
    assert store_in_force(db).version == "provisional-1"
