"""Monitoring reports: figures per centre, purpose, month and skill; small cells suppressed;
CSV downloads; no personal data; examiner backlog from unscored productive answers."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from attest.models import (
    Role,
    SessionStatus,
    SkillResult,
    TestSession,
)
from tests.factories import make_candidate, make_centre, make_speaking_performance, make_user
from tests.web.helpers import login

COMPLETED = datetime(2026, 3, 10, 9, tzinfo=UTC)


def completed_test(db, centre, *, levels, family_name="Öztürk", purpose="a2-volledig"):
    cand = make_candidate(db, centre=centre, family_name=family_name,
                          birth_date=date(1990, 4, 12))  # fmt: skip
    ts = TestSession(
        candidate_id=cand.id,
        centre_id=centre.id,
        purpose_code=purpose,
        status=SessionStatus.COMPLETED,
        completed_at=COMPLETED,
    )
    db.add(ts)
    db.flush()
    for skill, level in levels.items():
        db.add(SkillResult(session_id=ts.id, skill=skill, level=level, raw_score=1,
                           max_score=2, method="test"))  # fmt: skip
    return ts


def speaking_answer(db, ts):
    make_speaking_performance(db, ts, waiting_since=COMPLETED)


@pytest.fixture
def region(db):
    gent, brugge = make_centre(db, code="GENT"), make_centre(db, code="BRUGGE")
    for k in range(7):
        ts = completed_test(db, gent, levels={"listening": "A2", "reading": "A2"},
                            family_name=f"Gentenaar{k}")  # fmt: skip
        if k < 6:
            speaking_answer(db, ts)
    for k in range(2):
        completed_test(db, brugge, levels={"listening": "B1", "reading": "A1"},
                       family_name=f"Bruggeling{k}")  # fmt: skip
    admin = make_user(db, role=Role.ADMIN)
    db.commit()
    return admin


def test_reports_page_shows_charts_and_suppressed_tables(client, region):
    login(client, region.username)
    page = client.get("/admin/reports/").get_data(as_text=True)
    assert 'data-testid="chart-people_per_month"' in page and "<svg" in page
    assert 'data-testid="table-examiner_backlog"' in page
    assert "&lt;5" in page  # Brugge's two people
    assert "Gentenaar" not in page and "Bruggeling" not in page and "1990" not in page


def _csv(client, name):
    response = client.get(f"/admin/reports/{name}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_csv_downloads_hold_the_aggregates(client, region):
    login(client, region.username)
    tests = _csv(client, "tests")
    assert tests[0] == ["month", "centre", "purpose", "people"]
    assert ["2026-03", "BRUGGE", "a2-volledig", "<5"] in tests
    assert ["2026-03", "GENT", "a2-volledig", "7"] in tests
    backlog = _csv(client, "examiner_backlog")
    assert backlog[1][:3] == ["GENT", "speaking", "6"]
    profiles = {row[0]: row for row in _csv(client, "profiles")}
    assert profiles["sociale-huur"][1:4] == [
        "9",
        "0",
        "0.0",
    ]  # judged under the rule of the test date
    by_centre = _csv(client, "levels_by_centre")
    gent_listening = next(r for r in by_centre if r[:2] == ["listening", "GENT"])
    assert gent_listening[-1] == "7"
    text = repr([tests, backlog, profiles, by_centre])
    assert "Gentenaar" not in text and "1990-04-12" not in text
    assert client.get("/admin/reports/nothing.csv").status_code == 404


def test_time_to_attestation_is_hidden_under_five(client, db, region, now):
    from attest.models import Attestation, SigningKey

    key = SigningKey(kid="k1", name="k", subject="s", certificate_pem="", root_pem="")
    db.add(key)
    db.flush()
    for k, ts in enumerate(db.query(TestSession).order_by(TestSession.id).limit(3)):
        db.add(
            Attestation(
                code=f"ATT-AAAA-AAA{k}",
                session_id=ts.id,
                family_name="x",
                given_names="y",
                birth_date=date(1990, 1, 1),
                test_date=COMPLETED.date(),
                centre_name="c",
                issuer_name="i",
                levels={},
                signing_key_id=key.id,
                pdf_path="p",
                pdf_sha256="0",
                issued_at=COMPLETED + timedelta(days=2),
            )
        )
    db.commit()
    login(client, region.username)
    assert _csv(client, "time_to_attestation")[1] == ["2026-03", "<5", "<5", "<5"]
