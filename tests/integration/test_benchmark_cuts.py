"""A benchmarking panel's cuts adopted for writing (issue [17] item 1; docs/standard-setting.md):
the adoption writes a new cut-score version with the band thresholds and the panel's record
(audited, a double-click adopts once); a writing performance rated afterwards is read with the
new thresholds, a result rated before keeps its level and version, and a test whose first task
was finalised before the adoption keeps that version for its other tasks, as does a re-mark of a
result scored before."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from attest.admin import item_queries
from attest.assessment.cut_score_versions import store_in_force
from attest.examiner import scoring
from attest.examiner.assignments import rubric_of
from attest.models import (
    AssignmentKind,
    AuditEvent,
    BenchmarkText,
    CutScoreVersion,
    Performance,
    RatingAssignment,
    Role,
    SkillResult,
    User,
)
from attest.standard_setting import services
from attest.standard_setting.descriptors import descriptor_key
from tests.examiner_world import finished_session, make_examiners
from tests.factories import load_demo_bank, make_centre, make_user
from tests.web.helpers import csrf, login, slow_down, together, twin

# Each panellist places a benchmark at the highest level whose threshold its mean band reaches:
# the panel's cuts come out between the benchmarks on either side (A2 between 2.2 and 2.4).
PLACING = {"A1": 1.1, "A2": 2.3, "B1": 3.1, "B2": 3.7}


@pytest.fixture
def world(app, db, now):
    loaded = app.test_cli_runner().invoke(args=["panels", "load-benchmarks"])  # before db writes
    assert loaded.exit_code == 0, loaded.output
    load_demo_bank(db)
    centre = make_centre(db)
    admin = make_user(db, role=Role.ADMIN)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    make_examiners(db, centre, admin, now, n=4, seniors=1)  # a re-mark needs a new pair
    db.commit()

    def writing_test(tasks: int = 1):
        made = finished_session(
            db, centre, proctor, app.config["STORAGE_DIR"], now, speaking=0, writing=tasks
        )
        db.commit()
        return made.ts

    return admin, writing_test


def rate(db, perf: Performance, band: int, now) -> None:
    """Both live raters of the current round give `band` on every criterion."""
    codes = rubric_of(perf).codes
    assignments = db.scalars(
        sa.select(RatingAssignment).where(
            RatingAssignment.performance_id == perf.id,
            RatingAssignment.kind == AssignmentKind.LIVE,
            RatingAssignment.round == perf.round,
        )
    ).all()
    assert len(assignments) == 2
    for assignment in assignments:
        examiner = db.get(User, assignment.examiner_id)
        scoring.submit_rating(db, assignment, examiner, {c: band for c in codes}, now)
    db.commit()


def performances(db, ts) -> list[Performance]:
    return list(
        db.scalars(
            sa.select(Performance).where(Performance.session_id == ts.id).order_by(Performance.id)
        )
    )


def writing_result(db, ts) -> SkillResult | None:
    db.expire_all()
    return db.scalar(
        sa.select(SkillResult).where(
            SkillResult.session_id == ts.id, SkillResult.skill == "writing"
        )
    )


def run_panel(db, admin, now):
    panellists = [make_user(db, role=Role.PANELLIST) for _ in range(3)]
    panel = services.create_panel(
        db, admin, name="Schrijven 2026", skill="writing", method="benchmark", now=now
    )
    placements = {}
    for text in db.scalars(sa.select(BenchmarkText).where(BenchmarkText.skill == "writing")):
        mean = sum(text.bands.values()) / len(text.bands)
        reached = [level for level, cut in PLACING.items() if mean >= cut]
        placements[text.id] = reached[-1] if reached else "below_A1"
    for user in panellists:
        services.add_panellist(db, admin, panel.id, user, "examinator", now)
        services.submit_familiarisation(db, user, panel.id, descriptor_key("writing"), now)
    for round_no in (1, 2):
        if round_no == 2:
            services.open_next_round(db, admin, panel.id, 1)
        for user in panellists:
            services.submit_judgement(db, user, panel.id, round_no, {"placements": placements}, now)
    db.commit()
    return panel


def test_adopted_benchmark_cuts_score_later_writing_only(app, db, client, world, now):
    admin, writing_test = world
    before = writing_test()
    rate(db, performances(db, before)[0], 2, now)
    assert (writing_result(db, before).level, writing_result(db, before).cut_scores_version) == (
        "A2",
        "provisional-1",
    )
    half = writing_test(tasks=2)  # its first task is final before the adoption, its second after
    rate(db, performances(db, half)[0], 2, now)
    assert writing_result(db, half) is None

    panel = run_panel(db, admin, now)
    adopted = services.adopt(db, admin, panel.id, now + timedelta(hours=1))
    assert services.adopt(db, admin, panel.id, now + timedelta(hours=1)).id == adopted.id
    db.commit()
    assert db.scalar(sa.select(sa.func.count(CutScoreVersion.id))) == 1
    entry = adopted.store["skills"]["writing"]
    assert entry["status"] == "final"
    assert entry["cuts"] == pytest.approx(PLACING)
    assert entry["record"]["method"].startswith("standard setting: benchmarking")
    assert entry["record"]["rounds"] == 2 and "3 panellists" in entry["record"]["panel"]
    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "cut_scores.adopt"))
    assert event.detail["skill"] == "writing" and event.detail["version"] == adopted.version
    assert store_in_force(db).band_thresholds("writing") == pytest.approx(PLACING)

    after = writing_test()  # the same bands now read as A1: 2 is under the panel's 2.3
    perf = performances(db, after)[0]
    rate(db, perf, 2, now)
    db.expire_all()
    assert (perf.final_level, perf.cut_scores_version) == ("A1", adopted.version)
    assert (writing_result(db, after).level, writing_result(db, after).cut_scores_version) == (
        "A1",
        adopted.version,
    )

    rate(db, performances(db, half)[1], 2, now)  # pinned to the version of its first task
    assert [p.final_level for p in performances(db, half)] == ["A2", "A2"]
    assert {p.cut_scores_version for p in performances(db, half)} == {"provisional-1"}
    assert (writing_result(db, half).level, writing_result(db, half).cut_scores_version) == (
        "A2",
        "provisional-1",
    )

    earlier = writing_result(db, before)  # the result rated before keeps its level and version
    assert (earlier.level, earlier.cut_scores_version) == ("A2", "provisional-1")
    assert performances(db, before)[0].cut_scores_version == "provisional-1"
    # a re-mark after the adoption re-rates with the cuts the result was scored with
    scoring.request_remark(db, performances(db, before)[0], admin, "bezwaar", now)
    db.commit()
    with app.app_context():  # the re-mark's end announces itself (reissue, if a level changed)
        rate(db, performances(db, before)[0], 2, now)
    remarked = writing_result(db, before)
    assert (remarked.level, remarked.cut_scores_version) == ("A2", "provisional-1")
    assert performances(db, before)[0].round == 2
    assert performances(db, before)[0].cut_scores_version == "provisional-1"
    assert dict(item_queries.results_by_cut_version(db, "writing")) == {
        "provisional-1": 2,
        adopted.version: 1,
    }

    login(client, admin.username)  # the psychometric report shows the thresholds and versions
    page = client.get("/admin/items/report?skill=reading").get_data(as_text=True)
    row = page.split('<tr data-skill="writing">')[1].split("</tr>")[0]
    assert "<td>2.30</td>" in row and "<td>3.70</td>" in row
    assert "provisional-1: 2" in row and f"{adopted.version}: 1" in row
    speaking = page.split('<tr data-skill="speaking">')[1].split("</tr>")[0]
    assert "<td>2.00</td>" in speaking  # no panel for speaking: the rubric's own bands


def test_a_double_click_on_adopting_benchmark_cuts_writes_one_version(
    app, db, world, now, monkeypatch
):
    admin, _ = world
    panel = run_panel(db, admin, now)
    boss = app.test_client()
    login(boss, admin.username)
    url = f"/admin/panels/{panel.id}"
    token = csrf(boss, url)
    slow_down(monkeypatch, services, "round_report")  # both between their read and write
    other = twin(app, boss)
    clicks = [lambda c=c: c.post(f"{url}/adopt", data={"csrf_token": token}) for c in (boss, other)]
    assert [r.status_code for r in together(clicks)] == [302, 302]
    db.expire_all()
    rows = db.scalars(sa.select(CutScoreVersion)).all()
    assert len(rows) == 1 and rows[0].store["skills"]["writing"]["cuts"] == pytest.approx(PLACING)
    events = db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "cut_scores.adopt"))
    assert len(events.all()) == 1
