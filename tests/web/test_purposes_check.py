"""`attest purposes check` and the draft status: a weak live purpose fails, a draft cannot start."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from attest.assessment import delivery, purpose_quality_service
from attest.assessment.delivery import DeliveryError, create_session
from attest.assessment.purposes import load_purposes
from attest.models import Role
from tests.factories import load_demo_bank, make_candidate, make_centre, make_user
from tests.web.helpers import login

BANK = Path(__file__).resolve().parents[2] / "question_banks" / "nl"


def test_shipped_purposes_pass_the_bar_on_the_shipped_bank(app):
    result = app.test_cli_runner().invoke(args=["purposes", "check", "--dir", str(BANK)])
    assert result.exit_code == 0, result.output
    lines = [line.split() for line in result.output.splitlines()]
    # the accuracy table (12 columns), not the audio table that follows it
    rows = {(r[0], r[2], r[4]): r for r in lines if len(r) == 12 and r[0] in load_purposes()}
    # every receptive section of every purpose, at each cut it decides
    assert ("a2-volledig", "reading", "A2") in rows
    assert ("niveaubepaling", "listening", "B1") in rows
    assert ("a2-mondeling", "speaking", "A2") not in rows  # examiner-rated: not covered
    assert all(r[-1] == "ok" and float(r[6]) >= 0.90 for r in rows.values())
    assert rows[("a2-volledig", "reading", "A2")][5] == "20"  # 10 units per level, A1 and A2


def test_a_live_purpose_under_the_bar_fails_the_check(app, monkeypatch):
    shipped = load_purposes()
    weak = dataclasses.replace(
        shipped["a2-mondeling"],
        sections=tuple(
            dataclasses.replace(s, items_per_level=3) for s in shipped["a2-mondeling"].sections
        ),
    )
    monkeypatch.setattr(
        purpose_quality_service, "load_purposes", lambda: {**shipped, "a2-mondeling": weak}
    )
    result = app.test_cli_runner().invoke(args=["purposes", "check", "--dir", str(BANK)])
    assert result.exit_code == 1
    assert "a2-mondeling: listening at the A2 cut reaches accuracy 0.8" in result.output
    draft = dataclasses.replace(weak, status="draft")
    monkeypatch.setattr(
        purpose_quality_service, "load_purposes", lambda: {**shipped, "a2-mondeling": draft}
    )
    result = app.test_cli_runner().invoke(args=["purposes", "check", "--dir", str(BANK)])
    assert result.exit_code == 0, result.output
    assert "a2-mondeling                    draft" in result.output


def test_the_database_bank_gives_the_same_figures(app, db):
    load_demo_bank(db)
    db.commit()
    from_db = app.test_cli_runner().invoke(args=["purposes", "check", "--db"])
    from_files = app.test_cli_runner().invoke(args=["purposes", "check", "--dir", str(BANK)])
    assert from_db.exit_code == 0, from_db.output
    assert from_db.output == from_files.output


def test_a_bad_population_is_refused(app):
    result = app.test_cli_runner().invoke(args=["purposes", "check", "--sd", "0"])
    assert result.exit_code == 2 and "the ability sd must be positive" in result.output


def test_no_session_for_a_draft_purpose(db, now, monkeypatch):
    centre = make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    draft = dataclasses.replace(load_purposes()["a2-mondeling"], status="draft")
    monkeypatch.setattr(delivery, "get_purpose", lambda code: draft)
    with pytest.raises(DeliveryError, match="is a draft") as refused:
        create_session(db, make_candidate(db, centre=centre), "a2-mondeling", proctor, now)
    assert refused.value.code == "draft_purpose"


def test_the_psychometric_report_shows_accuracy_per_purpose_and_cut(app, db, client):
    admin = make_user(db, role=Role.ADMIN)
    db.commit()
    login(client, admin.username)
    empty = client.get("/admin/items/report?skill=listening").get_data(as_text=True)
    assert 'data-testid="no-decision-accuracy"' in empty
    load_demo_bank(db)
    db.commit()
    html = client.get("/admin/items/report?skill=listening").get_data(as_text=True)
    table = html.split('data-testid="decision-accuracy"')[1].split("</table>")[0]
    rows = table.split("<tr")[2:]  # after the header row
    # a2-luisteren-lezen, placement (A2, B1), adaptive A2, a2-mondeling, a2-volledig, placement
    assert len(rows) == 1 + 2 + 1 + 1 + 1 + 2
    mondeling = next(r for r in rows if "A2 mondeling" in r)
    assert "<td>20</td>" in mondeling and "0.905" in mondeling and "voldoende" in mondeling
    assert 'data-testid="decision-accuracy-explained"' in html
