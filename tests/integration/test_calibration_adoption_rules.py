"""Calibration adoption, the rules added for issue [12] item 3: live items re-calibrated with mean
anchoring, flagged items adopted only with a recorded reason (audited), a double-click makes one
bank version, and `attest calibrate --adopt` does what the page does."""

from __future__ import annotations

import dataclasses

import pytest
import sqlalchemy as sa

from attest.assessment import calibration_adoption
from attest.assessment.calibration_adoption import proposal
from attest.models import AuditEvent, BankAdoption, Item, ItemVersion, Role
from tests.conftest import csrf_from
from tests.factories import make_user
from tests.web.helpers import login, slow_down, together, twin


def _admin_client(app, db):
    admin = make_user(db, role=Role.ADMIN, username="beheer")
    db.commit()
    client = app.test_client()
    login(client, admin.username)
    return client


def _count(db, model) -> int:
    return db.scalar(sa.select(sa.func.count()).select_from(model))


def _flag(monkeypatch, key: str, flags=("dif_c",)) -> None:
    """Let the proposal flag one item (the fixture's data flag none that can be adopted)."""
    original = calibration_adoption.proposal

    def flagged(*args, **kwargs):
        result = original(*args, **kwargs)
        rows = [dataclasses.replace(r, flags=flags) if r.key == key else r for r in result.rows]
        return dataclasses.replace(result, rows=rows)

    monkeypatch.setattr(calibration_adoption, "proposal", flagged)


def test_mean_anchoring_lets_an_admin_recalibrate_live_items(app, db, bank_data, now):
    client = _admin_client(app, db)
    fixed = client.get("/admin/items/calibration").get_data(as_text=True)
    assert 'value="R-LIVE-05/v1"' not in fixed  # an anchor holds the scale
    page = client.get("/admin/items/calibration?anchoring=mean").get_data(as_text=True)
    assert 'value="R-LIVE-05/v1"' in page and 'name="anchoring" value="mean"' in page
    proposed = {r.key: r for r in proposal(db, now, anchoring="mean").rows}["R-LIVE-05/v1"].new
    answer = client.post(
        "/admin/items/calibration",
        data={
            "csrf_token": csrf_from(page),
            "item": "R-LIVE-05/v1",
            "anchoring": "mean",
            "seen_version": "",
        },
    )
    assert answer.status_code == 303 and "anchoring=mean" in answer.headers["Location"]
    db.expire_all()
    item = db.get(Item, "R-LIVE-05")
    current = next(v for v in item.versions if v.version == item.current_version)
    assert current.difficulty == pytest.approx(proposed) and item.status == "live"
    (adoption,) = db.scalars(sa.select(BankAdoption)).all()
    assert adoption.items[0]["anchoring"] == "mean"
    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "bank.adopt_calibration"))
    assert event.detail["anchoring"] == "mean"


def test_a_flagged_item_is_adopted_only_with_a_reason(app, db, bank_data, monkeypatch):
    _flag(monkeypatch, "R-PILOT-2/v1")
    client = _admin_client(app, db)
    page = client.get("/admin/items/calibration").get_data(as_text=True)
    assert 'name="reason-R-PILOT-2/v1"' in page  # the page asks for it
    form = {"csrf_token": csrf_from(page), "item": "R-PILOT-2/v1", "seen_version": ""}
    for reason in ("", "ok"):  # missing, or too short to say anything
        client.post("/admin/items/calibration", data={**form, "reason-R-PILOT-2/v1": reason})
        shown = client.get("/admin/items/calibration").get_data(as_text=True)
        assert "schrijf waarom u het toch overneemt" in shown
        assert _count(db, BankAdoption) == 0
        assert db.get(Item, "R-PILOT-2").status == "pilot"
    why = "Twee lezers vonden geen voordeel voor Arabischtaligen."
    client.post("/admin/items/calibration", data={**form, "reason-R-PILOT-2/v1": why})
    db.expire_all()
    (adoption,) = db.scalars(sa.select(BankAdoption)).all()
    assert adoption.items[0]["reason"] == why and adoption.items[0]["flags"] == ["dif_c"]
    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "bank.adopt_calibration"))
    assert why in str(event.detail)
    shown = client.get("/admin/items/calibration").get_data(as_text=True)
    assert why in shown.split('data-testid="adopted-reason"')[1]


def test_a_double_click_makes_one_bank_version(app, db, bank_data, monkeypatch):
    # a live item re-calibrated (mean anchoring) whose version was never marked used is changed
    # in place: a second click would find it still current and adoptable and adopt it again,
    # without the check of the bank version the page showed
    for version in db.scalars(sa.select(ItemVersion).where(ItemVersion.item_id == "R-LIVE-05")):
        version.first_used_at = None
    client = _admin_client(app, db)
    page = client.get("/admin/items/calibration?anchoring=mean").get_data(as_text=True)
    form = {
        "csrf_token": csrf_from(page),
        "item": "R-LIVE-05/v1",
        "anchoring": "mean",
        "seen_version": "",
    }
    slow_down(monkeypatch, calibration_adoption, "proposal")  # both between read and write
    other = twin(app, client)
    clicks = [lambda c=c: c.post("/admin/items/calibration", data=form) for c in (client, other)]
    assert [r.status_code for r in together(clicks)] == [303, 303]
    db.expire_all()
    assert _count(db, BankAdoption) == 1
    adopted = sa.select(sa.func.count()).where(AuditEvent.action == "bank.adopt_calibration")
    assert db.scalar(adopted) == 1


def test_the_cli_adopts_like_the_page_and_refuses_clearly(app, db, bank_data, monkeypatch):
    make_user(db, role=Role.ADMIN, username="beheer")
    make_user(db, role=Role.AUTHOR, username="schrijver")
    db.commit()
    runner = app.test_cli_runner()

    def run(*args):
        return runner.invoke(args=["calibrate", *args])

    refused = [
        (["--adopt", "R-PILOT-2/v1"], "needs --by"),
        (["--adopt", "R-PILOT-2/v1", "--by", "schrijver"], "not an active admin"),
        (["--adopt", "R-NOPE/v1", "--by", "beheer"], "R-NOPE/v1: not in the proposal"),
        (["--adopt", "R-PILOT-1/v1", "--by", "beheer"], "outside the level's band"),
        (["--adopt", "R-LIVE-05/v1", "--by", "beheer"], "use --anchoring mean"),
        (["--adopt", "R-PILOT-2/v1", "--by", "beheer", "--reason", "nope"], "ITEM/vN=TEXT"),
        (["--reason", "R-PILOT-2/v1=x"], "go with --adopt"),
    ]
    for args, message in refused:
        result = run(*args)
        assert result.exit_code != 0 and message in result.output, (args, result.output)
    assert _count(db, BankAdoption) == 0

    _flag(monkeypatch, "R-PILOT-2/v1", ("infit",))
    result = run("--adopt", "R-PILOT-2/v1", "--by", "beheer")
    assert result.exit_code == 1 and "give --reason ITEM=TEXT" in result.output
    assert _count(db, BankAdoption) == 0
    result = run(
        "--adopt", "R-PILOT-2/v1", "--by", "beheer",
        "--reason", "R-PILOT-2/v1=Herlezen: de sleutel klopt, infit door weinig data.",
        "--note", "CLI",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    db.expire_all()
    (adoption,) = db.scalars(sa.select(BankAdoption)).all()
    assert f"bank version {adoption.id}: 1 item(s) adopted" in result.output
    assert "R-PILOT-2 v1 -> v" in result.output and "pilot -> live" in result.output
    assert adoption.actor == "beheer" and adoption.note == "CLI"
    assert adoption.items[0]["flags"] == ["infit"] and db.get(Item, "R-PILOT-2").status == "live"
